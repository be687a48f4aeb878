#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "metrics/build_info.h"
#include "metrics/control_metrics.h"
#include "metrics/shard_metrics.h"
#include "prometheus/client_metric.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace sfu::metrics {

// Merges the shards' shares of one histogram: per-bucket counts summed over shards, then made
// cumulative (Prometheus `le` buckets ending in +Inf); count = the +Inf bucket; the sum converted
// from raw units to the base unit. All shards' histograms must use the same HistogramBuckets.
prometheus::ClientMetric::Histogram MergeHistograms(std::span<const ShardHistogram* const> shards);

// sfud's prometheus::Collectable: at scrape time it reads every shard's ShardMetrics (relaxed
// loads, no locks on the shard side) and the ControlMetrics, and builds the families named in
// metric_names.h. Counters and gauges from the stats tables are summed over shards; loop time is
// emitted per shard (label `shard`), since utilisation is only meaningful per core.
//
// Created by the daemon before the shards start, with the shard count fixed for its lifetime;
// shard k gets shard(k) and writes only to it. Collect() runs on the exposer's HTTP threads and
// may run concurrently with itself; it only reads.
class SfudCollector : public prometheus::Collectable {
 public:
  SfudCollector(BuildInfo build, size_t shard_count);

  ShardMetrics& shard(size_t index) { return *shards_[index]; }
  // The AES-GCM implementation the shards' SRTP uses (crypto::GcmBatch::ImplName, a string with
  // static storage), exported as sfud_srtp_gcm_implementation_info; unset (null), the family is
  // left out. Any thread.
  void set_gcm_implementation(const char* name) { gcm_implementation_.store(name); }
  size_t shard_count() const { return shards_.size(); }
  ControlMetrics& control() { return control_; }

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const BuildInfo build_;
  std::atomic<const char*> gcm_implementation_{nullptr};
  std::vector<std::unique_ptr<ShardMetrics>> shards_;
  ControlMetrics control_;
};

}  // namespace sfu::metrics
