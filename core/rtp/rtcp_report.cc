#include "core/rtp/rtcp_report.h"

#include <algorithm>

namespace sfu::rtp {
namespace {

constexpr int32_t kMaxCumulativeLost = 0x7FFFFF;
constexpr int32_t kMinCumulativeLost = -0x800000;

// Reads RC blocks and what follows them; false if they do not fit.
bool ReadBlocks(ByteReader* r, uint8_t count, absl::Span<const uint8_t>* blocks,
                absl::Span<const uint8_t>* extension) {
  if (!r->ReadSpan(size_t{count} * kReportBlockSize, blocks)) return false;
  *extension = r->ReadRemaining();
  return true;
}

void WriteBlock(const ReportBlock& b, ByteWriter* w) {
  const int32_t lost = std::clamp(b.cumulative_lost, kMinCumulativeLost, kMaxCumulativeLost);
  w->WriteU32(b.ssrc);
  w->WriteU8(b.fraction_lost);
  w->WriteU24(static_cast<uint32_t>(lost) & 0xFFFFFF);  // two's complement, 24 bits
  w->WriteU32(b.extended_highest_seq);
  w->WriteU32(b.jitter);
  w->WriteU32(b.last_sr);
  w->WriteU32(b.delay_since_last_sr);
}

}  // namespace

bool ReportBlockIterator::Next(ReportBlock* out) {
  uint32_t lost24 = 0;
  if (reader_.Remaining() < kReportBlockSize) return false;
  if (!reader_.ReadU32(&out->ssrc) || !reader_.ReadU8(&out->fraction_lost) ||
      !reader_.ReadU24(&lost24) || !reader_.ReadU32(&out->extended_highest_seq) ||
      !reader_.ReadU32(&out->jitter) || !reader_.ReadU32(&out->last_sr) ||
      !reader_.ReadU32(&out->delay_since_last_sr)) {
    return false;
  }
  // Sign-extend the 24-bit field.
  out->cumulative_lost = (lost24 & 0x800000) != 0 ? static_cast<int32_t>(lost24) - 0x1000000
                                                  : static_cast<int32_t>(lost24);
  return true;
}

std::optional<SenderReportView> ParseSenderReport(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpSenderReport) return std::nullopt;
  ByteReader r(packet.body);
  SenderReportView v;
  SenderInfo& info = v.sender_info;
  if (!r.ReadU32(&v.sender_ssrc) || !r.ReadU64(&info.ntp_timestamp) ||
      !r.ReadU32(&info.rtp_timestamp) || !r.ReadU32(&info.packet_count) ||
      !r.ReadU32(&info.octet_count) ||
      !ReadBlocks(&r, packet.count, &v.report_blocks, &v.profile_extension)) {
    return std::nullopt;
  }
  return v;
}

std::optional<ReceiverReportView> ParseReceiverReport(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpReceiverReport) return std::nullopt;
  ByteReader r(packet.body);
  ReceiverReportView v;
  if (!r.ReadU32(&v.sender_ssrc) ||
      !ReadBlocks(&r, packet.count, &v.report_blocks, &v.profile_extension)) {
    return std::nullopt;
  }
  return v;
}

bool WriteSenderReport(uint32_t sender_ssrc, const SenderInfo& info,
                       absl::Span<const ReportBlock> blocks, ByteWriter* w) {
  if (blocks.size() > kRtcpMaxCount) return false;
  RtcpPacketWriter p(w, static_cast<uint8_t>(blocks.size()), kRtcpSenderReport);
  w->WriteU32(sender_ssrc);
  w->WriteU64(info.ntp_timestamp);
  w->WriteU32(info.rtp_timestamp);
  w->WriteU32(info.packet_count);
  w->WriteU32(info.octet_count);
  for (const ReportBlock& b : blocks) WriteBlock(b, w);
  return p.Finish();
}

bool WriteReceiverReport(uint32_t sender_ssrc, absl::Span<const ReportBlock> blocks,
                         ByteWriter* w) {
  if (blocks.size() > kRtcpMaxCount) return false;
  RtcpPacketWriter p(w, static_cast<uint8_t>(blocks.size()), kRtcpReceiverReport);
  w->WriteU32(sender_ssrc);
  for (const ReportBlock& b : blocks) WriteBlock(b, w);
  return p.Finish();
}

}  // namespace sfu::rtp
