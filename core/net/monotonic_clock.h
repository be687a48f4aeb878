#pragma once

#include <chrono>

#include "core/common/instant.h"

namespace sfu::net {

// The one place in sfud that reads the clock. Protocol engines take `now` as an argument; the shard
// driver reads it here once per batch (DESIGN.md §1) and passes it in. Thread-safe,
// allocation-free.
class MonotonicClock {
 public:
  static Instant Now() { return Instant::FromSteady(std::chrono::steady_clock::now()); }
};

}  // namespace sfu::net
