#include "core/sfu/shard_engine.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/rtp/demux.h"
#include "core/stun/stun_peek.h"

namespace sfu::sfu {
namespace {

// Every timer heap entry beyond one per peer is a stale one left by a reschedule; twice the peer
// cap plus slack keeps compactions rare (amortised O(1) per reschedule).
size_t TimerCapacity(const ShardEngineConfig& config) { return 2 * config.max_peers + 64; }

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool IsCertificateAlert(dtls::AlertDescription alert) {
  using A = dtls::AlertDescription;
  return alert == A::kBadCertificate || alert == A::kUnsupportedCertificate ||
         alert == A::kCertificateExpired || alert == A::kCertificateUnknown;
}

Peer::PendingRemoval Removal(RemoveReason reason, const char* detail) {
  Peer::PendingRemoval removal;
  removal.reason = reason;
  removal.detail = detail;
  return removal;
}

}  // namespace

ShardEngine::ShardEngine(ShardEngineConfig config,
                         std::shared_ptr<const crypto::Certificate> certificate,
                         RandomSource& random)
    : config_(std::move(config)),
      peer_limits_{config_.consent_timeout, config_.max_tuples_per_peer, config_.srtp},
      dtls_context_(
          [this] {
            dtls::DtlsConfig dtls = config_.dtls;
            dtls.role = dtls::Role::kServer;
            return dtls;
          }(),
          std::move(certificate), random),
      router_(config_.router),
      table_(config_.max_peers, config_.max_peers * config_.max_tuples_per_peer),
      timers_(TimerCapacity(config_)),
      transmits_(config_.max_transmits),
      control_arena_(config_.control_arena_bytes),
      router_out_(config_.router_outputs, config_.router_arena_bytes, srtp::kMaxSrtcpTrailer),
      events_(std::max<size_t>(config_.max_events, 1)) {}

ShardEngine::~ShardEngine() = default;

// ---------------------------------------------------------------------------------------------
// Commands

absl::Status ShardEngine::AddPeer(Instant now, sfu::AddPeer command) {
  // A duplicate id names a live session: answering it with PeerRemoved would read as that
  // session's end, so it is only reported through the returned status.
  if (table_.FindById(command.peer) != nullptr) {
    ++stats_.peers_rejected;
    return absl::AlreadyExistsError("peer id already on this shard");
  }
  auto reject = [&](absl::Status status, const char* detail) {
    ++stats_.peers_rejected;
    PeerRemoved removed;
    removed.peer = command.peer;
    removed.reason = RemoveReason::kRejected;
    removed.detail = detail;
    PushEvent(removed);
    return status;
  };

  absl::StatusOr<std::unique_ptr<Peer>> created = Peer::Create(command, peer_limits_, now);
  if (!created.ok()) return reject(created.status(), "invalid ICE credentials or limits");
  absl::StatusOr<Peer*> inserted = table_.Insert(*std::move(created));
  if (!inserted.ok()) {
    return reject(inserted.status(), absl::IsResourceExhausted(inserted.status())
                                         ? "shard at peer capacity"
                                         : "local ufrag already in use");
  }
  Peer* peer = *inserted;

  absl::Status routed;
  if (auto* publisher = std::get_if<PublisherConfig>(&command.media)) {
    publisher->room = command.room;
    routed = router_.AddPublisher(command.peer, *publisher).status();
  } else {
    auto& subscriber = std::get<SubscriberConfig>(command.media);
    subscriber.room = command.room;
    routed = router_.AddSubscriber(command.peer, subscriber);
    for (size_t slot = 0; routed.ok() && slot < subscriber.slots.size(); ++slot) {
      if (subscriber.slots[slot].kind == MediaKind::kVideo) peer->video_slots().push_back(slot);
    }
  }
  if (!routed.ok()) {
    table_.Remove(command.peer);
    return reject(routed, "media configuration refused by the router");
  }

  ++stats_.peers_added;
  ++stats_.peers_new;
  Reschedule(*peer);  // the consent clock runs from now: a peer that never checks in expires
  return absl::OkStatus();
}

void ShardEngine::RemovePeer(Instant now, PeerId id) {
  Peer* peer = table_.FindById(id);
  if (peer == nullptr) return;
  RemoveNow(now, *peer, Removal(RemoveReason::kDeleted, "deleted"),
            /*send_close=*/true);
  FlushRouterOutputs();
}

void ShardEngine::Shutdown(Instant now) {
  std::vector<PeerId> ids;
  ids.reserve(table_.size());
  table_.ForEach([&](const Peer& peer) { ids.push_back(peer.id()); });
  for (PeerId id : ids) {
    if (Peer* peer = table_.FindById(id)) {
      RemoveNow(now, *peer, Removal(RemoveReason::kShutdown, "shutdown"),
                /*send_close=*/true);
    }
  }
  timers_.Clear();
}

std::optional<PeerState> ShardEngine::peer_state(PeerId id) const {
  const Peer* peer = table_.FindById(id);
  if (peer == nullptr) return std::nullopt;
  return peer->state();
}

// ---------------------------------------------------------------------------------------------
// Packet path

void ShardEngine::HandleDatagram(Instant now, const FiveTuple& tuple,
                                 absl::Span<uint8_t> datagram) {
  ++stats_.datagrams_in;
  stats_.bytes_in += datagram.size();
  switch (rtp::ClassifyDatagram(datagram)) {
    case rtp::PacketClass::kStun:
      ++stats_.stun_in;
      stats_.stun_bytes_in += datagram.size();
      HandleStun(now, tuple, datagram);
      break;
    case rtp::PacketClass::kDtls:
      ++stats_.dtls_in;
      stats_.dtls_bytes_in += datagram.size();
      HandleDtls(now, tuple, datagram);
      break;
    case rtp::PacketClass::kRtp:
    case rtp::PacketClass::kRtcp: {
      const bool rtcp = rtp::ClassifyDatagram(datagram) == rtp::PacketClass::kRtcp;
      if (rtcp) {
        ++stats_.rtcp_in;
        stats_.rtcp_bytes_in += datagram.size();
      } else {
        ++stats_.rtp_in;
        stats_.rtp_bytes_in += datagram.size();
      }
      Peer* peer = table_.FindByTuple(tuple);
      if (peer == nullptr) {
        ++stats_.drop_unknown_5tuple;
        break;
      }
      HandleMedia(now, *peer, rtcp, datagram);
      break;
    }
    case rtp::PacketClass::kUnknown:
      ++stats_.drop_malformed;
      break;
  }
  FlushRouterOutputs();
}

void ShardEngine::HandleStun(Instant now, const FiveTuple& tuple, absl::Span<uint8_t> datagram) {
  if (!stun::LooksLikeStun(datagram)) {
    ++stats_.drop_malformed;
    return;
  }
  // The session is named by USERNAME's local half (RFC 8445 §7.2.2), not by the 5-tuple: a
  // 5-tuple can move between sessions (a NAT binding reused by a new session), the ufrag cannot.
  // Checks arrive about once a second per session, so the peek costs nothing that matters.
  std::optional<std::string_view> ufrag = stun::PeekLocalUfrag(datagram);
  Peer* peer = ufrag.has_value() ? table_.FindByUfrag(*ufrag) : nullptr;
  if (peer == nullptr) {
    ++stats_.drop_unknown_ufrag;
    return;
  }
  const stun::CheckOutcome outcome = peer->ice().HandleStun(now, tuple, datagram);
  if (!stun::IsAnswered(outcome)) {
    using O = stun::CheckOutcome;
    if (outcome == O::kWrongUsername || outcome == O::kMissingIntegrity ||
        outcome == O::kBadIntegrity) {
      ++stats_.drop_stun_auth;
    } else {
      ++stats_.drop_stun_other;
    }
  }
  Service(now, *peer);
}

void ShardEngine::HandleDtls(Instant now, const FiveTuple& tuple, absl::Span<uint8_t> datagram) {
  // Only a 5-tuple that passed a valid check gets anything back (DESIGN.md §1.2): otherwise a
  // spoofed source could aim our HelloVerifyRequests and flights at a victim.
  Peer* peer = table_.FindByTuple(tuple);
  if (peer == nullptr || !peer->ice().IsBound(tuple)) {
    ++stats_.drop_unknown_5tuple;
    return;
  }
  peer->set_dtls_tuple(tuple);
  if (!peer->dtls_first_seen.has_value()) peer->dtls_first_seen = now;
  if (peer->dtls() == nullptr) {
    // RFC 6347 §4.2.1: nothing is kept per client until it echoes a valid cookie.
    dtls::DtlsServerContext::Result result = dtls_context_.HandleInitialDatagram(
        now, tuple.remote, datagram, peer->remote_fingerprint());
    switch (result.kind) {
      case dtls::DtlsServerContext::Result::Kind::kDrop:
        ++stats_.drop_dtls_initial;
        return;
      case dtls::DtlsServerContext::Result::Kind::kSendHelloVerifyRequest:
        ++stats_.hello_verify_requests;
        QueueCopy(OutKind::kDtls, tuple, result.datagram);
        return;
      case dtls::DtlsServerContext::Result::Kind::kNewEndpoint:
        ++stats_.handshakes_started;
        peer->set_dtls(std::move(result.endpoint));
        break;
    }
  } else {
    peer->dtls()->HandleDatagram(now, datagram);
  }
  Service(now, *peer);
}

void ShardEngine::HandleMedia(Instant now, Peer& peer, bool rtcp, absl::Span<uint8_t> datagram) {
  if (peer.state() != PeerState::kDtlsConnected) {
    ++stats_.drop_not_connected;
    return;
  }
  size_t plain_size = 0;
  const srtp::SrtpResult result =
      rtcp ? peer.srtp_in().UnprotectRtcp(datagram, datagram.size(), &plain_size)
           : peer.srtp_in().UnprotectRtp(datagram, datagram.size(), &plain_size);
  if (result != srtp::SrtpResult::kOk) {
    CountSrtpDrop(result);
    return;
  }
  const absl::Span<const uint8_t> plaintext = datagram.first(plain_size);
  if (rtcp) {
    router_.OnRtcp(now, peer.id(), plaintext, &router_out_);
    if (peer.role() == PeerRole::kPublisher) HandOffPublisherRtcp(peer, plaintext);
  } else {
    router_.OnRtp(now, peer.id(), plaintext, &router_out_);
  }
}

void ShardEngine::CountSrtpDrop(srtp::SrtpResult result) {
  switch (result) {
    case srtp::SrtpResult::kAuthFailed:
      ++stats_.drop_srtp_auth;
      break;
    case srtp::SrtpResult::kReplay:
    case srtp::SrtpResult::kTooOld:
      ++stats_.drop_srtp_replay;
      break;
    case srtp::SrtpResult::kTooShort:
    case srtp::SrtpResult::kMalformedHeader:
      ++stats_.drop_srtp_malformed;
      break;
    default:
      ++stats_.drop_srtp_other;
      break;
  }
}

void ShardEngine::FlushRouterOutputs() {
  // RTP copies are protected kMaxGcmBurst at a time by SrtpSession::ProtectRtpFanout (one
  // vectorised GCM call over many subscribers' keys instead of one EVP call each), then queued in
  // their original order; an RTCP output first flushes the RTP before it, so order is kept.
  std::array<srtp::SrtpFanoutPacket, srtp::SrtpSession::kMaxGcmBurst> burst;
  std::array<FiveTuple, srtp::SrtpSession::kMaxGcmBurst> burst_destinations;
  size_t pending = 0;
  const auto protect_pending = [&] {
    srtp::SrtpSession::ProtectRtpFanout(absl::MakeSpan(burst.data(), pending));
    for (size_t i = 0; i < pending; ++i) {
      const srtp::SrtpFanoutPacket& packet = burst[i];
      if (packet.result != srtp::SrtpResult::kOk) {
        ++stats_.drop_out_protect_failed;
        continue;
      }
      if (!QueueTransmit(burst_destinations[i], absl::MakeConstSpan(packet.data, packet.len))) {
        continue;
      }
      ++stats_.rtp_out;
      stats_.rtp_bytes_out += packet.len;
    }
    pending = 0;
  };

  for (; router_out_done_ < router_out_.size(); ++router_out_done_) {
    const RouterOutput& output = router_out_[router_out_done_];
    if (output.kind == OutputKind::kRemoteShard) {
      HandOff(output);
      continue;
    }
    Peer* peer = table_.FindById(output.peer);
    if (peer == nullptr && output.kind == OutputKind::kRtcp && ForwardProxyFeedback(output)) {
      continue;
    }
    std::optional<FiveTuple> destination;
    if (peer != nullptr && peer->state() == PeerState::kDtlsConnected) {
      destination = peer->media_tuple();
    }
    if (!destination.has_value()) {
      ++stats_.drop_out_not_connected;
      continue;
    }
    // The Router left tailroom after every packet for the tag (and SRTCP index): protect in
    // place, no copy.
    absl::Span<uint8_t> buffer = router_out_.bytes_with_tailroom(output);
    if (output.kind == OutputKind::kRtp) {
      burst[pending] =
          srtp::SrtpFanoutPacket{&peer->srtp_out(), buffer.data(), output.size, buffer.size()};
      burst_destinations[pending] = *destination;
      if (++pending == burst.size()) protect_pending();
      continue;
    }
    protect_pending();
    size_t protected_size = 0;
    if (peer->srtp_out().ProtectRtcp(buffer, output.size, &protected_size) !=
        srtp::SrtpResult::kOk) {
      ++stats_.drop_out_protect_failed;
      continue;
    }
    if (!QueueTransmit(*destination, buffer.first(protected_size))) continue;
    ++stats_.rtcp_out;
    stats_.rtcp_bytes_out += protected_size;
  }
  protect_pending();
}

bool ShardEngine::NeedsFlush() const {
  // Worst case for one more datagram: a publisher packet copied to every other peer of the shard,
  // plus a few RTCP packets (NACK, PLI, reports due).
  constexpr size_t kRtcpAllowance = 8;
  constexpr size_t kBytesPerCopy = 1500;  // the largest packet the Router copies
  const size_t worst = table_.size() + kRtcpAllowance;
  const size_t output_room = router_out_.capacity() - router_out_.size();
  const size_t arena_room = router_out_.arena_free() / (kBytesPerCopy + router_out_.tailroom());
  const size_t transmit_room = transmits_.size() - transmit_count_;
  return std::min({output_room, arena_room, transmit_room}) < worst;
}

// ---------------------------------------------------------------------------------------------
// Timers

void ShardEngine::HandleTimeout(Instant now) {
  // Bounded: each entry is popped once, and a serviced peer's new deadline is later than `now`
  // (the agent and the endpoint have just handled `now`); the bound is a guard, not a limit
  // that is ever expected to bite.
  size_t budget = timers_.capacity() + 1;
  while (budget-- > 0) {
    const PeerTimerHeap::Entry* top = timers_.Top();
    if (top == nullptr || top->at > now) break;
    const PeerTimerHeap::Entry entry = *top;
    timers_.Pop();
    Peer* peer = table_.FindById(entry.peer);
    if (peer == nullptr || peer->scheduled_at != entry.at) continue;  // stale entry
    peer->scheduled_at.reset();
    peer->ice().HandleTimeout(now);
    if (peer->dtls() != nullptr) peer->dtls()->HandleTimeout(now);
    Service(now, *peer);
  }
  if (router_.NextTimeout() <= now) router_.OnTimeout(now, &router_out_);
  FlushRouterOutputs();
  // Drop stale entries on top so NextTimeout does not wake the driver for nothing.
  while (const PeerTimerHeap::Entry* top = timers_.Top()) {
    const Peer* peer = table_.FindById(top->peer);
    if (peer != nullptr && peer->scheduled_at == top->at) break;
    timers_.Pop();
  }
}

Instant ShardEngine::NextTimeout() const {
  Instant next = router_.NextTimeout();
  if (const PeerTimerHeap::Entry* top = timers_.Top(); top != nullptr && top->at < next) {
    next = top->at;
  }
  return next;
}

void ShardEngine::Reschedule(Peer& peer) {
  const std::optional<Instant> deadline = peer.NextTimeout();
  if (deadline == peer.scheduled_at) return;
  peer.scheduled_at = deadline;
  if (!deadline.has_value()) return;
  if (!timers_.Push(*deadline, peer.id())) {
    CompactTimers();  // every live peer has at most one live entry; capacity exceeds the peer cap
    timers_.Push(*deadline, peer.id());
  }
}

void ShardEngine::CompactTimers() {
  ++stats_.timer_compactions;
  timers_.Clear();
  table_.ForEach([&](const Peer& peer) {
    if (peer.scheduled_at.has_value()) timers_.Push(*peer.scheduled_at, peer.id());
  });
}

// ---------------------------------------------------------------------------------------------
// Draining a session's protocol objects

void ShardEngine::Service(Instant now, Peer& peer) {
  DrainIce(peer);
  if (peer.dtls() != nullptr) DrainDtls(now, peer);
  if (peer.pending_removal.has_value()) {
    RemoveNow(now, peer, *peer.pending_removal, /*send_close=*/false);
    return;
  }
  Reschedule(peer);
  stats_.bound_tuples = table_.tuple_count();
}

void ShardEngine::DrainIce(Peer& peer) {
  while (std::optional<stun::StunTransmit> tx = peer.ice().PollTransmit()) {
    QueueCopy(OutKind::kStun, tx->tuple, tx->data);
  }
  while (std::optional<stun::IceEvent> event = peer.ice().PollEvent()) {
    std::visit(
        Overloaded{
            [&](const stun::TupleBound& bound) {
              // At the shard's tuple cap the check was answered but the tuple stays
              // unknown to the data plane: its DTLS/SRTP is dropped until one frees.
              if (table_.BindTuple(bound.tuple, &peer) && peer.state() == PeerState::kNew) {
                SetState(peer, PeerState::kIceConnected);
              }
            },
            [&](const stun::TupleUnbound& unbound) { table_.UnbindTuple(unbound.tuple, &peer); },
            [&](const stun::Nominated& nominated) {
              ++stats_.ice_selected;
              PushEvent(PeerIceSelected{peer.id(), nominated.tuple});
            },
            [&](const stun::ConsentExpired&) {
              if (!peer.pending_removal.has_value()) {
                peer.pending_removal =
                    Removal(RemoveReason::kConsentExpired, "consent expired (RFC 7675)");
              }
            },
        },
        *event);
  }
}

void ShardEngine::DrainDtls(Instant now, Peer& peer) {
  while (std::optional<absl::Span<const uint8_t>> datagram = peer.dtls()->PollTransmit()) {
    if (peer.dtls_tuple().has_value()) QueueCopy(OutKind::kDtls, *peer.dtls_tuple(), *datagram);
  }
  while (std::optional<dtls::DtlsEvent> event = peer.dtls()->PollEvent()) {
    OnDtlsEvent(now, peer, *event);
  }
}

void ShardEngine::OnDtlsEvent(Instant now, Peer& peer, const dtls::DtlsEvent& event) {
  if (peer.pending_removal.has_value()) return;
  switch (event.kind) {
    case dtls::DtlsEvent::Kind::kConnected: {
      if (absl::Status keyed = peer.KeySrtp(event.srtp, config_.srtp); !keyed.ok()) {
        ++stats_.handshakes_failed_srtp_keys;
        peer.pending_removal = Removal(RemoveReason::kSrtpSetupFailed, "SRTP keying failed");
        return;
      }
      ++stats_.handshakes_succeeded;
      SetState(peer, PeerState::kDtlsConnected);
      PushEvent(PeerConnected{peer.id(), event.srtp.profile, event.cipher_suite, peer.media_tuple(),
                              now - peer.dtls_first_seen.value_or(now)});
      if (peer.role() == PeerRole::kSubscriber) RequestKeyframes(now, peer);
      return;
    }
    case dtls::DtlsEvent::Kind::kFailed: {
      const char* detail = "DTLS protocol error";
      if (event.reason == "timeout") {
        ++stats_.handshakes_failed_timeout;
        detail = "DTLS handshake timeout";
      } else if (event.alert_sent.has_value() && IsCertificateAlert(*event.alert_sent)) {
        ++stats_.handshakes_failed_certificate;
        detail = "DTLS certificate does not match the SDP fingerprint";
      } else if (event.alert_received.has_value()) {
        ++stats_.handshakes_failed_peer_alert;
        detail = "DTLS alert from the peer";
      } else {
        ++stats_.handshakes_failed_other;
      }
      peer.pending_removal = Peer::PendingRemoval{RemoveReason::kDtlsFailed, detail,
                                                  event.alert_sent, event.alert_received};
      return;
    }
    case dtls::DtlsEvent::Kind::kClosed:
      peer.pending_removal = Peer::PendingRemoval{RemoveReason::kDtlsClosed, "close_notify",
                                                  event.alert_sent, event.alert_received};
      return;
  }
}

void ShardEngine::RequestKeyframes(Instant now, Peer& subscriber) {
  // The Router started (or will start) the slot on a keyframe it saw before this viewer could
  // receive anything; without a fresh one the viewer would wait for the publisher's next
  // periodic keyframe. Deduplicated and rate limited by the Router.
  for (size_t slot : subscriber.video_slots()) {
    const std::optional<SlotState> state = router_.slot_state(subscriber.id(), slot);
    if (!state.has_value() || state->track == kNoTrack) continue;
    const int layer = state->target_layer >= 0    ? state->target_layer
                      : state->current_layer >= 0 ? state->current_layer
                                                  : 0;
    router_.RequestKeyframe(now, state->track, layer, &router_out_);
  }
}

void ShardEngine::RemoveNow(Instant now, Peer& peer, Peer::PendingRemoval removal,
                            bool send_close) {
  if (send_close && peer.dtls() != nullptr && peer.dtls_tuple().has_value()) {
    // RFC 5246 §7.2.1 close_notify (or user_canceled mid-handshake): sent, then the endpoint
    // goes with the peer; its Closed/Failed event is ours, not the peer's, and is discarded.
    peer.dtls()->Close(now);
    while (std::optional<absl::Span<const uint8_t>> datagram = peer.dtls()->PollTransmit()) {
      QueueCopy(OutKind::kDtls, *peer.dtls_tuple(), *datagram);
    }
  }
  SetState(peer, PeerState::kRemoved);
  router_.RemovePeer(peer.id());
  PeerRemoved event;
  event.peer = peer.id();
  event.reason = removal.reason;
  event.detail = removal.detail;
  event.alert_sent = removal.alert_sent;
  event.alert_received = removal.alert_received;
  PushEvent(event);
  ++stats_.peers_removed;
  table_.Remove(peer.id());  // destroys `peer`; its stale timer entries are skipped later
  stats_.bound_tuples = table_.tuple_count();
}

void ShardEngine::SetState(Peer& peer, PeerState state) {
  auto gauge = [&](PeerState s) -> uint64_t* {
    switch (s) {
      case PeerState::kNew:
        return &stats_.peers_new;
      case PeerState::kIceConnected:
        return &stats_.peers_ice_connected;
      case PeerState::kDtlsConnected:
        return &stats_.peers_dtls_connected;
      case PeerState::kRemoved:
        return nullptr;
    }
    return nullptr;
  };
  if (uint64_t* old_gauge = gauge(peer.state())) --*old_gauge;
  if (uint64_t* new_gauge = gauge(state)) ++*new_gauge;
  peer.set_state(state);
}

// ---------------------------------------------------------------------------------------------
// Outputs

void ShardEngine::QueueCopy(OutKind kind, const FiveTuple& destination,
                            absl::Span<const uint8_t> data) {
  if (control_arena_.size() - control_arena_used_ < data.size()) {
    ++stats_.drop_queue_full;
    return;
  }
  uint8_t* slot = control_arena_.data() + control_arena_used_;
  std::memcpy(slot, data.data(), data.size());
  if (!QueueTransmit(destination, absl::MakeConstSpan(slot, data.size()))) return;
  control_arena_used_ += data.size();
  if (kind == OutKind::kStun) {
    ++stats_.stun_out;
    stats_.stun_bytes_out += data.size();
  } else {
    ++stats_.dtls_out;
    stats_.dtls_bytes_out += data.size();
  }
}

bool ShardEngine::QueueTransmit(const FiveTuple& destination, absl::Span<const uint8_t> data) {
  if (transmit_count_ >= transmits_.size()) {
    ++stats_.drop_queue_full;
    return false;
  }
  transmits_[transmit_count_++] = Transmit{destination, data};
  ++stats_.datagrams_out;
  stats_.bytes_out += data.size();
  return true;
}

void ShardEngine::ClearTransmits() {
  transmit_count_ = 0;
  control_arena_used_ = 0;
  router_out_.Clear();
  router_out_done_ = 0;
}

void ShardEngine::PushEvent(ShardEvent event) {
  if (event_count_ == events_.size()) {
    ++stats_.events_dropped;
    return;
  }
  events_[(event_head_ + event_count_) % events_.size()] = std::move(event);
  ++event_count_;
}

std::optional<ShardEvent> ShardEngine::PollEvent() {
  if (event_count_ == 0) return std::nullopt;
  ShardEvent event = std::move(events_[event_head_]);
  event_head_ = (event_head_ + 1) % events_.size();
  --event_count_;
  return event;
}

}  // namespace sfu::sfu
