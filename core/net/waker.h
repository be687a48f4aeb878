#pragma once

#include "absl/status/statusor.h"

namespace sfu::net {

// An eventfd that wakes a shard blocked in IoBackend::Wait: the control thread (or another shard)
// pushes into an SpscRing, then calls Wake(). Wake() may be called from any thread; Drain() is
// called by the waiting side (the backends do it when they see the fd readable). Move-only; closes
// the fd on destruction. The fd is non-blocking, so Drain() never blocks.
class Waker {
 public:
  static absl::StatusOr<Waker> Create();

  Waker(Waker&& other) noexcept;
  Waker& operator=(Waker&& other) noexcept;
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker();

  // Async-signal-safe, lock-free; coalesces: many wakes before a Drain wake the waiter once.
  void Wake() const;
  // Resets the counter; returns true if a wake was pending.
  bool Drain() const;
  int fd() const { return fd_; }

 private:
  explicit Waker(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace sfu::net
