#include "daemon/log_rate_limiter.h"

#include <algorithm>

namespace sfu::daemon {

LogRateLimiter::LogRateLimiter(uint32_t per_second, uint32_t burst)
    : interval_(Duration(std::chrono::seconds(1)) / std::max<uint32_t>(per_second, 1)),
      capacity_(interval_ * std::max<uint32_t>(burst, 1)),
      credit_(capacity_) {}

bool LogRateLimiter::Allow(Instant now) {
  if (!started_) {
    started_ = true;
    last_ = now;
  }
  if (now > last_) {
    credit_ = std::min(capacity_, credit_ + (now - last_));
    last_ = now;
  }
  if (credit_ >= interval_) {
    credit_ -= interval_;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace sfu::daemon
