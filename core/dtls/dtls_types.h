#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "core/common/instant.h"
#include "crypto/ecdhe.h"

namespace sfu::dtls {

// Vocabulary shared by the DTLS 1.2 engine (RFC 6347) and its users: roles, negotiated
// parameters, the SRTP keying material the handshake exports, configuration and counters.

enum class Role : uint8_t { kClient, kServer };

// SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2).
enum class SrtpProfile : uint16_t {
  kAes128CmHmacSha1_80 = 0x0001,
  kAeadAes128Gcm = 0x0007,
  kAeadAes256Gcm = 0x0008,
};

// The only suites sfud speaks: ECDHE with an ECDSA certificate and AES-GCM (RFC 5289).
enum class CipherSuite : uint16_t {
  kEcdheEcdsaAes128GcmSha256 = 0xC02B,
  kEcdheEcdsaAes256GcmSha384 = 0xC02C,
};

// TLS alert descriptions (RFC 5246 §7.2, RFC 5746, RFC 8446 §6).
enum class AlertDescription : uint8_t {
  kCloseNotify = 0,
  kUnexpectedMessage = 10,
  kBadRecordMac = 20,
  kRecordOverflow = 22,
  kHandshakeFailure = 40,
  kBadCertificate = 42,
  kUnsupportedCertificate = 43,
  kCertificateExpired = 45,
  kCertificateUnknown = 46,
  kIllegalParameter = 47,
  kDecodeError = 50,
  kDecryptError = 51,
  kProtocolVersion = 70,
  kInsufficientSecurity = 71,
  kInternalError = 80,
  kUserCanceled = 90,
  kNoRenegotiation = 100,
  kUnsupportedExtension = 110,
};

// Keying material exported after the handshake (RFC 5764 §4.2, label "EXTRACTOR-dtls_srtp", no
// context): client_write_key | server_write_key | client_write_salt | server_write_salt.
// A plain value (no heap), copied into the SRTP contexts by the caller.
struct SrtpKeyingMaterial {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  Role role = Role::kServer;           // whose point of view "local" takes
  std::array<uint8_t, 88> material{};  // first size() bytes valid

  // 16/14 (AES_CM_128_HMAC_SHA1_80), 16/12 (AEAD_AES_128_GCM), 32/12 (AEAD_AES_256_GCM).
  static size_t KeySize(SrtpProfile profile);
  static size_t SaltSize(SrtpProfile profile);
  size_t key_size() const { return KeySize(profile); }
  size_t salt_size() const { return SaltSize(profile); }
  size_t size() const { return 2 * (key_size() + salt_size()); }  // 60, 56, 88

  absl::Span<const uint8_t> client_key() const;
  absl::Span<const uint8_t> server_key() const;
  absl::Span<const uint8_t> client_salt() const;
  absl::Span<const uint8_t> server_salt() const;
  absl::Span<const uint8_t> local_key() const;
  absl::Span<const uint8_t> local_salt() const;
  absl::Span<const uint8_t> remote_key() const;
  absl::Span<const uint8_t> remote_salt() const;
};

struct DtlsConfig {
  Role role = Role::kServer;
  // Largest UDP payload of any datagram we send (records and their headers included); flights are
  // fragmented and packed to fit. At least 256.
  size_t mtu = 1200;
  // RFC 6347 §4.2.4.1 suggests 1 s; WebRTC stacks start near 100 ms and double.
  Duration initial_retransmit_timeout = std::chrono::milliseconds(100);
  Duration max_retransmit_timeout = std::chrono::seconds(4);
  // Retransmissions of one flight before the handshake fails with reason "timeout".
  int max_retransmissions = 8;
  // How long a server answers a retransmitted client Finished by resending its final flight
  // (ChangeCipherSpec + Finished), RFC 6347 §4.2.4 (2*MSL there; WebRTC peers give up sooner).
  // Costs 12 bytes per connection: the flight is rebuilt from its verify_data on demand.
  Duration final_flight_grace = std::chrono::seconds(30);
  // In preference order (the server chooses by its own order).
  std::vector<SrtpProfile> srtp_profiles = {
      SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAes128CmHmacSha1_80};
  std::vector<CipherSuite> cipher_suites = {CipherSuite::kEcdheEcdsaAes128GcmSha256,
                                            CipherSuite::kEcdheEcdsaAes256GcmSha384};
  std::vector<crypto::NamedGroup> groups = {crypto::NamedGroup::kX25519,
                                            crypto::NamedGroup::kSecp256r1};
  // SHA-256 fingerprint of the peer certificate from the SDP; the handshake fails with
  // bad_certificate if the peer's certificate does not match. nullopt = accept any (tests/loadgen).
  std::optional<std::array<uint8_t, 32>> expected_peer_fingerprint;
  // Reassembly caps (per endpoint, handshake only): bytes buffered and fragments held.
  size_t max_handshake_buffer_bytes = 64 * 1024;
  size_t max_handshake_fragments = 64;
};

// Per-endpoint counters. Single writer (the shard owning the endpoint); the shard sums them into
// its own stats. Declared once as an X-macro so exposers can iterate names and values.
#define SFU_DTLS_STATS(X)                                                                      \
  X(datagrams_received)                                                                        \
  X(records_received)                                                                          \
  X(datagrams_sent)                                                                            \
  X(records_sent)                                                                              \
  X(drop_bad_version)    /* record version not DTLS 1.0/1.2 */                                 \
  X(drop_bad_epoch)      /* epoch we have no keys for, or stale */                             \
  X(drop_decrypt_failed) /* AEAD tag did not verify (silently dropped, RFC 6347 §4.1.2.7) */  \
  X(drop_replay)         /* duplicate or older than the 64-record window */                    \
  X(drop_malformed)      /* record or message that does not parse */                           \
  X(drop_too_long)       /* record over 2^14+2048 bytes, or fragment past message length */    \
  X(drop_unexpected)     /* content type or handshake message not expected now */              \
  X(drop_buffer_full)    /* reassembly caps reached */                                         \
  X(handshake_messages_received)                                                               \
  X(handshake_fragments_buffered)                                                              \
  X(handshake_duplicates)         /* a peer message we already processed (a retransmission) */ \
  X(early_records_buffered)       /* next-epoch records held until their keys exist */         \
  X(retransmissions)              /* flights resent on timer */                                \
  X(retransmissions_on_duplicate) /* flights resent because the peer repeated its flight */    \
  X(alerts_sent)                                                                               \
  X(alerts_received)                                                                           \
  X(application_data_dropped) /* authentic application data (no data channels in sfud) */

struct DtlsStats {
#define SFU_DTLS_STATS_FIELD(name) uint64_t name = 0;
  SFU_DTLS_STATS(SFU_DTLS_STATS_FIELD)
#undef SFU_DTLS_STATS_FIELD
};

}  // namespace sfu::dtls
