#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/openssl_util.h"

namespace sfu::crypto {
namespace {

// The HMAC implementation, fetched once per process (immutable, shared by all threads).
EVP_MAC* FetchHmac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  return mac;
}

}  // namespace

void Hmac::CtxDeleter::operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }

absl::StatusOr<Hmac> Hmac::Create(HashAlgorithm alg, absl::Span<const uint8_t> key) {
  EVP_MAC* mac = FetchHmac();
  if (mac == nullptr) return internal::OpenSslInternal("EVP_MAC_fetch(HMAC)");
  std::unique_ptr<EVP_MAC_CTX, CtxDeleter> ctx(EVP_MAC_CTX_new(mac));
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_MAC_CTX_new");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       const_cast<char*>(internal::DigestName(alg)), 0),
      OSSL_PARAM_construct_end(),
  };
  // A null key pointer means "keep the previous key" to EVP_MAC_init, so an empty key (legal in
  // HMAC, RFC 2104 §2) must still be passed as a non-null pointer.
  static const uint8_t kEmptyKey = 0;
  const uint8_t* key_data = key.empty() ? &kEmptyKey : key.data();
  if (EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1) {
    return internal::OpenSslInternal("EVP_MAC_init(HMAC)");
  }
  return Hmac(alg, ctx.release());
}

Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;
Hmac::~Hmac() = default;

bool Hmac::Compute(std::initializer_list<absl::Span<const uint8_t>> parts,
                   absl::Span<uint8_t> out) {
  const size_t size = DigestSize(alg_);
  if (out.size() < size) return false;
  // Re-initialising with no key and no parameters restarts from the key pads computed at Create()
  // instead of hashing the key again.
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) {
    internal::ClearOpenSslErrors();
    return false;
  }
  for (absl::Span<const uint8_t> part : parts) {
    if (part.empty()) continue;
    if (EVP_MAC_update(ctx_.get(), part.data(), part.size()) != 1) {
      internal::ClearOpenSslErrors();
      return false;
    }
  }
  size_t written = 0;
  if (EVP_MAC_final(ctx_.get(), out.data(), &written, out.size()) != 1 || written != size) {
    internal::ClearOpenSslErrors();
    return false;
  }
  return true;
}

absl::StatusOr<size_t> HmacOnce(HashAlgorithm alg, absl::Span<const uint8_t> key,
                                absl::Span<const uint8_t> data, absl::Span<uint8_t> out) {
  if (out.size() < DigestSize(alg)) {
    return absl::InvalidArgumentError("HmacOnce: output buffer smaller than the digest");
  }
  absl::StatusOr<Hmac> hmac = Hmac::Create(alg, key);
  if (!hmac.ok()) return hmac.status();
  if (!hmac->Compute({data}, out)) return absl::InternalError("HmacOnce: HMAC computation failed");
  return DigestSize(alg);
}

}  // namespace sfu::crypto
