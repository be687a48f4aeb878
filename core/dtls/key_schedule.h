#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/dtls/dtls_types.h"
#include "crypto/hash.h"

namespace sfu::dtls {

// The TLS 1.2 key schedule as DTLS uses it, for the two AES-GCM suites sfud speaks:
// extended master secret (RFC 7627 §4), key expansion (RFC 5246 §6.3, RFC 5288 §3), Finished
// verify_data (RFC 5246 §7.4.9) and the keying-material exporter for DTLS-SRTP (RFC 5705,
// RFC 5764 §4.2). Stateless functions; the handshake state holds the secrets.

inline constexpr size_t kMasterSecretSize = 48;

crypto::HashAlgorithm PrfHash(CipherSuite suite);  // SHA-256 / SHA-384
size_t SuiteKeySize(CipherSuite suite);            // 16 / 32
bool IsKnownSuite(uint16_t value);

// master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47], where
// session_hash = Hash(handshake messages through ClientKeyExchange).
absl::Status ComputeExtendedMasterSecret(CipherSuite suite, absl::Span<const uint8_t> pre_master,
                                         absl::Span<const uint8_t> session_hash,
                                         std::array<uint8_t, kMasterSecretSize>* out);

// key_block = PRF(master_secret, "key expansion", server_random + client_random): for AEAD
// suites client_write_key | server_write_key | client_write_IV(4) | server_write_IV(4).
struct KeyBlock {
  size_t key_size = 0;
  std::array<uint8_t, 32> client_write_key{};
  std::array<uint8_t, 32> server_write_key{};
  std::array<uint8_t, 4> client_write_iv{};
  std::array<uint8_t, 4> server_write_iv{};
  absl::Span<const uint8_t> client_key() const { return {client_write_key.data(), key_size}; }
  absl::Span<const uint8_t> server_key() const { return {server_write_key.data(), key_size}; }
};
absl::Status ExpandKeys(CipherSuite suite, absl::Span<const uint8_t> master_secret,
                        absl::Span<const uint8_t> client_random,
                        absl::Span<const uint8_t> server_random, KeyBlock* out);

// verify_data = PRF(master_secret, "client finished"/"server finished", Hash(messages))[0..11].
absl::Status ComputeVerifyData(CipherSuite suite, absl::Span<const uint8_t> master_secret,
                               bool client, absl::Span<const uint8_t> handshake_hash,
                               std::array<uint8_t, 12>* out);

// Hash(transcript) with the suite's PRF hash; returns the digest size written to `out`.
size_t TranscriptHash(CipherSuite suite, absl::Span<const uint8_t> transcript,
                      absl::Span<uint8_t> out);

// RFC 5705 exporter with label "EXTRACTOR-dtls_srtp" and no context, sized for `profile`.
absl::Status ExportSrtpKeyingMaterial(CipherSuite suite, absl::Span<const uint8_t> master_secret,
                                      absl::Span<const uint8_t> client_random,
                                      absl::Span<const uint8_t> server_random, SrtpProfile profile,
                                      Role role, SrtpKeyingMaterial* out);

}  // namespace sfu::dtls
