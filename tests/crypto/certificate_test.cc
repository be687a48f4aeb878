#include "crypto/certificate.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Bytes;
using testing::ReadFile;
using testing::RunCommand;
using testing::ScratchDir;
using testing::WriteFile;

constexpr std::chrono::seconds kThirtyDays{30 * 24 * 3600};

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr ParseDer(absl::Span<const uint8_t> der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

// "AB:CD:..." from `openssl x509 -fingerprint -sha256`, the independent computation.
std::string CliFingerprint(const std::string& pem_path) {
  auto out = RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + pem_path);
  if (!out) return "(openssl failed)";
  size_t eq = out->find('=');
  if (eq == std::string::npos) return "(unexpected output: " + *out + ")";
  std::string fp = out->substr(eq + 1);
  while (!fp.empty() && (fp.back() == '\n' || fp.back() == '\r')) fp.pop_back();
  return fp;
}

// Seconds from now until `t` (negative if `t` is in the past).
long SecondsFromNow(const ASN1_TIME* t) {
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, t) != 1) return 0x7fffffff;
  return static_cast<long>(days) * 86400 + secs;
}

TEST(CertificateTest, GeneratedFingerprintMatchesOpenSslCli) {
  auto cert = Certificate::GenerateSelfSigned("sfud-test", kThirtyDays);
  ASSERT_TRUE(cert.ok()) << cert.status();
  ScratchDir dir;
  WriteFile(dir.Path("cert.pem"), cert->ToPem());
  const std::string cli = CliFingerprint(dir.Path("cert.pem"));
  EXPECT_EQ(cert->SdpFingerprint(), "sha-256 " + cli);
  EXPECT_EQ(cert->SdpFingerprint(), FormatSdpFingerprint(cert->fingerprint_sha256()));
  EXPECT_EQ(cert->fingerprint_sha256(), Sha256(cert->der()));
}

TEST(CertificateTest, GeneratedCertificateIsWellFormed) {
  auto cert = Certificate::GenerateSelfSigned("sfud-test", kThirtyDays);
  ASSERT_TRUE(cert.ok()) << cert.status();
  X509Ptr x = ParseDer(cert->der());
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(x.get()), NID_ecdsa_with_SHA256);
  // Self-signed: subject == issuer == CN=sfud-test, and the signature verifies with the
  // certificate's own key (OpenSSL's X509_verify, independent of how we signed).
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())), 0);
  char cn[64] = {};
  ASSERT_GT(
      X509_NAME_get_text_by_NID(X509_get_subject_name(x.get()), NID_commonName, cn, sizeof(cn)), 0);
  EXPECT_STREQ(cn, "sfud-test");
  EXPECT_EQ(X509_verify(x.get(), X509_get0_pubkey(x.get())), 1);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(x.get()), cert->key().pkey()), 1);

  // Validity: from one day ago to now + validity (a minute of slack for slow test machines).
  const long not_before = SecondsFromNow(X509_get0_notBefore(x.get()));
  const long not_after = SecondsFromNow(X509_get0_notAfter(x.get()));
  EXPECT_NEAR(not_before, -86400, 60);
  EXPECT_NEAR(not_after, kThirtyDays.count(), 60);
}

TEST(CertificateTest, OpenSslCliVerifiesTheSelfSignedCertificate) {
  auto cert = Certificate::GenerateSelfSigned("sfud-cli", kThirtyDays);
  ASSERT_TRUE(cert.ok());
  ScratchDir dir;
  WriteFile(dir.Path("cert.pem"), cert->ToPem());
  // Checks the signature, the encoding and the dates with OpenSSL's own verifier.
  auto out = RunCommand("openssl verify -CAfile " + dir.Path("cert.pem") + " " +
                        dir.Path("cert.pem") + " 2>&1");
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find(": OK"), std::string::npos) << *out;
  auto subject = RunCommand("openssl x509 -noout -subject -issuer -in " + dir.Path("cert.pem"));
  ASSERT_TRUE(subject.has_value());
  EXPECT_NE(subject->find("subject=CN = sfud-cli"), std::string::npos) << *subject;
  EXPECT_NE(subject->find("issuer=CN = sfud-cli"), std::string::npos) << *subject;
}

TEST(CertificateTest, SerialIsRandom128BitPositive) {
  auto a = Certificate::GenerateSelfSigned("a", kThirtyDays);
  auto b = Certificate::GenerateSelfSigned("a", kThirtyDays);
  ASSERT_TRUE(a.ok() && b.ok());
  X509Ptr xa = ParseDer(a->der());
  X509Ptr xb = ParseDer(b->der());
  ASSERT_TRUE(xa && xb);
  BIGNUM* sa = ASN1_INTEGER_to_BN(X509_get0_serialNumber(xa.get()), nullptr);
  BIGNUM* sb = ASN1_INTEGER_to_BN(X509_get0_serialNumber(xb.get()), nullptr);
  ASSERT_TRUE(sa && sb);
  EXPECT_EQ(BN_num_bits(sa), 128);
  EXPECT_EQ(BN_num_bits(sb), 128);
  EXPECT_FALSE(BN_is_negative(sa));
  EXPECT_NE(BN_cmp(sa, sb), 0);
  BN_free(sa);
  BN_free(sb);
  EXPECT_NE(a->fingerprint_sha256(), b->fingerprint_sha256());
}

TEST(CertificateTest, RejectsBadArguments) {
  EXPECT_FALSE(Certificate::GenerateSelfSigned("x", std::chrono::seconds(0)).ok());
  EXPECT_FALSE(Certificate::GenerateSelfSigned("x", std::chrono::seconds(-5)).ok());
  EXPECT_FALSE(Certificate::GenerateSelfSigned("", kThirtyDays).ok());
  // X.520 caps a common name at 64 characters.
  EXPECT_FALSE(Certificate::GenerateSelfSigned(std::string(65, 'n'), kThirtyDays).ok());
}

TEST(CertificateTest, PemRoundTrip) {
  auto cert = Certificate::GenerateSelfSigned("round-trip", kThirtyDays);
  ASSERT_TRUE(cert.ok());
  auto loaded = Certificate::FromPem(cert->ToPem(), cert->key().ToPem());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(std::vector<uint8_t>(loaded->der().begin(), loaded->der().end()),
            std::vector<uint8_t>(cert->der().begin(), cert->der().end()));
  EXPECT_EQ(loaded->fingerprint_sha256(), cert->fingerprint_sha256());
  EXPECT_EQ(EVP_PKEY_eq(loaded->key().pkey(), cert->key().pkey()), 1);
}

TEST(CertificateTest, FromPemRejectsMismatchedKey) {
  auto a = Certificate::GenerateSelfSigned("a", kThirtyDays);
  auto b = Certificate::GenerateSelfSigned("b", kThirtyDays);
  ASSERT_TRUE(a.ok() && b.ok());
  auto mixed = Certificate::FromPem(a->ToPem(), b->key().ToPem());
  EXPECT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Certificate::FromPem("not a certificate", a->key().ToPem()).ok());
  EXPECT_FALSE(Certificate::FromPem(a->ToPem(), "not a key").ok());
}

TEST(CertificateTest, FromPemFilesLoadsOpenSslCliCertificate) {
  ScratchDir dir;
  ASSERT_TRUE(RunCommand(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
      dir.Path("key.pem") + " -out " + dir.Path("cert.pem") +
      " -subj /CN=from-cli -days 2 2>/dev/null"));
  auto cert = Certificate::FromPemFiles(dir.Path("cert.pem"), dir.Path("key.pem"));
  ASSERT_TRUE(cert.ok()) << cert.status();
  EXPECT_EQ(cert->SdpFingerprint(), "sha-256 " + CliFingerprint(dir.Path("cert.pem")));
  // Its key signs, and the certificate's key verifies.
  auto sig = cert->key().SignSha256(Bytes("x"));
  ASSERT_TRUE(sig.ok());
  auto peer = PeerCertificate::FromDer(cert->der());
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_TRUE(peer->Verify(SignatureScheme::kEcdsaSecp256r1Sha256, Bytes("x"), *sig));
  // Our ToPem of a loaded certificate is the same certificate.
  WriteFile(dir.Path("again.pem"), cert->ToPem());
  EXPECT_EQ(CliFingerprint(dir.Path("again.pem")), CliFingerprint(dir.Path("cert.pem")));
}

TEST(CertificateTest, FromPemFilesRejectsRsaKeyAndMissingFiles) {
  ScratchDir dir;
  ASSERT_TRUE(RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -keyout " +
                         dir.Path("key.pem") + " -out " + dir.Path("cert.pem") +
                         " -subj /CN=rsa -days 2 2>/dev/null"));
  EXPECT_FALSE(Certificate::FromPemFiles(dir.Path("cert.pem"), dir.Path("key.pem")).ok());
  auto missing = Certificate::FromPemFiles(dir.Path("nope.pem"), dir.Path("key.pem"));
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(SdpFingerprintTest, FormatIsUppercaseColonSeparated) {
  std::array<uint8_t, 32> fp;
  for (size_t i = 0; i < fp.size(); ++i) fp[i] = static_cast<uint8_t>(i * 9 + 0x0a);
  const std::string text = FormatSdpFingerprint(fp);
  EXPECT_EQ(text,
            "sha-256 0A:13:1C:25:2E:37:40:49:52:5B:64:6D:76:7F:88:91:9A:A3:AC:B5:BE:C7:D0:D9:E2:"
            "EB:F4:FD:06:0F:18:21");
  auto parsed = ParseSdpFingerprint(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, fp);
}

TEST(SdpFingerprintTest, ParseAcceptsEitherCase) {
  // As Firefox and Chromium send it (uppercase), and lowercase, and an uppercase hash name.
  const std::string upper =
      "sha-256 B3:3B:55:77:B2:02:30:F4:3F:C1:25:0E:F4:31:01:D6:04:35:F3:97:18:2B:90:21:42:9A:5C:"
      "1F:61:D3:82:84";
  std::string lower = upper;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string upper_name = upper;
  upper_name.replace(0, 7, "SHA-256");
  auto a = ParseSdpFingerprint(upper);
  auto b = ParseSdpFingerprint(lower);
  auto c = ParseSdpFingerprint(upper_name);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
  EXPECT_EQ((*a)[0], 0xb3);
  EXPECT_EQ((*a)[31], 0x84);
}

TEST(SdpFingerprintTest, ParseRejectsMalformed) {
  const std::string good =
      "sha-256 B3:3B:55:77:B2:02:30:F4:3F:C1:25:0E:F4:31:01:D6:04:35:F3:97:18:2B:90:21:42:9A:5C:"
      "1F:61:D3:82:84";
  ASSERT_TRUE(ParseSdpFingerprint(good).ok());
  const std::string bad[] = {
      "",
      "sha-256",
      "sha-256 ",
      // Wrong hash names.
      "sha-1 B3:3B:55:77:B2:02:30:F4:3F:C1:25:0E:F4:31:01:D6:04:35:F3:97",
      "sha-384 " + good.substr(8),
      "sha256 " + good.substr(8),
      // 31 bytes, 33 bytes.
      good.substr(0, good.size() - 3),
      good + ":00",
      // Bad hex digit, missing colon, extra separators and whitespace.
      "sha-256 G3" + good.substr(10),
      "sha-256 B33B" + good.substr(13),
      "sha-256 B3-3B" + good.substr(13),
      "sha-256  " + good.substr(8),
      good + " ",
      good + "\r\n",
      " " + good,
      "sha-256\t" + good.substr(8),
      // One-digit byte.
      "sha-256 3:3B" + good.substr(13) + "0",
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(ParseSdpFingerprint(text).ok()) << "accepted: \"" << text << "\"";
  }
}

}  // namespace
}  // namespace sfu::crypto
