#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sfu::loadgen {

// One outgoing RTP stream of a simulated publisher: an Opus-like audio stream or a VP8-like video
// stream. It numbers packets (RTP sequence number and timestamp, RFC 3550 §5.1, and the probe
// sequence of media_probe.h), writes their bytes, and remembers the last kHistory sent packets'
// metadata so a NACK (RFC 4585 §6.2.1) can be answered by rebuilding the packet byte for byte
// (payload filler is a function of the sequence number, so no payload is stored). A packet is
// planned when its frame is captured and marked sent when it leaves (later if paced: pacer.h);
// its probe carries the send time. Plain value, no allocation. Thread-compatible.
class PublisherStream {
 public:
  enum class Kind : uint8_t { kAudio, kVideo };
  static constexpr size_t kHistory = 1024;
  // VP8 payload descriptor (1 byte, RFC 7741 §4.2), and on a frame's first packet the VP8 payload
  // header (3 bytes, §4.3) plus, for a key frame, the start code and dimensions (7 bytes, RFC
  // 6386 §9.1): the least a payload needs for an SFU to recognise key frames.
  static constexpr size_t kMinVideoPayload = 1 + 3 + 7 + 20;
  static constexpr size_t kMinAudioPayload = 1 + 20;

  struct Packet {
    uint16_t sequence_number = 0;
    uint32_t timestamp = 0;
    uint32_t probe_sequence = 0;
    int64_t send_ns = 0;  // set by MarkSent; the probe's send time
    uint16_t payload_size = 0;
    bool marker = false;
    bool frame_start = false;
    bool keyframe = false;
  };

  PublisherStream(Kind kind, uint32_t ssrc, uint8_t payload_type, uint32_t stream_id,
                  uint16_t first_sequence, uint32_t first_timestamp);

  // Plans the packets of one frame captured at `capture_ns` (an audio frame is one packet):
  // splits `frame_bytes` of payload into packets of at most `max_payload` bytes, numbers them,
  // advances the RTP timestamp by `timestamp_step` afterwards and writes them to `out`. Returns
  // how many were planned (at most out.size()). Each is then sent with MarkSent, in order.
  size_t PlanFrame(int64_t capture_ns, size_t frame_bytes, size_t max_payload, bool keyframe,
                   uint32_t timestamp_step, absl::Span<Packet> out);
  // A planned packet's first transmission at `send_ns`: stamps its send time, records it in the
  // history (what Find returns) and counts it for sender reports.
  void MarkSent(Packet& packet, int64_t send_ns);
  // Writes the plaintext RTP packet into `out`; returns its size, 0 if `out` is too small.
  size_t Write(const Packet& packet, absl::Span<uint8_t> out) const;
  // The packet with this RTP sequence number if it is still in the history.
  const Packet* Find(uint16_t sequence_number) const;

  Kind kind() const { return kind_; }
  uint32_t ssrc() const { return ssrc_; }
  uint8_t payload_type() const { return payload_type_; }
  uint32_t clock_rate() const { return kind_ == Kind::kAudio ? 48000 : 90000; }
  // For sender reports (RFC 3550 §6.4.1): what has been sent (retransmissions excluded, packets
  // still in a pacer too).
  uint32_t packets_sent() const { return packets_sent_; }
  uint32_t octets_sent() const { return octets_sent_; }
  // The RTP timestamp the next frame will carry and the capture time of the last frame (which
  // the RTP timestamp of a sender report is extrapolated from).
  uint32_t next_timestamp() const { return timestamp_; }
  int64_t last_capture_ns() const { return last_capture_ns_; }
  uint32_t last_frame_timestamp() const { return last_frame_timestamp_; }

 private:
  Kind kind_;
  uint32_t ssrc_;
  uint8_t payload_type_;
  uint32_t stream_id_;
  uint16_t sequence_number_;
  uint32_t timestamp_;
  uint32_t last_frame_timestamp_;
  uint32_t probe_sequence_ = 0;
  uint32_t packets_sent_ = 0;
  uint32_t octets_sent_ = 0;
  int64_t last_capture_ns_ = 0;
  std::array<Packet, kHistory> history_{};
  std::array<bool, kHistory> history_valid_{};
};

}  // namespace sfu::loadgen
