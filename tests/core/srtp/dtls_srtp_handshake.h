#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sfu::srtp::testing {

// What an in-memory OpenSSL libssl DTLS 1.2 handshake negotiated.
struct DtlsSrtpResult {
  bool ok = false;
  std::string error;
  unsigned long client_profile_id = 0;  // SSL_get_selected_srtp_profile()->id on each side
  unsigned long server_profile_id = 0;
  std::vector<uint8_t> client_material;  // SSL_export_keying_material("EXTRACTOR-dtls_srtp")
  std::vector<uint8_t> server_material;
};

// Runs a DTLS 1.2 client and server (OpenSSL libssl, memory BIOs, self-signed P-256 certificates)
// against each other with use_srtp offering only `openssl_profile_name` (e.g.
// "SRTP_AEAD_AES_128_GCM"), and exports `material_size` bytes of keying material on both sides
// (RFC 5764 §4.2). No sockets; bounded number of flights.
DtlsSrtpResult RunDtlsSrtpHandshake(const char* openssl_profile_name, size_t material_size);

}  // namespace sfu::srtp::testing
