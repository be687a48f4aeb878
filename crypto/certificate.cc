// Certificate (our self-signed DTLS certificate) and the SDP fingerprint text form.

#include "crypto/certificate.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <climits>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "crypto/openssl_util.h"

namespace sfu::crypto {

using internal::X509Ptr;

namespace {

constexpr char kSdpHashName[] = "sha-256";
constexpr size_t kFingerprintBytes = 32;
// "AB:" per byte, minus the last colon.
constexpr size_t kFingerprintTextSize = kFingerprintBytes * 3 - 1;
constexpr long kOneDaySeconds = 24 * 60 * 60;
constexpr size_t kSerialBytes = 16;
// Certificate and key files are a few kilobytes; refuse to slurp anything absurd.
constexpr std::streamoff kMaxPemFileSize = 1 << 20;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open " + path);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0 || size > kMaxPemFileSize) {
    return absl::InvalidArgumentError(path + " is not a PEM file of sensible size");
  }
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) return absl::DataLossError("cannot read " + path);
  return text;
}

// 128 random bits with the top bit set: always exactly 128 bits long and positive (DER adds a
// leading zero octet, 17 content octets, within RFC 5280 §4.1.2.2's 20). Random rather than
// counted because Firefox rejects a second certificate with a reused issuer+serial.
absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return internal::OpenSslInternal("RAND_bytes");
  bytes[0] |= 0x80;
  internal::BignumPtr serial(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (serial == nullptr) return internal::OpenSslInternal("BN_bin2bn");
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return internal::OpenSslInternal("BN_to_ASN1_INTEGER");
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatSdpFingerprint(const std::array<uint8_t, 32>& sha256) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = kSdpHashName;
  out.reserve(sizeof(kSdpHashName) + kFingerprintTextSize);
  out.push_back(' ');
  for (size_t i = 0; i < sha256.size(); ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kDigits[sha256[i] >> 4]);
    out.push_back(kDigits[sha256[i] & 0xf]);
  }
  return out;
}

absl::StatusOr<std::array<uint8_t, 32>> ParseSdpFingerprint(std::string_view text) {
  // RFC 8122 §5: hash-func SP fingerprint, fingerprint = 2UHEX *(":" 2UHEX). RFC 4572 allowed
  // lowercase hex in practice and browsers send either case, so both are accepted here.
  const size_t name_len = sizeof(kSdpHashName) - 1;
  if (text.size() < name_len + 1 ||
      !absl::EqualsIgnoreCase(absl::string_view(text.data(), name_len), kSdpHashName) ||
      text[name_len] != ' ') {
    return absl::InvalidArgumentError("fingerprint must start with \"sha-256 \"");
  }
  std::string_view hex = text.substr(name_len + 1);
  if (hex.size() != kFingerprintTextSize) {
    return absl::InvalidArgumentError("sha-256 fingerprint must be 32 colon-separated hex bytes");
  }
  std::array<uint8_t, 32> out;
  for (size_t i = 0; i < kFingerprintBytes; ++i) {
    const int high = HexValue(hex[3 * i]);
    const int low = HexValue(hex[3 * i + 1]);
    if (high < 0 || low < 0) return absl::InvalidArgumentError("fingerprint has a non-hex digit");
    if (i + 1 < kFingerprintBytes && hex[3 * i + 2] != ':') {
      return absl::InvalidArgumentError("fingerprint bytes must be separated by ':'");
    }
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return out;
}

Certificate::Certificate(std::vector<uint8_t> der, PrivateKey key)
    : der_(std::move(der)), key_(std::move(key)), fingerprint_(Sha256(der_)) {}

absl::StatusOr<Certificate> Certificate::GenerateSelfSigned(std::string_view common_name,
                                                            std::chrono::seconds validity) {
  if (validity.count() <= 0) return absl::InvalidArgumentError("validity must be positive");
  if (common_name.empty() || common_name.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("common name must not be empty");
  }
  absl::StatusOr<PrivateKey> key = PrivateKey::GenerateEcdsaP256();
  if (!key.ok()) return key.status();

  X509Ptr cert(X509_new());
  if (cert == nullptr) return internal::OpenSslInternal("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return internal::OpenSslInternal("X509_set_version");
  }
  if (absl::Status s = SetRandomSerial(cert.get()); !s.ok()) return s;
  // Back-dated a day so a peer whose clock runs behind ours still accepts it.
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kOneDaySeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validity.count())) ==
          nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument, "certificate validity");
  }
  internal::X509NamePtr name(X509_NAME_new());
  if (name == nullptr) return internal::OpenSslInternal("X509_NAME_new");
  if (X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "invalid certificate common name");
  }
  // Self-signed: subject and issuer are the same name (both setters copy it).
  if (X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), name.get()) != 1) {
    return internal::OpenSslInternal("X509_set_subject_name");
  }
  if (X509_set_pubkey(cert.get(), key->pkey()) != 1) {
    return internal::OpenSslInternal("X509_set_pubkey");
  }
  const EVP_MD* sha256 = internal::FetchDigest(HashAlgorithm::kSha256);
  if (sha256 == nullptr || X509_sign(cert.get(), key->pkey(), sha256) <= 0) {
    return internal::OpenSslInternal("X509_sign");
  }
  absl::StatusOr<std::vector<uint8_t>> der = internal::CertificateDer(cert.get());
  if (!der.ok()) return der.status();
  return Certificate(*std::move(der), *std::move(key));
}

absl::StatusOr<Certificate> Certificate::FromPem(std::string_view cert_pem,
                                                 std::string_view key_pem) {
  absl::StatusOr<PrivateKey> key = PrivateKey::FromPem(key_pem);
  if (!key.ok()) return key.status();
  absl::StatusOr<internal::BioPtr> bio = internal::ReadOnlyBio(cert_pem);
  if (!bio.ok()) return bio.status();
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, internal::NoPassword, nullptr));
  if (cert == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "cannot parse PEM certificate");
  }
  EVP_PKEY* cert_key = X509_get0_pubkey(cert.get());
  if (cert_key == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "certificate public key is unreadable");
  }
  if (EVP_PKEY_eq(cert_key, key->pkey()) != 1) {
    internal::ClearOpenSslErrors();
    return absl::InvalidArgumentError("private key does not match the certificate");
  }
  absl::StatusOr<std::vector<uint8_t>> der = internal::CertificateDer(cert.get());
  if (!der.ok()) return der.status();
  return Certificate(*std::move(der), *std::move(key));
}

absl::StatusOr<Certificate> Certificate::FromPemFiles(const std::string& cert_path,
                                                      const std::string& key_path) {
  absl::StatusOr<std::string> cert_pem = ReadSmallFile(cert_path);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadSmallFile(key_path);
  if (!key_pem.ok()) return key_pem.status();
  return FromPem(*cert_pem, *key_pem);
}

std::string Certificate::ToPem() const {
  const unsigned char* p = der_.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der_.size())));
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (cert == nullptr || bio == nullptr || PEM_write_bio_X509(bio.get(), cert.get()) != 1) {
    internal::ClearOpenSslErrors();
    return std::string();
  }
  return internal::BioContents(bio.get());
}

}  // namespace sfu::crypto
