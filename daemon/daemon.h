#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/net/waker.h"
#include "crypto/certificate.h"
#include "daemon/config.h"
#include "daemon/logger.h"
#include "daemon/shard_handle.h"
#include "metrics/sfud_collector.h"

namespace sfu::daemon {

// Starts the shards: returns one running ShardHandle per shard (index k listens on base port + k
// on every listen address), sharing `certificate`. This is where the shard runner plugs in.
using ShardFactory = std::function<absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>>(
    const DaemonConfig& config, std::shared_ptr<const crypto::Certificate> certificate)>;

// The factory a build without a shard runner has: it refuses to start (exit 1) rather than
// answer offers no shard would ever serve.
ShardFactory NoShardRunnerFactory();

// The daemon's lifecycle on the control thread:
//   block SIGTERM/SIGINT (signalfd) → AES-GCM implementation (gcm_impl) → certificate (files or
//   generated) → shards (factory) → HTTP → /metrics → ready (READY=1, /readyz 200) → loop: shard
//   events, session/room gauges, WATCHDOG=1 →
//   SIGTERM/SIGINT or RequestStop → STOPPING=1, draining (new sessions 503, RemovePeer for all,
//   close_notify from the shards) until no session is left or drain_timeout → stop HTTP →
//   destroy shards (joins their threads) → exit code.
// A second signal while draining ends the drain at once.
//
// Metrics: `collector` is the SfudCollector whose per-shard ShardMetrics the factory's shards
// write (through metrics::ShardObserverAdapter, see main.cc); it must have config.shards shards.
// Null: the daemon makes its own (shard series then stay zero, control and HTTP series are live).
// The daemon counts HTTP requests into it, refreshes the session and room gauges from the control
// plane, names the active AES-GCM implementation, and serves it on config.metrics_address.
class Daemon {
 public:
  Daemon(DaemonConfig config, ShardFactory factory, Logger& logger,
         std::shared_ptr<metrics::SfudCollector> collector = nullptr);

  // Runs until stopped; returns kExitOk, kExitRuntimeFailure or kExitBadConfig (a certificate
  // or key file that cannot be loaded).
  int Run();
  // Thread-safe: starts the drain as SIGTERM would.
  void RequestStop();
  // The bound HTTP port once ready (useful with http port 0 in tests), else 0.
  int http_port() const { return http_port_.load(); }
  // The bound /metrics port once ready, else 0 (also 0 with `metrics = off`).
  int metrics_port() const { return metrics_port_.load(); }

 private:
  DaemonConfig config_;
  ShardFactory factory_;
  Logger& logger_;
  std::shared_ptr<metrics::SfudCollector> collector_;
  std::atomic<int> http_port_{0};
  std::atomic<int> metrics_port_{0};
  std::unique_ptr<net::Waker> stop_waker_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace sfu::daemon
