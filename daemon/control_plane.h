#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "core/common/random.h"
#include "core/sdp/sdp_parser.h"
#include "core/sfu/shard_commands.h"
#include "daemon/logger.h"
#include "daemon/shard_handle.h"
#include "daemon/shard_placement.h"

namespace sfu::daemon {

// WHIP publishes (RFC 9725), WHEP plays.
enum class SessionKind : uint8_t { kWhip, kWhep };
std::string_view ToString(SessionKind kind);

struct ControlPlaneConfig {
  std::vector<IpAddress> listen_addresses;
  uint16_t base_port = 10000;
  // Subscribers of a room beyond this many on its home shard go to other shards, which then get
  // the room's packets through the cross-shard rings (ShardPlacement). 0: never spread.
  uint32_t spread_threshold = 0;
  // "sha-256 AB:CD:..." of sfud's DTLS certificate.
  std::string fingerprint;
  // Sessions one shard holds (ShardEngineConfig::max_peers there): a new session placed on a full
  // shard gets 503 here rather than a 201 the shard would then reject. 0: no limit.
  uint32_t max_sessions_per_shard = 0;
};

struct CreatedSession {
  std::string location;  // path of the session resource, e.g. /whip/room/3f2a...
  std::string etag;      // quoted entity tag (RFC 9110 §8.8.3)
  std::string answer_sdp;
};

// Signaling state of the daemon: sessions, rooms, placement; the only code that talks to the
// shards (through ShardHandle). HTTP-free so it is tested directly; HttpServer maps its results to
// status codes:
//   InvalidArgument → 400 (bad offer, room name, fragment; the message is the one-line reason)
//   NotFound → 404, Unavailable → 503 (draining, shard queue full), FailedPrecondition → 412
//   (If-Match mismatch), Unimplemented → 422 (ICE restart, RFC 9725 §4.3.1).
// Thread-safe: HTTP worker threads and the daemon's loop call it concurrently; one mutex guards
// everything (signaling rate, not packet rate). The shard handles are used under that mutex only,
// which makes the lock holder the single producer/consumer ShardHandle requires.
class ControlPlane {
 public:
  ControlPlane(ControlPlaneConfig config, std::vector<ShardHandle*> shards, RandomSource& random,
               Logger& logger);

  // POST /whip/{room} or /whep/{room}: answers `offer`, places the session, posts AddPeer. On
  // any failure nothing stays allocated (placement, room, session) and no command is posted.
  absl::StatusOr<CreatedSession> CreateSession(SessionKind kind, std::string_view room,
                                               std::string_view offer);
  // DELETE: posts RemovePeer; the session stays listed as "closing" until the shard's
  // PeerRemoved, but is no longer addressable (a second DELETE is 404).
  absl::Status DeleteSession(SessionKind kind, std::string_view room, std::string_view id);
  // PATCH with a trickle-ice-sdpfrag (RFC 9725 §4.3.1). `if_match` is the If-Match field if any.
  absl::Status PatchSession(SessionKind kind, std::string_view room, std::string_view id,
                            std::optional<std::string_view> if_match, std::string_view fragment);

  // Drains every shard's events into the session table; retries RemovePeers a full ring refused.
  // Returns the number of events handled.
  size_t PollShards();

  // SIGTERM: refuse new sessions from now on (503) and ask the shards to close every session
  // (RemovePeer → close_notify). Idempotent.
  void BeginDrain();
  bool draining() const { return draining_.load(); }
  // Sessions the shards still hold (including closing ones).
  size_t session_count() const;

  // For metrics: sessions by role ("publisher", "subscriber") and state ("connecting",
  // "connected", "closing"), every one of the six combinations listed (zeros included, so a
  // series that empties reports 0), and the number of rooms with at least one session.
  struct SessionCount {
    std::string_view role;
    std::string_view state;
    int64_t count = 0;
  };
  std::vector<SessionCount> SessionCounts() const;
  size_t room_count() const;

  // GET /api/rooms: {"draining":false,"rooms":[{"name":..,"publishers":[..],"subscribers":[..]}]}
  // sorted by room name; each session {"id","shard","state","selected"?}.
  std::string RoomsJson() const;

  void set_ready(bool ready) { ready_.store(ready); }
  // /readyz: shards and HTTP up (set_ready) and not draining.
  bool ready() const { return ready_.load() && !draining_.load(); }

 private:
  enum class State : uint8_t { kConnecting, kConnected, kClosing };
  struct Session {
    std::string id;
    SessionKind kind = SessionKind::kWhip;
    std::string room;
    sfu::PeerId peer = 0;
    uint32_t shard = 0;
    std::string etag;
    std::string remote_ufrag;
    std::string remote_pwd;
    State state = State::kConnecting;
    bool remove_posted = false;
    std::optional<FiveTuple> selected;
    // WHIP: what the shard was told the publisher sends, for the shards its room spans.
    std::optional<sfu::PublisherConfig> publisher_media;
  };
  struct Room {
    sfu::RoomId id = 0;
    size_t sessions = 0;
    uint32_t home = 0;                         // ShardPlacement::HomeShard
    std::vector<sfu::PeerId> publishers;       // on `home`, until their PeerRemoved
    std::vector<uint32_t> remote_subscribers;  // per shard (0 at home): the room spans k when > 0
  };

  static sfu::PeerRole RoleOf(SessionKind kind) {
    return kind == SessionKind::kWhip ? sfu::PeerRole::kPublisher : sfu::PeerRole::kSubscriber;
  }
  std::string RandomToken(size_t bytes);  // lowercase hex
  std::string RandomIceChars(size_t n);   // RFC 8839 ice-chars
  uint32_t RandomNonZero32();
  Session* FindLocked(SessionKind kind, std::string_view room, std::string_view id);
  void PostRemoveLocked(Session& session);
  size_t SessionsOnShardLocked(uint32_t shard) const;
  void HandleEventLocked(const sfu::ShardEvent& event);
  void ForgetLocked(sfu::PeerId peer);
  sfu::RoomId AcquireRoomLocked(const std::string& room);
  void ReleaseRoomLocked(const std::string& room);
  // Rooms spanning shards (DESIGN.md §2): keeps the home shard handing packets to every shard
  // with subscribers of the room, and those shards knowing the room's publishers.
  void OnSessionAddedLocked(const Session& session);
  void OnSessionGoneLocked(const Session& session);
  // Posts a cross-shard command, or queues it behind earlier ones to the same shard that found
  // its ring full; PollShards retries the queue in order.
  void PostCrossLocked(uint32_t shard, sfu::ShardCommand command);

  const ControlPlaneConfig config_;
  const std::vector<ShardHandle*> shards_;
  RandomSource& random_;
  Logger& logger_;
  const sdp::SdpParser parser_;

  mutable std::mutex mutex_;
  ShardPlacement placement_;
  absl::flat_hash_map<sfu::PeerId, Session> sessions_;
  absl::flat_hash_map<std::string, sfu::PeerId> by_id_;  // addressable (not deleted) sessions
  absl::flat_hash_map<std::string, Room> rooms_;
  sfu::PeerId next_peer_ = 1;
  sfu::RoomId next_room_ = 1;
  std::vector<sfu::ShardEvent> event_scratch_;
  std::vector<std::deque<sfu::ShardCommand>> cross_backlog_;  // per shard

  std::atomic<bool> draining_{false};
  std::atomic<bool> ready_{false};
};

}  // namespace sfu::daemon
