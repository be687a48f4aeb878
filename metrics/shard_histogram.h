#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sfu::metrics {

// Adds `n` to a counter that has one writer: a relaxed load and store (plain moves on x86, no
// locked instruction) are enough because nobody else stores to it; readers on other threads see
// some recent value, never a torn one.
inline void SingleWriterAdd(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Fixed bucket boundaries of one histogram, in integer raw units (nanoseconds, datagrams), and
// how many raw units make one exposed base unit (1e9 for seconds, 1 for counts). Bounds are
// inclusive upper bounds (Prometheus `le`), strictly increasing; +Inf is implicit.
struct HistogramBuckets {
  std::span<const uint64_t> upper_bounds;
  double raw_units_per_base_unit;
};

// One shard's share of a histogram: a count per bucket and the sum of observations, as relaxed
// atomics. Written only by its shard (Observe), read at scrape time by the collector, which merges
// the shards (MergeHistograms in sfud_collector.h). The count is not stored separately: it is the
// sum of the buckets, so a scrape that races Observe still sees a self-consistent histogram.
class ShardHistogram {
 public:
  static constexpr size_t kMaxBounds = 16;

  // `buckets` must outlive this (the definitions are constexpr tables in shard_metrics.h).
  explicit ShardHistogram(const HistogramBuckets& buckets) : buckets_(&buckets) {}
  ShardHistogram(const ShardHistogram&) = delete;
  ShardHistogram& operator=(const ShardHistogram&) = delete;

  // Shard thread only. A linear scan: at most 16 compares, no branches mispredicted for long.
  void Observe(uint64_t raw_value) {
    size_t i = 0;
    const auto bounds = buckets_->upper_bounds;
    while (i < bounds.size() && raw_value > bounds[i]) ++i;
    SingleWriterAdd(counts_[i], 1);
    SingleWriterAdd(sum_, raw_value);
  }

  const HistogramBuckets& buckets() const { return *buckets_; }
  // Observations in bucket `i` alone (not cumulative); i == upper_bounds.size() is +Inf.
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t raw_sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const HistogramBuckets* buckets_;
  std::array<std::atomic<uint64_t>, kMaxBounds + 1> counts_{};
  std::atomic<uint64_t> sum_{0};
};

}  // namespace sfu::metrics
