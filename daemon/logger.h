#pragma once

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string_view>

#include "absl/strings/str_format.h"
#include "daemon/config.h"

namespace sfu::daemon {

// Writes one line per message to a stdio stream (stderr in the daemon), each prefixed with its
// syslog priority as `<N>` (sd-daemon(3): journald and systemd-cat read the prefix as the level,
// and a terminal still shows readable text). Lines from several threads never interleave. The
// level is an atomic so a later reload could change it from the control thread.
// Not for the packet path without a LogRateLimiter in front.
class Logger {
 public:
  explicit Logger(std::FILE* out = stderr, LogLevel level = LogLevel::kInfo)
      : out_(out), level_(static_cast<int>(level)) {}

  void set_level(LogLevel level) { level_.store(static_cast<int>(level)); }
  bool Enabled(LogLevel level) const { return static_cast<int>(level) <= level_.load(); }

  void Write(LogLevel level, std::string_view message);

  template <typename... Args>
  void Log(LogLevel level, const absl::FormatSpec<Args...>& format, const Args&... args) {
    if (Enabled(level)) Write(level, absl::StrFormat(format, args...));
  }

 private:
  std::FILE* out_;
  std::atomic<int> level_;
  std::mutex mutex_;
};

}  // namespace sfu::daemon
