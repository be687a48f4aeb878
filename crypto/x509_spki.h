#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace sfu::crypto::internal {

// The public key of an X.509 certificate (RFC 5280 §4.1), found by a minimal strict DER walk
// instead of OpenSSL's full decoder: a DTLS peer's certificate is authenticated by its SDP
// fingerprint, so only its subjectPublicKeyInfo matters, and OpenSSL 3.0's d2i_X509 +
// X509_get_pubkey (provider decoders) cost more than the rest of a handshake's parsing.
//
// The walk checks every TLV it passes: definite lengths only, minimally encoded, at most two
// length octets (FromDer admits 16 KiB), each element exactly filling its parent, the
// tbsCertificate fields in RFC 5280 order, and no bytes after the Certificate. It does not look
// inside issuer, validity, subject, extensions or the signature (WebRTC ignores them).
//
// `public_key` views the caller's DER and lives as long as it does.
struct CertificateSpki {
  enum class Algorithm {
    kEcP256,  // id-ecPublicKey, namedCurve prime256v1; public_key is 0x04 || X || Y (65 bytes).
    kRsa,     // rsaEncryption, NULL parameters; public_key is the RSAPublicKey DER.
  };
  Algorithm algorithm;
  // The subjectPublicKey BIT STRING's bits (without the unused-bits octet, which must be 0).
  absl::Span<const uint8_t> public_key;
};

// Finds the subjectPublicKeyInfo of the DER Certificate `der`. InvalidArgument for malformed DER,
// trailing bytes, a key that is neither EC P-256 nor RSA, and an EC point that is not the 65-byte
// uncompressed form (RFC 8422 §5.1.2 leaves only that to TLS 1.2 peers). The point's place on the
// curve is not checked here.
absl::StatusOr<CertificateSpki> FindCertificateSpki(absl::Span<const uint8_t> der);

}  // namespace sfu::crypto::internal
