#include "bench/loadgen/publisher_stream.h"

#include <algorithm>

#include "bench/loadgen/media_probe.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtp_packet.h"

namespace sfu::loadgen {
namespace {

// 640x360, no scaling (RFC 6386 §9.1: 14-bit width/height, 2-bit scale, little endian).
constexpr uint16_t kVp8Width = 640;
constexpr uint16_t kVp8Height = 360;

}  // namespace

PublisherStream::PublisherStream(Kind kind, uint32_t ssrc, uint8_t payload_type, uint32_t stream_id,
                                 uint16_t first_sequence, uint32_t first_timestamp)
    : kind_(kind),
      ssrc_(ssrc),
      payload_type_(payload_type),
      stream_id_(stream_id),
      sequence_number_(first_sequence),
      timestamp_(first_timestamp),
      last_frame_timestamp_(first_timestamp) {}

size_t PublisherStream::PlanFrame(int64_t capture_ns, size_t frame_bytes, size_t max_payload,
                                  bool keyframe, uint32_t timestamp_step, absl::Span<Packet> out) {
  const size_t min_payload = kind_ == Kind::kAudio ? kMinAudioPayload : kMinVideoPayload;
  max_payload = std::max(max_payload, min_payload);
  frame_bytes = std::max(frame_bytes, min_payload);
  size_t count = (frame_bytes + max_payload - 1) / max_payload;
  count = std::min(count, out.size());
  if (count == 0) return 0;
  // Even split: an encoder's packetizer balances a frame's packets the same way.
  const size_t base = frame_bytes / count;
  size_t extra = frame_bytes % count;
  for (size_t i = 0; i < count; ++i) {
    Packet& p = out[i];
    p.sequence_number = sequence_number_++;
    p.timestamp = timestamp_;
    p.probe_sequence = probe_sequence_++;
    p.send_ns = capture_ns;  // until MarkSent
    size_t size = base + (extra > 0 ? 1 : 0);
    if (extra > 0) --extra;
    p.payload_size = static_cast<uint16_t>(std::max(size, min_payload));
    p.frame_start = i == 0;
    p.marker = kind_ == Kind::kVideo ? i + 1 == count : false;
    p.keyframe = keyframe;
  }
  last_frame_timestamp_ = timestamp_;
  timestamp_ += timestamp_step;
  last_capture_ns_ = capture_ns;
  return count;
}

void PublisherStream::MarkSent(Packet& packet, int64_t send_ns) {
  packet.send_ns = send_ns;
  history_[packet.sequence_number % kHistory] = packet;
  history_valid_[packet.sequence_number % kHistory] = true;
  ++packets_sent_;
  octets_sent_ += packet.payload_size;
}

size_t PublisherStream::Write(const Packet& packet, absl::Span<uint8_t> out) const {
  const size_t header = rtp::kRtpFixedHeaderSize;
  if (out.size() < header + packet.payload_size) return 0;
  absl::Span<uint8_t> payload = out.subspan(header, packet.payload_size);
  const size_t filler_end = payload.size() - MediaProbe::kSize;
  ByteWriter w(payload.subspan(0, filler_end));
  if (kind_ == Kind::kAudio) {
    // An Opus TOC byte (RFC 6716 §3.1): config 31 (CELT FB 20 ms), mono, one frame.
    w.WriteU8(0xF8);
  } else {
    w.WriteU8(packet.frame_start ? 0x10 : 0x00);  // RFC 7741 §4.2: S=1 on the first packet
    if (packet.frame_start) {
      // RFC 7741 §4.3 / RFC 6386 §9.1: P (bit 0) clear for a key frame, version 0, show_frame.
      w.WriteU8(packet.keyframe ? 0x10 : 0x11);
      w.WriteU8(0x00);
      w.WriteU8(0x00);
      if (packet.keyframe) {
        w.WriteU8(0x9D);
        w.WriteU8(0x01);
        w.WriteU8(0x2A);
        w.WriteU8(kVp8Width & 0xFF);
        w.WriteU8(kVp8Width >> 8);
        w.WriteU8(kVp8Height & 0xFF);
        w.WriteU8(kVp8Height >> 8);
      }
    }
  }
  // Filler that depends only on the sequence number, so a retransmission is byte-identical.
  const uint8_t fill = static_cast<uint8_t>(packet.sequence_number);
  while (w.position() < filler_end) {
    if (!w.WriteU8(fill)) break;
  }
  MediaProbe probe{stream_id_, packet.probe_sequence, packet.send_ns};
  if (!probe.WriteTo(payload.subspan(filler_end))) return 0;

  rtp::RtpPacketSpec spec;
  spec.marker = packet.marker;
  spec.payload_type = payload_type_;
  spec.sequence_number = packet.sequence_number;
  spec.timestamp = packet.timestamp;
  spec.ssrc = ssrc_;
  // The payload is already in place after the header: write the header only.
  ByteWriter hw(out.subspan(0, header));
  if (!rtp::WriteRtpPacket(spec, &hw) || hw.position() != header) return 0;
  return header + packet.payload_size;
}

const PublisherStream::Packet* PublisherStream::Find(uint16_t sequence_number) const {
  const size_t slot = sequence_number % kHistory;
  if (!history_valid_[slot] || history_[slot].sequence_number != sequence_number) return nullptr;
  return &history_[slot];
}

}  // namespace sfu::loadgen
