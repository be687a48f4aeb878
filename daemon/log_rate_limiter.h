#pragma once

#include <cstdint>

#include "core/common/instant.h"

namespace sfu::daemon {

// A token bucket for one log site on a hot path (a shard's packet loop): Allow(now) is true at
// most `burst` times at once and `per_second` times per second on average; the messages refused
// in between are counted and handed back with the next allowed one ("... and 41 more"), so the
// log stays honest about volume. Time comes in as `now` (sans-IO, testable without sleeping).
// Thread-compatible: one per site per shard. No allocation.
class LogRateLimiter {
 public:
  LogRateLimiter(uint32_t per_second, uint32_t burst);

  // True if this message may be logged now.
  bool Allow(Instant now);
  // Messages refused since the last allowed one; reset by TakeSuppressed().
  uint64_t TakeSuppressed() {
    uint64_t n = suppressed_;
    suppressed_ = 0;
    return n;
  }

 private:
  Duration interval_;  // time to earn one token
  Duration capacity_;  // burst * interval_
  // The bucket is held as "time credit": tokens = credit / interval_.
  Duration credit_;
  Instant last_;
  bool started_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace sfu::daemon
