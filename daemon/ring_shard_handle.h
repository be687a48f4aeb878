#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/net/spsc_ring.h"
#include "core/net/waker.h"
#include "core/sfu/shard_commands.h"
#include "daemon/shard_handle.h"

namespace sfu::daemon {

// The two SPSC rings and two wake-ups between the control thread and one shard thread. The
// control thread is the producer of `commands` and the consumer of `events`; the shard thread the
// reverse. Created and owned by RingShardHandle; the shard runner gets a reference and must stop
// using it before the handle is destroyed.
class ShardChannel {
 public:
  static constexpr size_t kCommandCapacity = 1024;
  static constexpr size_t kEventCapacity = 4096;

  static absl::StatusOr<std::unique_ptr<ShardChannel>> Create();

  // --- Shard side (the shard runner's thread) ---
  // The eventfd the shard's IoBackend waits on besides its sockets; Wake()d after every Post.
  const net::Waker& shard_waker() const { return shard_waker_; }
  // The next command, or nullopt. Consumer side of the command ring.
  std::optional<sfu::ShardCommand> PopCommand();
  // Queues one event for the control thread and wakes it. false when the ring is full: the runner
  // keeps the event (PeerRemoved must never be lost) and retries on its next loop iteration.
  bool PushEvent(sfu::ShardEvent&& event);

  // --- Control side (used by RingShardHandle) ---
  bool PushCommand(sfu::ShardCommand&& command);
  size_t PopEvents(std::vector<sfu::ShardEvent>& out);
  const net::Waker& control_waker() const { return control_waker_; }

 private:
  ShardChannel(net::Waker shard_waker, net::Waker control_waker)
      : shard_waker_(std::move(shard_waker)), control_waker_(std::move(control_waker)) {}

  net::SpscRing<sfu::ShardCommand, kCommandCapacity> commands_;
  net::SpscRing<sfu::ShardEvent, kEventCapacity> events_;
  net::Waker shard_waker_;
  net::Waker control_waker_;
};

// ShardHandle over a ShardChannel. The shard runner owns one per shard next to its thread:
// it creates the handle, starts a thread that serves handle.channel() (PopCommand →
// ShardEngine::HandleCommand; ShardEngine::PollEvent → PushEvent; wait on shard_waker().fd()),
// and wraps both in a ShardHandle whose destructor joins the thread before this handle dies.
class RingShardHandle final : public ShardHandle {
 public:
  static absl::StatusOr<std::unique_ptr<RingShardHandle>> Create(uint32_t index);

  uint32_t index() const override { return index_; }
  bool Post(sfu::ShardCommand&& command) override;
  size_t DrainEvents(std::vector<sfu::ShardEvent>& out) override;
  int event_fd() const override { return channel_->control_waker().fd(); }

  ShardChannel& channel() { return *channel_; }

 private:
  RingShardHandle(uint32_t index, std::unique_ptr<ShardChannel> channel)
      : index_(index), channel_(std::move(channel)) {}

  uint32_t index_;
  std::unique_ptr<ShardChannel> channel_;
};

}  // namespace sfu::daemon
