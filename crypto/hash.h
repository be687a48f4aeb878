#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sfu::crypto {

enum class HashAlgorithm : uint8_t { kSha1, kSha256, kSha384 };

// Output size in bytes: 20, 32, 48.
size_t DigestSize(HashAlgorithm alg);
inline constexpr size_t kMaxDigestSize = 48;

std::array<uint8_t, 32> Sha256(absl::Span<const uint8_t> data);
std::array<uint8_t, 48> Sha384(absl::Span<const uint8_t> data);

// An incremental hash (e.g. a handshake transcript). Digest() does not disturb the running state,
// so a transcript can be hashed at several points. Owned by one thread. The EVP_MD is fetched
// once per process.
class Hasher {
 public:
  static absl::StatusOr<Hasher> Create(HashAlgorithm alg);
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void Update(absl::Span<const uint8_t> data);
  // Writes DigestSize(alg) bytes into `out` (which must be at least that large) and returns that
  // count, leaving the running state as it was. Returns 0 if `out` is too small or OpenSSL failed
  // (now or in an earlier Update, which leaves the hasher permanently failed).
  size_t Digest(absl::Span<uint8_t> out) const;
  HashAlgorithm algorithm() const { return alg_; }

 private:
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* c) const;
  };
  Hasher(HashAlgorithm alg, EVP_MD_CTX* ctx) : alg_(alg), ctx_(ctx) {}
  HashAlgorithm alg_;
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
  bool failed_ = false;
};

}  // namespace sfu::crypto
