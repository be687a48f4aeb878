#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_types.h"
#include "core/dtls/fragment_buffer.h"
#include "core/dtls/handshake_header.h"
#include "core/dtls/record_layer.h"
#include "core/dtls/replay_window.h"
#include "crypto/certificate.h"
#include "crypto/ecdhe.h"

namespace sfu::dtls {

// What an endpoint reports to its owner, pulled with PollEvent().
struct DtlsEvent {
  enum class Kind : uint8_t { kConnected, kFailed, kClosed };
  Kind kind = Kind::kFailed;
  // kConnected:
  SrtpKeyingMaterial srtp;
  CipherSuite cipher_suite = CipherSuite::kEcdheEcdsaAes128GcmSha256;
  crypto::NamedGroup group = crypto::NamedGroup::kX25519;
  std::array<uint8_t, 32> peer_fingerprint{};
  // kFailed / kClosed:
  std::optional<AlertDescription> alert_sent;      // what we sent the peer, if anything
  std::optional<AlertDescription> alert_received;  // what the peer sent, if anything
  std::string reason;  // one line for logs/metrics ("timeout", "fingerprint mismatch", ...)
};

struct HandshakeState;  // core/dtls/handshake_state.h: everything freed once the handshake ends

// One DTLS 1.2 association (RFC 6347) over one 5-tuple, in either role. Sans-IO: the owner feeds
// datagrams and timeouts with the current Instant, then drains PollTransmit()/PollEvent() and
// re-arms its timer from NextTimeout(). Thread-compatible; owned by one shard. Views returned by
// PollTransmit() live until the next non-const call. The RandomSource passed at creation must
// outlive the endpoint.
//
// After the handshake an endpoint keeps only its epoch-1 record keys, sequence numbers and replay
// window (plus, on the server, the 12-byte verify_data that rebuilds its final flight if the
// client repeats its Finished): handshake state, certificates and buffers are freed once the last
// handshake datagram has been polled, and no path allocates per packet.
class DtlsEndpoint {
 public:
  // A client endpoint; call Start(now) to emit the first ClientHello.
  static absl::StatusOr<std::unique_ptr<DtlsEndpoint>> CreateClient(
      const DtlsConfig& config, std::shared_ptr<const crypto::Certificate> certificate,
      RandomSource& random);
  ~DtlsEndpoint();
  DtlsEndpoint(const DtlsEndpoint&) = delete;
  DtlsEndpoint& operator=(const DtlsEndpoint&) = delete;

  void Start(Instant now);  // client only; no effect otherwise
  void HandleDatagram(Instant now, absl::Span<const uint8_t> datagram);
  void HandleTimeout(Instant now);
  // Datagrams to send, in order; the view lives until the next non-const call.
  std::optional<absl::Span<const uint8_t>> PollTransmit();
  std::optional<DtlsEvent> PollEvent();
  std::optional<Instant> NextTimeout() const;  // nullopt: nothing scheduled
  // Sends close_notify if connected (RFC 5246 §7.2.1) and reports kClosed; a handshake in progress
  // is abandoned with kFailed{reason "closed"} and a user_canceled alert.
  void Close(Instant now);

  Role role() const { return role_; }
  bool connected() const { return state_ == State::kConnected; }
  bool failed() const { return state_ == State::kFailed; }
  bool closed() const { return state_ == State::kClosed; }
  // Records dropped by reason, retransmissions, ...
  const DtlsStats& stats() const { return stats_; }
  // True while handshake state (transcript, flight buffers) is still allocated: until the
  // handshake ends and its last datagrams have been polled.
  bool holds_handshake_state() const { return hs_ != nullptr; }

 private:
  friend class DtlsServerContext;

  enum class State : uint8_t { kIdle, kHandshaking, kConnected, kFailed, kClosed };
  // Why the handshake cannot go on: the alert to send and a reason for the Failed event.
  struct HandshakeError {
    AlertDescription alert;
    const char* reason;
  };
  using StepResult = std::optional<HandshakeError>;  // nullopt: fine, go on

  DtlsEndpoint(Role role, const DtlsConfig& config);
  // Server endpoints come from DtlsServerContext once a ClientHello carries a valid cookie; the
  // endpoint expects that ClientHello's message_seq and continues record numbering from its
  // record sequence number (the stateless HelloVerifyRequest reused an earlier one).
  static absl::StatusOr<std::unique_ptr<DtlsEndpoint>> CreateServer(
      const DtlsConfig& config, std::shared_ptr<const crypto::Certificate> certificate,
      RandomSource& random, uint16_t client_hello_seq, uint64_t client_hello_record_seq);

  // dtls_endpoint.cc: records, alerts, timers, events.
  void HandleRecord(Instant now, const Record& record);
  void HandleHandshakeRecord(Instant now, uint16_t epoch, absl::Span<const uint8_t> plaintext);
  void HandleAlert(uint16_t epoch, absl::Span<const uint8_t> body);
  void ReplayEarlyRecords(Instant now);
  void MaybeRetransmitOnDuplicate(Instant now);
  void ResendFinalFlight(Instant now);
  void Fail(AlertDescription alert, const char* reason);
  void FailWithoutAlert(const char* reason, std::optional<AlertDescription> received);
  void SendAlert(AlertDescription alert, bool fatal);
  void PushEvent(DtlsEvent event);
  void FinishCall(Instant now);  // end of every public entry point: frees what is no longer needed

  // flight_writer.cc: building and sending our flights.
  bool AppendMessage(HandshakeType type, uint16_t epoch, size_t body_capacity,
                     const std::function<bool(ByteWriter&)>& build_body);
  void AppendChangeCipherSpec();
  void AppendToTranscript(HandshakeType type, uint16_t message_seq, absl::Span<const uint8_t> body);
  void SendFlight(Instant now, bool final_flight);
  bool TransmitFlight();
  bool WriteRecord(ByteWriter& w, ContentType type, uint16_t epoch,
                   absl::Span<const uint8_t> plaintext);
  StepResult DeriveKeys();
  void Complete(Instant now);

  // server_flights.cc / client_flights.cc: the state machine per role.
  void ProcessHandshakeMessages(Instant now);
  StepResult ServerOnMessage(Instant now, const HandshakeMessage& message);
  StepResult ServerOnClientHello(Instant now, const HandshakeMessage& message);
  StepResult ServerOnFlight5(Instant now, const HandshakeMessage& message);
  StepResult ClientSendHello(Instant now);
  StepResult ClientOnMessage(Instant now, const HandshakeMessage& message);
  StepResult ClientOnServerHello(const HandshakeMessage& message);
  StepResult ClientOnFlight4(Instant now, const HandshakeMessage& message);
  StepResult ClientSendFlight5(Instant now);
  StepResult ClientOnFinished(Instant now, const HandshakeMessage& message);
  StepResult CheckPeerCertificate(absl::Span<const uint8_t> body);
  StepResult VerifyFinished(const HandshakeMessage& message, bool from_client);

  Role role_;
  State state_ = State::kIdle;
  // Configuration kept after the handshake (the lists live in the handshake state).
  uint16_t mtu_;

  std::unique_ptr<HandshakeState> hs_;

  // Record layer. Epoch 0 is plaintext; epoch 1 uses the negotiated AES-GCM keys.
  uint16_t write_epoch_ = 0;
  std::array<uint64_t, 2> next_write_seq_{};
  // RFC 6347 §4.1.2.6 windows. Epoch 1's moves only after a record authenticates; epoch 0's (no
  // authentication possible) only by bounded steps, see HandleRecord.
  static constexpr uint64_t kMaxEpoch0Advance = 1024;
  ReplayWindow replay_epoch0_;
  ReplayWindow replay_;
  std::optional<RecordProtection> read_protection_;
  std::optional<RecordProtection> write_protection_;

  Duration initial_rto_;
  // Rate limit for answering a peer's retransmitted flight with ours.
  std::optional<Instant> last_duplicate_resend_;

  // Server, after the handshake: what rebuilds the final flight (ChangeCipherSpec + Finished)
  // when the client retransmits its Finished because ours was lost (RFC 6347 §4.2.4), until
  // final_flight_until_.
  std::array<uint8_t, 12> final_verify_data_{};
  uint16_t final_message_seq_ = 0;
  uint16_t peer_finished_seq_ = 0;
  std::optional<Instant> final_flight_until_;

  // Small datagrams sent after the handshake state is gone: the rebuilt final flight (14 + 61
  // bytes) and an alert (at most 39 bytes).
  std::array<uint8_t, 80> final_datagram_{};
  uint8_t final_datagram_size_ = 0;
  bool final_pending_ = false;
  std::array<uint8_t, 48> alert_datagram_{};
  uint8_t alert_datagram_size_ = 0;
  bool alert_pending_ = false;

  // At most two events can be outstanding (Connected, then Failed/Closed).
  std::array<std::optional<DtlsEvent>, 2> events_;

  DtlsStats stats_;
};

}  // namespace sfu::dtls
