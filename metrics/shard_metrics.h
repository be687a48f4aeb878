#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/common/instant.h"
#include "metrics/metric_names.h"
#include "metrics/shard_histogram.h"
#include "metrics/stats_sources.h"

namespace sfu::metrics {

// A lock-free copy of one stats struct: one relaxed atomic per row of its FieldSource table.
// Publish() (the owning shard) stores every field; Read() (the scraper) loads one.
template <typename Stats>
class StatsMirror {
 public:
  static constexpr size_t kSize = std::size(kStatsSources<Stats>);

  void Publish(const Stats& stats) {
    for (size_t i = 0; i < kSize; ++i) {
      values_[i].store(stats.*(kStatsSources<Stats>[i].field), std::memory_order_relaxed);
    }
  }
  uint64_t Read(size_t i) const { return values_[i].load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kSize> values_{};
};

// The histograms every shard keeps, and their fixed buckets.
enum class ShardHistogramId : uint8_t {
  kHandshakeDuration,
  kForwardLatency,
  kReceiveBatch,
  kSendBatch
};

inline constexpr uint64_t kHandshakeBoundsNs[] = {
    5'000'000,   10'000'000,    25'000'000,    50'000'000,    100'000'000,    250'000'000,
    500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000, 30'000'000'000};
inline constexpr uint64_t kForwardLatencyBoundsNs[] = {
    5'000,   10'000,    25'000,    50'000,    100'000,    250'000,
    500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 50'000'000};
inline constexpr uint64_t kBatchBounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

struct ShardHistogramSpec {
  ShardHistogramId id;
  MetricId family;
  HistogramBuckets buckets;
};

inline constexpr ShardHistogramSpec kShardHistograms[] = {
    {ShardHistogramId::kHandshakeDuration, MetricId::kHandshakeDuration, {kHandshakeBoundsNs, 1e9}},
    {ShardHistogramId::kForwardLatency, MetricId::kForwardLatency, {kForwardLatencyBoundsNs, 1e9}},
    {ShardHistogramId::kReceiveBatch, MetricId::kIoReceiveBatch, {kBatchBounds, 1}},
    {ShardHistogramId::kSendBatch, MetricId::kIoSendBatch, {kBatchBounds, 1}},
};
inline constexpr size_t kShardHistogramCount = std::size(kShardHistograms);

// Everything one shard reports, as relaxed atomics on cache lines of its own (the class is
// 64-byte aligned and every instance is a separate allocation), so shards never write a line
// another shard writes and a scrape never takes a lock or stalls a shard.
//
// Owned by SfudCollector (one per shard, created before the shards start, alive until after they
// stop); each shard gets a reference to its own. Every mutator is called by that shard's thread
// only (single writer); the const readers are for the collector on the exposer's thread.
//
// The shard loop publishes its plain stats structs (written on the packet path without atomics)
// with Publish() after handling a batch: about a hundred relaxed stores, no allocation, no lock
// (measured ~0.45 us for all three structs on the 2-vCPU dev VM, i.e. <10 ns per datagram with a
// 64-datagram batch). A loop that wakes for single datagrams may publish at most every millisecond
// instead; a scrape every few seconds does not need more. Histogram observations (~30 ns) go
// straight in; sample the forward latency (e.g. one packet in 64) rather than timing every one.
class alignas(64) ShardMetrics {
 public:
  ShardMetrics();
  ShardMetrics(const ShardMetrics&) = delete;
  ShardMetrics& operator=(const ShardMetrics&) = delete;

  void Publish(const ::sfu::sfu::ShardStats& stats) { shard_.Publish(stats); }
  void Publish(const ::sfu::sfu::RouterStats& stats) { router_.Publish(stats); }
  void Publish(const ::sfu::net::IoStats& stats) { io_.Publish(stats); }
  void Publish(const ::sfu::sfu::CrossShardStats& stats) { cross_shard_.Publish(stats); }

  // One loop iteration: `busy` handling I/O, packets and timers, `idle` blocked in Wait().
  void AddLoopTime(Duration busy, Duration idle);
  // A DTLS handshake that reached SRTP keys, from its first ClientHello.
  void ObserveHandshake(Duration duration) {
    Observe(ShardHistogramId::kHandshakeDuration, duration);
  }
  // A sampled forwarding delay: the datagram's receive time to its copies being queued.
  void ObserveForwardLatency(Duration latency) {
    Observe(ShardHistogramId::kForwardLatency, latency);
  }
  void ObserveReceiveBatch(size_t datagrams) {
    mutable_histogram(ShardHistogramId::kReceiveBatch).Observe(datagrams);
  }
  void ObserveSendBatch(size_t datagrams) {
    mutable_histogram(ShardHistogramId::kSendBatch).Observe(datagrams);
  }

  // Readers (any thread).
  template <typename Stats>
  uint64_t Read(size_t source_index) const;
  uint64_t busy_ns() const { return busy_ns_.load(std::memory_order_relaxed); }
  uint64_t idle_ns() const { return idle_ns_.load(std::memory_order_relaxed); }
  uint64_t loop_iterations() const { return iterations_.load(std::memory_order_relaxed); }
  const ShardHistogram& histogram(ShardHistogramId id) const {
    return histograms_[static_cast<size_t>(id)];
  }

 private:
  ShardHistogram& mutable_histogram(ShardHistogramId id) {
    return histograms_[static_cast<size_t>(id)];
  }
  void Observe(ShardHistogramId id, Duration d) {
    mutable_histogram(id).Observe(d.count() < 0 ? 0 : static_cast<uint64_t>(d.count()));
  }

  StatsMirror<::sfu::sfu::ShardStats> shard_;
  StatsMirror<::sfu::sfu::RouterStats> router_;
  StatsMirror<::sfu::net::IoStats> io_;
  StatsMirror<::sfu::sfu::CrossShardStats> cross_shard_;
  std::atomic<uint64_t> busy_ns_{0};
  std::atomic<uint64_t> idle_ns_{0};
  std::atomic<uint64_t> iterations_{0};
  std::array<ShardHistogram, kShardHistogramCount> histograms_;
};

template <>
inline uint64_t ShardMetrics::Read<::sfu::sfu::ShardStats>(size_t i) const {
  return shard_.Read(i);
}
template <>
inline uint64_t ShardMetrics::Read<::sfu::sfu::RouterStats>(size_t i) const {
  return router_.Read(i);
}
template <>
inline uint64_t ShardMetrics::Read<::sfu::net::IoStats>(size_t i) const {
  return io_.Read(i);
}
template <>
inline uint64_t ShardMetrics::Read<::sfu::sfu::CrossShardStats>(size_t i) const {
  return cross_shard_.Read(i);
}

}  // namespace sfu::metrics
