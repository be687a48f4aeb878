#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "crypto/hash.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sfu::crypto {

// TLS SignatureScheme code points used by DTLS 1.2 (RFC 5246 §7.4.1.4.1 hash||signature pairs,
// named as in RFC 8446).
enum class SignatureScheme : uint16_t {
  kRsaPkcs1Sha256 = 0x0401,
  kEcdsaSecp256r1Sha256 = 0x0403,
  kRsaPkcs1Sha384 = 0x0501,
  kEcdsaSecp384r1Sha384 = 0x0503,
  kRsaPssRsaeSha256 = 0x0804,
};

// An ECDSA P-256 private key: our certificate's key. Immutable after creation; Sign() may be called
// from any thread (OpenSSL's EVP_PKEY is safe for concurrent signing with separate contexts).
class PrivateKey {
 public:
  static absl::StatusOr<PrivateKey> GenerateEcdsaP256();
  static absl::StatusOr<PrivateKey> FromPem(std::string_view pem);
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  // ECDSA with SHA-256 over `message` (hashed inside); the signature DER-encoded (ECDSA-Sig-Value),
  // as TLS carries it.
  absl::StatusOr<std::vector<uint8_t>> SignSha256(absl::Span<const uint8_t> message) const;
  // PKCS#8 PEM, unencrypted (for writing the key file next to the certificate). Empty only if
  // OpenSSL runs out of memory.
  std::string ToPem() const;
  EVP_PKEY* pkey() const { return key_.get(); }

 private:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const;
  };
  explicit PrivateKey(EVP_PKEY* k) : key_(k) {}
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
};

// "sha-256 AB:CD:..." as SDP's a=fingerprint carries it (RFC 8122 §5), uppercase hex.
std::string FormatSdpFingerprint(const std::array<uint8_t, 32>& sha256);
// Parses "sha-256 ab:cd:..." (hash name case-insensitive, hex either case). Only sha-256 is
// accepted.
absl::StatusOr<std::array<uint8_t, 32>> ParseSdpFingerprint(std::string_view text);

// Our own certificate: DER bytes plus its key, and its fingerprint computed once.
class Certificate {
 public:
  // Self-signed X.509v3 with a random 128-bit positive serial (Firefox rejects a reused
  // issuer+serial), valid from now-1 day to now+validity, subject/issuer CN=`common_name`,
  // signed with ECDSA-SHA256.
  static absl::StatusOr<Certificate> GenerateSelfSigned(std::string_view common_name,
                                                        std::chrono::seconds validity);
  // Loads PEM text of a certificate and its private key; fails if the key does not match the
  // certificate or is not ECDSA P-256.
  static absl::StatusOr<Certificate> FromPem(std::string_view cert_pem, std::string_view key_pem);
  static absl::StatusOr<Certificate> FromPemFiles(const std::string& cert_path,
                                                  const std::string& key_path);

  absl::Span<const uint8_t> der() const { return der_; }
  const PrivateKey& key() const { return key_; }
  const std::array<uint8_t, 32>& fingerprint_sha256() const { return fingerprint_; }
  std::string SdpFingerprint() const { return FormatSdpFingerprint(fingerprint_); }
  // PEM text of the certificate. Empty only if OpenSSL runs out of memory.
  std::string ToPem() const;

 private:
  Certificate(std::vector<uint8_t> der, PrivateKey key);
  std::vector<uint8_t> der_;
  PrivateKey key_;
  std::array<uint8_t, 32> fingerprint_;
};

// A peer's certificate, parsed from DER only to check its signature over a handshake; discarded
// once the handshake is done (only its fingerprint is kept). Supports ECDSA P-256 and RSA keys
// (RSA of at least 2048 bits); FromDer rejects any other key, oversized input (over 16 KiB) and
// bytes trailing the certificate. The certificate's own signature and dates are not checked:
// WebRTC authenticates it by the SDP fingerprint (RFC 8122 §5).
class PeerCertificate {
 public:
  static absl::StatusOr<PeerCertificate> FromDer(absl::Span<const uint8_t> der);
  PeerCertificate(PeerCertificate&&) noexcept;
  PeerCertificate& operator=(PeerCertificate&&) noexcept;
  ~PeerCertificate();

  const std::array<uint8_t, 32>& fingerprint_sha256() const { return fingerprint_; }
  // True if `signature` is a valid `scheme` signature of `message` by this certificate's key, and
  // the scheme fits the key type (an ECDSA scheme for an EC P-256 key, an RSA one for RSA).
  bool Verify(SignatureScheme scheme, absl::Span<const uint8_t> message,
              absl::Span<const uint8_t> signature) const;
  bool is_ecdsa_p256() const;
  bool is_rsa() const;

 private:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const;
  };
  PeerCertificate(EVP_PKEY* k, std::array<uint8_t, 32> fp) : key_(k), fingerprint_(fp) {}
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::array<uint8_t, 32> fingerprint_;
};

// ECDSA-SHA256 verification with a raw public key (tests; DTLS uses PeerCertificate).
bool VerifyEcdsaSha256(EVP_PKEY* public_key, absl::Span<const uint8_t> message,
                       absl::Span<const uint8_t> der_signature);

}  // namespace sfu::crypto
