#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_server_context.h"
#include "core/dtls/dtls_types.h"
#include "core/sfu/connection_table.h"
#include "core/sfu/cross_shard_mesh.h"
#include "core/sfu/cross_shard_stats.h"
#include "core/sfu/peer.h"
#include "core/sfu/router.h"
#include "core/sfu/router_output.h"
#include "core/sfu/shard_commands.h"
#include "core/sfu/shard_engine_timers.h"
#include "core/sfu/shard_stats.h"
#include "crypto/certificate.h"

namespace sfu::sfu {

struct ShardEngineConfig {
  // Sessions on this shard; AddPeer beyond it is rejected.
  size_t max_peers = 1024;
  // 5-tuples one session may have bound at once (IceLiteConfig::max_tuples).
  size_t max_tuples_per_peer = 4;
  Duration consent_timeout = std::chrono::seconds(30);  // RFC 7675 §5.1
  // DTLS server settings; expected_peer_fingerprint is set per peer from AddPeer.
  dtls::DtlsConfig dtls;
  srtp::SrtpConfig srtp;
  RouterConfig router;
  // Outputs queued between two ClearTransmits() calls. Media is protected in place in the
  // Router's batch (router_output_* sizes it); STUN and DTLS datagrams are copied into an arena.
  size_t max_transmits = 4096;
  size_t control_arena_bytes = 256 * 1024;
  size_t router_outputs = 4096;
  size_t router_arena_bytes = 4096 * 1300;
  // Events waiting for PollEvent().
  size_t max_events = 4096;
};

// One datagram to send: from destination.local to destination.remote. `data` points into the
// engine and stays valid until ClearTransmits() (or the engine's destruction).
struct Transmit {
  FiveTuple destination;
  absl::Span<const uint8_t> data;
};

// The sans-IO data plane of one shard (DESIGN.md §1, §2): demultiplexes every datagram the shard
// receives (RFC 7983), answers ICE-lite checks, runs the DTLS server handshakes, SRTP-unprotects
// media, hands it to the Router, and SRTP-protects what the Router wants sent per subscriber.
//
//   datagram ─▶ ClassifyDatagram
//     STUN ─▶ by 5-tuple, else by USERNAME's local ufrag ─▶ IceLiteAgent ─▶ response, bind tuple
//     DTLS ─▶ only from a bound 5-tuple ─▶ DtlsServerContext (stateless cookie) ─▶ DtlsEndpoint
//             └─ Connected ─▶ SRTP sessions keyed (server role) ─▶ PeerConnected
//     RTP/RTCP ─▶ only from a bound 5-tuple of a dtls_connected peer ─▶ unprotect in place
//             ─▶ Router::OnRtp/OnRtcp ─▶ per output: protect with the subscriber's session ─▶ queue
//   nothing is ever sent to a 5-tuple that did not pass a valid check (no amplification)
//
// Driver contract (core/net): for each received datagram call HandleDatagram; apply commands with
// HandleCommand; when NextTimeout() passes call HandleTimeout; after a burst send every
// transmits() entry, then ClearTransmits(); drain PollEvent() to the control thread. Outputs
// accumulate across calls until ClearTransmits(), so a receive burst becomes one send batch;
// when the queue is full further outputs are dropped and counted (drop_queue_full).
//
// Owned by one shard thread and used only there (thread-compatible, no locks). Allocates on the
// control path (AddPeer, DTLS handshakes) but not per media packet: the connection table, the
// transmit queue, the arenas, the event ring and the timer heap are sized at construction.
class ShardEngine {
 public:
  // `certificate` is sfud's DTLS certificate; `random` feeds cookies and handshakes and must
  // outlive the engine.
  ShardEngine(ShardEngineConfig config, std::shared_ptr<const crypto::Certificate> certificate,
              RandomSource& random);
  ~ShardEngine();
  ShardEngine(const ShardEngine&) = delete;
  ShardEngine& operator=(const ShardEngine&) = delete;

  // Commands. AddPeer registers the session with the connection table and the Router; on failure
  // it returns the error and also queues PeerRemoved{kRejected}, so every AddPeer ends in
  // exactly one PeerRemoved. RemovePeer of an unknown id is ignored.
  absl::Status HandleCommand(Instant now, ShardCommand command);
  absl::Status AddPeer(Instant now, sfu::AddPeer command);
  void RemovePeer(Instant now, PeerId peer);
  // Closes every session (close_notify where DTLS is up), each with PeerRemoved{kShutdown}.
  void Shutdown(Instant now);

  // One received datagram. Decrypted in place: the engine may overwrite `datagram`.
  void HandleDatagram(Instant now, const FiveTuple& tuple, absl::Span<uint8_t> datagram);
  void HandleTimeout(Instant now);
  // The earliest deadline of any peer (consent, DTLS) or of the Router (NACK, reports);
  // Instant::Infinite() if none.
  Instant NextTimeout() const;

  absl::Span<const Transmit> transmits() const {
    return absl::MakeConstSpan(transmits_.data(), transmit_count_);
  }
  void ClearTransmits();
  // True when what is queued since ClearTransmits() leaves less room than the next datagram may
  // need (a copy for every peer of the shard, and some RTCP): the driver should send transmits()
  // and ClearTransmits() before the next HandleDatagram, or the Router drops copies for lack of
  // room (RouterStats::dropped_output_full). A receive batch of 64 publisher packets to 1000
  // subscribers is 64,000 copies; the queues hold router_outputs (4096).
  bool NeedsFlush() const;
  std::optional<ShardEvent> PollEvent();

  // Rooms spanning shards (DESIGN.md §2). `mesh` holds the rings between every pair of shards and
  // must outlive the engine; `self` is this shard's index in it. Without a mesh, hand-offs are
  // dropped and counted (ShardStats::drop_out_remote_shard).
  //   home shard:  Router kRemoteShard output ─▶ ring(self, k) slot (plaintext RTP, in place)
  //   home shard:  the publisher's RTCP (SR, BYE) ─▶ ring(self, k) slot, once
  //   shard k:     DrainCrossShard ─▶ Router::OnRtp/OnRtcp from the proxy publisher ─▶ its
  //                subscribers
  //   shard k:     Router RTCP for the proxy (PLI/FIR, NACK) ─▶ ring(k, home) feedback slot
  //   home shard:  DrainCrossShard ─▶ RequestKeyframeForSsrc / ResendToShard
  // Control: StartHandOff/StopHandOff (home), AddRemotePublisher/RemoveRemotePublisher (k).
  // Driver contract: call DrainCrossShard every loop iteration (bounded by `budget`; poll again
  // without blocking while cross_shard_pending()), and after sending a batch wake every shard in
  // cross_shard_wakes(), then ClearCrossShardWakes(): one wake per batch, not per packet.
  static constexpr size_t kCrossShardDrainBudget = 64;
  void AttachCrossShard(CrossShardMesh* mesh, uint16_t self);
  // Consumes up to `budget` slots from the inbound rings (round robin); returns how many.
  size_t DrainCrossShard(Instant now, size_t budget = kCrossShardDrainBudget);
  bool cross_shard_pending() const;
  absl::Span<const uint16_t> cross_shard_wakes() const { return absl::MakeConstSpan(wakes_); }
  void ClearCrossShardWakes();
  const CrossShardStats& cross_shard_stats() const { return cross_stats_; }

  const ShardStats& stats() const { return stats_; }
  const Router& router() const { return router_; }
  Router& router() { return router_; }
  const ConnectionTable& table() const { return table_; }
  // The session's state, or nullopt if it is not (or no longer) on this shard.
  std::optional<PeerState> peer_state(PeerId peer) const;

 private:
  enum class OutKind : uint8_t { kStun, kDtls };

  void HandleStun(Instant now, const FiveTuple& tuple, absl::Span<uint8_t> datagram);
  void HandleDtls(Instant now, const FiveTuple& tuple, absl::Span<uint8_t> datagram);
  void HandleMedia(Instant now, Peer& peer, bool rtcp, absl::Span<uint8_t> datagram);

  // Drains a peer's agent and endpoint (transmits, events), moves its state, reschedules its
  // timer, and removes it if something ended the session.
  void Service(Instant now, Peer& peer);
  void DrainIce(Peer& peer);
  void DrainDtls(Instant now, Peer& peer);
  void OnDtlsEvent(Instant now, Peer& peer, const dtls::DtlsEvent& event);
  void RequestKeyframes(Instant now, Peer& subscriber);
  void Reschedule(Peer& peer);
  void CompactTimers();
  void RemoveNow(Instant now, Peer& peer, Peer::PendingRemoval removal, bool send_close);
  void SetState(Peer& peer, PeerState state);
  // Protects and queues the Router outputs appended since the last call.
  void FlushRouterOutputs();

  // shard_engine_cross_shard.cc
  absl::Status StartHandOff(const sfu::StartHandOff& command);
  void StopHandOff(const sfu::StopHandOff& command);
  absl::Status AddRemotePublisher(sfu::AddRemotePublisher command);
  void RemoveRemotePublisher(PeerId peer);
  // A kRemoteShard output into the ring to its shard.
  void HandOff(const RouterOutput& output);
  // A publisher's RTCP (SRs for lip sync, BYE) once to every shard its room spans.
  void HandOffPublisherRtcp(const Peer& publisher, absl::Span<const uint8_t> compound);
  // RTCP the Router wrote for a proxy publisher: PLI/FIR/NACK go to its home shard, the rest
  // (receiver reports) is dropped. False if `output.peer` is not a proxy here.
  bool ForwardProxyFeedback(const RouterOutput& output);
  CrossShardSlot* ReserveTo(uint16_t shard);
  void PublishTo(uint16_t shard);
  void HandleCrossShardSlot(Instant now, const CrossShardSlot& slot);

  // Copies a STUN/DTLS datagram into the control arena and queues it.
  void QueueCopy(OutKind kind, const FiveTuple& destination, absl::Span<const uint8_t> data);
  bool QueueTransmit(const FiveTuple& destination, absl::Span<const uint8_t> data);
  void PushEvent(ShardEvent event);
  void CountSrtpDrop(srtp::SrtpResult result);

  ShardEngineConfig config_;
  Peer::Limits peer_limits_;
  dtls::DtlsServerContext dtls_context_;
  Router router_;
  ConnectionTable table_;
  PeerTimerHeap timers_;

  std::vector<Transmit> transmits_;
  size_t transmit_count_ = 0;
  std::vector<uint8_t> control_arena_;
  size_t control_arena_used_ = 0;
  OutputBatch router_out_;
  size_t router_out_done_ = 0;  // outputs of router_out_ already protected and queued

  std::vector<ShardEvent> events_;  // ring of max_events
  size_t event_head_ = 0;
  size_t event_count_ = 0;

  ShardStats stats_;

  // Rooms spanning shards.
  struct RemotePublisher {
    RoomId room = 0;
    uint16_t home = 0;
  };
  CrossShardMesh* mesh_ = nullptr;
  uint16_t shard_index_ = 0;
  absl::flat_hash_map<PeerId, RemotePublisher> remote_publishers_;
  absl::flat_hash_map<RoomId, std::vector<uint16_t>> handoffs_;  // as told to the Router
  std::vector<uint8_t> wake_pending_;                            // per shard: already in wakes_
  std::vector<uint16_t> wakes_;  // reserved for every shard at attach
  size_t drain_cursor_ = 0;      // the inbound ring DrainCrossShard starts at
  CrossShardStats cross_stats_;
};

}  // namespace sfu::sfu
