// PeerCertificate (a DTLS peer's certificate, used to check CertificateVerify) and raw-key ECDSA
// verification.

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/common/status_macros.h"
#include "crypto/certificate.h"
#include "crypto/openssl_util.h"
#include "crypto/p256_public_key.h"
#include "crypto/x509_spki.h"

namespace sfu::crypto {
namespace {

// Larger than any certificate a WebRTC peer sends (typically 300-1500 bytes) with ample room for
// RSA-4096 and extensions; anything bigger is refused before it reaches the ASN.1 parser.
constexpr size_t kMaxCertificateDer = 16 * 1024;
// Below this an RSA key is too weak to authenticate a handshake (the floor of OpenSSL's default
// security level 2, which peers' own TLS stacks apply too).
constexpr int kMinRsaBits = 2048;

enum class Padding { kNone, kPkcs1, kPss };

// One-shot signature check. Every failure (bad signature, malformed DER, OpenSSL trouble) is
// simply "not verified", and leaves no error on OpenSSL's queue.
bool VerifyWith(EVP_PKEY* key, HashAlgorithm hash, Padding padding,
                absl::Span<const uint8_t> message, absl::Span<const uint8_t> signature) {
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // Owned by ctx.
  bool ok = ctx != nullptr && EVP_DigestVerifyInit_ex(ctx.get(), &pctx, internal::DigestName(hash),
                                                      nullptr, nullptr, key, nullptr) == 1;
  if (ok && padding == Padding::kPkcs1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  } else if (ok && padding == Padding::kPss) {
    // RFC 8446 §4.2.3 (which rsa_pss_rsae_* in TLS 1.2 follows, RFC 8446 §1.3): MGF1 with the
    // same hash, and a salt exactly as long as the digest.
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, internal::DigestName(hash), nullptr) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                              message.size()) == 1;
  if (!ok) internal::ClearOpenSslErrors();
  return ok;
}

// RSA certificates are rare in WebRTC (browsers send ECDSA P-256), so they keep OpenSSL's full
// decoder, which also checks the RSAPublicKey inside the BIT STRING.
absl::StatusOr<internal::PkeyPtr> RsaKeyByOpenSsl(absl::Span<const uint8_t> der) {
  const unsigned char* p = der.data();
  internal::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "peer certificate is not valid DER X.509");
  }
  if (p != der.data() + der.size()) {
    return absl::InvalidArgumentError("trailing bytes after the peer certificate");
  }
  internal::PkeyPtr key(X509_get_pubkey(cert.get()));  // Takes its own reference.
  if (key == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "peer certificate public key is unreadable");
  }
  if (!internal::IsRsa(key.get())) {
    return absl::InvalidArgumentError("peer certificate key is not the RSA key it names");
  }
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    return absl::InvalidArgumentError("peer RSA key is shorter than 2048 bits");
  }
  return key;
}

}  // namespace

void PeerCertificate::PkeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

PeerCertificate::PeerCertificate(PeerCertificate&&) noexcept = default;
PeerCertificate& PeerCertificate::operator=(PeerCertificate&&) noexcept = default;
PeerCertificate::~PeerCertificate() = default;

absl::StatusOr<PeerCertificate> PeerCertificate::FromDer(absl::Span<const uint8_t> der) {
  if (der.empty() || der.size() > kMaxCertificateDer) {
    return absl::InvalidArgumentError("certificate DER is empty or too large");
  }
  // Every certificate first passes the strict DER walk, which also refuses trailing bytes: the
  // fingerprint is taken over the bytes we were given, so they must be exactly the certificate.
  absl::StatusOr<internal::CertificateSpki> spki = internal::FindCertificateSpki(der);
  if (!spki.ok()) return spki.status();
  if (spki->algorithm == internal::CertificateSpki::Algorithm::kEcP256) {
    // What browsers send. Building the key straight from the point skips OpenSSL 3.0's
    // d2i_X509 + X509_get_pubkey (provider decoders), several times the cost; the point is
    // still checked to lie on the curve.
    absl::StatusOr<internal::PkeyPtr> key = internal::P256PublicKeyFromPoint(spki->public_key);
    if (!key.ok()) return key.status();
    return PeerCertificate(key->release(), Sha256(der));
  }
  internal::PkeyPtr key;
  SFU_ASSIGN_OR_RETURN(key, RsaKeyByOpenSsl(der));
  return PeerCertificate(key.release(), Sha256(der));
}

bool PeerCertificate::is_ecdsa_p256() const { return internal::IsEcP256(key_.get()); }
bool PeerCertificate::is_rsa() const { return internal::IsRsa(key_.get()); }

bool PeerCertificate::Verify(SignatureScheme scheme, absl::Span<const uint8_t> message,
                             absl::Span<const uint8_t> signature) const {
  // The scheme must fit the key: a peer cannot make us check an RSA signature with an EC key or
  // pick a hash the scheme does not name (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3).
  switch (scheme) {
    case SignatureScheme::kEcdsaSecp256r1Sha256:
      return is_ecdsa_p256() &&
             VerifyWith(key_.get(), HashAlgorithm::kSha256, Padding::kNone, message, signature);
    case SignatureScheme::kEcdsaSecp384r1Sha384:
      // FromDer admits no P-384 key, so no certificate here can make this signature.
      return false;
    case SignatureScheme::kRsaPkcs1Sha256:
      return is_rsa() &&
             VerifyWith(key_.get(), HashAlgorithm::kSha256, Padding::kPkcs1, message, signature);
    case SignatureScheme::kRsaPkcs1Sha384:
      return is_rsa() &&
             VerifyWith(key_.get(), HashAlgorithm::kSha384, Padding::kPkcs1, message, signature);
    case SignatureScheme::kRsaPssRsaeSha256:
      return is_rsa() &&
             VerifyWith(key_.get(), HashAlgorithm::kSha256, Padding::kPss, message, signature);
  }
  return false;
}

bool VerifyEcdsaSha256(EVP_PKEY* public_key, absl::Span<const uint8_t> message,
                       absl::Span<const uint8_t> der_signature) {
  return internal::IsEcP256(public_key) &&
         VerifyWith(public_key, HashAlgorithm::kSha256, Padding::kNone, message, der_signature);
}

}  // namespace sfu::crypto
