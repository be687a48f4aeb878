#include "crypto/x509_spki.h"

#include <algorithm>
#include <array>

#include "core/common/byte_reader.h"

namespace sfu::crypto::internal {
namespace {

// Identifier octets (X.690 §8.1.2) of the elements walked; all are low-tag-number form.
constexpr uint8_t kTagInteger = 0x02;
constexpr uint8_t kTagBitString = 0x03;
constexpr uint8_t kTagNull = 0x05;
constexpr uint8_t kTagOid = 0x06;
constexpr uint8_t kTagSequence = 0x30;
// RFC 5280 §4.1: version [0] EXPLICIT, issuerUniqueID [1] IMPLICIT, subjectUniqueID [2]
// IMPLICIT (BIT STRINGs, so primitive in DER), extensions [3] EXPLICIT.
constexpr uint8_t kTagVersion = 0xa0;
constexpr uint8_t kTagIssuerUid = 0x81;
constexpr uint8_t kTagSubjectUid = 0x82;
constexpr uint8_t kTagExtensions = 0xa3;

// X.690 §8.1.3.5: long-form lengths. Two octets cover 64 KiB, four times FromDer's input cap.
constexpr size_t kMaxLengthOctets = 2;

// OID contents octets (X.690 §8.19).
// RFC 5480 §2.1.1: id-ecPublicKey 1.2.840.10045.2.1.
constexpr std::array<uint8_t, 7> kOidEcPublicKey = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
// RFC 5480 §2.1.1.1: secp256r1 (prime256v1) 1.2.840.10045.3.1.7.
constexpr std::array<uint8_t, 8> kOidPrime256v1 = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
// RFC 3279 §2.3.1: rsaEncryption 1.2.840.113549.1.1.1.
constexpr std::array<uint8_t, 9> kOidRsaEncryption = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                      0x0d, 0x01, 0x01, 0x01};

// RFC 5480 §2.2 / SEC 1 §2.3.3: uncompressed point 0x04 || X || Y.
constexpr size_t kP256PointSize = 65;
constexpr uint8_t kUncompressedTag = 0x04;

absl::Status Malformed(const char* what) {
  return absl::InvalidArgumentError(std::string("peer certificate DER: ") + what);
}

bool Equals(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Reads one DER length (X.690 §8.1.3, §10.1): definite, in the fewest octets.
bool ReadLength(ByteReader& r, size_t* length) {
  uint8_t first = 0;
  if (!r.ReadU8(&first)) return false;
  if (first < 0x80) {
    *length = first;
    return true;
  }
  // 0x80 is the indefinite form (BER only); 0xff is reserved (X.690 §8.1.3.5 c).
  const size_t octets = first & 0x7f;
  if (octets == 0 || octets > kMaxLengthOctets) return false;
  size_t value = 0;
  for (size_t i = 0; i < octets; ++i) {
    uint8_t b = 0;
    if (!r.ReadU8(&b)) return false;
    if (i == 0 && b == 0) return false;  // A leading zero octet is not the shortest form.
    value = (value << 8) | b;
  }
  if (value < 0x80) return false;  // Would have fit the short form.
  *length = value;
  return true;
}

// Reads an element whose identifier octet is `tag` and returns a reader over its contents.
bool ReadElement(ByteReader& r, uint8_t tag, ByteReader* contents) {
  uint8_t actual = 0;
  size_t length = 0;
  return r.ReadU8(&actual) && actual == tag && ReadLength(r, &length) && r.Sub(length, contents);
}

// As ReadElement, if the next element has identifier `tag`; false with `r` untouched otherwise.
bool ReadOptionalElement(ByteReader& r, uint8_t tag, ByteReader* contents, bool* present) {
  uint8_t next = 0;
  *present = r.PeekU8(&next) && next == tag;
  return !*present || ReadElement(r, tag, contents);
}

// An element that must be present and well-formed, and whose contents are not needed.
bool SkipElement(ByteReader& r, uint8_t tag) {
  ByteReader ignored;
  return ReadElement(r, tag, &ignored);
}

// RFC 5280 §4.1.1.3 / §4.1.2.7: a BIT STRING of whole octets (keys and signatures are).
bool ReadOctetAlignedBits(ByteReader& r, absl::Span<const uint8_t>* bits) {
  ByteReader contents;
  uint8_t unused_bits = 0;
  if (!ReadElement(r, kTagBitString, &contents) || !contents.ReadU8(&unused_bits) ||
      unused_bits != 0) {
    return false;
  }
  *bits = contents.ReadRemaining();
  return true;
}

// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
// (RFC 5280 §4.1.2.7), restricted to the two key types FromDer accepts.
absl::StatusOr<CertificateSpki> ParseSpki(ByteReader spki) {
  ByteReader algorithm;
  ByteReader oid;
  if (!ReadElement(spki, kTagSequence, &algorithm) || !ReadElement(algorithm, kTagOid, &oid)) {
    return Malformed("bad subjectPublicKeyInfo algorithm");
  }
  CertificateSpki out;
  if (Equals(oid.remaining_view(), kOidEcPublicKey)) {
    // RFC 5480 §2.1.1: ECParameters must be a namedCurve here (implicit and explicit curves
    // are refused, as before).
    ByteReader curve;
    if (!ReadElement(algorithm, kTagOid, &curve) || !algorithm.empty()) {
      return absl::InvalidArgumentError("peer EC key does not name its curve");
    }
    if (!Equals(curve.remaining_view(), kOidPrime256v1)) {
      return absl::InvalidArgumentError("peer EC key is not on P-256");
    }
    out.algorithm = CertificateSpki::Algorithm::kEcP256;
  } else if (Equals(oid.remaining_view(), kOidRsaEncryption)) {
    // RFC 3279 §2.3.1: the parameters MUST be NULL.
    ByteReader null_contents;
    if (!ReadElement(algorithm, kTagNull, &null_contents) || !null_contents.empty() ||
        !algorithm.empty()) {
      return Malformed("rsaEncryption parameters are not NULL");
    }
    out.algorithm = CertificateSpki::Algorithm::kRsa;
  } else {
    return absl::InvalidArgumentError("peer certificate key is neither ECDSA P-256 nor RSA");
  }
  if (!ReadOctetAlignedBits(spki, &out.public_key) || !spki.empty()) {
    return Malformed("bad subjectPublicKey");
  }
  if (out.algorithm == CertificateSpki::Algorithm::kEcP256 &&
      (out.public_key.size() != kP256PointSize || out.public_key[0] != kUncompressedTag)) {
    return absl::InvalidArgumentError("peer P-256 key is not a 65-byte uncompressed point");
  }
  return out;
}

}  // namespace

absl::StatusOr<CertificateSpki> FindCertificateSpki(absl::Span<const uint8_t> der) {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
  // (RFC 5280 §4.1), and nothing after it.
  ByteReader input(der);
  ByteReader certificate;
  if (!ReadElement(input, kTagSequence, &certificate)) return Malformed("bad Certificate");
  if (!input.empty()) return absl::InvalidArgumentError("trailing bytes after the certificate");
  ByteReader tbs;
  absl::Span<const uint8_t> signature;
  if (!ReadElement(certificate, kTagSequence, &tbs) || !SkipElement(certificate, kTagSequence) ||
      !ReadOctetAlignedBits(certificate, &signature) || !certificate.empty()) {
    return Malformed("bad Certificate fields");
  }

  // TBSCertificate (RFC 5280 §4.1): version [0] EXPLICIT (DEFAULT v1), serialNumber,
  // signature, issuer, validity, subject, subjectPublicKeyInfo, then the optional [1] [2] [3].
  ByteReader version;
  bool has_version = false;
  if (!ReadOptionalElement(tbs, kTagVersion, &version, &has_version)) {
    return Malformed("bad version");
  }
  if (has_version) {
    // v1(0), v2(1), v3(2) as a one-octet INTEGER.
    ByteReader value;
    uint8_t v = 0;
    if (!ReadElement(version, kTagInteger, &value) || !version.empty() || !value.ReadU8(&v) ||
        !value.empty() || v > 2) {
      return Malformed("bad version");
    }
  }
  ByteReader serial;
  if (!ReadElement(tbs, kTagInteger, &serial) || serial.empty()) {
    return Malformed("bad serialNumber");
  }
  ByteReader spki;
  if (!SkipElement(tbs, kTagSequence) ||         // signature
      !SkipElement(tbs, kTagSequence) ||         // issuer
      !SkipElement(tbs, kTagSequence) ||         // validity
      !SkipElement(tbs, kTagSequence) ||         // subject
      !ReadElement(tbs, kTagSequence, &spki)) {  // subjectPublicKeyInfo
    return Malformed("bad tbsCertificate fields");
  }
  for (uint8_t tag : {kTagIssuerUid, kTagSubjectUid, kTagExtensions}) {
    ByteReader ignored;
    bool present = false;
    if (!ReadOptionalElement(tbs, tag, &ignored, &present)) {
      return Malformed("bad tbsCertificate optional field");
    }
  }
  if (!tbs.empty()) return Malformed("unexpected bytes in tbsCertificate");
  return ParseSpki(spki);
}

}  // namespace sfu::crypto::internal
