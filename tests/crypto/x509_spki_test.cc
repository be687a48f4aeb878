#include "crypto/x509_spki.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/openssl_util.h"
#include "crypto/p256_public_key.h"
#include "tests/crypto/test_util.h"

namespace sfu::crypto::internal {
namespace {

using Bytes = std::vector<uint8_t>;
using sfu::crypto::testing::Hex;
using sfu::crypto::testing::ReadFile;
using sfu::crypto::testing::RunCommand;
using sfu::crypto::testing::ScratchDir;
using sfu::crypto::testing::ToHex;

// The curves' base points (SEC 2 §2.4.2 and §2.5.1): public points known to lie on them.
const Bytes kP256G =
    Hex("04 6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
        "   4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");
const Bytes kP384G =
    Hex("04 "
        "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872"
        "760AB7"
        "   "
        "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90"
        "EA0E5F");

// OID contents octets, written out from their dotted forms (X.690 §8.19).
const Bytes kOidEcPublicKey = Hex("2A8648CE3D0201");    // 1.2.840.10045.2.1
const Bytes kOidP256 = Hex("2A8648CE3D030107");         // 1.2.840.10045.3.1.7
const Bytes kOidP384 = Hex("2B81040022");               // 1.3.132.0.34
const Bytes kOidRsa = Hex("2A864886F70D010101");        // 1.2.840.113549.1.1.1
const Bytes kOidEd25519 = Hex("2B6570");                // 1.3.101.112
const Bytes kOidEcdsaSha256 = Hex("2A8648CE3D040302");  // 1.2.840.10045.4.3.2
const Bytes kOidCommonName = Hex("550403");             // 2.5.4.3

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A DER TLV whose length claims `length_delta` more (or fewer) bytes than `contents` has.
Bytes LyingTlv(uint8_t tag, const Bytes& contents, int length_delta) {
  const size_t n = static_cast<size_t>(static_cast<long>(contents.size()) + length_delta);
  Bytes out = {tag};
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  }
  out.insert(out.end(), contents.begin(), contents.end());
  return out;
}
Bytes Tlv(uint8_t tag, const Bytes& contents) { return LyingTlv(tag, contents, 0); }

Bytes Seq(std::initializer_list<Bytes> parts) { return Tlv(0x30, Cat(parts)); }
Bytes Name(const std::string& cn) {
  return Seq({Tlv(0x31, Seq({Tlv(0x06, kOidCommonName), Tlv(0x0c, Bytes(cn.begin(), cn.end()))}))});
}
Bytes BitString(const Bytes& bits) { return Tlv(0x03, Cat({{0x00}, bits})); }

// A certificate assembled field by field, so each test can break exactly one thing. The defaults
// make a well-formed self-signed v3 certificate (with a dummy signature) for the P-256 base point.
struct CertParts {
  Bytes version = Tlv(0xa0, Tlv(0x02, {0x02}));
  Bytes serial = Tlv(0x02, {0x01});
  Bytes signature_alg = Seq({Tlv(0x06, kOidEcdsaSha256)});
  Bytes issuer = Name("peer");
  Bytes validity = Seq({Tlv(0x17, Hex("3235303130313030303030305A")),    // 250101000000Z
                        Tlv(0x17, Hex("3335303130313030303030305A"))});  // 350101000000Z
  Bytes subject = Name("peer");
  Bytes key_alg = Seq({Tlv(0x06, kOidEcPublicKey), Tlv(0x06, kOidP256)});
  Bytes key_bits = BitString(kP256G);
  Bytes after_spki;  // Optional issuerUniqueID, subjectUniqueID, extensions.
  Bytes outer_signature_alg = Seq({Tlv(0x06, kOidEcdsaSha256)});
  Bytes outer_signature = BitString(Hex("3006020101020101"));
  // Length lies on the constructed elements.
  int spki_lie = 0;
  int tbs_lie = 0;
  int certificate_lie = 0;
  Bytes trailing;

  Bytes Der() const {
    const Bytes spki = LyingTlv(0x30, Cat({key_alg, key_bits}), spki_lie);
    const Bytes tbs = LyingTlv(
        0x30, Cat({version, serial, signature_alg, issuer, validity, subject, spki, after_spki}),
        tbs_lie);
    return Cat({LyingTlv(0x30, Cat({tbs, outer_signature_alg, outer_signature}), certificate_lie),
                trailing});
  }
};

// OpenSSL's own decoding: does d2i_X509 take all of `der`, and which key bits does it see.
bool OpenSslParses(const Bytes& der, Bytes* key_bits = nullptr) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ClearOpenSslErrors();
  if (cert == nullptr || p != der.data() + der.size()) return false;
  if (key_bits != nullptr) {
    const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert.get());
    *key_bits = Bytes(bits->data, bits->data + bits->length);
  }
  return true;
}

void ExpectRejected(const Bytes& der) {
  EXPECT_FALSE(FindCertificateSpki(der).ok()) << ToHex(der);
  EXPECT_FALSE(PeerCertificate::FromDer(der).ok()) << ToHex(der);
}

TEST(X509SpkiTest, WellFormedCertificateReadsAsOpenSslReadsIt) {
  const Bytes der = CertParts().Der();
  Bytes openssl_bits;
  ASSERT_TRUE(OpenSslParses(der, &openssl_bits));
  auto spki = FindCertificateSpki(der);
  ASSERT_TRUE(spki.ok()) << spki.status();
  EXPECT_EQ(spki->algorithm, CertificateSpki::Algorithm::kEcP256);
  EXPECT_EQ(ToHex(spki->public_key), ToHex(openssl_bits));
  EXPECT_EQ(ToHex(spki->public_key), ToHex(kP256G));
  EXPECT_TRUE(PeerCertificate::FromDer(der).ok());
}

TEST(X509SpkiTest, OptionalFieldsInOrderAreAccepted) {
  CertParts v1;
  v1.version.clear();  // v1: version omitted (DEFAULT).
  CertParts uids;
  uids.after_spki = Cat({Tlv(0x81, {0x00, 0xaa}), Tlv(0x82, {0x00, 0xbb}),
                         Tlv(0xa3, Seq({Seq({Tlv(0x06, Hex("551d13")), Tlv(0x04, Seq({}))})}))});
  for (const CertParts& parts : {v1, uids}) {
    const Bytes der = parts.Der();
    ASSERT_TRUE(OpenSslParses(der));
    EXPECT_TRUE(FindCertificateSpki(der).ok()) << ToHex(der);
    EXPECT_TRUE(PeerCertificate::FromDer(der).ok()) << ToHex(der);
  }
}

TEST(X509SpkiTest, CliCertificatesMatchOpenSslKeys) {
  ScratchDir dir;
  struct Case {
    const char* name;
    const char* newkey;
    CertificateSpki::Algorithm algorithm;
  };
  for (const Case& c :
       {Case{"ec", "ec -pkeyopt ec_paramgen_curve:prime256v1", CertificateSpki::Algorithm::kEcP256},
        Case{"rsa", "rsa:2048", CertificateSpki::Algorithm::kRsa}}) {
    SCOPED_TRACE(c.name);
    const std::string pem = dir.Path(std::string(c.name) + ".pem");
    const std::string der_path = dir.Path(std::string(c.name) + ".der");
    ASSERT_TRUE(RunCommand(std::string("openssl req -x509 -newkey ") + c.newkey +
                           " -nodes -keyout " + dir.Path("key") + " -out " + pem +
                           " -subj /CN=" + c.name + " -days 1 2>/dev/null && openssl x509 -in " +
                           pem + " -outform DER -out " + der_path));
    const std::string text = ReadFile(der_path);
    const Bytes der(text.begin(), text.end());
    Bytes openssl_bits;
    ASSERT_TRUE(OpenSslParses(der, &openssl_bits));
    auto spki = FindCertificateSpki(der);
    ASSERT_TRUE(spki.ok()) << spki.status();
    EXPECT_EQ(spki->algorithm, c.algorithm);
    EXPECT_EQ(ToHex(spki->public_key), ToHex(openssl_bits));
    if (c.algorithm != CertificateSpki::Algorithm::kEcP256) continue;
    // The key built from the point is the key OpenSSL's decoder builds.
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_NE(cert, nullptr);
    auto ours = P256PublicKeyFromPoint(spki->public_key);
    ASSERT_TRUE(ours.ok()) << ours.status();
    EXPECT_EQ(EVP_PKEY_eq(ours->get(), X509_get0_pubkey(cert.get())), 1);
    EXPECT_TRUE(IsEcP256(ours->get()));
  }
}

TEST(X509SpkiTest, RejectsLyingLengths) {
  for (int lie : {-1, 1}) {
    SCOPED_TRACE(lie);
    CertParts p;
    p.certificate_lie = lie;
    ExpectRejected(p.Der());
    p = CertParts();
    p.tbs_lie = lie;
    ExpectRejected(p.Der());
    p = CertParts();
    p.spki_lie = lie;
    ExpectRejected(p.Der());
    p = CertParts();
    p.key_alg = LyingTlv(0x30, Cat({Tlv(0x06, kOidEcPublicKey), Tlv(0x06, kOidP256)}), lie);
    ExpectRejected(p.Der());
    p = CertParts();
    p.key_alg = Seq({LyingTlv(0x06, kOidEcPublicKey, lie), Tlv(0x06, kOidP256)});
    ExpectRejected(p.Der());
    p = CertParts();
    p.key_alg = Seq({Tlv(0x06, kOidEcPublicKey), LyingTlv(0x06, kOidP256, lie)});
    ExpectRejected(p.Der());
    p = CertParts();
    p.key_bits = LyingTlv(0x03, Cat({{0x00}, kP256G}), lie);
    ExpectRejected(p.Der());
    p = CertParts();
    p.issuer = LyingTlv(0x30, Name("peer"), lie);
    ExpectRejected(p.Der());
    p = CertParts();
    p.serial = LyingTlv(0x02, {0x01}, lie);
    ExpectRejected(p.Der());
    p = CertParts();
    p.outer_signature = LyingTlv(0x03, Hex("003006020101020101"), lie);
    ExpectRejected(p.Der());
  }
}

TEST(X509SpkiTest, RejectsNonDerLengths) {
  // The same SPKI length written in the long form (0x81 0x59), or with a leading zero octet.
  const Bytes spki = Seq({CertParts().key_alg, CertParts().key_bits});
  ASSERT_EQ(spki[1], 0x59);
  const Bytes body(spki.begin() + 2, spki.end());
  for (const Bytes& header : {Bytes{0x30, 0x81, 0x59}, Bytes{0x30, 0x82, 0x00, 0x59},
                              Bytes{0x30, 0x80}, Bytes{0x30, 0xff}}) {
    SCOPED_TRACE(ToHex(header));
    // Rebuild the certificate around the re-encoded SPKI by hand (CertParts encodes minimally).
    Bytes spki_elem = Cat({header, body});
    if (header[1] == 0x80) spki_elem = Cat({spki_elem, {0x00, 0x00}});  // BER end-of-contents.
    CertParts p;
    const Bytes tbs =
        Seq({p.version, p.serial, p.signature_alg, p.issuer, p.validity, p.subject, spki_elem});
    ExpectRejected(Seq({tbs, p.outer_signature_alg, p.outer_signature}));
  }
  // The outermost SEQUENCE of a real certificate (over 256 bytes, so 30 82 xx xx) with an
  // indefinite length, and with three length octets (over the bound, and not minimal either).
  auto cert = Certificate::GenerateSelfSigned("peer", std::chrono::hours(24));
  ASSERT_TRUE(cert.ok());
  const Bytes real(cert->der().begin(), cert->der().end());
  ASSERT_EQ(real[1], 0x82);
  const Bytes inner(real.begin() + 4, real.end());
  ExpectRejected(Cat({{0x30, 0x80}, inner, {0x00, 0x00}}));
  ExpectRejected(Cat({{0x30, 0x83, 0x00, real[2], real[3]}, inner}));
  ExpectRejected(Cat({{0x30, 0x84, 0x00, 0x00, real[2], real[3]}, inner}));
  EXPECT_TRUE(FindCertificateSpki(real).ok());
}

TEST(X509SpkiTest, RejectsWrongKeysAndOids) {
  std::vector<CertParts> bad(10);
  bad[0].key_alg = Seq({Tlv(0x06, kOidEcPublicKey), Tlv(0x06, kOidP384)});
  bad[0].key_bits = BitString(kP384G);  // A genuine P-384 key.
  bad[1].key_alg = Seq({Tlv(0x06, kOidEd25519)});
  bad[2].key_alg = Seq({Tlv(0x06, kOidEcPublicKey), Tlv(0x05, {})});  // implicitCurve
  bad[3].key_alg = Seq({Tlv(0x06, kOidEcPublicKey)});                 // no parameters
  bad[4].key_alg = Seq({Tlv(0x06, kOidEcPublicKey), Tlv(0x06, kOidP256), Tlv(0x05, {})});
  bad[5].key_alg = Seq({Tlv(0x06, kOidRsa)});  // rsaEncryption without its NULL
  // Compressed form of the base point (0x02: even y), and the hybrid form (SEC 1 §2.3.3).
  bad[6].key_bits = BitString(Cat({{0x02}, Bytes(kP256G.begin() + 1, kP256G.begin() + 33)}));
  bad[7].key_bits = BitString(Cat({{0x07}, Bytes(kP256G.begin() + 1, kP256G.end())}));
  bad[8].key_bits = Tlv(0x03, Cat({{0x01}, kP256G}));                             // unused bits
  bad[9].key_alg = Seq({Tlv(0x06, Hex("2A8648CE3D0202")), Tlv(0x06, kOidP256)});  // wrong OID
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectRejected(bad[i].Der());
  }
}

TEST(X509SpkiTest, RejectsBrokenStructure) {
  std::vector<CertParts> bad(10);
  bad[0].trailing = {0x00};
  bad[1].version = Tlv(0xa0, Tlv(0x02, {0x05}));  // no such version
  bad[2].serial = Tlv(0x02, {});
  bad[3].issuer = Tlv(0x31, Name("peer"));  // SET where the Name's SEQUENCE belongs
  bad[4].subject.clear();                   // a field missing
  bad[5].after_spki = Tlv(0xa3, Seq({}));
  bad[5].after_spki = Cat({bad[5].after_spki, Tlv(0x81, {0x00})});  // [1] after [3]
  bad[6].after_spki = Tlv(0x04, {});                                // unknown element
  bad[7].outer_signature = Tlv(0x03, {});                           // no unused-bits octet
  bad[8].outer_signature_alg.clear();
  bad[9].key_bits = Cat({bad[9].key_bits, {0x05, 0x00}});  // junk inside the SPKI
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectRejected(bad[i].Der());
  }
}

TEST(X509SpkiTest, RejectsEveryTruncation) {
  auto cert = Certificate::GenerateSelfSigned("peer", std::chrono::hours(24));
  ASSERT_TRUE(cert.ok());
  const absl::Span<const uint8_t> der = cert->der();
  ASSERT_TRUE(FindCertificateSpki(der).ok());
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(FindCertificateSpki(der.first(n)).ok()) << n;
    EXPECT_FALSE(PeerCertificate::FromDer(der.first(n)).ok()) << n;
  }
}

TEST(X509SpkiTest, PointMustLieOnTheCurve) {
  // Structurally fine, so the walk accepts it; building the key refuses it.
  Bytes off_curve = kP256G;
  off_curve.back() ^= 0x01;
  Bytes beyond_field = kP256G;  // x = p (FFFFFFFF00000001 0...0 FFFFFFFF...), not a field element.
  const Bytes p = Hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
  std::copy(p.begin(), p.end(), beyond_field.begin() + 1);
  for (const Bytes& point : {off_curve, beyond_field}) {
    CertParts parts;
    parts.key_bits = BitString(point);
    const Bytes der = parts.Der();
    EXPECT_TRUE(FindCertificateSpki(der).ok());
    EXPECT_FALSE(P256PublicKeyFromPoint(point).ok());
    EXPECT_FALSE(PeerCertificate::FromDer(der).ok());
  }
}

}  // namespace
}  // namespace sfu::crypto::internal
