// Fuzzes the parser of a DTLS peer's Certificate entry (PeerCertificate::FromDer) and, for inputs
// that parse, the signature check with attacker-chosen signature bytes.

#include <cstddef>
#include <cstdint>

#include "crypto/certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sfu::crypto::PeerCertificate;
  using sfu::crypto::SignatureScheme;
  absl::Span<const uint8_t> input(data, size);
  auto cert = PeerCertificate::FromDer(input);
  if (!cert.ok()) return 0;
  static const uint8_t kMessage[] = "handshake transcript";
  // The tail of the input doubles as a signature: malformed DER and out-of-range values must be
  // rejected, never crash.
  absl::Span<const uint8_t> signature = input.subspan(size > 512 ? size - 512 : 0);
  for (SignatureScheme scheme :
       {SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEcdsaSecp384r1Sha384,
        SignatureScheme::kRsaPkcs1Sha256, SignatureScheme::kRsaPkcs1Sha384,
        SignatureScheme::kRsaPssRsaeSha256}) {
    (void)cert->Verify(scheme, kMessage, signature);
  }
  return 0;
}
