#include "core/rtp/rtcp_bye.h"

#include "core/common/byte_reader.h"

namespace sfu::rtp {

uint32_t ByeView::ssrc(size_t i) const {
  if (i >= ssrc_count()) return 0;
  ByteReader r(ssrcs.subspan(i * 4, 4));
  uint32_t v = 0;
  return r.ReadU32(&v) ? v : 0;
}

std::optional<ByeView> ParseBye(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpBye) return std::nullopt;
  ByteReader r(packet.body);
  ByeView v;
  if (!r.ReadSpan(size_t{packet.count} * 4, &v.ssrcs)) return std::nullopt;
  // RFC 3550 §6.6: the reason, if present, is a length octet and text; zero padding follows. A
  // first byte of 0 after the SSRCs is padding, not a reason.
  uint8_t length = 0;
  if (!r.empty() && (!r.ReadU8(&length) || !r.ReadSpan(length, &v.reason))) return std::nullopt;
  return v;
}

bool WriteBye(absl::Span<const uint32_t> ssrcs, std::string_view reason, ByteWriter* w) {
  if (ssrcs.size() > kRtcpMaxCount || reason.size() > 255) return false;
  RtcpPacketWriter p(w, static_cast<uint8_t>(ssrcs.size()), kRtcpBye);
  for (uint32_t ssrc : ssrcs) w->WriteU32(ssrc);
  if (!reason.empty()) {
    w->WriteU8(static_cast<uint8_t>(reason.size()));
    w->WriteBytes(
        absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(reason.data()), reason.size()));
  }
  return p.Finish();
}

}  // namespace sfu::rtp
