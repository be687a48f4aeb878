#include "core/rtp/rtcp_psfb.h"

namespace sfu::rtp {
namespace {

constexpr size_t kFirEntrySize = 8;

}  // namespace

std::optional<PliView> ParsePli(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpPsfb || packet.count != kPsfbPli) return std::nullopt;
  RtcpFeedbackHeader fb;
  if (!ParseFeedbackHeader(packet.body, &fb)) return std::nullopt;
  return PliView{fb.sender_ssrc, fb.media_ssrc};  // any FCI is ignored (RFC 4585 §6.3.1.2)
}

bool WritePli(uint32_t sender_ssrc, uint32_t media_ssrc, ByteWriter* w) {
  RtcpPacketWriter p(w, kPsfbPli, kRtcpPsfb);
  w->WriteU32(sender_ssrc);
  w->WriteU32(media_ssrc);
  return p.Finish();
}

bool FirEntryIterator::Next(FirEntry* out) {
  return reader_.Remaining() >= kFirEntrySize && reader_.ReadU32(&out->ssrc) &&
         reader_.ReadU8(&out->seq_nr) && reader_.Skip(3);  // 24 reserved bits
}

std::optional<FirView> ParseFir(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpPsfb || packet.count != kPsfbFir) return std::nullopt;
  RtcpFeedbackHeader fb;
  if (!ParseFeedbackHeader(packet.body, &fb)) return std::nullopt;
  if (fb.fci.empty() || fb.fci.size() % kFirEntrySize != 0) return std::nullopt;
  return FirView{fb.sender_ssrc, fb.media_ssrc, fb.fci};
}

bool WriteFir(uint32_t sender_ssrc, absl::Span<const FirEntry> entries, ByteWriter* w) {
  if (entries.empty()) return false;
  RtcpPacketWriter p(w, kPsfbFir, kRtcpPsfb);
  w->WriteU32(sender_ssrc);
  w->WriteU32(0);
  for (const FirEntry& e : entries) {
    w->WriteU32(e.ssrc);
    w->WriteU8(e.seq_nr);
    w->WriteU24(0);
  }
  return p.Finish();
}

}  // namespace sfu::rtp
