#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace sfu {

using Duration = std::chrono::nanoseconds;

// A point in monotonic time, in nanoseconds from an arbitrary origin. Protocol engines never read
// a clock: the driver (core/net) passes `now` in, and tests construct Instants directly, e.g.
// `Instant() + std::chrono::milliseconds(100)`. Trivially copyable, 8 bytes.
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant FromNanos(int64_t ns) { return Instant(ns); }
  static constexpr Instant FromSteady(std::chrono::steady_clock::time_point t) {
    return Instant(std::chrono::duration_cast<Duration>(t.time_since_epoch()).count());
  }
  // Later than every real instant: "no deadline".
  static constexpr Instant Infinite() { return Instant(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t nanos() const { return ns_; }
  constexpr int64_t millis() const { return ns_ / 1'000'000; }

  constexpr Instant operator+(Duration d) const { return Instant(ns_ + d.count()); }
  constexpr Instant operator-(Duration d) const { return Instant(ns_ - d.count()); }
  constexpr Instant& operator+=(Duration d) {
    ns_ += d.count();
    return *this;
  }
  constexpr Duration operator-(Instant other) const { return Duration(ns_ - other.ns_); }
  friend constexpr auto operator<=>(Instant a, Instant b) = default;

 private:
  explicit constexpr Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace sfu
