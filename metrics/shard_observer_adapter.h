#pragma once

#include <cstddef>

#include "core/net/shard_observer.h"
#include "metrics/shard_metrics.h"

namespace sfu::metrics {

// The shard loop's metrics hook (net::ShardObserver) writing into one shard's ShardMetrics: every
// call is a handful of relaxed atomic stores on the shard's own cache lines, no lock, no
// allocation, as the packet path requires. One per shard; the daemon creates them before the
// shards start and keeps them (and the SfudCollector owning the ShardMetrics) until the shards
// have been joined.
class ShardObserverAdapter final : public net::ShardObserver {
 public:
  explicit ShardObserverAdapter(ShardMetrics& metrics) : metrics_(metrics) {}

  void OnCounters(const ::sfu::sfu::ShardStats& shard, const ::sfu::sfu::RouterStats& router,
                  const net::IoStats& io) override {
    metrics_.Publish(shard);
    metrics_.Publish(router);
    metrics_.Publish(io);
  }
  void OnCrossShardCounters(const ::sfu::sfu::CrossShardStats& stats) override {
    metrics_.Publish(stats);
  }
  void OnLoopTime(Duration busy, Duration idle) override { metrics_.AddLoopTime(busy, idle); }
  void OnReceiveBatch(size_t datagrams) override { metrics_.ObserveReceiveBatch(datagrams); }
  void OnSendBatch(size_t datagrams) override { metrics_.ObserveSendBatch(datagrams); }
  void OnForwardLatency(Duration latency) override { metrics_.ObserveForwardLatency(latency); }
  void OnHandshake(Duration duration) override { metrics_.ObserveHandshake(duration); }

 private:
  ShardMetrics& metrics_;
};

}  // namespace sfu::metrics
