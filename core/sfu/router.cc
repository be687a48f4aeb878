#include "core/sfu/router.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "core/sfu/keyframe.h"
#include "core/sfu/router_state.h"

namespace sfu::sfu {
namespace {

bool SameCodec(const CodecConfig& a, const CodecConfig& b) {
  return EqualsIgnoreCase(a.name, b.name) && a.clock_rate == b.clock_rate;
}

std::string_view AsString(absl::Span<const uint8_t> bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

absl::Status ValidateCodecs(const std::vector<CodecConfig>& codecs) {
  if (codecs.empty()) return absl::InvalidArgumentError("no codecs");
  for (const CodecConfig& c : codecs) {
    if (c.pt >= kMaxPayloadTypes || c.rtx_pt >= kMaxPayloadTypes || c.clock_rate == 0) {
      return absl::InvalidArgumentError("bad payload type or clock rate");
    }
  }
  return absl::OkStatus();
}

}  // namespace

Router::Router(RouterConfig config) : state_(std::make_unique<State>(config)) {
  size_t h = 1;
  while (h < state_->config.sent_history_packets) h <<= 1;
  state_->config.sent_history_packets = h;
}
Router::~Router() = default;

const RouterStats& Router::stats() const { return state_->stats; }

void Router::SetNtpClock(Instant at, uint64_t ntp_at) {
  state_->ntp_instant = at;
  state_->ntp_at = ntp_at;
}

uint64_t Router::State::NtpAt(Instant now) const {
  // 32.32 fixed point: whole seconds, then the nanosecond remainder scaled to 2^32.
  const int64_t ns = (now - ntp_instant).count();
  constexpr int64_t kNs = 1'000'000'000;
  int64_t sec = ns / kNs;
  int64_t rest = ns % kNs;
  if (rest < 0) {
    rest += kNs;
    --sec;
  }
  const uint64_t frac = (static_cast<uint64_t>(rest) << 32) / kNs;
  return ntp_at + (static_cast<uint64_t>(sec) << 32) + frac;
}

Subscriber* Router::State::FindSubscriber(PeerId id) {
  auto it = subscribers.find(id);
  return it == subscribers.end() ? nullptr : it->second.get();
}
Publisher* Router::State::FindPublisher(PeerId id) {
  auto it = publishers.find(id);
  return it == publishers.end() ? nullptr : it->second.get();
}
Track* Router::State::FindTrack(TrackId id) {
  auto it = tracks.find(id);
  return it == tracks.end() ? nullptr : it->second.get();
}

absl::StatusOr<std::vector<TrackId>> Router::AddPublisher(PeerId peer,
                                                          const PublisherConfig& config) {
  State& s = *state_;
  if (s.publishers.contains(peer) || s.subscribers.contains(peer)) {
    return absl::AlreadyExistsError("peer already added");
  }
  for (const TrackConfig& t : config.tracks) {
    if (auto st = ValidateCodecs(t.codecs); !st.ok()) return st;
    if (t.layers.empty() || t.layers.size() > 8) {
      return absl::InvalidArgumentError("a track needs 1 to 8 layers");
    }
  }
  auto pub = std::make_unique<Publisher>();
  pub->id = peer;
  pub->room = config.room;
  pub->feedback_ssrc = config.feedback_ssrc;
  std::vector<TrackId> ids;
  Room& room = s.rooms[config.room];
  for (const TrackConfig& t : config.tracks) {
    auto track = std::make_unique<Track>();
    track->id = s.next_track_id++;
    track->publisher = peer;
    track->room = config.room;
    track->kind = t.kind;
    track->mid = t.mid;
    track->codecs = t.codecs;
    track->pt_to_codec.fill(kNoPt);
    track->rtx_pt_to_codec.fill(kNoPt);
    for (size_t i = 0; i < t.codecs.size(); ++i) {
      track->codec_kinds.push_back(CodecFromName(t.codecs[i].name));
      track->pt_to_codec[t.codecs[i].pt] = static_cast<uint8_t>(i);
      if (t.codecs[i].rtx_pt != 0)
        track->rtx_pt_to_codec[t.codecs[i].rtx_pt] = static_cast<uint8_t>(i);
    }
    track->extensions = t.extensions;
    for (const ExtensionConfig& e : t.extensions) {
      if (e.uri == kUriMid) track->mid_ext_id = e.id;
      if (e.uri == kUriRid) track->rid_ext_id = e.id;
      if (e.uri == kUriRepairedRid) track->repaired_rid_ext_id = e.id;
    }
    const bool video = t.kind == MediaKind::kVideo;
    pub->has_video |= video;
    for (const LayerConfig& l : t.layers) {
      track->layers.push_back(std::make_unique<Layer>(
          l, video ? s.config.video_buffer_packets : s.config.audio_buffer_packets,
          s.config.buffer_slot_bytes, s.config.max_nack_gap, t.codecs.front().clock_rate));
    }
    pub->tracks.push_back(track.get());
    room.tracks.push_back(track->id);
    ids.push_back(track->id);
    Track* raw = track.get();
    s.tracks.emplace(track->id, std::move(track));
    s.BindWaitingSlots(raw);
  }
  s.publishers.emplace(peer, std::move(pub));
  return ids;
}

absl::Status Router::AddSubscriber(PeerId peer, const SubscriberConfig& config) {
  State& s = *state_;
  if (s.publishers.contains(peer) || s.subscribers.contains(peer)) {
    return absl::AlreadyExistsError("peer already added");
  }
  for (const SlotConfig& slot : config.slots) {
    if (auto st = ValidateCodecs(slot.codecs); !st.ok()) return st;
    if (slot.ssrc == 0) return absl::InvalidArgumentError("a slot needs an SSRC");
  }
  auto sub = std::make_unique<Subscriber>();
  sub->id = peer;
  sub->room = config.room;
  sub->preference = config.layer_preference;
  sub->slots.resize(config.slots.size());
  for (size_t i = 0; i < config.slots.size(); ++i) {
    Slot& slot = sub->slots[i];
    slot.config = config.slots[i];
    slot.ssrc = slot.config.ssrc;
    sub->has_video |= slot.config.kind == MediaKind::kVideo;
    slot.default_layer = config.layer_preference == LayerPreference::kHighest ? 255 : 0;
    // An entry only helps while the publisher's buffer still holds the packet it names, so an
    // audio slot needs no more history than the audio buffer's depth (a power of two, as the
    // index mask needs).
    size_t history = s.config.sent_history_packets;
    if (slot.config.kind == MediaKind::kAudio) {
      while (history / 2 >= s.config.audio_buffer_packets && history > 1) history /= 2;
    }
    slot.history.resize(history);
    slot.tokens = s.config.retransmission_burst;
    // An arbitrary but deterministic first sequence number per slot (RFC 3550 §5.1 asks for a
    // random one; the SSRC already is).
    slot.out_highest = 0x10000 + (slot.config.ssrc & 0x7FFF) - 1;
    slot.pt_map.fill(kNoPt);
    slot.rtx_pt_map.fill(kNoPt);
  }
  Subscriber* raw = sub.get();
  s.subscribers.emplace(peer, std::move(sub));
  Room& room = s.rooms[config.room];
  room.subscribers.push_back(peer);
  for (TrackId id : room.tracks) {
    Track* track = s.FindTrack(id);
    if (track == nullptr || !track->active) continue;
    for (uint32_t i = 0; i < raw->slots.size(); ++i) {
      if (raw->slots[i].track == nullptr && raw->slots[i].config.kind == track->kind) {
        s.BindSlot(raw, i, track);
        break;
      }
    }
  }
  return absl::OkStatus();
}

void Router::State::BindSlot(Subscriber* sub, uint32_t slot_index, Track* track) {
  Slot& slot = sub->slots[slot_index];
  if (slot.track != nullptr) UnbindSlot(sub, slot_index);
  slot.track = track;
  slot.pt_map.fill(kNoPt);
  slot.rtx_pt_map.fill(kNoPt);
  slot.clock_of_out_pt.fill(90000);
  slot.clock_pt = kNoPt;  // re-read clock_of_out_pt on the next packet
  for (const CodecConfig& pc : track->codecs) {
    for (const CodecConfig& sc : slot.config.codecs) {
      if (!SameCodec(pc, sc)) continue;
      slot.pt_map[pc.pt] = sc.pt;
      slot.clock_of_out_pt[sc.pt] = sc.clock_rate;
      if (slot.config.rtx_ssrc != 0 && sc.rtx_pt != 0) slot.rtx_pt_map[sc.pt] = sc.rtx_pt;
      break;
    }
  }
  // Extensions the subscriber negotiated under the same URI, except the ones naming the
  // publisher's streams (MID/RID values are per session) and transport-cc (its sequence is
  // per transport; sfud does not run the subscriber's congestion control). Target ids stay in
  // 1-14 so a one-byte block can always be remapped in place (RFC 8285 §4.2).
  slot.ext_map = rtp::RtpExtensionIdMap();
  for (const ExtensionConfig& pe : track->extensions) {
    if (pe.uri == kUriMid || pe.uri == kUriRid || pe.uri == kUriRepairedRid ||
        pe.uri == kUriTransportCc) {
      continue;
    }
    for (const ExtensionConfig& se : slot.config.extensions) {
      if (se.uri == pe.uri && se.id >= 1 && se.id <= rtp::kOneByteMaxId) {
        slot.ext_map.Set(pe.id, se.id);
        break;
      }
    }
  }
  slot.current_layer = -1;
  slot.target_layer = -1;
  for (SentEntry& e : slot.history) e.valid = false;
  track->subscribers.push_back(SlotRef{sub, slot_index});
}

void Router::State::UnbindSlot(Subscriber* sub, uint32_t slot_index) {
  Slot& slot = sub->slots[slot_index];
  if (slot.track == nullptr) return;
  auto& refs = slot.track->subscribers;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].subscriber == sub && refs[i].slot == slot_index) {
      refs[i] = refs.back();
      refs.pop_back();
      break;
    }
  }
  slot.track = nullptr;
  slot.current_layer = -1;
  slot.target_layer = -1;
}

void Router::State::BindWaitingSlots(Track* track) {
  if (!track->active) return;
  auto room_it = rooms.find(track->room);
  if (room_it == rooms.end()) return;
  for (PeerId id : room_it->second.subscribers) {
    Subscriber* sub = FindSubscriber(id);
    if (sub == nullptr) continue;
    bool already = false;
    for (const Slot& slot : sub->slots) already |= slot.track == track;
    if (already) continue;
    for (uint32_t i = 0; i < sub->slots.size(); ++i) {
      if (sub->slots[i].track == nullptr && sub->slots[i].config.kind == track->kind) {
        BindSlot(sub, i, track);
        break;
      }
    }
  }
}

void Router::State::EndTrack(Track* track) {
  if (!track->active) return;
  track->active = false;
  ++stats.tracks_ended;
  const std::vector<SlotRef> refs = track->subscribers;
  for (const SlotRef& ref : refs) UnbindSlot(ref.subscriber, ref.slot);
  // The freed slots wait for, or move to, another track of their kind.
  auto room_it = rooms.find(track->room);
  if (room_it == rooms.end()) return;
  for (TrackId id : room_it->second.tracks) {
    Track* other = FindTrack(id);
    if (other != nullptr && other != track) BindWaitingSlots(other);
  }
}

void Router::RemovePeer(PeerId peer) {
  State& s = *state_;
  if (Subscriber* sub = s.FindSubscriber(peer)) {
    for (uint32_t i = 0; i < sub->slots.size(); ++i) s.UnbindSlot(sub, i);
    if (auto it = s.rooms.find(sub->room); it != s.rooms.end()) {
      std::erase(it->second.subscribers, peer);
    }
    s.subscribers.erase(peer);
    return;
  }
  Publisher* pub = s.FindPublisher(peer);
  if (pub == nullptr) return;
  for (Track* track : pub->tracks) s.EndTrack(track);
  auto room_it = s.rooms.find(pub->room);
  for (Track* track : pub->tracks) {
    if (room_it != s.rooms.end()) std::erase(room_it->second.tracks, track->id);
    s.tracks.erase(track->id);
  }
  s.publishers.erase(peer);
}

absl::Status Router::SubscribeSlot(PeerId subscriber, size_t slot, TrackId track_id) {
  State& s = *state_;
  Subscriber* sub = s.FindSubscriber(subscriber);
  Track* track = s.FindTrack(track_id);
  if (sub == nullptr || track == nullptr || slot >= sub->slots.size()) {
    return absl::NotFoundError("unknown subscriber, slot or track");
  }
  if (track->room != sub->room || track->kind != sub->slots[slot].config.kind || !track->active) {
    return absl::InvalidArgumentError("track is not in the room, of the slot's kind, or active");
  }
  s.BindSlot(sub, static_cast<uint32_t>(slot), track);
  return absl::OkStatus();
}

absl::Status Router::SetPreferredLayer(PeerId subscriber, size_t slot, int layer) {
  Subscriber* sub = state_->FindSubscriber(subscriber);
  if (sub == nullptr || slot >= sub->slots.size()) return absl::NotFoundError("unknown slot");
  if (layer < -1 || layer > 255) return absl::InvalidArgumentError("bad layer");
  sub->slots[slot].preferred_layer = layer;
  return absl::OkStatus();
}

absl::Status Router::AddRemoteShard(RoomId room, uint16_t shard) {
  Room& r = state_->rooms[room];
  if (std::find(r.remote_shards.begin(), r.remote_shards.end(), shard) == r.remote_shards.end()) {
    r.remote_shards.push_back(shard);
  }
  return absl::OkStatus();
}

void Router::RemoveRemoteShard(RoomId room, uint16_t shard) {
  if (auto it = state_->rooms.find(room); it != state_->rooms.end()) {
    std::erase(it->second.remote_shards, shard);
    // A room entry made only for the hand-off (its viewers are elsewhere) goes with it.
    const Room& r = it->second;
    if (r.remote_shards.empty() && r.tracks.empty() && r.subscribers.empty()) {
      state_->rooms.erase(it);
    }
  }
}

bool Router::RequestKeyframe(Instant now, TrackId track_id, int layer, OutputBatch* out) {
  Track* track = state_->FindTrack(track_id);
  if (track == nullptr || !track->active || layer < 0 ||
      static_cast<size_t>(layer) >= track->layers.size()) {
    return false;
  }
  return state_->RequestKeyframe(now, track, static_cast<uint32_t>(layer), /*fir=*/false, out);
}

std::optional<SubscriberFeedback> Router::subscriber_feedback(PeerId subscriber) const {
  const Subscriber* sub = state_->FindSubscriber(subscriber);
  if (sub == nullptr) return std::nullopt;
  return sub->feedback;
}

std::optional<SlotState> Router::slot_state(PeerId subscriber, size_t slot) const {
  const Subscriber* sub = state_->FindSubscriber(subscriber);
  if (sub == nullptr || slot >= sub->slots.size()) return std::nullopt;
  const Slot& sl = sub->slots[slot];
  SlotState st;
  st.track = sl.track != nullptr ? sl.track->id : kNoTrack;
  st.current_layer = sl.current_layer;
  st.target_layer = sl.target_layer;
  st.packets_sent = sl.packets_sent;
  st.payload_octets_sent = sl.payload_octets_sent;
  st.next_sequence_number = static_cast<uint16_t>(sl.out_highest + 1);
  return st;
}

bool Router::track_active(TrackId track) const {
  const Track* t = state_->FindTrack(track);
  return t != nullptr && t->active;
}

bool Router::State::LocateStream(Publisher* pub, const rtp::RtpPacketView& view, Track** track,
                                 uint32_t* layer_index, bool* rtx) {
  for (Track* t : pub->tracks) {
    for (uint32_t i = 0; i < t->layers.size(); ++i) {
      const Layer& l = *t->layers[i];
      if (l.ssrc == view.ssrc && l.ssrc != 0) {
        *track = t, *layer_index = i, *rtx = false;
        return true;
      }
      if (l.rtx_ssrc == view.ssrc && l.rtx_ssrc != 0) {
        *track = t, *layer_index = i, *rtx = true;
        return true;
      }
    }
  }
  // RFC 8852 §3/§4: a stream whose SSRC was not signalled names its rid (or, for RTX, the rid it
  // repairs) in a header extension; a non-simulcast one is identified by its MID (RFC 8843 §15).
  for (Track* t : pub->tracks) {
    if (!t->active) continue;
    const bool is_rtx_pt = t->rtx_pt_to_codec[view.payload_type & 0x7F] != kNoPt;
    std::optional<absl::Span<const uint8_t>> rid;
    if (t->rid_ext_id != 0 && !is_rtx_pt) rid = view.FindExtension(t->rid_ext_id);
    if (t->repaired_rid_ext_id != 0 && is_rtx_pt) rid = view.FindExtension(t->repaired_rid_ext_id);
    if (rid.has_value()) {
      for (uint32_t i = 0; i < t->layers.size(); ++i) {
        Layer& l = *t->layers[i];
        if (l.rid.empty() || AsString(*rid) != l.rid) continue;
        uint32_t& field = is_rtx_pt ? l.rtx_ssrc : l.ssrc;
        if (field != 0) return false;
        field = view.ssrc;
        *track = t, *layer_index = i, *rtx = is_rtx_pt;
        return true;
      }
      continue;
    }
    if (t->mid_ext_id != 0 && t->layers.size() == 1 && t->layers[0]->rid.empty()) {
      auto mid = view.FindExtension(t->mid_ext_id);
      if (!mid.has_value() || AsString(*mid) != t->mid) continue;
      uint32_t& field = is_rtx_pt ? t->layers[0]->rtx_ssrc : t->layers[0]->ssrc;
      if (field != 0) return false;
      field = view.ssrc;
      *track = t, *layer_index = 0, *rtx = is_rtx_pt;
      return true;
    }
  }
  return false;
}

void Router::OnRtp(Instant now, PeerId from, absl::Span<const uint8_t> packet, OutputBatch* out) {
  State& s = *state_;
  ++s.stats.rtp_packets_in;
  s.stats.rtp_bytes_in += packet.size();
  rtp::RtpPacketView view;
  if (!rtp::ParseRtpPacket(packet, &view)) {
    ++s.stats.dropped_malformed;
    return;
  }
  Publisher* pub = s.FindPublisher(from);
  if (pub == nullptr) {
    ++s.stats.dropped_unknown_peer;
    return;
  }
  Track* track = nullptr;
  uint32_t layer_index = 0;
  bool rtx = false;
  if (!s.LocateStream(pub, view, &track, &layer_index, &rtx) || !track->active) {
    ++s.stats.dropped_unknown_ssrc;
    return;
  }
  Layer& layer = *track->layers[layer_index];
  uint8_t codec_index = kNoPt;
  if (rtx) {
    // RFC 4588 §4: the RTX payload is the original sequence number, then the original payload.
    codec_index = track->rtx_pt_to_codec[view.payload_type];
    if (codec_index == kNoPt) {
      ++s.stats.dropped_unknown_pt;
      return;
    }
    ByteReader r(view.payload);
    uint16_t osn = 0;
    if (!r.ReadU16(&osn) || r.Remaining() == 0 || layer.ssrc == 0) {
      ++s.stats.dropped_rtx_padding;  // padding-only probes (RFC 4588 §4 allows them)
      return;
    }
    const absl::Span<const uint8_t> original_payload = r.ReadRemaining();
    const size_t size = view.header_size + original_payload.size();
    if (size > s.rtx_scratch.size()) {
      ++s.stats.dropped_too_large;
      return;
    }
    std::memcpy(s.rtx_scratch.data(), packet.data(), view.header_size);
    std::memcpy(s.rtx_scratch.data() + view.header_size, original_payload.data(),
                original_payload.size());
    const absl::Span<uint8_t> restored = absl::MakeSpan(s.rtx_scratch).first(size);
    restored[0] &= static_cast<uint8_t>(~0x20);  // our own copy: the padding was not copied
    rtp::SetRtpSsrc(restored, layer.ssrc);
    rtp::SetRtpSequenceNumber(restored, osn);
    rtp::SetRtpPayloadType(restored, track->codecs[codec_index].pt);
    packet = restored;
    if (!rtp::ParseRtpPacket(packet, &view)) {
      ++s.stats.dropped_malformed;
      return;
    }
  } else {
    codec_index = track->pt_to_codec[view.payload_type];
    if (codec_index == kNoPt) {
      ++s.stats.dropped_unknown_pt;
      return;
    }
  }

  const bool first = !layer.unwrapper.started();
  const int64_t previous_highest = layer.unwrapper.highest();
  const int64_t index = layer.unwrapper.Unwrap(view.sequence_number);
  if (!first && index <= previous_highest && layer.buffer.Contains(index)) {
    ++s.stats.dropped_duplicate;
    return;
  }
  if (!layer.buffer.Store(index, now, packet)) ++s.stats.dropped_too_large;
  layer.receive.OnPacket(index, view.timestamp, now, /*update_jitter=*/!rtx);
  if (rtx) {
    ++s.stats.recovered_packets;
    layer.nacks.OnRecovered(index);
  } else if (track->codecs[codec_index].nack &&
             !layer.nacks.OnPacket(index, previous_highest, first, now, s.NackPolicy())) {
    // Gaps are only tracked where NACK was negotiated (RFC 4585 §4.2): Chromium offers none for
    // opus, and NACKs for its audio were counted by it (nackCount) and never answered.
    s.RequestKeyframe(now, track, layer_index, /*fir=*/false, out);
  }
  s.next_nack_due = std::min(s.next_nack_due, layer.nacks.next_deadline());
  layer.last_packet = now;
  if (pub->next_report == Instant::Infinite()) {
    s.ScheduleReport(now, &pub->next_report, pub->id, pub->reports_sent, pub->has_video);
  }

  const bool keyframe = track->kind == MediaKind::kVideo &&
                        IsKeyframeStart(track->codec_kinds[codec_index], view.payload);
  auto room_it = s.rooms.find(track->room);
  bool remote = false;
  if (room_it != s.rooms.end()) {
    // Cross-shard fan-out: the plaintext once per shard (DESIGN.md §2).
    for (uint16_t shard : room_it->second.remote_shards) {
      remote = true;
      absl::Span<uint8_t> dst = out->Begin(packet.size());
      if (dst.empty()) {
        ++s.stats.dropped_output_full;
        continue;
      }
      std::memcpy(dst.data(), packet.data(), packet.size());
      RouterOutput o;
      o.kind = OutputKind::kRemoteShard;
      o.peer = track->publisher;
      o.shard = shard;
      o.room = track->room;
      o.track = track->id;
      o.layer = static_cast<uint8_t>(layer_index);
      out->Commit(o, packet.size());
      ++s.stats.remote_shard_packets;
    }
  }
  if (track->subscribers.empty()) {
    if (!remote) ++s.stats.dropped_no_subscribers;
    return;
  }
  ExtensionLayout layout;
  if (!layout.Scan(view, packet)) {
    ++s.stats.dropped_malformed;  // stored for NACKs, but no subscriber gets a broken block
    return;
  }
  // Software-pipelined over the subscribers (see State::PrefetchSlot): object 4 ahead, slot
  // lines 2 ahead, history entry 1 ahead. Each copy costs a few hundred ns, about a memory
  // round trip, so these distances hide the misses without evicting what is still to be used.
  const std::vector<SlotRef>& subs = track->subscribers;
  const size_t n = subs.size();
  for (size_t i = 0; i < std::min<size_t>(n, 4); ++i) State::PrefetchSubscriber(subs[i]);
  for (size_t i = 0; i < std::min<size_t>(n, 2); ++i) {
    State::PrefetchSlot(subs[i], view.payload_type);
  }
  for (size_t i = 0; i < n; ++i) {
    if (i + 4 < n) State::PrefetchSubscriber(subs[i + 4]);
    if (i + 2 < n) State::PrefetchSlot(subs[i + 2], view.payload_type);
    if (i + 1 < n) State::PrefetchHistory(subs[i + 1]);
    s.ForwardToSlot(now, track, layer_index, view, packet, layout, index, keyframe, subs[i], out);
  }
}

}  // namespace sfu::sfu
