// Per-subscriber forwarding: layer choice, sequence/timestamp continuity, the rewritten copy.
#include <algorithm>
#include <cstring>

#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_report.h"
#include "core/sfu/router_state.h"

namespace sfu::sfu {

int Router::State::DesiredLayer(const Slot& slot, const Track& track, Instant now) const {
  const int n = static_cast<int>(track.layers.size());
  const int wanted =
      std::min(slot.preferred_layer >= 0 ? slot.preferred_layer : slot.default_layer, n - 1);
  if (n == 1) return 0;
  // The preferred layer, or the best one below it that is being received (a publisher pauses
  // its upper layers when its uplink shrinks); failing that the lowest one above it.
  auto active = [&](int l) {
    return now - track.layers[l]->last_packet <= config.layer_inactive_after;
  };
  for (int l = wanted; l >= 0; --l) {
    if (active(l)) return l;
  }
  for (int l = wanted + 1; l < n; ++l) {
    if (active(l)) return l;
  }
  return wanted;
}

void Router::State::ForwardToSlot(Instant now, Track* track, uint32_t layer_index,
                                  const rtp::RtpPacketView& view, absl::Span<const uint8_t> packet,
                                  const ExtensionLayout& layout, int64_t index, bool keyframe,
                                  SlotRef ref, OutputBatch* out) {
  Subscriber& sub = *ref.subscriber;
  Slot& slot = sub.slots[ref.slot];
  const int layer = static_cast<int>(layer_index);
  const int desired = DesiredLayer(slot, *track, now);
  slot.target_layer = desired;
  if (slot.current_layer != desired) {
    // Start or switch only where the decoder can: a keyframe of the target layer (audio: any
    // packet). Until then the old layer, if any, keeps flowing.
    if (layer == desired && (keyframe || track->kind == MediaKind::kAudio)) {
      if (slot.current_layer >= 0) ++stats.layer_switches;
      // Sequence numbers continue from the last one sent: the SFU's switch leaves no gap.
      slot.base = index - (slot.out_highest + 1);
      slot.prev_base = slot.base;
      slot.base_change_index = index;
      slot.switch_index = index;
      slot.highest_index = index - 1;
      // Timestamps continue too: the new layer's clock is offset so that its first packet lands
      // the elapsed wall time after the last one sent (at least one tick later).
      if (slot.sent_any) {
        const int64_t ticks =
            std::max<int64_t>(1, DurationToRtpTicks(now - slot.last_out_time, slot.clock_rate));
        slot.timestamp_offset =
            slot.last_out_timestamp + static_cast<uint32_t>(ticks) - view.timestamp;
      } else {
        slot.timestamp_offset = 0;
      }
      slot.current_layer = desired;
    } else {
      if (layer == desired) {
        ++stats.dropped_waiting_keyframe;
        RequestKeyframe(now, track, layer_index, /*fir=*/false, out);
      }
      if (layer != slot.current_layer) return;
    }
  }
  if (layer != slot.current_layer || index < slot.switch_index) return;

  const uint8_t out_pt = slot.pt_map[view.payload_type];
  if (out_pt == kNoPt) {
    // The subscriber lacks this codec: an SFU drop, so later packets close up behind it.
    ++stats.dropped_not_negotiated;
    if (index > slot.highest_index) {
      slot.prev_base = slot.base;
      slot.base += 1;
      slot.base_change_index = index;
      slot.highest_index = index;
    }
    return;
  }
  const int64_t base = index < slot.base_change_index ? slot.prev_base : slot.base;
  const int64_t out_ext = index - base;
  const uint32_t timestamp = view.timestamp + slot.timestamp_offset;
  if (!WriteForSlot(sub, slot, view, packet, layout, static_cast<uint16_t>(out_ext), timestamp,
                    out_pt, slot.ssrc, /*rtx=*/false, 0, out)) {
    return;
  }
  if (index > slot.highest_index) slot.highest_index = index;
  if (out_ext > slot.out_highest || !slot.sent_any) {
    slot.out_highest = out_ext;
    slot.last_out_timestamp = timestamp;
    slot.last_out_time = now;
  }
  slot.sent_any = true;
  if (out_pt != slot.clock_pt) {  // the cold table is read only when the codec changes
    slot.clock_pt = out_pt;
    slot.clock_rate = slot.clock_of_out_pt[out_pt];
  }
  SentEntry& e = slot.history[static_cast<size_t>(out_ext) & (slot.history.size() - 1)];
  e.out_seq = static_cast<uint16_t>(out_ext);
  e.layer = static_cast<uint8_t>(layer_index);
  e.valid = true;
  e.out_timestamp = timestamp;
  e.index = index;
  ++slot.packets_sent;
  slot.payload_octets_sent += view.payload.size();
  ++stats.packets_forwarded;
  if (sub.next_report == Instant::Infinite()) {
    ScheduleReport(now, &sub.next_report, sub.id, sub.reports_sent, sub.has_video);
  }
}

bool Router::State::WriteForSlot(const Subscriber& sub, const Slot& slot,
                                 const rtp::RtpPacketView& view, absl::Span<const uint8_t> packet,
                                 const ExtensionLayout& layout, uint16_t seq, uint32_t timestamp,
                                 uint8_t payload_type, uint32_t ssrc, bool rtx, uint16_t osn,
                                 OutputBatch* out) {
  // RFC 4588 §4: an RTX packet is the original header, the 2-byte original sequence number and the
  // original payload; padding is not carried over.
  const size_t size = rtx ? view.header_size + 2 + view.payload.size() : packet.size();
  absl::Span<uint8_t> dst = out->Begin(size);
  if (dst.empty()) {
    ++stats.dropped_output_full;
    return false;
  }
  dst = dst.first(size);
  if (rtx) {
    std::memcpy(dst.data(), packet.data(), view.header_size);
    ByteWriter w(dst.subspan(view.header_size));
    w.WriteU16(osn);
    w.WriteBytes(view.payload);
    dst[0] &= static_cast<uint8_t>(~0x20);  // our own copy: clear P, no padding follows
  } else {
    std::memcpy(dst.data(), packet.data(), size);
  }
  rtp::SetRtpSsrc(dst, ssrc);
  rtp::SetRtpSequenceNumber(dst, seq);
  rtp::SetRtpTimestamp(dst, timestamp);
  rtp::SetRtpPayloadType(dst, payload_type);
  if (!layout.Apply(dst, slot.ext_map)) {
    ++stats.dropped_malformed;
    return false;
  }
  RouterOutput o;
  o.kind = OutputKind::kRtp;
  o.peer = sub.id;
  out->Commit(o, size);
  ++stats.rtp_packets_out;
  stats.rtp_bytes_out += size;
  return true;
}

bool Router::State::RequestKeyframe(Instant now, Track* track, uint32_t layer_index, bool fir,
                                    OutputBatch* out) {
  Layer& layer = *track->layers[layer_index];
  if (layer.ssrc == 0) return false;
  if (now - layer.last_keyframe_request < config.keyframe_request_interval) return false;
  Publisher* pub = FindPublisher(track->publisher);
  if (pub == nullptr) return false;
  constexpr size_t kMaxSize = 64;
  absl::Span<uint8_t> dst = out->Begin(kMaxSize);
  if (dst.empty()) {
    ++stats.dropped_output_full;
    return false;
  }
  // RFC 4585 §3.1 / RFC 5506: sent as a compound led by an empty RR, which every peer accepts.
  ByteWriter w(dst.first(kMaxSize));
  rtp::WriteReceiverReport(pub->feedback_ssrc, {}, &w);
  if (fir) {
    // RFC 5104 §4.3.1.2: the sequence number increases with each new request to this SSRC.
    const rtp::FirEntry entry{layer.ssrc, ++layer.fir_seq_nr};
    rtp::WriteFir(pub->feedback_ssrc, absl::MakeConstSpan(&entry, 1), &w);
  } else {
    rtp::WritePli(pub->feedback_ssrc, layer.ssrc, &w);
  }
  if (!w.ok()) return false;
  layer.last_keyframe_request = now;
  RouterOutput o;
  o.kind = OutputKind::kRtcp;
  o.peer = pub->id;
  out->Commit(o, w.position());
  ++stats.rtcp_packets_out;
  if (fir) {
    ++stats.fir_forwarded;
  } else {
    ++stats.pli_forwarded;
  }
  return true;
}

}  // namespace sfu::sfu
