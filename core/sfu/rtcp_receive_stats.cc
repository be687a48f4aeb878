#include "core/sfu/rtcp_receive_stats.h"

#include <algorithm>

namespace sfu::sfu {

int64_t DurationToRtpTicks(Duration d, uint32_t clock_rate) {
  const int64_t ns = d.count();
  constexpr int64_t kNanosPerSecond = 1'000'000'000;
  int64_t seconds = ns / kNanosPerSecond;
  int64_t rest = ns % kNanosPerSecond;
  if (rest < 0) {
    rest += kNanosPerSecond;
    --seconds;
  }
  return seconds * clock_rate + rest * clock_rate / kNanosPerSecond;
}

void ReceiveStatistics::OnPacket(int64_t index, uint32_t rtp_timestamp, Instant arrival,
                                 bool update_jitter) {
  if (!started_) {
    started_ = true;
    base_ = index;
    highest_ = index;
    first_arrival_ = arrival;
  }
  ++received_;
  base_ = std::min(base_, index);  // a reordered first packet moves the base back
  highest_ = std::max(highest_, index);
  if (!update_jitter) return;
  // RFC 3550 A.8: transit = arrival - timestamp in RTP units; D = transit - previous transit;
  // J += (|D| - J) / 16, kept as 16*J in integers. The timestamp is taken modulo 2^32 against
  // the arrival clock, so only differences of transit are meaningful, which is all A.8 uses.
  const int64_t arrival_ticks = DurationToRtpTicks(arrival - first_arrival_, clock_rate_);
  const int64_t transit =
      static_cast<int64_t>(static_cast<uint32_t>(arrival_ticks) - rtp_timestamp);
  if (have_transit_) {
    int64_t d = static_cast<int32_t>(static_cast<uint32_t>(transit - transit_));
    if (d < 0) d = -d;
    jitter_q4_ += d - ((jitter_q4_ + 8) >> 4);
  }
  transit_ = transit;
  have_transit_ = true;
}

void ReceiveStatistics::FillReportBlock(rtp::ReportBlock* block) {
  const int64_t expected = this->expected();
  const int64_t lost = expected - received_;
  const int64_t expected_interval = expected - expected_prior_;
  const int64_t received_interval = received_ - received_prior_;
  const int64_t lost_interval = expected_interval - received_interval;
  expected_prior_ = expected;
  received_prior_ = received_;
  // RFC 3550 A.3: 8-bit fixed point; duplicates can make the interval's loss negative: report 0.
  block->fraction_lost =
      (expected_interval <= 0 || lost_interval <= 0)
          ? 0
          : static_cast<uint8_t>(std::min<int64_t>(255, (lost_interval << 8) / expected_interval));
  block->cumulative_lost =
      static_cast<int32_t>(std::clamp<int64_t>(lost, -(int64_t{1} << 23), (1 << 23) - 1));
  block->extended_highest_seq = static_cast<uint32_t>(highest_);
  block->jitter = jitter();
}

}  // namespace sfu::sfu
