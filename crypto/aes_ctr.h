#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace sfu::crypto {

// AES in counter mode with a full 128-bit counter block (the form SRTP's AES-CM uses, RFC 3711
// §4.1.1), keyed once, in place. Also serves as SRTP's key-derivation PRF (keystream over zeros).
// Owned by one thread; Crypt never allocates.
class AesCtr {
 public:
  static constexpr size_t kBlockSize = 16;

  // `key` is 16 (AES-128) or 32 (AES-256) bytes.
  static absl::StatusOr<AesCtr> Create(absl::Span<const uint8_t> key);
  AesCtr(AesCtr&&) noexcept;
  AesCtr& operator=(AesCtr&&) noexcept;
  ~AesCtr();

  // XORs the keystream starting at counter block `iv` (16 bytes) into `data`.
  [[nodiscard]] bool Crypt(absl::Span<const uint8_t> iv, absl::Span<uint8_t> data);

 private:
  struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const;
  };
  explicit AesCtr(EVP_CIPHER_CTX* ctx) : ctx_(ctx) {}
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx_;
};

}  // namespace sfu::crypto
