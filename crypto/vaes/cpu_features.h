#pragma once

namespace sfu::crypto {

// What this x86-64 CPU and its OS let the vectorised AES-GCM code use. Read from CPUID leaves 1
// and 7 and from XCR0 (XGETBV), because a CPU can have AVX-512 while the kernel does not save the
// ZMM state (then AVX-512 instructions fault). __builtin_cpu_supports is not used: clang 14 does
// not know the "vaes"/"vpclmulqdq" names. Detected once per process, then a copy of the cached
// answer; thread-safe.
struct GcmCpuFeatures {
  // AES-NI, PCLMULQDQ, SSE4.1, AVX2, VAES and VPCLMULQDQ with OS-enabled YMM state.
  bool vaes256 = false;
  // All of the above plus AVX-512 F/BW/VL with OS-enabled opmask and ZMM state.
  bool vaes512 = false;
};

GcmCpuFeatures DetectGcmCpuFeatures();

}  // namespace sfu::crypto
