#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "crypto/hash.h"

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace sfu::crypto {

// HMAC (RFC 2104) keyed once; Compute() may be called any number of times (per packet for SRTP's
// HMAC-SHA1, per STUN message for MESSAGE-INTEGRITY) without re-deriving the key pads. Owned by one
// thread. Compute makes no allocation of its own; OpenSSL 3.0's HMAC provider itself duplicates its
// inner and outer digest contexts (two small mallocs) per MAC, which its EVP API cannot avoid.
class Hmac {
 public:
  static absl::StatusOr<Hmac> Create(HashAlgorithm alg, absl::Span<const uint8_t> key);
  Hmac(Hmac&&) noexcept;
  Hmac& operator=(Hmac&&) noexcept;
  ~Hmac();

  // MAC over the concatenation of `parts` (a scatter list, so header and payload need not be
  // contiguous). Writes DigestSize(alg) bytes to `out` (must be at least that large); returns false
  // only on an internal OpenSSL failure.
  [[nodiscard]] bool Compute(std::initializer_list<absl::Span<const uint8_t>> parts,
                             absl::Span<uint8_t> out);
  HashAlgorithm algorithm() const { return alg_; }
  size_t size() const { return DigestSize(alg_); }

 private:
  struct CtxDeleter {
    void operator()(EVP_MAC_CTX* c) const;
  };
  Hmac(HashAlgorithm alg, EVP_MAC_CTX* ctx) : alg_(alg), ctx_(ctx) {}
  HashAlgorithm alg_;
  std::unique_ptr<EVP_MAC_CTX, CtxDeleter> ctx_;
};

// One-shot convenience for cold paths (tests, cookie checks at handshake rate).
absl::StatusOr<size_t> HmacOnce(HashAlgorithm alg, absl::Span<const uint8_t> key,
                                absl::Span<const uint8_t> data, absl::Span<uint8_t> out);

}  // namespace sfu::crypto
