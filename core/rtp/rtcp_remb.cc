#include "core/rtp/rtcp_remb.h"

#include "core/common/byte_reader.h"

namespace sfu::rtp {

uint32_t RembView::ssrc(size_t i) const {
  if (i >= ssrc_count()) return 0;
  ByteReader r(ssrcs.subspan(i * 4, 4));
  uint32_t v = 0;
  return r.ReadU32(&v) ? v : 0;
}

std::optional<RembView> ParseRemb(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpPsfb || packet.count != kPsfbApplicationLayer) {
    return std::nullopt;
  }
  RtcpFeedbackHeader fb;
  if (!ParseFeedbackHeader(packet.body, &fb)) return std::nullopt;
  ByteReader r(fb.fci);
  uint32_t identifier = 0, exp_mantissa = 0;
  uint8_t num_ssrc = 0;
  if (!r.ReadU32(&identifier) || identifier != kRembIdentifier || !r.ReadU8(&num_ssrc) ||
      !r.ReadU24(&exp_mantissa)) {
    return std::nullopt;
  }
  RembView v;
  v.sender_ssrc = fb.sender_ssrc;
  v.bitrate.exponent = static_cast<uint8_t>(exp_mantissa >> 18);
  v.bitrate.mantissa = exp_mantissa & kRembMaxMantissa;
  v.bitrate_bps = DecodeRembBitrate(v.bitrate);
  if (!r.ReadSpan(size_t{num_ssrc} * 4, &v.ssrcs)) return std::nullopt;
  return v;
}

bool WriteRemb(uint32_t sender_ssrc, uint64_t bitrate_bps, absl::Span<const uint32_t> ssrcs,
               ByteWriter* w) {
  if (ssrcs.size() > 255) return false;
  const RembBitrate b = EncodeRembBitrate(bitrate_bps);
  RtcpPacketWriter p(w, kPsfbApplicationLayer, kRtcpPsfb);
  w->WriteU32(sender_ssrc);
  w->WriteU32(0);
  w->WriteU32(kRembIdentifier);
  w->WriteU8(static_cast<uint8_t>(ssrcs.size()));
  w->WriteU24((uint32_t{b.exponent} << 18) | b.mantissa);
  for (uint32_t ssrc : ssrcs) w->WriteU32(ssrc);
  return p.Finish();
}

}  // namespace sfu::rtp
