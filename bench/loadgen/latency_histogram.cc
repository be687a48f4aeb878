#include "bench/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sfu::loadgen {

size_t LatencyHistogram::BucketOf(int64_t micros) {
  if (micros < 0) micros = 0;
  const uint64_t v =
      std::min<uint64_t>(static_cast<uint64_t>(micros), (uint64_t{1} << kMaxExponent) - 1);
  if (v < static_cast<uint64_t>(kLinear)) return static_cast<size_t>(v);
  // v has its leading one at bit `e` (e >= kSubBits + 1); the kSubBits bits below it pick the
  // sub-bucket.
  const int e = 63 - std::countl_zero(v);
  const uint64_t sub = (v >> (e - kSubBits)) & ((1 << kSubBits) - 1);
  return kLinear + static_cast<size_t>(e - kSubBits - 1) * (1 << kSubBits) + sub;
}

int64_t LatencyHistogram::BucketUpperBound(size_t bucket) {
  if (bucket < static_cast<size_t>(kLinear)) return static_cast<int64_t>(bucket);
  const size_t rel = bucket - kLinear;
  const int e = static_cast<int>(rel >> kSubBits) + kSubBits + 1;
  const uint64_t sub = rel & ((1 << kSubBits) - 1);
  const uint64_t low = ((uint64_t{1} << kSubBits) | sub) << (e - kSubBits);
  return static_cast<int64_t>(low + (uint64_t{1} << (e - kSubBits)) - 1);
}

void LatencyHistogram::Record(int64_t micros) {
  if (micros < 0) micros = 0;
  ++buckets_[BucketOf(micros)];
  ++count_;
  sum_ += micros;
  min_ = std::min(min_, micros);
  max_ = std::max(max_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::Percentile(double fraction) const {
  if (count_ == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  // Rank of the value asked for, 1-based; at least the first value.
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(BucketUpperBound(i), max_);
  }
  return max_;
}

}  // namespace sfu::loadgen
