#include "daemon/signal_watcher.h"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sfu::daemon {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

absl::StatusOr<SignalWatcher> SignalWatcher::Create() {
  sigset_t set = StopSignals();
  if (int err = pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0) {
    return absl::InternalError(absl::StrCat("pthread_sigmask: ", std::strerror(err)));
  }
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("signalfd: ", std::strerror(errno)));
  }
  return SignalWatcher(fd, true);
}

SignalWatcher::SignalWatcher(SignalWatcher&& other) noexcept
    : fd_(other.fd_), restore_(other.restore_) {
  other.fd_ = -1;
  other.restore_ = false;
}

SignalWatcher::~SignalWatcher() {
  if (fd_ >= 0) close(fd_);
  if (restore_) {
    sigset_t set = StopSignals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  }
}

std::optional<int> SignalWatcher::Read() {
  signalfd_siginfo info;
  ssize_t n = read(fd_, &info, sizeof(info));
  if (n != static_cast<ssize_t>(sizeof(info))) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace sfu::daemon
