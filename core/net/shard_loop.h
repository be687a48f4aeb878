#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "core/net/io_backend.h"
#include "core/net/shard_observer.h"
#include "core/net/shard_thread.h"
#include "core/net/udp_socket.h"
#include "core/net/waker.h"
#include "core/sfu/cross_shard_mesh.h"
#include "core/sfu/shard_commands.h"
#include "core/sfu/shard_engine.h"
#include "core/sfu/shard_stats.h"
#include "crypto/certificate.h"

namespace sfu::net {

// How a shard talks to its control thread. The shard thread is the consumer of commands and the
// producer of events (one SPSC ring each way in the daemon: daemon/ring_shard_handle.h); the
// loop calls these only on its own thread and never on the packet path.
struct ShardControl {
  // The next command, or nullopt.
  absl::AnyInvocable<std::optional<sfu::ShardCommand>()> pop_command;
  // Queues one event; false when the queue is full (the loop keeps the event and retries).
  absl::AnyInvocable<bool(sfu::ShardEvent&&)> push_event;
  // Fired by the control thread after each command it posts; the backend waits on it. Must
  // outlive the loop. Null: commands are only picked up every kIdlePoll.
  const Waker* waker = nullptr;
};

struct ShardLoopOptions {
  int index = 0;
  std::optional<int> cpu;  // pin the shard thread here
  // One UDP socket per address, bound on the control thread by Start (so a taken port is an error
  // at startup, not a silent shard). The caller has already added the shard's port offset.
  std::vector<SocketAddress> listen;
  UdpSocketOptions socket;
  IoBackendOptions io;  // io.wake_fd is set by the loop
  sfu::ShardEngineConfig engine;
  // Metrics hook (see shard_observer.h); must outlive the loop. Null: nothing is reported.
  ShardObserver* observer = nullptr;
  // Rooms spanning shards (DESIGN.md §2): the rings between every pair of shards (this loop is
  // shard `index` in it) and, by shard index, the waker each shard's backend waits on (its
  // ShardControl::waker), so a batch that handed packets to shard k wakes k once. Both must
  // outlive the loop; every shard of the mesh must be stopped before either goes. Null/empty:
  // the shard forwards within itself only.
  sfu::CrossShardMesh* cross_shard = nullptr;
  std::vector<const Waker*> shard_wakers;
};

// The I/O driver of one shard (DESIGN.md §1, §2): runs the sans-IO ShardEngine against real
// sockets on a pinned ShardThread.
//
//   Wait(min(engine deadline, ...)) on sockets + wake fd
//   ─▶ Receive batch ─▶ HandleDatagram each ─▶ engine transmits copied into the send queue
//   ─▶ Flush (one sendmmsg / io_uring submit, GSO runs) ─▶ ReleaseReceived
//   ─▶ other shards' rings (bounded) ─▶ DrainCrossShard ─▶ Flush; wake the shards handed to
//   ─▶ commands ─▶ HandleCommand; events ─▶ push_event; HandleTimeout when due ─▶ Flush
//
// The backend and the engine are created on the shard thread (io_uring's SINGLE_ISSUER ties the
// ring to its creator). Nothing allocates per packet: the receive batch is a member, the backend
// copies into preallocated send slots, the engine's queues are sized at construction. Stop():
// engine Shutdown (close_notify to every connected peer), last flush, last events, join.
//
// Created, stopped and destroyed by the control thread; everything else runs on the shard.
class ShardLoop {
 public:
  // Upper bound on one wait when no waker is given, or while an event waits for ring space.
  static constexpr Duration kIdlePoll = std::chrono::milliseconds(5);
  static constexpr size_t kReceiveBatch = 64;
  // Cross-shard slots taken per drain and drains per loop iteration: bounded so another shard's
  // hand-off cannot starve this shard's sockets; what is left is taken on the next iteration,
  // which then does not block.
  static constexpr size_t kCrossShardBatch = sfu::ShardEngine::kCrossShardDrainBudget;
  static constexpr size_t kCrossShardDrainsPerIteration = 4;
  // Commands applied per loop iteration, so a burst of AddPeer cannot starve the sockets.
  static constexpr size_t kCommandsPerIteration = 64;
  // Counters are copied to the observer at most this often (a copy is ~100 relaxed stores: cheap
  // per batch, wasteful per datagram when the loop wakes for every one).
  static constexpr Duration kCounterPublishInterval = std::chrono::milliseconds(1);

  // Binds the sockets, starts the thread, and returns once the backend and the engine are set up
  // on it (or their error).
  static absl::StatusOr<std::unique_ptr<ShardLoop>> Start(
      ShardLoopOptions options, std::shared_ptr<const crypto::Certificate> certificate,
      ShardControl control);
  ~ShardLoop();
  ShardLoop(const ShardLoop&) = delete;
  ShardLoop& operator=(const ShardLoop&) = delete;

  // Shuts the engine down (close_notify sent and flushed, PeerRemoved{kShutdown} pushed) and joins
  // the thread. Idempotent.
  void Stop();

  // The bound addresses (with the kernel's port when 0 was asked for), one per listen address.
  const std::vector<SocketAddress>& local_addresses() const { return local_addresses_; }
  const ShardThread& thread() const { return *thread_; }
  // Counters as of Stop(): the engine's and the backend's (they are written by the shard thread
  // only, so they are published once it has exited).
  const sfu::ShardStats& final_stats() const { return final_stats_; }
  const IoStats& final_io_stats() const { return final_io_stats_; }
  // Datagrams the engine wanted to send from an address no socket of this shard has.
  uint64_t final_unroutable() const { return final_unroutable_; }
  const sfu::CrossShardStats& final_cross_shard_stats() const { return final_cross_shard_stats_; }

 private:
  ShardLoop(ShardLoopOptions options, std::shared_ptr<const crypto::Certificate> certificate,
            ShardControl control, std::vector<UdpSocket> sockets);

  // The shard thread's body. Reports setup through `ready`.
  void Run(const ShardContext& context, std::promise<absl::Status>& ready);
  // Copies the engine's transmits into the backend's send queue and clears them; wakes the
  // shards the engine handed packets to since the last call.
  void QueueTransmits(sfu::ShardEngine& engine, IoBackend& backend);
  void PushEvents(sfu::ShardEngine& engine);
  // Flush, reporting the send batch size to the observer.
  void Flush(IoBackend& backend);
  void PublishCounters(const sfu::ShardEngine& engine, const IoBackend& backend);
  bool stopping(const ShardContext& context) const;

  ShardLoopOptions options_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  ShardControl control_;
  std::vector<UdpSocket> sockets_;  // moved into the backend on the shard thread
  std::vector<SocketAddress> local_addresses_;
  std::atomic<bool> stop_{false};
  bool stopped_ = false;  // Stop() has joined the thread (control thread only)
  std::unique_ptr<ShardThread> thread_;

  // Shard-thread state.
  std::array<ReceivedDatagram, kReceiveBatch> batch_{};
  std::optional<sfu::ShardEvent> held_event_;  // refused by a full event queue
  uint64_t unroutable_ = 0;

  // Published by the shard thread just before it exits; read after the join.
  sfu::ShardStats final_stats_;
  IoStats final_io_stats_;
  uint64_t final_unroutable_ = 0;
  sfu::CrossShardStats final_cross_shard_stats_;
};

}  // namespace sfu::net
