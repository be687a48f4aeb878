#include "metrics/sfud_collector.h"

#include <limits>
#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sfu::metrics {
namespace {

// Series of one family being built: label values → value. std::map keeps the output ordered, so
// two scrapes list series in the same order.
using SeriesMap = std::map<std::vector<std::string>, double>;

template <typename Stats>
void SumSources(std::span<const std::unique_ptr<ShardMetrics>> shards,
                std::vector<SeriesMap>& families) {
  const auto& sources = kStatsSources<Stats>;
  for (size_t i = 0; i < std::size(sources); ++i) {
    if (!sources[i].exported) continue;
    uint64_t sum = 0;
    for (const auto& shard : shards) sum += shard->template Read<Stats>(i);
    std::vector<std::string> labels;
    if (!sources[i].label.empty()) labels.emplace_back(sources[i].label);
    families[static_cast<size_t>(sources[i].family)][std::move(labels)] += static_cast<double>(sum);
  }
}

prometheus::MetricType ToPrometheus(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kGauge:
      return prometheus::MetricType::Gauge;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

prometheus::MetricFamily MakeFamily(const MetricFamilySpec& spec) {
  prometheus::MetricFamily family;
  family.name = std::string(spec.name);
  family.help = std::string(spec.help);
  family.type = ToPrometheus(spec.type);
  return family;
}

std::vector<prometheus::ClientMetric::Label> Labels(const MetricFamilySpec& spec,
                                                    const std::vector<std::string>& values) {
  std::vector<prometheus::ClientMetric::Label> labels;
  for (size_t i = 0; i < values.size() && i < spec.label_count(); ++i) {
    labels.push_back({std::string(spec.labels[i]), values[i]});
  }
  return labels;
}

}  // namespace

prometheus::ClientMetric::Histogram MergeHistograms(std::span<const ShardHistogram* const> shards) {
  prometheus::ClientMetric::Histogram out;
  if (shards.empty()) return out;
  const HistogramBuckets& buckets = shards.front()->buckets();
  uint64_t cumulative = 0;
  uint64_t raw_sum = 0;
  for (size_t b = 0; b <= buckets.upper_bounds.size(); ++b) {
    for (const ShardHistogram* shard : shards) cumulative += shard->bucket(b);
    const double bound =
        b < buckets.upper_bounds.size()
            ? static_cast<double>(buckets.upper_bounds[b]) / buckets.raw_units_per_base_unit
            : std::numeric_limits<double>::infinity();
    out.bucket.push_back({cumulative, bound});
  }
  for (const ShardHistogram* shard : shards) raw_sum += shard->raw_sum();
  out.sample_count = cumulative;
  out.sample_sum = static_cast<double>(raw_sum) / buckets.raw_units_per_base_unit;
  return out;
}

SfudCollector::SfudCollector(BuildInfo build, size_t shard_count) : build_(std::move(build)) {
  shards_.reserve(shard_count);
  for (size_t i = 0; i < shard_count; ++i) shards_.push_back(std::make_unique<ShardMetrics>());
}

std::vector<prometheus::MetricFamily> SfudCollector::Collect() const {
  std::vector<SeriesMap> series(kMetricFamilyCount);
  auto at = [&](MetricId id) -> SeriesMap& { return series[static_cast<size_t>(id)]; };

  at(MetricId::kBuildInfo)[{build_.version, build_.commit, build_.compiler}] = 1;
  if (const char* gcm = gcm_implementation_.load(); gcm != nullptr) {
    at(MetricId::kSrtpGcmImplementation)[{gcm}] = 1;
  }
  SumSources<::sfu::sfu::ShardStats>(shards_, series);
  SumSources<::sfu::sfu::RouterStats>(shards_, series);
  SumSources<::sfu::net::IoStats>(shards_, series);
  SumSources<::sfu::sfu::CrossShardStats>(shards_, series);
  for (size_t k = 0; k < shards_.size(); ++k) {
    std::vector<std::string> shard_label = {absl::StrCat(k)};
    at(MetricId::kShardBusy)[shard_label] = static_cast<double>(shards_[k]->busy_ns()) / 1e9;
    at(MetricId::kShardIdle)[shard_label] = static_cast<double>(shards_[k]->idle_ns()) / 1e9;
    at(MetricId::kShardLoopIterations)[shard_label] =
        static_cast<double>(shards_[k]->loop_iterations());
  }
  for (const ControlMetrics::SessionCount& s : control_.sessions()) {
    at(MetricId::kSessions)[{s.role, s.state}] += static_cast<double>(s.count);
  }
  at(MetricId::kRooms)[{}] = static_cast<double>(control_.rooms());
  for (const auto& [key, count] : control_.http_requests()) {
    at(MetricId::kHttpRequests)[{key.first, absl::StrCat(key.second)}] +=
        static_cast<double>(count);
  }

  std::vector<prometheus::MetricFamily> out;
  out.reserve(kMetricFamilyCount);
  for (const MetricFamilySpec& spec : kMetricFamilies) {
    prometheus::MetricFamily family = MakeFamily(spec);
    if (spec.type == MetricType::kHistogram) {
      for (const ShardHistogramSpec& h : kShardHistograms) {
        if (h.family != spec.id) continue;
        std::vector<const ShardHistogram*> parts;
        for (const auto& shard : shards_) parts.push_back(&shard->histogram(h.id));
        prometheus::ClientMetric metric;
        metric.histogram = MergeHistograms(parts);
        family.metric.push_back(std::move(metric));
      }
    } else {
      for (const auto& [labels, value] : series[static_cast<size_t>(spec.id)]) {
        prometheus::ClientMetric metric;
        metric.label = Labels(spec, labels);
        if (spec.type == MetricType::kCounter) {
          metric.counter.value = value;
        } else {
          metric.gauge.value = value;
        }
        family.metric.push_back(std::move(metric));
      }
    }
    // A family with no series yet (no HTTP request so far) is left out rather than printed empty.
    if (!family.metric.empty()) out.push_back(std::move(family));
  }
  return out;
}

}  // namespace sfu::metrics
