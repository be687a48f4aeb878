#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_types.h"
#include "core/sfu/media_types.h"
#include "core/sfu/shard_commands.h"
#include "core/srtp/srtp_session.h"
#include "core/stun/ice_lite_agent.h"

namespace sfu::sfu {

// Where a session is in its life. Transitions only go forward:
//   kNew ──valid STUN check──▶ kIceConnected ──DTLS Connected + SRTP keyed──▶ kDtlsConnected
//   any ──RemovePeer / consent expiry / DTLS failure or close_notify / shutdown──▶ kRemoved
enum class PeerState : uint8_t { kNew, kIceConnected, kDtlsConnected, kRemoved };
std::string_view ToString(PeerState state);

// One WebRTC session (a WHIP publisher or a WHEP subscriber) on a shard: its ICE-lite agent, its
// DTLS server endpoint once a ClientHello with a valid cookie arrived (before that the shard's
// DtlsServerContext answers statelessly), and its two SRTP sessions once DTLS exported keys.
//
// A Peer is a state holder; the ShardEngine drives it (feeds datagrams, drains outputs, moves the
// state). Owned by the ConnectionTable of one shard through std::unique_ptr and destroyed on that
// shard; thread-compatible. Nothing in it allocates per packet once keyed.
class Peer {
 public:
  struct Limits {
    Duration consent_timeout = std::chrono::seconds(30);
    size_t max_ice_tuples = 4;
    srtp::SrtpConfig srtp;
  };

  // Validates the ICE credentials (RFC 8839 syntax) and starts the consent clock at `now`.
  static absl::StatusOr<std::unique_ptr<Peer>> Create(const AddPeer& command, const Limits& limits,
                                                      Instant now);

  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  PeerId id() const { return id_; }
  RoomId room() const { return room_; }
  PeerRole role() const { return role_; }
  PeerState state() const { return state_; }
  void set_state(PeerState state) { state_ = state; }
  const std::string& local_ufrag() const { return ice_.local_ufrag(); }
  const std::array<uint8_t, 32>& remote_fingerprint() const { return remote_fingerprint_; }

  stun::IceLiteAgent& ice() { return ice_; }
  const stun::IceLiteAgent& ice() const { return ice_; }

  // DTLS: null until the stateless cookie exchange produced an endpoint.
  dtls::DtlsEndpoint* dtls() { return dtls_.get(); }
  void set_dtls(std::unique_ptr<dtls::DtlsEndpoint> endpoint) { dtls_ = std::move(endpoint); }
  // Where DTLS records go: the tuple the last DTLS datagram came from (the handshake may finish
  // before the peer nominates a tuple).
  const std::optional<FiveTuple>& dtls_tuple() const { return dtls_tuple_; }
  void set_dtls_tuple(const FiveTuple& tuple) { dtls_tuple_ = tuple; }
  // Where media goes: the nominated tuple (RFC 8445 §7.3.1.5), else the DTLS one.
  std::optional<FiveTuple> media_tuple() const {
    std::optional<FiveTuple> selected = ice_.selected_tuple();
    return selected.has_value() ? selected : dtls_tuple_;
  }

  // Keys both SRTP directions from the exporter output, sfud being the DTLS server (RFC 5764
  // §4.2: we protect with the server write key, the peer with the client write key).
  absl::Status KeySrtp(const dtls::SrtpKeyingMaterial& material, const srtp::SrtpConfig& config);
  bool srtp_keyed() const { return srtp_in_.has_value(); }
  srtp::SrtpSession& srtp_in() { return *srtp_in_; }
  srtp::SrtpSession& srtp_out() { return *srtp_out_; }

  // The earliest of the agent's consent deadline and the DTLS retransmission/grace timer.
  std::optional<Instant> NextTimeout() const;

  // When the peer's first DTLS datagram arrived (handshake duration is measured from it).
  std::optional<Instant> dtls_first_seen;

  // Timer bookkeeping for the shard's heap: the deadline this peer is filed under, if any.
  std::optional<Instant> scheduled_at;

  // Set while outputs are drained when the session must end; the engine removes the peer after.
  struct PendingRemoval {
    RemoveReason reason = RemoveReason::kDeleted;
    const char* detail = "";
    std::optional<dtls::AlertDescription> alert_sent;
    std::optional<dtls::AlertDescription> alert_received;
  };
  std::optional<PendingRemoval> pending_removal;

  // A subscriber's video slot indexes in the Router, set when the Router accepted it: on connect
  // the engine asks their publishers for a keyframe (RFC 4585 §6.3.1 PLI) so the first frame the
  // viewer gets is decodable.
  absl::InlinedVector<size_t, 2>& video_slots() { return video_slots_; }

  // The 5-tuples the ConnectionTable maps to this peer (maintained by the table).
  absl::InlinedVector<FiveTuple, 4>& bound_tuples() { return bound_tuples_; }
  const absl::InlinedVector<FiveTuple, 4>& bound_tuples() const { return bound_tuples_; }

 private:
  Peer(const AddPeer& command, stun::IceLiteAgent ice);

  PeerId id_;
  RoomId room_;
  PeerRole role_;
  PeerState state_ = PeerState::kNew;
  std::array<uint8_t, 32> remote_fingerprint_;
  stun::IceLiteAgent ice_;
  std::unique_ptr<dtls::DtlsEndpoint> dtls_;
  std::optional<FiveTuple> dtls_tuple_;
  std::optional<srtp::SrtpSession> srtp_in_;
  std::optional<srtp::SrtpSession> srtp_out_;
  absl::InlinedVector<FiveTuple, 4> bound_tuples_;
  absl::InlinedVector<size_t, 2> video_slots_;
};

}  // namespace sfu::sfu
