#include "crypto/hash.h"

#include <openssl/evp.h>

#include "crypto/openssl_util.h"

namespace sfu::crypto {

using internal::FetchDigest;

size_t DigestSize(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1:
      return 20;
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kSha384:
      return 48;
  }
  return 0;
}

namespace {

// One-shot digest into `out` (exactly DigestSize(alg) bytes). These signatures have no error
// channel; EVP_Digest with a provider digest fails only when memory is exhausted.
template <size_t N>
std::array<uint8_t, N> OneShot(HashAlgorithm alg, absl::Span<const uint8_t> data) {
  std::array<uint8_t, N> out{};
  const EVP_MD* md = FetchDigest(alg);
  unsigned int len = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 ||
      len != N) {
    internal::FatalOpenSslError("EVP_Digest");
  }
  return out;
}

}  // namespace

std::array<uint8_t, 32> Sha256(absl::Span<const uint8_t> data) {
  return OneShot<32>(HashAlgorithm::kSha256, data);
}

std::array<uint8_t, 48> Sha384(absl::Span<const uint8_t> data) {
  return OneShot<48>(HashAlgorithm::kSha384, data);
}

void Hasher::CtxDeleter::operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }

absl::StatusOr<Hasher> Hasher::Create(HashAlgorithm alg) {
  const EVP_MD* md = FetchDigest(alg);
  if (md == nullptr) return internal::OpenSslInternal("EVP_MD_fetch");
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) {
    return internal::OpenSslInternal("EVP_DigestInit_ex2");
  }
  return Hasher(alg, ctx.release());
}

Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

void Hasher::Update(absl::Span<const uint8_t> data) {
  if (failed_ || data.empty()) return;
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    // A lost update would make every later digest wrong; remember it so Digest() reports failure.
    failed_ = true;
    internal::ClearOpenSslErrors();
  }
}

size_t Hasher::Digest(absl::Span<uint8_t> out) const {
  const size_t size = DigestSize(alg_);
  if (failed_ || out.size() < size) return 0;
  // Finalise a copy so the running transcript can keep growing (e.g. Finished after
  // CertificateVerify, RFC 5246 §7.4.9).
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> scratch(EVP_MD_CTX_new());
  unsigned int len = 0;
  if (scratch == nullptr || EVP_MD_CTX_copy_ex(scratch.get(), ctx_.get()) != 1 ||
      EVP_DigestFinal_ex(scratch.get(), out.data(), &len) != 1 || len != size) {
    internal::ClearOpenSslErrors();
    return 0;
  }
  return size;
}

}  // namespace sfu::crypto
