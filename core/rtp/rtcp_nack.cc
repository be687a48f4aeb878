#include "core/rtp/rtcp_nack.h"

namespace sfu::rtp {

bool NackLostIterator::Next(uint16_t* seq) {
  for (;;) {
    if (next_bit_ == -1) {
      next_bit_ = 0;
      *seq = pid_;
      return true;
    }
    while (next_bit_ < 16) {
      const int bit = next_bit_++;
      if ((blp_ >> bit) & 1) {
        *seq = static_cast<uint16_t>(pid_ + bit + 1);
        return true;
      }
    }
    if (!reader_.ReadU16(&pid_) || !reader_.ReadU16(&blp_)) return false;
    next_bit_ = -1;
  }
}

std::optional<NackView> ParseNack(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpRtpfb || packet.count != kRtpfbNack) return std::nullopt;
  RtcpFeedbackHeader fb;
  if (!ParseFeedbackHeader(packet.body, &fb)) return std::nullopt;
  if (fb.fci.empty() || fb.fci.size() % 4 != 0) return std::nullopt;
  return NackView{fb.sender_ssrc, fb.media_ssrc, fb.fci};
}

size_t ExpandNack(const NackView& nack, absl::Span<uint16_t> out) {
  NackLostIterator it = nack.lost();
  size_t n = 0;
  uint16_t seq = 0;
  while (n < out.size() && it.Next(&seq)) out[n++] = seq;
  return n;
}

bool WriteNack(uint32_t sender_ssrc, uint32_t media_ssrc, absl::Span<const uint16_t> lost,
               ByteWriter* w) {
  if (lost.empty()) return false;
  RtcpPacketWriter p(w, kRtpfbNack, kRtcpRtpfb);
  w->WriteU32(sender_ssrc);
  w->WriteU32(media_ssrc);
  size_t i = 0;
  while (i < lost.size()) {
    const uint16_t pid = lost[i++];
    uint16_t blp = 0;
    // Fold every following number that falls in this entry's 16-bit window.
    while (i < lost.size()) {
      const uint16_t distance = static_cast<uint16_t>(lost[i] - pid);
      if (distance > 16) break;
      if (distance > 0) blp = static_cast<uint16_t>(blp | (1u << (distance - 1)));
      ++i;
    }
    w->WriteU16(pid);
    w->WriteU16(blp);
  }
  return p.Finish();
}

}  // namespace sfu::rtp
