#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {
namespace {

constexpr uint8_t kVersion = 2;
constexpr uint8_t kPaddingBit = 0x20;
constexpr uint8_t kCountMask = 0x1F;

}  // namespace

bool RtcpCompoundIterator::Next(RtcpPacketView* out) {
  if (malformed_ || reader_.empty()) return false;
  const absl::Span<const uint8_t> rest = reader_.remaining_view();
  uint8_t b0 = 0;
  uint16_t length_words = 0;
  if (!reader_.ReadU8(&b0) || !reader_.ReadU8(&out->packet_type) ||
      !reader_.ReadU16(&length_words)) {
    return Fail();
  }
  if ((b0 >> 6) != kVersion) return Fail();
  const size_t body_size = size_t{length_words} * 4;
  absl::Span<const uint8_t> body;
  if (!reader_.ReadSpan(body_size, &body)) return Fail();  // length beyond the datagram
  out->count = b0 & kCountMask;
  out->packet = rest.first(kRtcpHeaderSize + body_size);
  if ((b0 & kPaddingBit) != 0) {
    if (!reader_.empty()) return Fail();  // padding on a packet that is not the last
    if (body.empty()) return Fail();
    ByteReader last(body.subspan(body.size() - 1));
    uint8_t padding = 0;
    if (!last.ReadU8(&padding) || padding == 0 || padding > body.size()) return Fail();
    body = body.first(body.size() - padding);
  }
  out->body = body;
  return true;
}

RtcpKind ClassifyRtcp(const RtcpPacketView& p) {
  switch (p.packet_type) {
    case kRtcpSenderReport:
      return RtcpKind::kSenderReport;
    case kRtcpReceiverReport:
      return RtcpKind::kReceiverReport;
    case kRtcpSdes:
      return RtcpKind::kSdes;
    case kRtcpBye:
      return RtcpKind::kBye;
    case kRtcpApp:
      return RtcpKind::kApp;
    case kRtcpRtpfb:
      if (p.count == kRtpfbNack) return RtcpKind::kNack;
      if (p.count == kRtpfbTransportCc) return RtcpKind::kTransportCc;
      return RtcpKind::kUnknown;
    case kRtcpPsfb:
      if (p.count == kPsfbPli) return RtcpKind::kPli;
      if (p.count == kPsfbFir) return RtcpKind::kFir;
      if (p.count == kPsfbApplicationLayer) {
        ByteReader r(p.body);
        uint32_t identifier = 0;
        if (r.Skip(8) && r.ReadU32(&identifier) && identifier == kRembIdentifier) {
          return RtcpKind::kRemb;
        }
      }
      return RtcpKind::kUnknown;
    default:
      return RtcpKind::kUnknown;
  }
}

RtcpPacketWriter::RtcpPacketWriter(ByteWriter* w, uint8_t count, uint8_t packet_type)
    : w_(w), start_(w->position()) {
  w_->WriteU8(static_cast<uint8_t>((kVersion << 6) | (count & kCountMask)));
  w_->WriteU8(packet_type);
  w_->WriteU16(0);  // length, patched by Finish()
}

bool RtcpPacketWriter::Finish() {
  if (!w_->ok()) return false;
  const size_t size = w_->position() - start_;
  w_->WriteZeros((4 - size % 4) % 4);
  const size_t words = (w_->position() - start_) / 4 - 1;
  return w_->PatchU16(start_ + 2, words) && w_->ok();
}

bool ParseFeedbackHeader(absl::Span<const uint8_t> body, RtcpFeedbackHeader* out) {
  ByteReader r(body);
  if (!r.ReadU32(&out->sender_ssrc) || !r.ReadU32(&out->media_ssrc)) return false;
  out->fci = r.ReadRemaining();
  return true;
}

}  // namespace sfu::rtp
