#include "daemon/control_plane.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/common/json_string.h"
#include "core/common/status_macros.h"
#include "core/sdp/sdp_answer.h"
#include "daemon/add_peer_builder.h"
#include "daemon/text_util.h"
#include "daemon/trickle_fragment.h"

namespace sfu::daemon {
namespace {

// Room names appear in URLs, logs and JSON: keep them to a safe alphabet.
bool ValidRoomName(std::string_view room) {
  if (room.empty() || room.size() > 64) return false;
  return std::all_of(room.begin(), room.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

using ::sfu::AppendJsonString;

}  // namespace

std::string_view ToString(SessionKind kind) { return kind == SessionKind::kWhip ? "whip" : "whep"; }

ControlPlane::ControlPlane(ControlPlaneConfig config, std::vector<ShardHandle*> shards,
                           RandomSource& random, Logger& logger)
    : config_(std::move(config)),
      shards_(std::move(shards)),
      random_(random),
      logger_(logger),
      placement_(static_cast<uint32_t>(shards_.size()), config_.spread_threshold),
      cross_backlog_(shards_.size()) {}

std::string ControlPlane::RandomToken(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  random_.Fill(absl::MakeSpan(raw));
  std::string out;
  for (uint8_t b : raw) absl::StrAppend(&out, absl::Hex(b, absl::kZeroPad2));
  return out;
}

std::string ControlPlane::RandomIceChars(size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> raw(n);
  random_.Fill(absl::MakeSpan(raw));
  std::string out;
  for (uint8_t b : raw) out.push_back(kAlphabet[b & 63]);  // 64 symbols: no modulo bias
  return out;
}

uint32_t ControlPlane::RandomNonZero32() {
  uint32_t v = 0;
  while (v == 0) {
    uint8_t b[4];
    random_.Fill(absl::MakeSpan(b));
    v = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  }
  return v;
}

absl::StatusOr<CreatedSession> ControlPlane::CreateSession(SessionKind kind, std::string_view room,
                                                           std::string_view offer_text) {
  if (draining_.load()) return absl::UnavailableError("sfud is shutting down");
  if (!ValidRoomName(room)) {
    return absl::InvalidArgumentError("room name must be 1-64 characters of A-Z a-z 0-9 - _ .");
  }
  if (shards_.empty()) return absl::UnavailableError("no shard is running");
  // Parsing needs no shared state: outside the lock.
  SFU_ASSIGN_OR_RETURN(sdp::SessionDescription offer, parser_.Parse(offer_text));

  std::lock_guard<std::mutex> lock(mutex_);
  if (draining_.load()) return absl::UnavailableError("sfud is shutting down");
  const std::string room_name(room);
  const sfu::PeerRole role = RoleOf(kind);

  sdp::AnswerConfig answer_config;
  answer_config.role = kind == SessionKind::kWhip ? sdp::Role::kPublisher : sdp::Role::kViewer;
  answer_config.ice_ufrag = RandomIceChars(8);
  answer_config.ice_pwd = RandomIceChars(24);  // RFC 8839 §5.4: at least 128 bits
  answer_config.fingerprint = config_.fingerprint;
  answer_config.session_id = (uint64_t{RandomNonZero32()} << 30) ^ RandomNonZero32();
  if (kind == SessionKind::kWhep) {
    // One stream per offered audio/video section, whether or not the room has a publisher yet:
    // the shard binds each slot to a publisher track when one appears.
    int n = 0;
    for (const sdp::MediaSection& m : offer.media) {
      if (m.IsRejected() ||
          (m.kind != sdp::MediaKind::kAudio && m.kind != sdp::MediaKind::kVideo)) {
        continue;
      }
      sdp::LocalTrack track;
      track.kind = m.kind;
      track.stream_id = absl::StrCat("sfud-", room_name);
      track.track_id = absl::StrCat(m.kind == sdp::MediaKind::kAudio ? "audio-" : "video-", n++);
      track.cname = "sfud";
      track.ssrc = RandomNonZero32();
      if (m.kind == sdp::MediaKind::kVideo) track.rtx_ssrc = RandomNonZero32();
      answer_config.tracks.push_back(std::move(track));
    }
  }

  const uint32_t shard = placement_.Place(room_name, role);
  // From here on every failure must give the placement back.
  auto fail = [&](absl::Status status) {
    placement_.Release(room_name, role, shard);
    return status;
  };
  if (config_.max_sessions_per_shard > 0 &&
      SessionsOnShardLocked(shard) >= config_.max_sessions_per_shard) {
    return fail(absl::UnavailableError("shard is full (max_sessions_per_shard), retry later"));
  }
  for (const IpAddress& ip : config_.listen_addresses) {
    answer_config.candidates.push_back(
        SocketAddress{ip, static_cast<uint16_t>(config_.base_port + shard)});
  }
  absl::StatusOr<sdp::SdpAnswer> answer = sdp::AnswerBuilder(answer_config).Build(offer);
  if (!answer.ok()) return fail(answer.status());

  PeerIdentity identity;
  identity.peer = next_peer_;
  identity.room = rooms_.contains(room_name) ? rooms_[room_name].id : next_room_;
  identity.local_ufrag = answer_config.ice_ufrag;
  identity.local_pwd = answer_config.ice_pwd;
  identity.feedback_ssrc = RandomNonZero32();
  absl::StatusOr<sfu::AddPeer> command = BuildAddPeer(answer->negotiated, identity);
  if (!command.ok()) return fail(command.status());

  std::optional<sfu::PublisherConfig> publisher_media;
  if (const auto* publisher = std::get_if<sfu::PublisherConfig>(&command->media)) {
    publisher_media = *publisher;
  }
  sfu::ShardCommand shard_command = *std::move(command);
  if (!shards_[shard]->Post(std::move(shard_command))) {
    return fail(absl::UnavailableError("shard is busy, retry later"));
  }
  ++next_peer_;
  AcquireRoomLocked(room_name);

  Session session;
  session.id = RandomToken(16);  // the URL is a capability when no token is configured
  session.kind = kind;
  session.room = room_name;
  session.peer = identity.peer;
  session.shard = shard;
  session.etag = absl::StrCat("\"", RandomToken(8), "\"");
  session.remote_ufrag = answer->negotiated.remote_ice_ufrag;
  session.remote_pwd = answer->negotiated.remote_ice_pwd;
  session.publisher_media = std::move(publisher_media);
  OnSessionAddedLocked(session);
  CreatedSession created{absl::StrCat("/", Sv(ToString(kind)), "/", room_name, "/", session.id),
                         session.etag, std::move(answer->sdp)};
  logger_.Log(LogLevel::kInfo, "%s session %s room %s peer %u on shard %u", ToString(kind),
              session.id, room_name, session.peer, shard);
  by_id_[session.id] = session.peer;
  sessions_.emplace(session.peer, std::move(session));
  return created;
}

ControlPlane::Session* ControlPlane::FindLocked(SessionKind kind, std::string_view room,
                                                std::string_view id) {
  auto it = by_id_.find(Sv(id));
  if (it == by_id_.end()) return nullptr;
  Session& s = sessions_.at(it->second);
  if (s.kind != kind || s.room != room) return nullptr;
  return &s;
}

void ControlPlane::PostRemoveLocked(Session& session) {
  session.state = State::kClosing;
  sfu::ShardCommand command = sfu::RemovePeer{session.peer};
  // A full ring is retried by PollShards: the session stays until its PeerRemoved either way.
  session.remove_posted = shards_[session.shard]->Post(std::move(command));
}

absl::Status ControlPlane::DeleteSession(SessionKind kind, std::string_view room,
                                         std::string_view id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session* s = FindLocked(kind, room, id);
  if (s == nullptr) return absl::NotFoundError("no such session");
  by_id_.erase(s->id);
  PostRemoveLocked(*s);
  logger_.Log(LogLevel::kInfo, "%s session %s deleted", ToString(kind), s->id);
  return absl::OkStatus();
}

absl::Status ControlPlane::PatchSession(SessionKind kind, std::string_view room,
                                        std::string_view id,
                                        std::optional<std::string_view> if_match,
                                        std::string_view fragment_text) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session* s = FindLocked(kind, room, id);
  if (s == nullptr) return absl::NotFoundError("no such session");
  // RFC 9725 §4.3.1: a PATCH whose If-Match names another entity tag fails with 412. "*" is how
  // a client asks for an ICE restart.
  const bool restart_requested = if_match.has_value() && *if_match == "*";
  if (if_match.has_value() && !restart_requested && *if_match != s->etag) {
    return absl::FailedPreconditionError("If-Match does not match the session's ETag");
  }
  SFU_ASSIGN_OR_RETURN(TrickleFragment fragment, ParseTrickleFragment(fragment_text));
  const bool new_credentials =
      (!fragment.ice_ufrag.empty() && fragment.ice_ufrag != s->remote_ufrag) ||
      (!fragment.ice_pwd.empty() && fragment.ice_pwd != s->remote_pwd);
  if (restart_requested || new_credentials) {
    // sfud supports trickle but not ICE restarts: RFC 9725 §4.3.1 prescribes 422 for the kind of
    // PATCH a session does not support when it supports the other.
    return absl::UnimplementedError("ICE restart is not supported; start a new session");
  }
  // Trickled candidates need no action: an ICE-lite agent learns the peer's addresses from the
  // checks it receives (RFC 8445 §2.5).
  return absl::OkStatus();
}

sfu::RoomId ControlPlane::AcquireRoomLocked(const std::string& room) {
  auto [it, inserted] = rooms_.try_emplace(room);
  if (inserted) it->second.id = next_room_++;
  ++it->second.sessions;
  return it->second.id;
}

void ControlPlane::ReleaseRoomLocked(const std::string& room) {
  auto it = rooms_.find(room);
  if (it != rooms_.end() && --it->second.sessions == 0) rooms_.erase(it);
}

void ControlPlane::PostCrossLocked(uint32_t shard, sfu::ShardCommand command) {
  std::deque<sfu::ShardCommand>& backlog = cross_backlog_[shard];
  if (backlog.empty() && shards_[shard]->Post(std::move(command))) return;
  backlog.push_back(std::move(command));  // Post leaves a refused command untouched
}

void ControlPlane::OnSessionAddedLocked(const Session& session) {
  auto it = rooms_.find(session.room);
  if (it == rooms_.end()) return;
  Room& room = it->second;
  if (room.remote_subscribers.empty()) {
    room.home = ShardPlacement::HomeShard(session.room, static_cast<uint32_t>(shards_.size()));
    room.remote_subscribers.assign(shards_.size(), 0);
  }
  auto remote_publisher = [&](const Session& publisher) {
    sfu::AddRemotePublisher add;
    add.peer = publisher.peer;
    add.room = room.id;
    add.home_shard = static_cast<uint16_t>(publisher.shard);
    add.media = *publisher.publisher_media;
    return add;
  };
  if (session.kind == SessionKind::kWhip) {
    if (!session.publisher_media.has_value()) return;
    room.publishers.push_back(session.peer);
    for (uint32_t k = 0; k < room.remote_subscribers.size(); ++k) {
      if (room.remote_subscribers[k] > 0) PostCrossLocked(k, remote_publisher(session));
    }
    return;
  }
  if (session.shard == room.home || room.remote_subscribers[session.shard]++ > 0) return;
  // The first subscriber of the room on this shard: the room now spans it.
  logger_.Log(LogLevel::kInfo, "room %s spans shard %u (home %u)", session.room, session.shard,
              room.home);
  PostCrossLocked(room.home, sfu::StartHandOff{room.id, static_cast<uint16_t>(session.shard)});
  for (sfu::PeerId publisher : room.publishers) {
    auto p = sessions_.find(publisher);
    if (p != sessions_.end()) PostCrossLocked(session.shard, remote_publisher(p->second));
  }
}

void ControlPlane::OnSessionGoneLocked(const Session& session) {
  auto it = rooms_.find(session.room);
  if (it == rooms_.end() || it->second.remote_subscribers.empty()) return;
  Room& room = it->second;
  if (session.kind == SessionKind::kWhip) {
    std::erase(room.publishers, session.peer);
    for (uint32_t k = 0; k < room.remote_subscribers.size(); ++k) {
      if (room.remote_subscribers[k] > 0) {
        PostCrossLocked(k, sfu::RemoveRemotePublisher{session.peer});
      }
    }
    return;
  }
  if (session.shard == room.home || room.remote_subscribers[session.shard] == 0 ||
      --room.remote_subscribers[session.shard] > 0) {
    return;
  }
  // The last subscriber of the room on this shard left: stop handing packets to it.
  logger_.Log(LogLevel::kInfo, "room %s no longer spans shard %u", session.room, session.shard);
  PostCrossLocked(room.home, sfu::StopHandOff{room.id, static_cast<uint16_t>(session.shard)});
  for (sfu::PeerId publisher : room.publishers) {
    PostCrossLocked(session.shard, sfu::RemoveRemotePublisher{publisher});
  }
}

void ControlPlane::ForgetLocked(sfu::PeerId peer) {
  auto it = sessions_.find(peer);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  by_id_.erase(s.id);
  placement_.Release(s.room, RoleOf(s.kind), s.shard);
  OnSessionGoneLocked(s);
  ReleaseRoomLocked(s.room);
  sessions_.erase(it);
}

void ControlPlane::HandleEventLocked(const sfu::ShardEvent& event) {
  if (const auto* connected = std::get_if<sfu::PeerConnected>(&event)) {
    auto it = sessions_.find(connected->peer);
    if (it == sessions_.end()) return;
    if (it->second.state == State::kConnecting) it->second.state = State::kConnected;
    if (connected->selected_tuple) it->second.selected = connected->selected_tuple;
    logger_.Log(LogLevel::kInfo, "session %s connected", it->second.id);
  } else if (const auto* selected = std::get_if<sfu::PeerIceSelected>(&event)) {
    auto it = sessions_.find(selected->peer);
    if (it != sessions_.end()) it->second.selected = selected->tuple;
  } else if (const auto* removed = std::get_if<sfu::PeerRemoved>(&event)) {
    auto it = sessions_.find(removed->peer);
    if (it == sessions_.end()) return;
    logger_.Log(removed->reason == sfu::RemoveReason::kDeleted ||
                        removed->reason == sfu::RemoveReason::kShutdown
                    ? LogLevel::kInfo
                    : LogLevel::kNotice,
                "session %s removed: %s %s", it->second.id, sfu::ToString(removed->reason),
                removed->detail != nullptr ? removed->detail : "");
    ForgetLocked(removed->peer);
  }
}

size_t ControlPlane::PollShards() {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t handled = 0;
  for (ShardHandle* shard : shards_) {
    event_scratch_.clear();
    shard->DrainEvents(event_scratch_);
    for (const sfu::ShardEvent& event : event_scratch_) HandleEventLocked(event);
    handled += event_scratch_.size();
  }
  for (auto& [peer, session] : sessions_) {
    if (session.state == State::kClosing && !session.remove_posted) PostRemoveLocked(session);
  }
  for (size_t k = 0; k < cross_backlog_.size(); ++k) {
    std::deque<sfu::ShardCommand>& backlog = cross_backlog_[k];
    while (!backlog.empty() && shards_[k]->Post(std::move(backlog.front()))) backlog.pop_front();
  }
  return handled;
}

void ControlPlane::BeginDrain() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (draining_.exchange(true)) return;
  for (auto& [peer, session] : sessions_) {
    by_id_.erase(session.id);
    if (session.state != State::kClosing) PostRemoveLocked(session);
  }
  logger_.Log(LogLevel::kNotice, "draining: closing %u sessions",
              static_cast<unsigned>(sessions_.size()));
}

size_t ControlPlane::SessionsOnShardLocked(uint32_t shard) const {
  // Closing sessions count: the shard holds them until its PeerRemoved.
  size_t n = 0;
  for (const auto& [peer, session] : sessions_) n += session.shard == shard ? 1 : 0;
  return n;
}

size_t ControlPlane::session_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

std::vector<ControlPlane::SessionCount> ControlPlane::SessionCounts() const {
  constexpr std::string_view kRoles[] = {"publisher", "subscriber"};
  constexpr std::string_view kStates[] = {"connecting", "connected", "closing"};
  std::vector<SessionCount> counts;
  counts.reserve(std::size(kRoles) * std::size(kStates));
  for (std::string_view role : kRoles) {
    for (std::string_view state : kStates) counts.push_back(SessionCount{role, state, 0});
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [peer, session] : sessions_) {
    const size_t role = session.kind == SessionKind::kWhip ? 0 : 1;
    counts[role * std::size(kStates) + static_cast<size_t>(session.state)].count += 1;
  }
  return counts;
}

size_t ControlPlane::room_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rooms_.size();
}

std::string ControlPlane::RoomsJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, room] : rooms_) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::vector<const Session*> sorted;
  for (const auto& [peer, session] : sessions_) sorted.push_back(&session);
  std::sort(sorted.begin(), sorted.end(),
            [](const Session* a, const Session* b) { return a->peer < b->peer; });

  std::string out =
      absl::StrCat("{\"draining\":", draining_.load() ? "true" : "false", ",\"rooms\":[");
  for (size_t r = 0; r < names.size(); ++r) {
    if (r > 0) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(out, names[r]);
    for (SessionKind kind : {SessionKind::kWhip, SessionKind::kWhep}) {
      out += kind == SessionKind::kWhip ? ",\"publishers\":[" : ",\"subscribers\":[";
      bool first = true;
      for (const Session* s : sorted) {
        if (s->room != names[r] || s->kind != kind) continue;
        if (!first) out.push_back(',');
        first = false;
        out += "{\"id\":";
        AppendJsonString(out, s->id);
        absl::StrAppend(&out, ",\"shard\":", s->shard, ",\"state\":");
        AppendJsonString(out, s->state == State::kConnecting  ? "connecting"
                              : s->state == State::kConnected ? "connected"
                                                              : "closing");
        if (s->selected) {
          out += ",\"remote\":";
          AppendJsonString(out, s->selected->remote.ToString());
        }
        out.push_back('}');
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out += "]}";
  return out;
}

}  // namespace sfu::daemon
