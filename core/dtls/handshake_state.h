#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_types.h"
#include "core/dtls/fragment_buffer.h"
#include "core/dtls/handshake_header.h"
#include "core/dtls/key_schedule.h"
#include "core/dtls/record_layer.h"
#include "crypto/certificate.h"
#include "crypto/ecdhe.h"

namespace sfu::dtls {

// One message of a flight we send, kept whole so each (re)transmission can fragment it afresh
// and give every record a new sequence number (RFC 6347 §4.2.4). For handshake messages `bytes`
// is the unfragmented form (12-byte header with fragment_offset 0, fragment_length = length);
// for ChangeCipherSpec it is the single byte 1.
struct OutgoingMessage {
  ContentType type = ContentType::kHandshake;
  uint16_t epoch = 0;
  std::vector<uint8_t> bytes;
};

// Datagrams waiting for PollTransmit(), back to back in one buffer.
struct Outbox {
  std::vector<uint8_t> bytes;
  std::vector<std::pair<uint32_t, uint32_t>> datagrams;  // offset, size
  size_t next = 0;

  bool drained() const { return next >= datagrams.size(); }
  void Reset() {
    bytes.clear();
    datagrams.clear();
    next = 0;
  }
};

// What the handshake phase of the state machine waits for next.
enum class HandshakeStep : uint8_t {
  kClientAwaitServerHello,  // flight 1/3 sent: HelloVerifyRequest or ServerHello next
  kClientAwaitFlight4,      // ServerHello processed: Certificate .. ServerHelloDone
  kClientAwaitFinished,     // flight 5 sent: the server's Finished next
  kServerAwaitClientHello,  // endpoint just created: the cookie-verified ClientHello
  kServerAwaitFlight5,      // flight 4 sent: Certificate .. Finished from the client
  kDone,                    // final flight kept only to answer retransmissions
};

// Everything an endpoint needs only while handshaking. Allocated at creation, freed once the
// handshake is over and its last datagrams have been polled, or once it failed.
struct HandshakeState {
  HandshakeState(const DtlsConfig& c, std::shared_ptr<const crypto::Certificate> cert,
                 RandomSource& r)
      : config(c),
        certificate(std::move(cert)),
        random(&r),
        reassembler(c.max_handshake_buffer_bytes, c.max_handshake_fragments) {}

  DtlsConfig config;
  std::shared_ptr<const crypto::Certificate> certificate;
  RandomSource* random;
  HandshakeStep step = HandshakeStep::kServerAwaitClientHello;

  // Negotiated.
  std::array<uint8_t, 32> client_random{};
  std::array<uint8_t, 32> server_random{};
  CipherSuite suite = CipherSuite::kEcdheEcdsaAes128GcmSha256;
  crypto::NamedGroup group = crypto::NamedGroup::kX25519;
  SrtpProfile srtp_profile = SrtpProfile::kAeadAes128Gcm;
  std::optional<crypto::EcdheKey> ecdhe;
  std::array<uint8_t, kMasterSecretSize> master_secret{};
  bool keys_ready = false;

  // Peer.
  std::optional<crypto::PeerCertificate> peer_certificate;
  std::array<uint8_t, 32> peer_fingerprint{};
  std::vector<uint8_t> peer_ecdhe_public;  // client: from ServerKeyExchange
  bool certificate_requested = false;      // client: the server sent CertificateRequest
  bool peer_sent_certificate = false;
  std::vector<uint8_t> cookie;  // client: from HelloVerifyRequest
  int hello_verify_requests = 0;

  // RFC 6347 §4.2.6: the concatenation of every handshake message in unfragmented form, both
  // directions, excluding the first ClientHello and HelloVerifyRequest. Kept whole because
  // CertificateVerify signs the messages themselves, not a hash.
  std::vector<uint8_t> transcript;
  size_t transcript_through_cke = 0;  // length before CertificateVerify

  // Receiving.
  FragmentBuffer reassembler;
  std::vector<std::vector<uint8_t>> early_records;  // epoch-1 records before their keys
  size_t early_bytes = 0;

  // Sending.
  uint16_t next_send_seq = 0;
  std::vector<OutgoingMessage> flight;
  Outbox outbox;
  Duration rto{};
  int retransmissions = 0;
  std::optional<Instant> retransmit_at;
  std::optional<Instant> last_flight_sent;
};

}  // namespace sfu::dtls
