// The 512-bit VAES + VPCLMULQDQ AES-GCM path: four 128-bit blocks per ZMM register, 16 blocks per
// loop step. AVX-512BW byte masks load and store partial vectors without touching bytes past the
// end of the data. Everything here carries SFU_GCM_TARGET; the caller (GcmBatch) checks
// GcmCpuFeatures::vaes512 first.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/vaes/gcm_vaes_kernel.h"

#define SFU_GCM_TARGET \
  __attribute__((target("aes,pclmul,sse4.1,avx2,vaes,vpclmulqdq,avx512f,avx512bw,avx512vl")))

namespace sfu::crypto::gcm_internal::vaes512 {

struct Ops {
  using V = __m512i;
  static constexpr size_t kLanes = 4;
  static constexpr size_t kBytes = 64;

  static __mmask64 Mask(size_t n) { return n >= 64 ? ~0ULL : (1ULL << n) - 1; }
  SFU_GCM_TARGET static V Zero() { return _mm512_setzero_si512(); }
  SFU_GCM_TARGET static V Load(const uint8_t* p) { return _mm512_loadu_si512(p); }
  SFU_GCM_TARGET static void Store(uint8_t* p, V v) { _mm512_storeu_si512(p, v); }
  // n < 64 bytes; the bytes past n read as zero and are never accessed.
  SFU_GCM_TARGET static V LoadPartial(const uint8_t* p, size_t n) {
    return _mm512_maskz_loadu_epi8(Mask(n), p);
  }
  SFU_GCM_TARGET static void StorePartial(uint8_t* p, size_t n, V v) {
    _mm512_mask_storeu_epi8(p, Mask(n), v);
  }
  SFU_GCM_TARGET static V KeepFirst(V v, size_t n) { return _mm512_maskz_mov_epi8(Mask(n), v); }
  SFU_GCM_TARGET static V Xor(V a, V b) { return _mm512_xor_si512(a, b); }
  SFU_GCM_TARGET static V Xor3(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }
  // The zero-masking forms: gcc 12's unmasked broadcast/extract intrinsics trip -Wuninitialized
  // on their internal _mm512_undefined_* (GCC bug 105593); the masked forms compile the same.
  SFU_GCM_TARGET static V Broadcast(__m128i x) { return _mm512_maskz_broadcast_i32x4(0xffff, x); }
  SFU_GCM_TARGET static V ZeroExtend(__m128i x) {
    return _mm512_inserti32x4(_mm512_setzero_si512(), x, 0);
  }
  SFU_GCM_TARGET static __m128i Fold(V v) {
    const __m256i t = _mm256_xor_si256(_mm512_maskz_extracti64x4_epi64(0xf, v, 0),
                                       _mm512_maskz_extracti64x4_epi64(0xf, v, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
  }
  SFU_GCM_TARGET static V AesEnc(V v, V k) { return _mm512_aesenc_epi128(v, k); }
  SFU_GCM_TARGET static V AesEncLast(V v, V k) { return _mm512_aesenclast_epi128(v, k); }
  template <int kImm>
  SFU_GCM_TARGET static V Clmul(V a, V b) {
    return _mm512_clmulepi64_epi128(a, b, kImm);
  }
  SFU_GCM_TARGET static V Bswap(V v) {
    return _mm512_shuffle_epi8(
        v, Broadcast(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)));
  }
  SFU_GCM_TARGET static V Add32(V a, V b) { return _mm512_add_epi32(a, b); }
  // Added to a broadcast reversed J0: lane k becomes counter J0+1+k.
  SFU_GCM_TARGET static V FirstCounters() {
    return _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1);
  }
  SFU_GCM_TARGET static V CounterStep() { return Broadcast(_mm_set_epi32(0, 0, 0, 4)); }
};

#include "crypto/vaes/gcm_vaes_kernel.inc"

}  // namespace sfu::crypto::gcm_internal::vaes512
