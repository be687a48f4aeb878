#include "crypto/aes_gcm.h"

#include <openssl/evp.h>

#include <climits>

#include "crypto/openssl_util.h"

namespace sfu::crypto {
namespace {

// Fetched once per process; EVP_CIPHER objects are immutable and shared by all threads.
const EVP_CIPHER* FetchGcm(size_t key_size) {
  if (key_size == 16) {
    static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    return cipher;
  }
  if (key_size == 32) {
    static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return cipher;
  }
  return nullptr;
}

// EVP lengths are ints.
bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

void AesGcm::CtxDeleter::operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }

absl::StatusOr<AesGcm> AesGcm::Create(absl::Span<const uint8_t> key) {
  if (key.size() != 16 && key.size() != 32) {
    return absl::InvalidArgumentError("AES-GCM key must be 16 or 32 bytes");
  }
  const EVP_CIPHER* cipher = FetchGcm(key.size());
  if (cipher == nullptr) return internal::OpenSslInternal("EVP_CIPHER_fetch(AES-GCM)");
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_CIPHER_CTX_new");
  // Key schedule and GHASH key now; each Seal/Open only supplies the IV. The default IV length of
  // the GCM ciphers is 96 bits, the only one we accept (NIST SP 800-38D §8.2.1, RFC 7714 §8.1).
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), nullptr, 1, nullptr) != 1) {
    return internal::OpenSslInternal("EVP_CipherInit_ex2(AES-GCM)");
  }
  return AesGcm(key.size(), ctx.release());
}

AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;
AesGcm::~AesGcm() = default;

bool AesGcm::Seal(absl::Span<const uint8_t> iv, absl::Span<const uint8_t> aad,
                  absl::Span<uint8_t> data, absl::Span<uint8_t> tag) {
  if (iv.size() != kIvSize || tag.size() != kTagSize || !FitsInt(aad.size()) ||
      !FitsInt(data.size())) {
    return false;
  }
  EVP_CIPHER_CTX* ctx = ctx_.get();
  int len = 0;
  uint8_t final_block[16];  // GCM's final step emits no bytes; OpenSSL still wants a buffer.
  bool ok = EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), 1, nullptr) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  if (ok && !data.empty()) {
    ok =
        EVP_CipherUpdate(ctx, data.data(), &len, data.data(), static_cast<int>(data.size())) == 1 &&
        static_cast<size_t>(len) == data.size();
  }
  ok = ok && EVP_CipherFinal_ex(ctx, final_block, &len) == 1 && len == 0 &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize), tag.data()) == 1;
  if (!ok) internal::ClearOpenSslErrors();
  return ok;
}

bool AesGcm::Open(absl::Span<const uint8_t> iv, absl::Span<const uint8_t> aad,
                  absl::Span<uint8_t> data, absl::Span<const uint8_t> tag) {
  // A truncated tag is rejected outright: accepting short tags would weaken forgery resistance.
  if (iv.size() != kIvSize || tag.size() != kTagSize || !FitsInt(aad.size()) ||
      !FitsInt(data.size())) {
    return false;
  }
  EVP_CIPHER_CTX* ctx = ctx_.get();
  int len = 0;
  uint8_t final_block[16];
  bool ok = EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), 0, nullptr) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  if (ok && !data.empty()) {
    ok =
        EVP_CipherUpdate(ctx, data.data(), &len, data.data(), static_cast<int>(data.size())) == 1 &&
        static_cast<size_t>(len) == data.size();
  }
  // The expected tag is only read by OpenSSL; the ctrl interface is not const-correct.
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize),
                           const_cast<uint8_t*>(tag.data())) == 1 &&
       EVP_CipherFinal_ex(ctx, final_block, &len) == 1;
  if (!ok) internal::ClearOpenSslErrors();
  return ok;
}

}  // namespace sfu::crypto
