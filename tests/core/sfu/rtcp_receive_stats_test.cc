#include "core/sfu/rtcp_receive_stats.h"

#include <chrono>
#include <cstdint>

#include "core/rtp/seq_num.h"
#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

using std::chrono::milliseconds;

// RFC 3550 A.8 on a hand-worked pattern: an 8 kHz clock, 20 ms packets (160 ticks), the third
// arriving 5 ms late. Transit times 0, 0, 40, 0, 0 ticks give |D| = 0, 40, 40, 0 and
// J = 0, 2.5, 4.84, 4.54 with J += (|D| - J) / 16, so the report carries 4.
TEST(ReceiveStatisticsTest, JitterOnSyntheticArrivals) {
  ReceiveStatistics stats(8000);
  const Instant t0 = Instant() + milliseconds(5000);
  const int arrival_ms[] = {0, 20, 45, 60, 80};
  for (int i = 0; i < 5; ++i) {
    stats.OnPacket(100 + i, 1000 + 160 * i, t0 + milliseconds(arrival_ms[i]), true);
  }
  EXPECT_EQ(stats.jitter(), 4u);
  // Retransmissions do not feed the estimate.
  stats.OnPacket(105, 1000, t0 + milliseconds(900), false);
  EXPECT_EQ(stats.jitter(), 4u);
}

TEST(ReceiveStatisticsTest, PerfectlyPacedStreamHasNoJitter) {
  ReceiveStatistics stats(90000);
  const Instant t0 = Instant() + milliseconds(1);
  for (int i = 0; i < 50; ++i) {
    stats.OnPacket(i, 3000u * i, t0 + std::chrono::microseconds(33333) * i, true);
  }
  EXPECT_LE(stats.jitter(), 1u);
}

// RFC 3550 A.3: 10 expected, 8 received -> fraction 2*256/10 = 51, cumulative 2; the next
// interval receives one of the missing packets late (more than expected): fraction 0.
TEST(ReceiveStatisticsTest, FractionAndCumulativeLostAcrossWrap) {
  ReceiveStatistics stats(90000);
  rtp::SeqNumUnwrapper unwrapper;
  const Instant t = Instant() + milliseconds(1);
  uint16_t first = 65530;
  for (int i = 0; i < 10; ++i) {
    if (i == 3 || i == 7) continue;
    stats.OnPacket(unwrapper.Unwrap(static_cast<uint16_t>(first + i)), 0, t, true);
  }
  rtp::ReportBlock block;
  stats.FillReportBlock(&block);
  EXPECT_EQ(block.fraction_lost, 51);
  EXPECT_EQ(block.cumulative_lost, 2);
  // Highest is 65530 + 9 = 65539 = one cycle plus 3 (RFC 3550 §6.4.1 extended highest).
  EXPECT_EQ(block.extended_highest_seq, 0x10003u);
  for (int i = 10; i < 20; ++i) {
    stats.OnPacket(unwrapper.Unwrap(static_cast<uint16_t>(first + i)), 0, t, true);
  }
  stats.OnPacket(unwrapper.Unwrap(static_cast<uint16_t>(first + 3)), 0, t, true);
  stats.FillReportBlock(&block);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 1);
  EXPECT_EQ(block.extended_highest_seq, 0x1000Du);
}

TEST(ReceiveStatisticsTest, TicksConversion) {
  EXPECT_EQ(DurationToRtpTicks(milliseconds(1000), 90000), 90000);
  EXPECT_EQ(DurationToRtpTicks(milliseconds(20), 48000), 960);
  EXPECT_EQ(DurationToRtpTicks(std::chrono::hours(24 * 30), 90000), int64_t{90000} * 86400 * 30);
  EXPECT_EQ(DurationToRtpTicks(milliseconds(-10), 1000), -10);
}

}  // namespace
}  // namespace sfu::sfu
