// Building our flights and putting them on the wire: handshake messages kept whole in the flight,
// fragmented per transmission to the configured MTU (RFC 6347 §4.2.3), several records packed per
// datagram, fresh record sequence numbers on every retransmission (§4.2.4), and the key
// installation that moves the record layer to epoch 1.

#include <algorithm>

#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/handshake_state.h"

namespace sfu::dtls {

namespace {

// Do not start a fragment with less room than this in a datagram: a fresh datagram is better
// than a sliver.
constexpr size_t kMinFragment = 32;

}  // namespace

void DtlsEndpoint::AppendToTranscript(HandshakeType type, uint16_t message_seq,
                                      absl::Span<const uint8_t> body) {
  // RFC 6347 §4.2.6: the transcript holds each message as if sent in a single fragment.
  std::vector<uint8_t>& t = hs_->transcript;
  const size_t at = t.size();
  t.resize(at + kHandshakeHeaderSize);
  ByteWriter w(absl::MakeSpan(t.data() + at, kHandshakeHeaderSize));
  WriteHandshakeHeader(w, type, static_cast<uint32_t>(body.size()), message_seq, 0,
                       static_cast<uint32_t>(body.size()));
  t.insert(t.end(), body.begin(), body.end());
}

bool DtlsEndpoint::AppendMessage(HandshakeType type, uint16_t epoch, size_t body_capacity,
                                 const std::function<bool(ByteWriter&)>& build_body) {
  OutgoingMessage message;
  message.type = ContentType::kHandshake;
  message.epoch = epoch;
  message.bytes.resize(kHandshakeHeaderSize + body_capacity);
  ByteWriter body(absl::MakeSpan(message.bytes).subspan(kHandshakeHeaderSize));
  if (!build_body(body) || !body.ok()) return false;
  const size_t length = body.position();
  message.bytes.resize(kHandshakeHeaderSize + length);
  const uint16_t seq = hs_->next_send_seq++;
  ByteWriter header(absl::MakeSpan(message.bytes).subspan(0, kHandshakeHeaderSize));
  WriteHandshakeHeader(header, type, static_cast<uint32_t>(length), seq, 0,
                       static_cast<uint32_t>(length));
  hs_->transcript.insert(hs_->transcript.end(), message.bytes.begin(), message.bytes.end());
  hs_->flight.push_back(std::move(message));
  return true;
}

void DtlsEndpoint::AppendChangeCipherSpec() {
  OutgoingMessage message;
  message.type = ContentType::kChangeCipherSpec;
  message.epoch = 0;
  message.bytes = {1};
  hs_->flight.push_back(std::move(message));
}

bool DtlsEndpoint::WriteRecord(ByteWriter& w, ContentType type, uint16_t epoch,
                               absl::Span<const uint8_t> plaintext) {
  uint64_t& seq = next_write_seq_[epoch];
  if (seq > kMaxSequenceNumber) return false;  // RFC 6347 §4.1: never wrap
  if (epoch == 0) {
    if (!WriteRecordHeader(w, type, kDtls12Version, 0, seq,
                           static_cast<uint16_t>(plaintext.size())) ||
        !w.WriteBytes(plaintext)) {
      return false;
    }
  } else {
    if (!write_protection_ ||
        !write_protection_->Seal(type, kDtls12Version, epoch, seq, plaintext, w)) {
      return false;
    }
  }
  ++seq;
  ++stats_.records_sent;
  return true;
}

bool DtlsEndpoint::TransmitFlight() {
  Outbox& out = hs_->outbox;
  const size_t mtu = mtu_;
  std::vector<uint8_t> plaintext;
  size_t datagram_start = out.bytes.size();
  out.bytes.resize(datagram_start + mtu);
  size_t used = 0;  // bytes of the current datagram
  auto flush = [&] {
    if (used > 0) {
      out.datagrams.emplace_back(static_cast<uint32_t>(datagram_start),
                                 static_cast<uint32_t>(used));
      datagram_start += used;
      out.bytes.resize(datagram_start + mtu);
      used = 0;
    }
  };
  auto write = [&](ContentType type, uint16_t epoch, absl::Span<const uint8_t> data) {
    ByteWriter w(absl::MakeSpan(out.bytes.data() + datagram_start + used, mtu - used));
    if (!WriteRecord(w, type, epoch, data)) return false;
    used += w.position();
    return true;
  };
  bool ok = true;
  for (const OutgoingMessage& message : hs_->flight) {
    const size_t record_overhead =
        kRecordHeaderSize + (message.epoch == 0 ? 0 : RecordProtection::kOverhead);
    if (message.type != ContentType::kHandshake) {
      if (mtu - used < record_overhead + message.bytes.size()) flush();
      ok = ok && write(message.type, message.epoch, message.bytes);
      continue;
    }
    const auto whole = absl::MakeConstSpan(message.bytes);
    const auto body = whole.subspan(kHandshakeHeaderSize);
    const size_t overhead = record_overhead + kHandshakeHeaderSize;
    size_t offset = 0;
    do {
      const size_t left = body.size() - offset;
      size_t room = mtu - used > overhead ? mtu - used - overhead : 0;
      if (room < std::min(left, kMinFragment) || (room == 0 && left == 0)) {
        flush();
        room = mtu - overhead;
      }
      const size_t length = std::min(left, room);
      plaintext.resize(kHandshakeHeaderSize + length);
      ByteWriter w(absl::MakeSpan(plaintext));
      WriteHandshakeHeader(w, static_cast<HandshakeType>(whole[0]),
                           static_cast<uint32_t>(body.size()),
                           static_cast<uint16_t>(whole[4] << 8 | whole[5]),
                           static_cast<uint32_t>(offset), static_cast<uint32_t>(length));
      w.WriteBytes(body.subspan(offset, length));
      ok = ok && write(ContentType::kHandshake, message.epoch, plaintext);
      offset += length;
    } while (ok && offset < body.size());
  }
  flush();
  out.bytes.resize(datagram_start);
  return ok;
}

void DtlsEndpoint::SendFlight(Instant now, bool final_flight) {
  if (hs_->outbox.drained()) hs_->outbox.Reset();
  if (!TransmitFlight()) {
    Fail(AlertDescription::kInternalError, "cannot serialize flight");
    return;
  }
  hs_->last_flight_sent = now;
  hs_->retransmissions = 0;
  hs_->rto = hs_->config.initial_retransmit_timeout;
  // A final flight is resent only when the peer repeats its own (RFC 6347 §4.2.4).
  if (final_flight) {
    hs_->retransmit_at.reset();
  } else {
    hs_->retransmit_at = now + hs_->rto;
  }
}

DtlsEndpoint::StepResult DtlsEndpoint::DeriveKeys() {
  // RFC 7627 §4: session_hash covers the transcript through ClientKeyExchange.
  std::array<uint8_t, crypto::kMaxDigestSize> session_hash;
  const size_t hash_size =
      TranscriptHash(hs_->suite, hs_->transcript, absl::MakeSpan(session_hash));
  hs_->transcript_through_cke = hs_->transcript.size();
  if (!hs_->ecdhe) return HandshakeError{AlertDescription::kInternalError, "no ECDHE key"};
  auto shared = hs_->ecdhe->DeriveSharedSecret(hs_->peer_ecdhe_public);
  if (!shared.ok()) {
    return HandshakeError{AlertDescription::kIllegalParameter, "invalid ECDHE public key"};
  }
  absl::Status status = ComputeExtendedMasterSecret(
      hs_->suite, *shared, absl::MakeConstSpan(session_hash.data(), hash_size),
      &hs_->master_secret);
  std::fill(shared->begin(), shared->end(), 0);
  KeyBlock keys;
  if (status.ok()) {
    status =
        ExpandKeys(hs_->suite, hs_->master_secret, hs_->client_random, hs_->server_random, &keys);
  }
  if (!status.ok()) return HandshakeError{AlertDescription::kInternalError, "key derivation"};
  const bool client = role_ == Role::kClient;
  auto read = RecordProtection::Create(client ? keys.server_key() : keys.client_key(),
                                       client ? keys.server_write_iv : keys.client_write_iv);
  auto write = RecordProtection::Create(client ? keys.client_key() : keys.server_key(),
                                        client ? keys.client_write_iv : keys.server_write_iv);
  keys = KeyBlock{};
  if (!read.ok() || !write.ok()) {
    return HandshakeError{AlertDescription::kInternalError, "record keys"};
  }
  read_protection_ = std::move(*read);
  write_protection_ = std::move(*write);
  hs_->ecdhe.reset();
  hs_->keys_ready = true;
  return std::nullopt;
}

void DtlsEndpoint::Complete(Instant now) {
  DtlsEvent event;
  event.kind = DtlsEvent::Kind::kConnected;
  event.cipher_suite = hs_->suite;
  event.group = hs_->group;
  event.peer_fingerprint = hs_->peer_fingerprint;
  if (!ExportSrtpKeyingMaterial(hs_->suite, hs_->master_secret, hs_->client_random,
                                hs_->server_random, hs_->srtp_profile, role_, &event.srtp)
           .ok()) {
    Fail(AlertDescription::kInternalError, "exporter failed");
    return;
  }
  state_ = State::kConnected;
  PushEvent(std::move(event));
  // Free what forwarding never needs now; the rest (the flight still being polled) goes once
  // its datagrams are drained (PollTransmit / FinishCall).
  hs_->step = HandshakeStep::kDone;
  hs_->master_secret.fill(0);
  std::vector<uint8_t>().swap(hs_->transcript);
  hs_->peer_certificate.reset();
  hs_->certificate.reset();
  hs_->ecdhe.reset();
  hs_->reassembler.Clear();
  std::vector<std::vector<uint8_t>>().swap(hs_->early_records);
  hs_->retransmit_at.reset();
  if (role_ == Role::kServer) final_flight_until_ = now + hs_->config.final_flight_grace;
}

}  // namespace sfu::dtls
