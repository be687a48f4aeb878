#include "crypto/aes_ctr.h"

#include <openssl/evp.h>

#include <climits>

#include "crypto/openssl_util.h"

namespace sfu::crypto {
namespace {

// Fetched once per process; EVP_CIPHER objects are immutable and shared by all threads.
const EVP_CIPHER* FetchCtr(size_t key_size) {
  if (key_size == 16) {
    static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr);
    return cipher;
  }
  if (key_size == 32) {
    static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr);
    return cipher;
  }
  return nullptr;
}

}  // namespace

void AesCtr::CtxDeleter::operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }

absl::StatusOr<AesCtr> AesCtr::Create(absl::Span<const uint8_t> key) {
  if (key.size() != 16 && key.size() != 32) {
    return absl::InvalidArgumentError("AES-CTR key must be 16 or 32 bytes");
  }
  const EVP_CIPHER* cipher = FetchCtr(key.size());
  if (cipher == nullptr) return internal::OpenSslInternal("EVP_CIPHER_fetch(AES-CTR)");
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), nullptr, 1, nullptr) != 1) {
    return internal::OpenSslInternal("EVP_CipherInit_ex2(AES-CTR)");
  }
  return AesCtr(ctx.release());
}

AesCtr::AesCtr(AesCtr&&) noexcept = default;
AesCtr& AesCtr::operator=(AesCtr&&) noexcept = default;
AesCtr::~AesCtr() = default;

bool AesCtr::Crypt(absl::Span<const uint8_t> iv, absl::Span<uint8_t> data) {
  if (iv.size() != kBlockSize || data.size() > static_cast<size_t>(INT_MAX)) return false;
  EVP_CIPHER_CTX* ctx = ctx_.get();
  // Setting the IV restarts the keystream at that counter block; OpenSSL increments the whole
  // 128-bit block with carry, as RFC 3711 §4.1.1's AES-CM requires.
  bool ok = EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), 1, nullptr) == 1;
  if (ok && !data.empty()) {
    int len = 0;
    ok =
        EVP_CipherUpdate(ctx, data.data(), &len, data.data(), static_cast<int>(data.size())) == 1 &&
        static_cast<size_t>(len) == data.size();
  }
  if (!ok) internal::ClearOpenSslErrors();
  return ok;
}

}  // namespace sfu::crypto
