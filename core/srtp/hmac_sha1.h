#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "absl/types/span.h"

namespace sfu::srtp {

// HMAC-SHA1 (RFC 2104) keyed once, for SRTP's per-packet authentication (RFC 3711 §4.2.1).
//
// Why not crypto::Hmac: OpenSSL 3.0's EVP_MAC HMAC duplicates two digest contexts on the heap for
// every MAC, and per-packet allocation is what the SRTP hot path must not do. This class keeps the
// SHA-1 states after absorbing key^ipad and key^opad and restarts from copies of them, so a MAC is
// a struct copy plus the compression function (OpenSSL's SHA-1 block code, SHA-NI where present).
// Value type owned by one session; not thread-safe; never allocates.
class HmacSha1 {
 public:
  static constexpr size_t kDigestSize = 20;

  HmacSha1() = default;
  // `key` up to 64 bytes (SRTP uses 20).
  explicit HmacSha1(absl::Span<const uint8_t> key);
  ~HmacSha1();

  // MAC over the concatenation of `parts`.
  void Compute(std::initializer_list<absl::Span<const uint8_t>> parts,
               std::array<uint8_t, kDigestSize>* out) const;

 private:
  // Opaque storage for OpenSSL's SHA_CTX (96 bytes in OpenSSL 3.0; checked in the .cc).
  static constexpr size_t kStateSize = 96;
  alignas(8) std::array<uint8_t, kStateSize> inner_{};
  alignas(8) std::array<uint8_t, kStateSize> outer_{};
};

}  // namespace sfu::srtp
