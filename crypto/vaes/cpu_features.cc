#include "crypto/vaes/cpu_features.h"

#include <cpuid.h>

#include <cstdint>

namespace sfu::crypto {
namespace {

bool Bit(unsigned reg, int bit) { return ((reg >> bit) & 1u) != 0; }

// XGETBV(0): which register states the OS saves on context switch. Only valid when CPUID says
// OSXSAVE, which the caller checks first.
uint64_t ReadXcr0() {
  uint32_t lo = 0;
  uint32_t hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

GcmCpuFeatures Detect() {
  GcmCpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return f;
  // Intel SDM vol. 2A, CPUID leaf 1 ECX: PCLMULQDQ 1, SSSE3 9, SSE4.1 19, AES 25, OSXSAVE 27,
  // AVX 28.
  const bool leaf1 =
      Bit(ecx, 1) && Bit(ecx, 9) && Bit(ecx, 19) && Bit(ecx, 25) && Bit(ecx, 27) && Bit(ecx, 28);
  if (!leaf1) return f;
  const uint64_t xcr0 = ReadXcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  // Leaf 7.0 EBX: AVX2 5, AVX512F 16, AVX512BW 30, AVX512VL 31; ECX: VAES 9, VPCLMULQDQ 10.
  const bool avx2 = Bit(ebx, 5);
  const bool vaes = Bit(ecx, 9) && Bit(ecx, 10);
  const bool avx512 = Bit(ebx, 16) && Bit(ebx, 30) && Bit(ebx, 31);
  f.vaes256 = ymm_state && avx2 && vaes;
  f.vaes512 = f.vaes256 && zmm_state && avx512;
  return f;
}

}  // namespace

GcmCpuFeatures DetectGcmCpuFeatures() {
  // CPUID traps to the hypervisor in a VM (microseconds), and the answer cannot change while the
  // process runs, so ask once.
  static const GcmCpuFeatures kFeatures = Detect();
  return kFeatures;
}

}  // namespace sfu::crypto
