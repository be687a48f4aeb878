#include "daemon/systemd_notifier.h"

#include <systemd/sd-daemon.h>

namespace sfu::daemon {

SystemdNotifier::SystemdNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_period_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::Ready() { sd_notify(0, "READY=1\nSTATUS=serving"); }
void SystemdNotifier::Stopping() { sd_notify(0, "STOPPING=1\nSTATUS=draining"); }
void SystemdNotifier::Watchdog() { sd_notify(0, "WATCHDOG=1"); }

}  // namespace sfu::daemon
