#include "metrics/stats_sources.h"

#include <regex>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace sfu::metrics {
namespace {

template <typename Stats>
int Occurrences(uint64_t Stats::*field) {
  int n = 0;
  for (const auto& source : kStatsSources<Stats>) n += source.field == field ? 1 : 0;
  return n;
}

// Every counter and gauge piece C declares in its X-macro lists must be mapped (exported or
// explicitly skipped) exactly once, so a new counter cannot silently go unexported.
TEST(StatsSourcesTest, EveryShardStatsFieldMappedOnce) {
  using ::sfu::sfu::ShardStats;
  size_t fields = 0;
#define SFUD_CHECK_FIELD(name, help)                                 \
  EXPECT_EQ(Occurrences<ShardStats>(&ShardStats::name), 1) << #name; \
  ++fields;
  SFU_SHARD_COUNTERS(SFUD_CHECK_FIELD)
  SFU_SHARD_GAUGES(SFUD_CHECK_FIELD)
#undef SFUD_CHECK_FIELD
  EXPECT_EQ(std::size(kStatsSources<ShardStats>), fields);
}

TEST(StatsSourcesTest, EveryRouterStatsFieldMappedOnce) {
  using ::sfu::sfu::RouterStats;
  size_t fields = 0;
#define SFUD_CHECK_FIELD(name)                                         \
  EXPECT_EQ(Occurrences<RouterStats>(&RouterStats::name), 1) << #name; \
  ++fields;
  SFU_ROUTER_STATS(SFUD_CHECK_FIELD)
#undef SFUD_CHECK_FIELD
  EXPECT_EQ(std::size(kStatsSources<RouterStats>), fields);
}

TEST(StatsSourcesTest, EveryCrossShardStatsFieldMappedOnce) {
  using ::sfu::sfu::CrossShardStats;
  size_t fields = 0;
#define SFUD_CHECK_FIELD(name, help)                                           \
  EXPECT_EQ(Occurrences<CrossShardStats>(&CrossShardStats::name), 1) << #name; \
  ++fields;
  SFU_CROSS_SHARD_COUNTERS(SFUD_CHECK_FIELD)
#undef SFUD_CHECK_FIELD
  EXPECT_EQ(std::size(kStatsSources<CrossShardStats>), fields);
}

TEST(StatsSourcesTest, EveryIoStatsFieldMappedOnce) {
  using ::sfu::net::IoStats;
  // IoStats has no X-macro: it is all uint64_t, so its size gives the field count.
  EXPECT_EQ(std::size(kStatsSources<IoStats>), sizeof(IoStats) / sizeof(uint64_t));
  for (const auto& s : kStatsSources<IoStats>) EXPECT_EQ(Occurrences<IoStats>(s.field), 1);
}

// A source feeds a counter or gauge family, with a label value exactly when the family has one
// label (two-label families are fed by the control side only).
template <typename Stats>
void CheckSourcesMatchFamilies() {
  for (const auto& s : kStatsSources<Stats>) {
    if (!s.exported) continue;
    const MetricFamilySpec& family = Family(s.family);
    EXPECT_NE(family.type, MetricType::kHistogram) << family.name;
    EXPECT_LE(family.label_count(), 1u) << family.name;
    EXPECT_EQ(family.label_count() == 1, !s.label.empty()) << family.name << " " << s.label;
    if (!s.label.empty()) {
      EXPECT_TRUE(std::regex_match(std::string(s.label), std::regex("[a-z0-9_]+"))) << s.label;
    }
  }
}

TEST(StatsSourcesTest, SourcesMatchTheirFamilies) {
  CheckSourcesMatchFamilies<::sfu::sfu::ShardStats>();
  CheckSourcesMatchFamilies<::sfu::sfu::RouterStats>();
  CheckSourcesMatchFamilies<::sfu::net::IoStats>();
  CheckSourcesMatchFamilies<::sfu::sfu::CrossShardStats>();
}

// Prometheus data model: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]* and must not start with "__"; "le" is reserved for histogram buckets.
// Conventions (prometheus.io/docs/practices/naming): one prefix, counters end in _total, nothing
// else does, and histograms carry their unit.
TEST(MetricNamesTest, NamesFollowPrometheusRules) {
  const std::regex metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
  const std::regex label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  std::set<std::string_view> names;
  for (size_t i = 0; i < kMetricFamilyCount; ++i) {
    const MetricFamilySpec& f = kMetricFamilies[i];
    const std::string name(f.name);
    EXPECT_EQ(static_cast<size_t>(f.id), i);
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate " << name;
    EXPECT_TRUE(std::regex_match(name, metric_name)) << name;
    EXPECT_TRUE(name.starts_with("sfud_")) << name;
    EXPECT_EQ(f.type == MetricType::kCounter, name.ends_with("_total")) << name;
    if (f.type == MetricType::kHistogram) {
      EXPECT_TRUE(name.ends_with("_seconds") || name.ends_with("_datagrams")) << name;
    }
    EXPECT_FALSE(f.help.empty()) << name;
    for (size_t l = 1; l < f.labels.size(); ++l) {
      EXPECT_TRUE(f.labels[l - 1].empty() <= f.labels[l].empty())
          << name << ": gap before label " << l;
    }
    for (std::string_view label : f.labels) {
      if (label.empty()) continue;
      EXPECT_TRUE(std::regex_match(std::string(label), label_name)) << label;
      EXPECT_FALSE(label.starts_with("__")) << label;
      EXPECT_NE(label, "le") << name;
      EXPECT_NE(label, "quantile") << name;
    }
  }
}

}  // namespace
}  // namespace sfu::metrics
