#include "metrics/shard_metrics.h"

#include <chrono>

#include "gtest/gtest.h"

namespace sfu::metrics {
namespace {

using std::chrono::milliseconds;

template <typename Stats>
size_t IndexOf(uint64_t Stats::*field) {
  for (size_t i = 0; i < std::size(kStatsSources<Stats>); ++i) {
    if (kStatsSources<Stats>[i].field == field) return i;
  }
  ADD_FAILURE() << "field not in the table";
  return 0;
}

TEST(ShardMetricsTest, BlocksDoNotShareCacheLines) {
  EXPECT_EQ(alignof(ShardMetrics), 64u);
  EXPECT_EQ(sizeof(ShardMetrics) % 64, 0u);
}

TEST(ShardMetricsTest, PublishMirrorsEveryField) {
  ShardMetrics m;
  ::sfu::sfu::ShardStats s;
  s.rtp_in = 7;
  s.drop_srtp_auth = 3;
  s.peers_dtls_connected = 2;
  m.Publish(s);
  using ::sfu::sfu::ShardStats;
  EXPECT_EQ(m.Read<ShardStats>(IndexOf(&ShardStats::rtp_in)), 7u);
  EXPECT_EQ(m.Read<ShardStats>(IndexOf(&ShardStats::drop_srtp_auth)), 3u);
  EXPECT_EQ(m.Read<ShardStats>(IndexOf(&ShardStats::peers_dtls_connected)), 2u);
  EXPECT_EQ(m.Read<ShardStats>(IndexOf(&ShardStats::stun_in)), 0u);
  // A later Publish replaces (the struct holds running totals), and a gauge may go down.
  s.rtp_in = 9;
  s.peers_dtls_connected = 1;
  m.Publish(s);
  EXPECT_EQ(m.Read<ShardStats>(IndexOf(&ShardStats::rtp_in)), 9u);
  EXPECT_EQ(m.Read<ShardStats>(IndexOf(&ShardStats::peers_dtls_connected)), 1u);

  ::sfu::sfu::RouterStats r;
  r.nacks_answered = 5;
  m.Publish(r);
  EXPECT_EQ(m.Read<::sfu::sfu::RouterStats>(IndexOf(&::sfu::sfu::RouterStats::nacks_answered)), 5u);
  ::sfu::net::IoStats io;
  io.tx_messages = 11;
  m.Publish(io);
  EXPECT_EQ(m.Read<::sfu::net::IoStats>(IndexOf(&::sfu::net::IoStats::tx_messages)), 11u);
}

TEST(ShardMetricsTest, LoopTimeAccumulates) {
  ShardMetrics m;
  m.AddLoopTime(milliseconds(3), milliseconds(7));
  m.AddLoopTime(milliseconds(1), milliseconds(0));
  m.AddLoopTime(Duration(-5), milliseconds(1));  // a clock step backwards counts as zero
  EXPECT_EQ(m.busy_ns(), 4'000'000u);
  EXPECT_EQ(m.idle_ns(), 8'000'000u);
  EXPECT_EQ(m.loop_iterations(), 3u);
}

TEST(ShardMetricsTest, HistogramBoundsAreInclusive) {
  ShardMetrics m;
  // kHandshakeBoundsNs starts 5 ms, 10 ms, 25 ms.
  m.ObserveHandshake(milliseconds(5));           // le=0.005
  m.ObserveHandshake(milliseconds(6));           // le=0.01
  m.ObserveHandshake(milliseconds(10));          // le=0.01
  m.ObserveHandshake(std::chrono::seconds(31));  // +Inf
  const ShardHistogram& h = m.histogram(ShardHistogramId::kHandshakeDuration);
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.bucket(1), 2u);
  EXPECT_EQ(h.bucket(2), 0u);
  EXPECT_EQ(h.bucket(std::size(kHandshakeBoundsNs)), 1u);
  EXPECT_EQ(h.raw_sum(), 21'000'000u + 31'000'000'000u);

  m.ObserveReceiveBatch(1);
  m.ObserveReceiveBatch(3);
  m.ObserveReceiveBatch(600);
  const ShardHistogram& rx = m.histogram(ShardHistogramId::kReceiveBatch);
  EXPECT_EQ(rx.bucket(0), 1u);  // le=1
  EXPECT_EQ(rx.bucket(2), 1u);  // le=4
  EXPECT_EQ(rx.bucket(std::size(kBatchBounds)), 1u);
  EXPECT_EQ(rx.raw_sum(), 604u);
}

}  // namespace
}  // namespace sfu::metrics
