#include "metrics/shard_metrics.h"

namespace sfu::metrics {
namespace {

constexpr bool HistogramTableInIdOrder() {
  for (size_t i = 0; i < kShardHistogramCount; ++i) {
    if (static_cast<size_t>(kShardHistograms[i].id) != i) return false;
    if (kShardHistograms[i].buckets.upper_bounds.size() > ShardHistogram::kMaxBounds) return false;
    if (Family(kShardHistograms[i].family).type != MetricType::kHistogram) return false;
  }
  return true;
}
static_assert(HistogramTableInIdOrder(),
              "kShardHistograms: rows in ShardHistogramId order, <= 16 bounds, histogram families");

}  // namespace

static_assert(kShardHistogramCount == 4, "ShardMetrics() constructs one histogram per row");

ShardMetrics::ShardMetrics()
    : histograms_{ShardHistogram(kShardHistograms[0].buckets),
                  ShardHistogram(kShardHistograms[1].buckets),
                  ShardHistogram(kShardHistograms[2].buckets),
                  ShardHistogram(kShardHistograms[3].buckets)} {}

void ShardMetrics::AddLoopTime(Duration busy, Duration idle) {
  SingleWriterAdd(busy_ns_, busy.count() > 0 ? static_cast<uint64_t>(busy.count()) : 0);
  SingleWriterAdd(idle_ns_, idle.count() > 0 ? static_cast<uint64_t>(idle.count()) : 0);
  SingleWriterAdd(iterations_, 1);
}

}  // namespace sfu::metrics
