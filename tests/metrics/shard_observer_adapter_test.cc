#include "metrics/shard_observer_adapter.h"

#include <chrono>

#include "gtest/gtest.h"
#include "metrics/sfud_collector.h"

namespace sfu::metrics {
namespace {

size_t SourceIndex(MetricId family, std::string_view label) {
  const auto& sources = kStatsSources<::sfu::sfu::ShardStats>;
  for (size_t i = 0; i < std::size(sources); ++i) {
    if (sources[i].exported && sources[i].family == family && sources[i].label == label) return i;
  }
  ADD_FAILURE() << "no source for " << label;
  return 0;
}

uint64_t Count(const ShardHistogram& h) {
  uint64_t n = 0;
  for (size_t b = 0; b <= h.buckets().upper_bounds.size(); ++b) n += h.bucket(b);
  return n;
}

// Each hook the shard loop calls lands in the shard's own ShardMetrics (and nowhere else).
TEST(ShardObserverAdapterTest, EveryHookReachesItsShard) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 2);
  ShardObserverAdapter adapter(collector.shard(1));
  net::ShardObserver& observer = adapter;

  ::sfu::sfu::ShardStats shard;
  shard.rtp_in = 7;
  shard.drop_malformed = 3;
  ::sfu::sfu::RouterStats router;
  router.nacks_received = 5;
  ::sfu::net::IoStats io;
  io.rx_datagrams = 11;
  observer.OnCounters(shard, router, io);
  observer.OnLoopTime(std::chrono::microseconds(300), std::chrono::microseconds(700));
  observer.OnReceiveBatch(4);
  observer.OnSendBatch(9);
  observer.OnForwardLatency(std::chrono::microseconds(40));
  observer.OnHandshake(std::chrono::milliseconds(20));
  ::sfu::sfu::CrossShardStats cross;
  cross.drop_feedback_queue_full = 2;
  observer.OnCrossShardCounters(cross);

  const ShardMetrics& m = collector.shard(1);
  size_t feedback_drops = 0;
  const auto& cross_sources = kStatsSources<::sfu::sfu::CrossShardStats>;
  while (feedback_drops < std::size(cross_sources) &&
         cross_sources[feedback_drops].label != "drop_feedback_queue_full") {
    ++feedback_drops;
  }
  ASSERT_LT(feedback_drops, std::size(cross_sources));
  EXPECT_EQ(cross_sources[feedback_drops].family, MetricId::kCrossShardEvents);
  EXPECT_EQ(m.Read<::sfu::sfu::CrossShardStats>(feedback_drops), 2u);
  EXPECT_EQ(m.Read<::sfu::sfu::ShardStats>(SourceIndex(MetricId::kDatagramsReceived, "rtp")), 7u);
  EXPECT_EQ(m.Read<::sfu::sfu::ShardStats>(SourceIndex(MetricId::kDropped, "malformed")), 3u);
  EXPECT_EQ(m.busy_ns(), 300'000u);
  EXPECT_EQ(m.idle_ns(), 700'000u);
  EXPECT_EQ(m.loop_iterations(), 1u);
  EXPECT_EQ(Count(m.histogram(ShardHistogramId::kReceiveBatch)), 1u);
  EXPECT_EQ(m.histogram(ShardHistogramId::kReceiveBatch).raw_sum(), 4u);
  EXPECT_EQ(m.histogram(ShardHistogramId::kSendBatch).raw_sum(), 9u);
  EXPECT_EQ(m.histogram(ShardHistogramId::kForwardLatency).raw_sum(), 40'000u);
  EXPECT_EQ(m.histogram(ShardHistogramId::kHandshakeDuration).raw_sum(), 20'000'000u);

  // The other shard saw nothing.
  const ShardMetrics& other = collector.shard(0);
  EXPECT_EQ(other.Read<::sfu::sfu::ShardStats>(SourceIndex(MetricId::kDatagramsReceived, "rtp")),
            0u);
  EXPECT_EQ(other.loop_iterations(), 0u);
  EXPECT_EQ(Count(other.histogram(ShardHistogramId::kHandshakeDuration)), 0u);

  // A later publication replaces the mirror (the loop publishes running totals).
  shard.rtp_in = 9;
  observer.OnCounters(shard, router, io);
  EXPECT_EQ(m.Read<::sfu::sfu::ShardStats>(SourceIndex(MetricId::kDatagramsReceived, "rtp")), 9u);
}

}  // namespace
}  // namespace sfu::metrics
