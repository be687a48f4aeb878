#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

inline constexpr size_t kReportBlockSize = 24;

// One reception report block (RFC 3550 §6.4.1). Parsed values are what the reporter wrote.
struct ReportBlock {
  uint32_t ssrc = 0;            // the source this block reports on
  uint8_t fraction_lost = 0;    // fixed point, /256
  int32_t cumulative_lost = 0;  // signed 24 bits (negative with duplicates, RFC 3550 §6.4.1)
  uint32_t extended_highest_seq = 0;
  uint32_t jitter = 0;               // RTP timestamp units
  uint32_t last_sr = 0;              // middle 32 bits of the last SR's NTP timestamp
  uint32_t delay_since_last_sr = 0;  // units of 1/65536 s
};

// Walks `count` report blocks of 24 bytes. The parsers below have already checked that they fit,
// so Next fails only at the end. Thread-compatible; a view.
class ReportBlockIterator {
 public:
  ReportBlockIterator() = default;
  explicit ReportBlockIterator(absl::Span<const uint8_t> blocks) : reader_(blocks) {}
  bool Next(ReportBlock* out);

 private:
  ByteReader reader_;
};

// RFC 3550 §6.4.1 sender info.
struct SenderInfo {
  uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
};

// SR (RFC 3550 §6.4.1) and RR (§6.4.2). Views into the datagram (lifetime as RtcpPacketView).
struct SenderReportView {
  uint32_t sender_ssrc = 0;
  SenderInfo sender_info;
  absl::Span<const uint8_t> report_blocks;      // report_count() * 24 bytes
  absl::Span<const uint8_t> profile_extension;  // whatever follows the blocks
  size_t report_count() const { return report_blocks.size() / kReportBlockSize; }
  ReportBlockIterator blocks() const { return ReportBlockIterator(report_blocks); }
};
struct ReceiverReportView {
  uint32_t sender_ssrc = 0;
  absl::Span<const uint8_t> report_blocks;
  absl::Span<const uint8_t> profile_extension;
  size_t report_count() const { return report_blocks.size() / kReportBlockSize; }
  ReportBlockIterator blocks() const { return ReportBlockIterator(report_blocks); }
};

// nullopt if the packet is not an SR/RR or its RC blocks do not fit its length.
std::optional<SenderReportView> ParseSenderReport(const RtcpPacketView& packet);
std::optional<ReceiverReportView> ParseReceiverReport(const RtcpPacketView& packet);

// At most 31 blocks (the RC field); cumulative_lost is clamped to the signed 24-bit range.
bool WriteSenderReport(uint32_t sender_ssrc, const SenderInfo& info,
                       absl::Span<const ReportBlock> blocks, ByteWriter* w);
bool WriteReceiverReport(uint32_t sender_ssrc, absl::Span<const ReportBlock> blocks, ByteWriter* w);

}  // namespace sfu::rtp
