#pragma once

#include <optional>

#include "absl/status/statusor.h"

namespace sfu::daemon {

// SIGTERM and SIGINT delivered through a signalfd, so no code runs in a signal handler: Create()
// blocks both signals in the calling thread (threads started afterwards inherit the mask, so the
// signals stay pending until the control thread reads them) and opens a non-blocking signalfd the
// control loop polls. The previous mask is restored on destruction. Move-only.
class SignalWatcher {
 public:
  static absl::StatusOr<SignalWatcher> Create();
  SignalWatcher(SignalWatcher&& other) noexcept;
  SignalWatcher& operator=(SignalWatcher&&) = delete;
  ~SignalWatcher();

  int fd() const { return fd_; }
  // The next pending signal number, or nullopt if none. Never blocks.
  std::optional<int> Read();

 private:
  SignalWatcher(int fd, bool restore) : fd_(fd), restore_(restore) {}
  int fd_ = -1;
  bool restore_ = false;
};

}  // namespace sfu::daemon
