// The DTLS 1.2 engine (RFC 6347) as sfud runs it: one endpoint per 5-tuple, either role.
//
//   Client                                               Server
//   ------                                               ------
//   ClientHello (seq 0, no cookie)      -------->                          } flight 1
//                                       <--------  HelloVerifyRequest      } flight 2
//                                                  (stateless: DtlsServerContext)
//   ClientHello (seq 1, cookie)         -------->                          } flight 3
//                                                  ServerHello         }
//                                                  Certificate         }
//                                                  ServerKeyExchange   } flight 4
//                                                  CertificateRequest  }
//                                       <--------  ServerHelloDone     }
//   Certificate                  {
//   ClientKeyExchange            {
//   CertificateVerify            { flight 5
//   [ChangeCipherSpec]           {
//   Finished (epoch 1)           {      -------->
//                                       <--------  [ChangeCipherSpec]  } flight 6
//                                                  Finished (epoch 1)  }
//
// Each side retransmits its last flight on a timer (100 ms doubling to a cap, RFC 6347 §4.2.4)
// until the peer's next flight arrives, and at once when the peer repeats its previous flight.
// The server's flight 6 is final: rebuilt from its 12-byte verify_data when the client repeats
// its Finished, so nothing of the handshake outlives it.
// Files: record_layer (records, AES-GCM, replay window), handshake_header + fragment_buffer
// (fragments and reassembly), handshake_messages (bodies), key_schedule, flight_writer
// (fragmenting and packing our flights), server_flights / client_flights (the state machine per
// role), dtls_server_context (cookies).

#include "core/dtls/dtls_endpoint.h"

#include <algorithm>
#include <utility>

#include "core/dtls/handshake_state.h"

namespace sfu::dtls {

namespace {

constexpr uint8_t kAlertLevelWarning = 1;
constexpr uint8_t kAlertLevelFatal = 2;
constexpr size_t kMaxEarlyRecords = 8;
constexpr size_t kMaxEarlyBytes = 8 * 1024;

}  // namespace

DtlsEndpoint::DtlsEndpoint(Role role, const DtlsConfig& config)
    : role_(role),
      mtu_(static_cast<uint16_t>(std::clamp<size_t>(config.mtu, 256, 65507))),
      initial_rto_(config.initial_retransmit_timeout) {}

DtlsEndpoint::~DtlsEndpoint() = default;

absl::StatusOr<std::unique_ptr<DtlsEndpoint>> DtlsEndpoint::CreateClient(
    const DtlsConfig& config, std::shared_ptr<const crypto::Certificate> certificate,
    RandomSource& random) {
  if (certificate == nullptr) return absl::InvalidArgumentError("DTLS client needs a certificate");
  if (config.cipher_suites.empty() || config.groups.empty() || config.srtp_profiles.empty()) {
    return absl::InvalidArgumentError("DTLS config needs suites, groups and SRTP profiles");
  }
  std::unique_ptr<DtlsEndpoint> endpoint(new DtlsEndpoint(Role::kClient, config));
  endpoint->hs_ = std::make_unique<HandshakeState>(config, std::move(certificate), random);
  endpoint->hs_->step = HandshakeStep::kClientAwaitServerHello;
  return endpoint;
}

absl::StatusOr<std::unique_ptr<DtlsEndpoint>> DtlsEndpoint::CreateServer(
    const DtlsConfig& config, std::shared_ptr<const crypto::Certificate> certificate,
    RandomSource& random, uint16_t client_hello_seq, uint64_t client_hello_record_seq) {
  if (certificate == nullptr) return absl::InvalidArgumentError("DTLS server needs a certificate");
  std::unique_ptr<DtlsEndpoint> endpoint(new DtlsEndpoint(Role::kServer, config));
  endpoint->hs_ = std::make_unique<HandshakeState>(config, std::move(certificate), random);
  endpoint->hs_->step = HandshakeStep::kServerAwaitClientHello;
  endpoint->hs_->reassembler.set_next_seq(client_hello_seq);
  // RFC 6347 §4.2.2: after a stateless HelloVerifyRequest (message_seq 0) the ServerHello
  // continues the numbering, i.e. mirrors the second ClientHello's message_seq.
  endpoint->hs_->next_send_seq = client_hello_seq;
  // RFC 6347 §4.2.1: the HelloVerifyRequest carried the first ClientHello's record sequence
  // number; starting at the second ClientHello's keeps ours above it, so a client's replay
  // window does not discard our first flight (OpenSSL does the same after DTLSv1_listen).
  endpoint->next_write_seq_[0] = client_hello_record_seq;
  endpoint->state_ = State::kHandshaking;
  return endpoint;
}

void DtlsEndpoint::Start(Instant now) {
  if (role_ != Role::kClient || state_ != State::kIdle || hs_ == nullptr) return;
  state_ = State::kHandshaking;
  if (StepResult error = ClientSendHello(now)) Fail(error->alert, error->reason);
  FinishCall(now);
}

void DtlsEndpoint::HandleDatagram(Instant now, absl::Span<const uint8_t> datagram) {
  ++stats_.datagrams_received;
  if (state_ == State::kFailed || state_ == State::kClosed || state_ == State::kIdle) return;
  if (hs_ != nullptr && hs_->outbox.drained()) hs_->outbox.Reset();
  ByteReader reader(datagram);
  while (!reader.empty() && (state_ == State::kHandshaking || state_ == State::kConnected)) {
    Record record;
    const RecordParse parsed = ParseRecord(reader, &record);
    if (parsed == RecordParse::kTooLong) {
      ++stats_.drop_too_long;
      break;
    }
    if (parsed != RecordParse::kOk) {
      ++stats_.drop_malformed;
      break;
    }
    ++stats_.records_received;
    HandleRecord(now, record);
  }
  if (hs_ != nullptr && read_protection_ && !hs_->early_records.empty()) ReplayEarlyRecords(now);
  // A server endpoint still waiting for the rest of a fragmented ClientHello has sent nothing
  // yet, so no retransmission timer runs: arm the same schedule as a deadline so an abandoned
  // half ClientHello fails with "timeout" instead of lingering.
  if (hs_ != nullptr && state_ == State::kHandshaking && hs_->flight.empty() &&
      !hs_->retransmit_at) {
    hs_->rto = hs_->config.initial_retransmit_timeout;
    hs_->retransmit_at = now + hs_->rto;
  }
  FinishCall(now);
}

void DtlsEndpoint::HandleRecord(Instant now, const Record& record) {
  if (record.version != kDtls12Version && record.version != kDtls10Version) {
    ++stats_.drop_bad_version;
    return;
  }
  const auto type = static_cast<ContentType>(record.content_type);
  if (record.epoch == 0) {
    if (state_ == State::kConnected && (hs_ == nullptr || type != ContentType::kHandshake)) {
      ++stats_.drop_bad_epoch;  // plaintext after the handshake: never trusted
      return;
    }
    // RFC 6347 §4.1.2.6 applies to epoch 0 too: a datagram the network duplicated is dropped here
    // instead of making us resend a flight. Epoch 0 cannot be authenticated, so a record moves the
    // window only when it is at most kMaxEpoch0Advance ahead: a spoofed far-future sequence number
    // is still processed (and fails on its own) but cannot push the real peer's records out.
    if (!replay_epoch0_.IsFresh(record.sequence_number)) {
      ++stats_.drop_replay;
      return;
    }
    if (record.sequence_number <= replay_epoch0_.highest() + kMaxEpoch0Advance) {
      replay_epoch0_.Accept(record.sequence_number);
    }
    switch (type) {
      case ContentType::kHandshake:
        HandleHandshakeRecord(now, 0, record.fragment);
        return;
      case ContentType::kChangeCipherSpec:
        // Epochs are explicit in DTLS records, so CCS only marks the switch; it may arrive after
        // the Finished it precedes (reordering), and is not needed to decrypt it.
        if (record.fragment.size() != 1 || record.fragment[0] != 1) ++stats_.drop_malformed;
        return;
      case ContentType::kAlert:
        HandleAlert(0, record.fragment);
        return;
      default:
        ++stats_.drop_unexpected;
        return;
    }
  }
  if (record.epoch != 1) {
    ++stats_.drop_bad_epoch;
    return;
  }
  if (!read_protection_) {
    // RFC 6347 §4.1: a next-epoch record (typically Finished) ahead of the messages that yield
    // its keys. Hold a few during the handshake instead of waiting for a retransmission.
    if (hs_ != nullptr && state_ == State::kHandshaking &&
        hs_->early_records.size() < kMaxEarlyRecords &&
        hs_->early_bytes + record.fragment.size() + kRecordHeaderSize <= kMaxEarlyBytes) {
      std::vector<uint8_t> copy(kRecordHeaderSize + record.fragment.size());
      ByteWriter w(absl::MakeSpan(copy));
      WriteRecordHeader(w, type, record.version, record.epoch, record.sequence_number,
                        static_cast<uint16_t>(record.fragment.size()));
      w.WriteBytes(record.fragment);
      hs_->early_bytes += copy.size();
      hs_->early_records.push_back(std::move(copy));
      ++stats_.early_records_buffered;
    } else {
      ++stats_.drop_bad_epoch;
    }
    return;
  }
  if (!replay_.IsFresh(record.sequence_number)) {
    ++stats_.drop_replay;
    return;
  }
  std::array<uint8_t, kMaxRecordFragment> scratch;
  absl::Span<const uint8_t> plaintext;
  if (!read_protection_->Open(record, absl::MakeSpan(scratch), &plaintext)) {
    ++stats_.drop_decrypt_failed;  // RFC 6347 §4.1.2.7: drop silently
    return;
  }
  replay_.Accept(record.sequence_number);  // only after authentication (§4.1.2.6)
  switch (type) {
    case ContentType::kHandshake:
      HandleHandshakeRecord(now, 1, plaintext);
      return;
    case ContentType::kAlert:
      HandleAlert(1, plaintext);
      return;
    case ContentType::kApplicationData:
      if (state_ == State::kConnected) {
        ++stats_.application_data_dropped;  // no data channels in sfud
      } else {
        ++stats_.drop_unexpected;
      }
      return;
    case ContentType::kChangeCipherSpec:
    default:
      ++stats_.drop_unexpected;
      return;
  }
}

void DtlsEndpoint::HandleHandshakeRecord(Instant now, uint16_t epoch,
                                         absl::Span<const uint8_t> plaintext) {
  ByteReader reader(plaintext);
  while (!reader.empty()) {
    HandshakeFragment fragment;
    const FragmentParse parsed = ParseHandshakeFragment(reader, &fragment);
    if (parsed == FragmentParse::kPastLength) {
      ++stats_.drop_too_long;
      continue;
    }
    if (parsed != FragmentParse::kOk) {
      ++stats_.drop_malformed;
      return;
    }
    if (state_ == State::kConnected && epoch == 1) {
      // RFC 5746 §4.5 / RFC 5246 §7.2.2: renegotiation is refused with a warning and the
      // connection goes on; sfud never renegotiates (keys stay those of the first handshake).
      const auto type = static_cast<HandshakeType>(fragment.type);
      if ((role_ == Role::kServer && type == HandshakeType::kClientHello) ||
          (role_ == Role::kClient && type == HandshakeType::kHelloRequest)) {
        SendAlert(AlertDescription::kNoRenegotiation, /*fatal=*/false);
        continue;
      }
    }
    if (hs_ == nullptr) {
      // The client repeating its Finished means our final flight was lost.
      if (state_ == State::kConnected && epoch == 1 && role_ == Role::kServer &&
          fragment.type == static_cast<uint8_t>(HandshakeType::kFinished) &&
          fragment.message_seq == peer_finished_seq_) {
        ++stats_.handshake_duplicates;
        ResendFinalFlight(now);
      } else {
        ++stats_.drop_unexpected;
      }
      continue;
    }
    switch (hs_->reassembler.Insert(fragment, epoch)) {
      case FragmentBuffer::Result::kBuffered:
        ++stats_.handshake_fragments_buffered;
        break;
      case FragmentBuffer::Result::kOld:
        ++stats_.handshake_duplicates;
        MaybeRetransmitOnDuplicate(now);
        break;
      case FragmentBuffer::Result::kTooFarAhead:
      case FragmentBuffer::Result::kInconsistent:
        ++stats_.drop_unexpected;
        break;
      case FragmentBuffer::Result::kTooLong:
        ++stats_.drop_too_long;
        break;
      case FragmentBuffer::Result::kBufferFull:
        ++stats_.drop_buffer_full;
        break;
    }
  }
  if (state_ == State::kHandshaking) ProcessHandshakeMessages(now);
}

void DtlsEndpoint::ReplayEarlyRecords(Instant now) {
  std::vector<std::vector<uint8_t>> early = std::move(hs_->early_records);
  hs_->early_records.clear();
  hs_->early_bytes = 0;
  for (const std::vector<uint8_t>& bytes : early) {
    if (state_ != State::kHandshaking && state_ != State::kConnected) return;
    ByteReader reader(bytes);
    Record record;
    if (ParseRecord(reader, &record) == RecordParse::kOk) HandleRecord(now, record);
  }
}

void DtlsEndpoint::MaybeRetransmitOnDuplicate(Instant now) {
  // RFC 6347 §4.2.4: a repeated flight from the peer means ours was lost; resend it, but at most
  // once per half initial timeout so one repeated multi-datagram flight triggers one resend.
  if (hs_ == nullptr || hs_->flight.empty() || !hs_->outbox.drained()) return;
  const Duration min_gap = hs_->config.initial_retransmit_timeout / 2;
  if (last_duplicate_resend_ && now - *last_duplicate_resend_ < min_gap) return;
  if (hs_->last_flight_sent && now - *hs_->last_flight_sent < min_gap) return;
  last_duplicate_resend_ = now;
  ++stats_.retransmissions_on_duplicate;
  if (TransmitFlight()) hs_->last_flight_sent = now;
}

void DtlsEndpoint::ResendFinalFlight(Instant now) {
  if (!final_flight_until_ || now > *final_flight_until_ || final_pending_) return;
  if (last_duplicate_resend_ && now - *last_duplicate_resend_ < initial_rto_ / 2) return;
  // Fresh record sequence numbers, same messages (RFC 6347 §4.2.4).
  std::array<uint8_t, kHandshakeHeaderSize + 12> finished;
  ByteWriter f(absl::MakeSpan(finished));
  WriteHandshakeHeader(f, HandshakeType::kFinished, 12, final_message_seq_, 0, 12);
  f.WriteBytes(final_verify_data_);
  ByteWriter w(absl::MakeSpan(final_datagram_));
  const uint8_t ccs = 1;
  if (!WriteRecord(w, ContentType::kChangeCipherSpec, 0, absl::MakeConstSpan(&ccs, 1)) ||
      !WriteRecord(w, ContentType::kHandshake, 1, finished)) {
    return;
  }
  final_datagram_size_ = static_cast<uint8_t>(w.position());
  final_pending_ = true;
  last_duplicate_resend_ = now;
  ++stats_.retransmissions_on_duplicate;
}

void DtlsEndpoint::HandleAlert(uint16_t epoch, absl::Span<const uint8_t> body) {
  ByteReader reader(body);
  uint8_t level = 0, description = 0;
  if (!reader.ReadU8(&level) || !reader.ReadU8(&description) || !reader.empty()) {
    ++stats_.drop_malformed;
    return;
  }
  if (epoch == 0 && state_ == State::kConnected) {
    ++stats_.drop_bad_epoch;
    return;
  }
  ++stats_.alerts_received;
  const auto alert = static_cast<AlertDescription>(description);
  if (alert == AlertDescription::kCloseNotify) {
    // RFC 5246 §7.2.1: answer close_notify with close_notify.
    std::optional<AlertDescription> sent;
    if (state_ == State::kConnected) {
      SendAlert(AlertDescription::kCloseNotify, /*fatal=*/false);
      sent = AlertDescription::kCloseNotify;
    }
    const bool was_connected = state_ == State::kConnected;
    state_ = was_connected ? State::kClosed : State::kFailed;
    DtlsEvent event;
    event.kind = was_connected ? DtlsEvent::Kind::kClosed : DtlsEvent::Kind::kFailed;
    event.alert_sent = sent;
    event.alert_received = alert;
    event.reason = "peer closed";
    PushEvent(std::move(event));
    return;
  }
  if (level == kAlertLevelFatal) {
    FailWithoutAlert("peer sent fatal alert", alert);
    return;
  }
  // Warnings (no_renegotiation, user_canceled, ...) do not end the association.
}

void DtlsEndpoint::HandleTimeout(Instant now) {
  if (hs_ != nullptr && state_ == State::kHandshaking && hs_->retransmit_at &&
      now >= *hs_->retransmit_at) {
    if (hs_->retransmissions >= hs_->config.max_retransmissions) {
      FailWithoutAlert("timeout", std::nullopt);
    } else {
      ++hs_->retransmissions;
      hs_->rto = std::min(hs_->rto * 2, hs_->config.max_retransmit_timeout);
      if (!hs_->flight.empty()) {
        ++stats_.retransmissions;
        if (hs_->outbox.drained()) hs_->outbox.Reset();
        TransmitFlight();
        hs_->last_flight_sent = now;
      }
      hs_->retransmit_at = now + hs_->rto;
    }
  }
  FinishCall(now);
}

std::optional<Instant> DtlsEndpoint::NextTimeout() const {
  if (hs_ == nullptr) return std::nullopt;
  if (state_ == State::kHandshaking) return hs_->retransmit_at;
  return std::nullopt;
}

std::optional<absl::Span<const uint8_t>> DtlsEndpoint::PollTransmit() {
  if (hs_ != nullptr && !hs_->outbox.drained()) {
    const auto [offset, size] = hs_->outbox.datagrams[hs_->outbox.next++];
    ++stats_.datagrams_sent;
    return absl::MakeConstSpan(hs_->outbox.bytes.data() + offset, size);
  }
  // The last flight datagram's view lived until this call: the handshake state can go now.
  if (hs_ != nullptr && state_ == State::kConnected) hs_.reset();
  if (final_pending_) {
    final_pending_ = false;
    ++stats_.datagrams_sent;
    return absl::MakeConstSpan(final_datagram_.data(), final_datagram_size_);
  }
  if (alert_pending_) {
    alert_pending_ = false;
    ++stats_.datagrams_sent;
    return absl::MakeConstSpan(alert_datagram_.data(), alert_datagram_size_);
  }
  return std::nullopt;
}

std::optional<DtlsEvent> DtlsEndpoint::PollEvent() {
  if (!events_[0]) return std::nullopt;
  std::optional<DtlsEvent> event = std::move(events_[0]);
  events_[0] = std::move(events_[1]);
  events_[1].reset();
  return event;
}

void DtlsEndpoint::Close(Instant now) {
  if (state_ == State::kConnected) {
    SendAlert(AlertDescription::kCloseNotify, /*fatal=*/false);
    state_ = State::kClosed;
    DtlsEvent event;
    event.kind = DtlsEvent::Kind::kClosed;
    event.alert_sent = AlertDescription::kCloseNotify;
    event.reason = "closed";
    PushEvent(std::move(event));
  } else if (state_ == State::kHandshaking) {
    Fail(AlertDescription::kUserCanceled, "closed");
  } else if (state_ == State::kIdle) {
    state_ = State::kClosed;
  }
  FinishCall(now);
}

void DtlsEndpoint::SendAlert(AlertDescription alert, bool fatal) {
  const std::array<uint8_t, 2> body = {fatal ? kAlertLevelFatal : kAlertLevelWarning,
                                       static_cast<uint8_t>(alert)};
  ByteWriter w(absl::MakeSpan(alert_datagram_));
  if (!WriteRecord(w, ContentType::kAlert, write_epoch_, body)) return;
  alert_datagram_size_ = static_cast<uint8_t>(w.position());
  alert_pending_ = true;
  ++stats_.alerts_sent;
}

void DtlsEndpoint::Fail(AlertDescription alert, const char* reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  if (hs_ != nullptr) hs_->outbox.Reset();  // a half-sent flight is moot now
  SendAlert(alert, /*fatal=*/true);
  state_ = State::kFailed;
  DtlsEvent event;
  event.kind = DtlsEvent::Kind::kFailed;
  event.alert_sent = alert;
  event.reason = reason;
  PushEvent(std::move(event));
}

void DtlsEndpoint::FailWithoutAlert(const char* reason, std::optional<AlertDescription> received) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  if (hs_ != nullptr) hs_->outbox.Reset();
  state_ = State::kFailed;
  DtlsEvent event;
  event.kind = DtlsEvent::Kind::kFailed;
  event.alert_received = received;
  event.reason = reason;
  PushEvent(std::move(event));
}

void DtlsEndpoint::PushEvent(DtlsEvent event) {
  // Connected, then at most one terminal event: two slots always suffice.
  if (!events_[0]) {
    events_[0] = std::move(event);
  } else {
    events_[1] = std::move(event);
  }
}

void DtlsEndpoint::FinishCall(Instant) {
  if (state_ == State::kFailed || state_ == State::kClosed) {
    hs_.reset();
    read_protection_.reset();
    write_protection_.reset();
    final_flight_until_.reset();
    return;
  }
  if (hs_ != nullptr && state_ == State::kConnected && hs_->outbox.drained()) hs_.reset();
}

}  // namespace sfu::dtls
