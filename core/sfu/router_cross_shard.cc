// The home shard's answers to a remote shard's feedback about a room spanning shards (DESIGN.md
// §2): keyframe requests for a local publisher, and hand-off packets the remote shard missed.
#include <cstring>

#include "core/rtp/seq_num.h"
#include "core/sfu/router_state.h"

namespace sfu::sfu {
namespace {

// The track and layer of `publisher` whose media SSRC is `ssrc`. Publishers have a handful of
// tracks and layers: a scan beats a map, and feedback is rare next to media.
bool FindLayerBySsrc(Router::State& s, PeerId publisher, uint32_t ssrc, Track** track,
                     uint32_t* layer_index) {
  Publisher* pub = s.FindPublisher(publisher);
  if (pub == nullptr || ssrc == 0) return false;
  for (Track* t : pub->tracks) {
    for (size_t i = 0; i < t->layers.size(); ++i) {
      if (t->layers[i]->ssrc == ssrc) {
        *track = t;
        *layer_index = static_cast<uint32_t>(i);
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool Router::RequestKeyframeForSsrc(Instant now, PeerId publisher, uint32_t media_ssrc,
                                    OutputBatch* out) {
  State& s = *state_;
  Track* track = nullptr;
  uint32_t layer_index = 0;
  if (!FindLayerBySsrc(s, publisher, media_ssrc, &track, &layer_index) || !track->active) {
    return false;
  }
  if (!s.RequestKeyframe(now, track, layer_index, /*fir=*/false, out)) {
    ++s.stats.keyframe_requests_deduped;
    return false;
  }
  return true;
}

bool Router::ResendToShard(Instant now, PeerId publisher, uint32_t media_ssrc, uint16_t seq,
                           uint16_t shard, OutputBatch* out) {
  State& s = *state_;
  Track* track = nullptr;
  uint32_t layer_index = 0;
  if (!FindLayerBySsrc(s, publisher, media_ssrc, &track, &layer_index)) return false;
  Layer& layer = *track->layers[layer_index];
  if (!layer.unwrapper.started()) return false;
  // The remote shard names a recent packet: read `seq` as the index nearest the highest one.
  const int64_t highest = layer.unwrapper.highest();
  const int64_t index =
      highest + rtp::SeqDelta(seq, static_cast<uint16_t>(static_cast<uint64_t>(highest)));
  const absl::Span<const uint8_t> packet =
      layer.buffer.Find(index, now, s.config.retransmission_max_age);
  if (packet.empty()) return false;
  absl::Span<uint8_t> dst = out->Begin(packet.size());
  if (dst.empty()) {
    ++s.stats.dropped_output_full;
    return false;
  }
  std::memcpy(dst.data(), packet.data(), packet.size());
  RouterOutput o;
  o.kind = OutputKind::kRemoteShard;
  o.peer = publisher;
  o.shard = shard;
  o.room = track->room;
  o.track = track->id;
  o.layer = static_cast<uint8_t>(layer_index);
  out->Commit(o, packet.size());
  ++s.stats.remote_shard_packets;
  return true;
}

}  // namespace sfu::sfu
