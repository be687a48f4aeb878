#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace sfu::crypto {

// AES-GCM (NIST SP 800-38D) with a 96-bit IV and a 128-bit tag, keyed once, in place. The same
// object seals and opens (the direction is chosen per call); the key schedule and GHASH tables are
// computed once at Create(). Owned by one thread; Seal/Open never allocate.
class AesGcm {
 public:
  static constexpr size_t kIvSize = 12;
  static constexpr size_t kTagSize = 16;

  // `key` is 16 bytes (AES-128-GCM) or 32 bytes (AES-256-GCM).
  static absl::StatusOr<AesGcm> Create(absl::Span<const uint8_t> key);
  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;
  ~AesGcm();

  // Encrypts `data` in place and writes the tag. `iv` must be kIvSize bytes, `tag` kTagSize.
  [[nodiscard]] bool Seal(absl::Span<const uint8_t> iv, absl::Span<const uint8_t> aad,
                          absl::Span<uint8_t> data, absl::Span<uint8_t> tag);
  // Decrypts `data` in place if the tag verifies; returns false (and leaves `data` unspecified) if
  // it does not.
  [[nodiscard]] bool Open(absl::Span<const uint8_t> iv, absl::Span<const uint8_t> aad,
                          absl::Span<uint8_t> data, absl::Span<const uint8_t> tag);
  size_t key_size() const { return key_size_; }

 private:
  struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const;
  };
  AesGcm(size_t key_size, EVP_CIPHER_CTX* ctx) : key_size_(key_size), ctx_(ctx) {}
  size_t key_size_;
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx_;
};

}  // namespace sfu::crypto
