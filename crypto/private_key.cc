// PrivateKey: our certificate's ECDSA P-256 key (declared in certificate.h).

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/certificate.h"
#include "crypto/openssl_util.h"

namespace sfu::crypto {

using internal::MdCtxPtr;
using internal::PkeyPtr;

void PrivateKey::PkeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

absl::StatusOr<PrivateKey> PrivateKey::GenerateEcdsaP256() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return internal::OpenSslInternal("EVP_PKEY_Q_keygen(EC P-256)");
  return PrivateKey(key.release());
}

absl::StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  absl::StatusOr<internal::BioPtr> bio = internal::ReadOnlyBio(pem);
  if (!bio.ok()) return bio.status();
  PkeyPtr key(PEM_read_bio_PrivateKey_ex(bio->get(), nullptr, internal::NoPassword, nullptr,
                                         nullptr, nullptr));
  if (key == nullptr) {
    return internal::OpenSslError(
        absl::StatusCode::kInvalidArgument,
        "cannot parse PEM private key (encrypted keys are not supported)");
  }
  // The DTLS engine offers only ECDSA cipher suites with P-256 (DESIGN.md §1.3).
  if (!internal::IsEcP256(key.get())) {
    return absl::InvalidArgumentError("private key is not an ECDSA P-256 key");
  }
  return PrivateKey(key.release());
}

absl::StatusOr<std::vector<uint8_t>> PrivateKey::SignSha256(
    absl::Span<const uint8_t> message) const {
  // A context per call keeps the key itself untouched, so threads may sign concurrently.
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_MD_CTX_new");
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(), nullptr) !=
      1) {
    return internal::OpenSslInternal("EVP_DigestSignInit_ex");
  }
  const int max_size = EVP_PKEY_get_size(key_.get());  // DER ECDSA-Sig-Value upper bound.
  if (max_size <= 0) return internal::OpenSslInternal("EVP_PKEY_get_size");
  std::vector<uint8_t> signature(static_cast<size_t>(max_size));
  size_t len = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &len, message.data(), message.size()) != 1) {
    return internal::OpenSslInternal("EVP_DigestSign");
  }
  signature.resize(len);
  return signature;
}

std::string PrivateKey::ToPem() const {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    internal::ClearOpenSslErrors();
    return std::string();
  }
  return internal::BioContents(bio.get());
}

}  // namespace sfu::crypto
