#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "crypto/openssl_util.h"

namespace sfu::crypto::internal {

// A P-256 public key built from a peer's uncompressed point (0x04 || X || Y, RFC 8422 §5.4.1 and
// RFC 5480 §2.2): the ECDHE peer value and a certificate's subjectPublicKey alike. The caller has
// already insisted on the 65-byte uncompressed form; OpenSSL decodes the point and rejects one
// that is off the curve or has a coordinate outside the field (InvalidArgument). Safe to call from
// any thread.
absl::StatusOr<PkeyPtr> P256PublicKeyFromPoint(absl::Span<const uint8_t> point);

}  // namespace sfu::crypto::internal
