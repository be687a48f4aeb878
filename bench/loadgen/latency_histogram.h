#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sfu::loadgen {

// A fixed-size log-linear histogram of non-negative durations in microseconds (HdrHistogram's
// idea with a 1/32 sub-bucket resolution, so any percentile is within ~3% of the true value).
// Values below 64 us get a bucket each; above, each power of two is split into 32 equal buckets.
// Values past 2^40 us (12 days) are clamped. Plain value: no allocation, mergeable (one per loop
// thread, merged for the report). Thread-compatible.
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kLinear = 2 << kSubBits;  // 64 single-microsecond buckets
  static constexpr int kMaxExponent = 40;
  static constexpr size_t kBuckets = kLinear + (kMaxExponent - kSubBits - 1) * (1 << kSubBits);

  void Record(int64_t micros);
  void Merge(const LatencyHistogram& other);
  void Reset() { *this = LatencyHistogram(); }

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
  // The smallest bucket upper bound at or below which at least `fraction` (0..1] of the values
  // lie, capped at max(); 0 when empty.
  int64_t Percentile(double fraction) const;

  // Bucket index of a value and the largest value in a bucket (exposed for tests).
  static size_t BucketOf(int64_t micros);
  static int64_t BucketUpperBound(size_t bucket);

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
};

}  // namespace sfu::loadgen
