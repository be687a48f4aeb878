#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/openssl_util.h"
#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Bytes;
using testing::ReadFile;
using testing::RunCommand;
using testing::ScratchDir;
using testing::WriteFile;

constexpr std::chrono::seconds kOneDay{86400};
constexpr char kMessage[] = "client_random || server_random || params: the CertificateVerify input";

std::vector<uint8_t> ToVector(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// DER of a PEM certificate file, converted by the openssl CLI.
std::vector<uint8_t> CliDer(const ScratchDir& dir, const std::string& pem_name) {
  const std::string der_path = dir.Path(pem_name + ".der");
  if (!RunCommand("openssl x509 -in " + dir.Path(pem_name) + " -outform DER -out " + der_path)) {
    return {};
  }
  return ToVector(ReadFile(der_path));
}

// Signs kMessage with the openssl CLI: an independent signer for our verifier.
std::vector<uint8_t> CliSign(const ScratchDir& dir, const std::string& key_name,
                             const std::string& options) {
  WriteFile(dir.Path("msg"), kMessage);
  const std::string sig_path = dir.Path("sig");
  if (!RunCommand("openssl dgst " + options + " -sign " + dir.Path(key_name) + " -out " + sig_path +
                  " " + dir.Path("msg"))) {
    return {};
  }
  return ToVector(ReadFile(sig_path));
}

TEST(PeerCertificateTest, VerifiesSignatureByOurKey) {
  auto cert = Certificate::GenerateSelfSigned("peer", kOneDay);
  ASSERT_TRUE(cert.ok());
  auto peer = PeerCertificate::FromDer(cert->der());
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_TRUE(peer->is_ecdsa_p256());
  EXPECT_FALSE(peer->is_rsa());
  EXPECT_EQ(peer->fingerprint_sha256(), cert->fingerprint_sha256());

  auto sig = cert->key().SignSha256(Bytes(kMessage));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes(kMessage), *sig));

  std::string changed = kMessage;
  changed.back() ^= 1;
  EXPECT_FALSE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes(changed), *sig));
  std::vector<uint8_t> bad_sig = *sig;
  bad_sig[bad_sig.size() - 3] ^= 0x40;
  EXPECT_FALSE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes(kMessage), bad_sig));
  // Schemes that do not fit an EC P-256 key.
  EXPECT_FALSE(peer->Verify(SignatureScheme::kEcdsaSecp384r1Sha384, Bytes(kMessage), *sig));
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPkcs1Sha256, Bytes(kMessage), *sig));
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPssRsaeSha256, Bytes(kMessage), *sig));
  EXPECT_FALSE(peer->Verify(static_cast<SignatureScheme>(0x0603), Bytes(kMessage), *sig));
}

TEST(PeerCertificateTest, VerifiesEcdsaSignatureMadeByOpenSslCli) {
  ScratchDir dir;
  ASSERT_TRUE(RunCommand(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
      dir.Path("key.pem") + " -out " + dir.Path("cert.pem") + " -subj /CN=ec -days 1 2>/dev/null"));
  const std::vector<uint8_t> der = CliDer(dir, "cert.pem");
  ASSERT_FALSE(der.empty());
  auto peer = PeerCertificate::FromDer(der);
  ASSERT_TRUE(peer.ok()) << peer.status();
  const std::vector<uint8_t> sig = CliSign(dir, "key.pem", "-sha256");
  ASSERT_FALSE(sig.empty());
  EXPECT_TRUE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes(kMessage), sig));
  // Signed over SHA-384 but claimed as ecdsa_secp256r1_sha256: the hash is part of the scheme.
  const std::vector<uint8_t> sig384 = CliSign(dir, "key.pem", "-sha384");
  EXPECT_FALSE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes(kMessage), sig384));
  // Fingerprint over the DER equals the CLI's.
  auto cli_fp = RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + dir.Path("cert.pem"));
  ASSERT_TRUE(cli_fp.has_value());
  EXPECT_NE(cli_fp->find(FormatSdpFingerprint(peer->fingerprint_sha256()).substr(8)),
            std::string::npos);
}

TEST(PeerCertificateTest, RsaSchemesWithOpenSslCliSignatures) {
  ScratchDir dir;
  ASSERT_TRUE(RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -keyout " +
                         dir.Path("key.pem") + " -out " + dir.Path("cert.pem") +
                         " -subj /CN=rsa -days 1 2>/dev/null"));
  auto peer = PeerCertificate::FromDer(CliDer(dir, "cert.pem"));
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_TRUE(peer->is_rsa());
  EXPECT_FALSE(peer->is_ecdsa_p256());

  const std::vector<uint8_t> pkcs1_256 = CliSign(dir, "key.pem", "-sha256");
  const std::vector<uint8_t> pkcs1_384 = CliSign(dir, "key.pem", "-sha384");
  const std::vector<uint8_t> pss_256 = CliSign(
      dir, "key.pem", "-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest");
  const std::vector<uint8_t> pss_max_salt =
      CliSign(dir, "key.pem", "-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max");
  ASSERT_FALSE(pkcs1_256.empty() || pkcs1_384.empty() || pss_256.empty() || pss_max_salt.empty());
  const auto msg = Bytes(kMessage);

  EXPECT_TRUE(peer->Verify(SignatureScheme::kRsaPkcs1Sha256, msg, pkcs1_256));
  EXPECT_TRUE(peer->Verify(SignatureScheme::kRsaPkcs1Sha384, msg, pkcs1_384));
  EXPECT_TRUE(peer->Verify(SignatureScheme::kRsaPssRsaeSha256, msg, pss_256));

  // Each signature only under its own scheme.
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPkcs1Sha384, msg, pkcs1_256));
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPssRsaeSha256, msg, pkcs1_256));
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPkcs1Sha256, msg, pss_256));
  EXPECT_FALSE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, msg, pkcs1_256));
  // RFC 8446 §4.2.3: the PSS salt must be as long as the digest.
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPssRsaeSha256, msg, pss_max_salt));
  // A changed message fails.
  std::string changed = kMessage;
  changed[0] ^= 1;
  EXPECT_FALSE(peer->Verify(SignatureScheme::kRsaPkcs1Sha256, Bytes(changed), pkcs1_256));
}

TEST(PeerCertificateTest, RejectsWeakAndUnsupportedKeys) {
  ScratchDir dir;
  ASSERT_TRUE(RunCommand("openssl req -x509 -newkey rsa:1024 -nodes -keyout " +
                         dir.Path("rsa1024.key") + " -out " + dir.Path("rsa1024.pem") +
                         " -subj /CN=weak -days 1 2>/dev/null"));
  ASSERT_TRUE(RunCommand(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout " +
      dir.Path("p384.key") + " -out " + dir.Path("p384.pem") +
      " -subj /CN=p384 -days 1 2>/dev/null"));
  ASSERT_TRUE(RunCommand("openssl req -x509 -newkey ed25519 -nodes -keyout " + dir.Path("ed.key") +
                         " -out " + dir.Path("ed.pem") + " -subj /CN=ed -days 1 2>/dev/null"));
  for (const char* name : {"rsa1024.pem", "p384.pem", "ed.pem"}) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> der = CliDer(dir, name);
    ASSERT_FALSE(der.empty());
    EXPECT_FALSE(PeerCertificate::FromDer(der).ok());
  }
}

TEST(PeerCertificateTest, RejectsMalformedDer) {
  auto cert = Certificate::GenerateSelfSigned("peer", kOneDay);
  ASSERT_TRUE(cert.ok());
  const std::vector<uint8_t> der(cert->der().begin(), cert->der().end());
  EXPECT_FALSE(PeerCertificate::FromDer({}).ok());
  EXPECT_FALSE(PeerCertificate::FromDer(absl::MakeConstSpan(der).first(der.size() - 1)).ok());
  EXPECT_FALSE(PeerCertificate::FromDer(absl::MakeConstSpan(der).first(10)).ok());
  std::vector<uint8_t> trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(PeerCertificate::FromDer(trailing).ok());
  std::vector<uint8_t> garbage(600, 0x30);
  EXPECT_FALSE(PeerCertificate::FromDer(garbage).ok());
  std::vector<uint8_t> huge(64 * 1024, 0);
  EXPECT_FALSE(PeerCertificate::FromDer(huge).ok());
  // A flipped bit in the length of the outer SEQUENCE.
  std::vector<uint8_t> bad_len = der;
  bad_len[2] ^= 0x01;
  EXPECT_FALSE(PeerCertificate::FromDer(bad_len).ok());
}

// The key OpenSSL's own X.509 decoder finds (d2i_X509 + X509_get_pubkey), or nullptr.
internal::PkeyPtr OpenSslDecodedKey(const std::vector<uint8_t>& der) {
  const unsigned char* p = der.data();
  internal::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr) return nullptr;
  return internal::PkeyPtr(X509_get_pubkey(cert.get()));
}

// One signature check with a raw EVP_PKEY, independent of PeerCertificate::Verify.
bool OpenSslVerifies(EVP_PKEY* key, const char* digest, absl::Span<const uint8_t> message,
                     const std::vector<uint8_t>& signature) {
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx != nullptr &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key, nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

// FromDer builds EC keys from the point itself rather than through d2i_X509; the key must be the
// one OpenSSL's decoder sees, for CLI-made certificates and signatures.
TEST(PeerCertificateTest, CliCertificatesGiveTheKeyOpenSslDecodes) {
  ScratchDir dir;
  struct Case {
    const char* name;
    const char* newkey;
    SignatureScheme scheme;
  };
  for (const Case& c : {Case{"ec", "ec -pkeyopt ec_paramgen_curve:prime256v1",
                             SignatureScheme::kEcdsaSecp256r1Sha256},
                        Case{"rsa", "rsa:2048", SignatureScheme::kRsaPkcs1Sha256}}) {
    SCOPED_TRACE(c.name);
    const std::string key = std::string(c.name) + ".key";
    const std::string pem = std::string(c.name) + ".pem";
    ASSERT_TRUE(RunCommand(std::string("openssl req -x509 -newkey ") + c.newkey +
                           " -nodes -keyout " + dir.Path(key) + " -out " + dir.Path(pem) +
                           " -subj /CN=" + c.name + " -days 1 2>/dev/null"));
    const std::vector<uint8_t> der = CliDer(dir, pem);
    const std::vector<uint8_t> sig = CliSign(dir, key, "-sha256");
    ASSERT_FALSE(der.empty() || sig.empty());
    auto peer = PeerCertificate::FromDer(der);
    ASSERT_TRUE(peer.ok()) << peer.status();
    internal::PkeyPtr decoded = OpenSslDecodedKey(der);
    ASSERT_NE(decoded, nullptr);
    EXPECT_TRUE(peer->Verify(c.scheme, Bytes(kMessage), sig));
    EXPECT_TRUE(OpenSslVerifies(decoded.get(), "SHA256", Bytes(kMessage), sig));
    if (c.scheme == SignatureScheme::kEcdsaSecp256r1Sha256) {
      EXPECT_TRUE(VerifyEcdsaSha256(decoded.get(), Bytes(kMessage), sig));
    }
    // Every proper prefix of the certificate is refused.
    for (size_t n = 0; n < der.size(); ++n) {
      EXPECT_FALSE(PeerCertificate::FromDer(absl::MakeConstSpan(der).first(n)).ok()) << n;
    }
  }
}

// The fuzz corpus's certificates (openssl CLI, EC P-256 plain and WebRTC-style, P-384, RSA-2048)
// keep the verdicts they had under d2i_X509.
TEST(PeerCertificateTest, FuzzCorpusSeedsKeepTheirVerdicts) {
  const std::string corpus = SFUD_PEER_CERT_CORPUS;
  for (const auto& [name, accepted] : {std::pair<const char*, bool>{"ec_p256_ca.der", true},
                                       {"ec_p256_webrtc.der", true},
                                       {"ec_p384.der", false},
                                       {"rsa2048.der", true}}) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> der = ToVector(ReadFile(corpus + "/" + name));
    ASSERT_FALSE(der.empty());
    ASSERT_EQ(OpenSslDecodedKey(der) != nullptr, true);
    EXPECT_EQ(PeerCertificate::FromDer(der).ok(), accepted);
  }
}

TEST(PeerCertificateTest, MoveKeepsKey) {
  auto cert = Certificate::GenerateSelfSigned("peer", kOneDay);
  ASSERT_TRUE(cert.ok());
  auto peer = PeerCertificate::FromDer(cert->der());
  ASSERT_TRUE(peer.ok());
  PeerCertificate moved = *std::move(peer);
  auto sig = cert->key().SignSha256(Bytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(moved.Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes("m"), *sig));
}

}  // namespace
}  // namespace sfu::crypto
