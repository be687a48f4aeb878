// The 256-bit VAES + VPCLMULQDQ AES-GCM path (AVX2 level, for CPUs with VAES but no usable
// AVX-512): two 128-bit blocks per YMM register, 8 blocks per loop step. AVX2 has no byte-masked
// loads, so a partial vector goes through a small stack buffer. Everything here carries
// SFU_GCM_TARGET; the caller (GcmBatch, GcmKey) checks GcmCpuFeatures::vaes256 first.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/vaes/gcm_vaes_kernel.h"

#define SFU_GCM_TARGET __attribute__((target("aes,pclmul,sse4.1,avx2,vaes,vpclmulqdq")))

namespace sfu::crypto::gcm_internal::vaes256 {

// 32 bytes of ones then 32 of zeros: loading at offset 32-n gives a mask of the first n bytes
// (n is a public length).
alignas(64) constexpr uint8_t kFirstBytesMask[64] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct Ops {
  using V = __m256i;
  static constexpr size_t kLanes = 2;
  static constexpr size_t kBytes = 32;

  SFU_GCM_TARGET static V Zero() { return _mm256_setzero_si256(); }
  SFU_GCM_TARGET static V Load(const uint8_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  SFU_GCM_TARGET static void Store(uint8_t* p, V v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }
  // n < 32 bytes; the bytes past n read as zero and are never accessed.
  SFU_GCM_TARGET static V LoadPartial(const uint8_t* p, size_t n) {
    alignas(32) uint8_t buf[32] = {};
    std::memcpy(buf, p, n);
    return Load(buf);
  }
  SFU_GCM_TARGET static void StorePartial(uint8_t* p, size_t n, V v) {
    alignas(32) uint8_t buf[32];
    Store(buf, v);
    std::memcpy(p, buf, n);
  }
  SFU_GCM_TARGET static V KeepFirst(V v, size_t n) {
    return _mm256_and_si256(v, Load(kFirstBytesMask + 32 - n));
  }
  SFU_GCM_TARGET static V Xor(V a, V b) { return _mm256_xor_si256(a, b); }
  SFU_GCM_TARGET static V Xor3(V a, V b, V c) { return Xor(a, Xor(b, c)); }
  SFU_GCM_TARGET static V Broadcast(__m128i x) { return _mm256_broadcastsi128_si256(x); }
  SFU_GCM_TARGET static V ZeroExtend(__m128i x) {
    return _mm256_inserti128_si256(_mm256_setzero_si256(), x, 0);
  }
  SFU_GCM_TARGET static __m128i Fold(V v) {
    return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  }
  SFU_GCM_TARGET static V AesEnc(V v, V k) { return _mm256_aesenc_epi128(v, k); }
  SFU_GCM_TARGET static V AesEncLast(V v, V k) { return _mm256_aesenclast_epi128(v, k); }
  template <int kImm>
  SFU_GCM_TARGET static V Clmul(V a, V b) {
    return _mm256_clmulepi64_epi128(a, b, kImm);
  }
  SFU_GCM_TARGET static V Bswap(V v) {
    return _mm256_shuffle_epi8(
        v, Broadcast(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)));
  }
  SFU_GCM_TARGET static V Add32(V a, V b) { return _mm256_add_epi32(a, b); }
  // Added to a broadcast reversed J0: lane k becomes counter J0+1+k.
  SFU_GCM_TARGET static V FirstCounters() { return _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 1); }
  SFU_GCM_TARGET static V CounterStep() { return Broadcast(_mm_set_epi32(0, 0, 0, 2)); }
};

#include "crypto/vaes/gcm_vaes_kernel.inc"

}  // namespace sfu::crypto::gcm_internal::vaes256
