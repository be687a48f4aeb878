#include "metrics/sfud_collector.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sfu::metrics {
namespace {

using Labels = std::vector<prometheus::ClientMetric::Label>;

const prometheus::MetricFamily* FindFamily(const std::vector<prometheus::MetricFamily>& families,
                                           std::string_view name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<prometheus::ClientMetric> FindSeries(
    const std::vector<prometheus::MetricFamily>& families, std::string_view name,
    const Labels& labels) {
  const prometheus::MetricFamily* f = FindFamily(families, name);
  if (f == nullptr) return std::nullopt;
  for (const auto& m : f->metric) {
    if (m.label == labels) return m;
  }
  return std::nullopt;
}

double CounterValue(const std::vector<prometheus::MetricFamily>& families, std::string_view name,
                    const Labels& labels = {}) {
  auto m = FindSeries(families, name, labels);
  EXPECT_TRUE(m.has_value()) << name;
  return m ? m->counter.value : -1;
}

double GaugeValue(const std::vector<prometheus::MetricFamily>& families, std::string_view name,
                  const Labels& labels = {}) {
  auto m = FindSeries(families, name, labels);
  EXPECT_TRUE(m.has_value()) << name;
  return m ? m->gauge.value : -1;
}

TEST(SfudCollectorTest, SumsCountersOverShards) {
  SfudCollector collector(BuildInfo{"1.2.3", "abc", "clang 14.0.6"}, 2);
  ::sfu::sfu::ShardStats a, b;
  a.rtp_in = 100;
  a.rtp_bytes_in = 120'000;
  a.stun_in = 4;
  a.drop_srtp_auth = 1;
  a.handshakes_failed_timeout = 2;
  a.peers_dtls_connected = 3;
  b.rtp_in = 50;
  b.rtp_bytes_in = 60'000;
  b.drop_srtp_auth = 5;
  b.drop_malformed = 7;
  b.peers_dtls_connected = 1;
  collector.shard(0).Publish(a);
  collector.shard(1).Publish(b);
  ::sfu::sfu::RouterStats ra, rb;
  ra.nacks_received = 10;
  ra.pli_forwarded = 1;
  rb.nacks_received = 5;
  rb.fir_forwarded = 2;
  rb.dropped_malformed = 1;
  collector.shard(0).Publish(ra);
  collector.shard(1).Publish(rb);

  const auto families = collector.Collect();
  EXPECT_EQ(CounterValue(families, "sfud_datagrams_received_total", {{"kind", "rtp"}}), 150);
  EXPECT_EQ(CounterValue(families, "sfud_datagrams_received_total", {{"kind", "stun"}}), 4);
  EXPECT_EQ(CounterValue(families, "sfud_datagrams_received_total", {{"kind", "dtls"}}), 0);
  EXPECT_EQ(CounterValue(families, "sfud_received_bytes_total", {{"kind", "rtp"}}), 180'000);
  EXPECT_EQ(CounterValue(families, "sfud_dropped_packets_total", {{"reason", "srtp_auth"}}), 6);
  EXPECT_EQ(CounterValue(families, "sfud_dropped_packets_total", {{"reason", "malformed"}}), 7);
  EXPECT_EQ(CounterValue(families, "sfud_dropped_packets_total", {{"reason", "rtp_malformed"}}), 1);
  EXPECT_EQ(CounterValue(families, "sfud_dtls_handshakes_failed_total", {{"reason", "timeout"}}),
            2);
  EXPECT_EQ(GaugeValue(families, "sfud_peers", {{"state", "dtls_connected"}}), 4);
  EXPECT_EQ(CounterValue(families, "sfud_nacks_received_total"), 15);
  EXPECT_EQ(CounterValue(families, "sfud_keyframe_requests_forwarded_total", {{"type", "pli"}}), 1);
  EXPECT_EQ(CounterValue(families, "sfud_keyframe_requests_forwarded_total", {{"type", "fir"}}), 2);
  EXPECT_EQ(GaugeValue(families, "sfud_build_info",
                       {{"version", "1.2.3"}, {"commit", "abc"}, {"compiler", "clang 14.0.6"}}),
            1);

  const prometheus::MetricFamily* drops = FindFamily(families, "sfud_dropped_packets_total");
  ASSERT_NE(drops, nullptr);
  EXPECT_EQ(drops->type, prometheus::MetricType::Counter);
  EXPECT_FALSE(drops->help.empty());
}

TEST(SfudCollectorTest, LoopTimeIsPerShard) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 2);
  collector.shard(0).AddLoopTime(std::chrono::milliseconds(250), std::chrono::milliseconds(750));
  collector.shard(1).AddLoopTime(std::chrono::milliseconds(900), std::chrono::milliseconds(100));
  const auto families = collector.Collect();
  EXPECT_DOUBLE_EQ(CounterValue(families, "sfud_shard_busy_seconds_total", {{"shard", "0"}}), 0.25);
  EXPECT_DOUBLE_EQ(CounterValue(families, "sfud_shard_busy_seconds_total", {{"shard", "1"}}), 0.9);
  EXPECT_DOUBLE_EQ(CounterValue(families, "sfud_shard_idle_seconds_total", {{"shard", "0"}}), 0.75);
  EXPECT_DOUBLE_EQ(CounterValue(families, "sfud_shard_idle_seconds_total", {{"shard", "1"}}), 0.1);
  EXPECT_EQ(CounterValue(families, "sfud_shard_loop_iterations_total", {{"shard", "1"}}), 1);
  EXPECT_EQ(FindFamily(families, "sfud_shard_busy_seconds_total")->metric.size(), 2u);
}

// Worked by hand: shard 0 observes 3 ms, 7 ms, 40 ms; shard 1 observes 5 ms, 2 s, 60 s.
// Per bucket (le): 0.005: {3,5}=2, 0.01: {7}=1, 0.025: 0, 0.05: {40}=1, ..., 2.5: {2 s}=1,
// +Inf: {60 s}=1. Cumulative: 2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 6. Sum = 62.055 s.
TEST(SfudCollectorTest, HistogramsMergeBucketByBucket) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 2);
  using std::chrono::milliseconds;
  for (int ms : {3, 7, 40}) collector.shard(0).ObserveHandshake(milliseconds(ms));
  for (int ms : {5, 2000, 60000}) collector.shard(1).ObserveHandshake(milliseconds(ms));
  const auto families = collector.Collect();
  const prometheus::MetricFamily* f = FindFamily(families, "sfud_dtls_handshake_duration_seconds");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, prometheus::MetricType::Histogram);
  ASSERT_EQ(f->metric.size(), 1u);
  const auto& h = f->metric[0].histogram;
  const std::vector<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,    0.5,
                                      1,     2.5,  5,     10,   30,  INFINITY};
  const std::vector<uint64_t> cumulative = {2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 6};
  ASSERT_EQ(h.bucket.size(), bounds.size());
  for (size_t i = 0; i < bounds.size(); ++i) {
    EXPECT_EQ(h.bucket[i].upper_bound, bounds[i]) << i;
    EXPECT_EQ(h.bucket[i].cumulative_count, cumulative[i]) << i;
  }
  EXPECT_EQ(h.sample_count, 6u);
  EXPECT_NEAR(h.sample_sum, 62.055, 1e-9);
}

TEST(SfudCollectorTest, MergeOfNoObservationsIsAllZero) {
  ShardMetrics a, b;
  const ShardHistogram* parts[] = {&a.histogram(ShardHistogramId::kForwardLatency),
                                   &b.histogram(ShardHistogramId::kForwardLatency)};
  const auto h = MergeHistograms(parts);
  EXPECT_EQ(h.bucket.size(), std::size(kForwardLatencyBoundsNs) + 1);
  EXPECT_EQ(h.sample_count, 0u);
  EXPECT_EQ(h.sample_sum, 0);
  EXPECT_TRUE(std::isinf(h.bucket.back().upper_bound));
}

TEST(SfudCollectorTest, ControlGauges) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 1);
  collector.control().SetSessions({{"publisher", "connected", 2},
                                   {"subscriber", "connected", 5},
                                   {"subscriber", "connecting", 1}});
  collector.control().SetRooms(2);
  collector.control().CountHttpRequest("/whip/{room}", 201);
  collector.control().CountHttpRequest("/whip/{room}", 201);
  collector.control().CountHttpRequest("/whep/{room}", 400);
  auto families = collector.Collect();
  EXPECT_EQ(GaugeValue(families, "sfud_sessions", {{"role", "subscriber"}, {"state", "connected"}}),
            5);
  EXPECT_EQ(GaugeValue(families, "sfud_rooms"), 2);
  EXPECT_EQ(CounterValue(families, "sfud_http_requests_total",
                         {{"route", "/whip/{room}"}, {"status", "201"}}),
            2);
  EXPECT_EQ(CounterValue(families, "sfud_http_requests_total",
                         {{"route", "/whep/{room}"}, {"status", "400"}}),
            1);

  // A state that empties reports 0 instead of keeping its last value.
  collector.control().SetSessions({{"publisher", "connected", 1}});
  families = collector.Collect();
  EXPECT_EQ(
      GaugeValue(families, "sfud_sessions", {{"role", "subscriber"}, {"state", "connecting"}}), 0);
  EXPECT_EQ(GaugeValue(families, "sfud_sessions", {{"role", "publisher"}, {"state", "connected"}}),
            1);
}

TEST(SfudCollectorTest, HttpSeriesAreBounded) {
  ControlMetrics control;
  for (int i = 0; i < 1000; ++i) control.CountHttpRequest("/r" + std::to_string(i), 200);
  const auto series = control.http_requests();
  EXPECT_LE(series.size(), ControlMetrics::kMaxHttpSeries + 1);
  uint64_t total = 0;
  for (const auto& [key, count] : series) total += count;
  EXPECT_EQ(total, 1000u);
}

TEST(SfudCollectorTest, EmptyFamiliesAreOmittedOthersAlwaysPresent) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 1);
  const auto families = collector.Collect();
  EXPECT_EQ(FindFamily(families, "sfud_http_requests_total"), nullptr);
  EXPECT_EQ(FindFamily(families, "sfud_sessions"), nullptr);
  EXPECT_NE(FindFamily(families, "sfud_rooms"), nullptr);
  EXPECT_NE(FindFamily(families, "sfud_forward_latency_seconds"), nullptr);
  EXPECT_NE(FindFamily(families, "sfud_io_wakeups_total"), nullptr);
}

// The active AES-GCM implementation is one series, value 1, named by its label; before the daemon
// has resolved it the family is absent rather than wrong.
TEST(SfudCollectorTest, GcmImplementationInfo) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 1);
  EXPECT_EQ(FindFamily(collector.Collect(), "sfud_srtp_gcm_implementation_info"), nullptr);
  collector.set_gcm_implementation("vaes512");
  auto families = collector.Collect();
  const prometheus::MetricFamily* f = FindFamily(families, "sfud_srtp_gcm_implementation_info");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, prometheus::MetricType::Gauge);
  ASSERT_EQ(f->metric.size(), 1u);
  EXPECT_EQ(
      GaugeValue(families, "sfud_srtp_gcm_implementation_info", {{"implementation", "vaes512"}}),
      1);
  collector.set_gcm_implementation("evp");
  families = collector.Collect();
  EXPECT_EQ(FindFamily(families, "sfud_srtp_gcm_implementation_info")->metric.size(), 1u);
  EXPECT_EQ(GaugeValue(families, "sfud_srtp_gcm_implementation_info", {{"implementation", "evp"}}),
            1);
}

// A shard thread publishing while the scraper collects: every scrape sees a value the shard
// wrote (counters never go backwards between scrapes) and a self-consistent histogram.
TEST(SfudCollectorTest, ScrapeWhileAShardWrites) {
  SfudCollector collector(BuildInfo{"t", "c", "g"}, 1);
  constexpr uint64_t kIterations = 200'000;
  std::thread shard([&] {
    ::sfu::sfu::ShardStats s;
    for (uint64_t i = 1; i <= kIterations; ++i) {
      s.rtp_in = i;
      collector.shard(0).Publish(s);
      collector.shard(0).ObserveForwardLatency(std::chrono::microseconds(i % 100));
    }
  });
  double last = 0;
  for (int scrape = 0; scrape < 50; ++scrape) {
    const auto families = collector.Collect();
    const double now = CounterValue(families, "sfud_datagrams_received_total", {{"kind", "rtp"}});
    EXPECT_GE(now, last);
    EXPECT_LE(now, static_cast<double>(kIterations));
    last = now;
    const auto& h = FindFamily(families, "sfud_forward_latency_seconds")->metric[0].histogram;
    EXPECT_EQ(h.sample_count, h.bucket.back().cumulative_count);
    for (size_t i = 1; i < h.bucket.size(); ++i) {
      EXPECT_GE(h.bucket[i].cumulative_count, h.bucket[i - 1].cumulative_count);
    }
  }
  shard.join();
  EXPECT_EQ(CounterValue(collector.Collect(), "sfud_datagrams_received_total", {{"kind", "rtp"}}),
            static_cast<double>(kIterations));
}

}  // namespace
}  // namespace sfu::metrics
