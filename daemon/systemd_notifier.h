#pragma once

#include <chrono>
#include <optional>

namespace sfu::daemon {

// sd_notify(3) to the service manager: READY=1 once shards and HTTP are up, WATCHDOG=1 while
// healthy, STOPPING=1 when draining starts. Without NOTIFY_SOCKET (not under systemd) every call
// is a no-op. Control thread only.
class SystemdNotifier {
 public:
  SystemdNotifier();

  void Ready();
  void Stopping();
  void Watchdog();
  // How often to send WATCHDOG=1: half of WATCHDOG_USEC (sd_watchdog_enabled(3)), or nullopt
  // when the service has no watchdog.
  std::optional<std::chrono::microseconds> watchdog_period() const { return watchdog_period_; }

 private:
  std::optional<std::chrono::microseconds> watchdog_period_;
};

}  // namespace sfu::daemon
