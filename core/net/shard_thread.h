#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/net/waker.h"

namespace sfu::net {

// What a shard's loop function sees: its index, the stop flag to poll after every wait, and the
// Waker's fd to hand to its IoBackend (IoBackendOptions::wake_fd) so that Stop() interrupts a
// blocking wait.
class ShardContext {
 public:
  ShardContext(int index, const std::atomic<bool>& stop, int wake_fd)
      : index_(index), stop_(stop), wake_fd_(wake_fd) {}
  int index() const { return index_; }
  bool stop_requested() const { return stop_.load(std::memory_order_acquire); }
  int wake_fd() const { return wake_fd_; }

 private:
  int index_;
  const std::atomic<bool>& stop_;
  int wake_fd_;
};

// A shard's thread (DESIGN.md §2): runs `loop` on a std::thread named "sfud-shard-N", pinned to a
// CPU when one is given. Pinning can fail (a cpuset without that CPU, a container): that is
// reported by pin_status(), not fatal. Stop() sets the stop flag, wakes the Waker and joins; the
// destructor stops too. Created and stopped by the control thread; the loop runs on the shard.
class ShardThread {
 public:
  using Loop = absl::AnyInvocable<void(const ShardContext&)>;

  // Starts the thread and returns once it has tried to pin itself.
  static absl::StatusOr<std::unique_ptr<ShardThread>> Start(int index, std::optional<int> cpu,
                                                            Loop loop);
  ~ShardThread();
  ShardThread(const ShardThread&) = delete;
  ShardThread& operator=(const ShardThread&) = delete;

  void Stop();
  int index() const { return index_; }
  // The thread name ("sfud-shard-N"; the kernel keeps 15 characters).
  const std::string& name() const { return name_; }
  // OK if pinned (or no CPU was asked for), else why pinning failed.
  const absl::Status& pin_status() const { return pin_status_; }
  // Wakes the shard's wait, e.g. after pushing a command into its SpscRing.
  const Waker& waker() const { return waker_; }

 private:
  ShardThread(int index, Waker waker);

  int index_;
  std::string name_;
  Waker waker_;
  std::atomic<bool> stop_{false};
  absl::Status pin_status_;
  std::thread thread_;
};

}  // namespace sfu::net
