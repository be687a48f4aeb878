// How a LoopThread waits when nothing is due: it sleeps in epoll_wait, or with a spin budget it
// first polls epoll without blocking for up to that long. A real thread with no peers (its only
// deadline is the 250 ms snapshot publication) and no sfud; the conditions are waited on through
// the published snapshot, bounded.

#include "bench/loadgen/loop_thread.h"

#include <chrono>
#include <functional>
#include <thread>

#include "gtest/gtest.h"

namespace sfu::loadgen {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Waits (at most 10 s) until the loop's published counters satisfy `done`; then stops the loop
// and returns its final counters.
LoopStats RunUntil(LoopThread& loop, const std::function<bool(const LoopStats&)>& done) {
  EXPECT_TRUE(loop.Start().ok());
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool reached = false;
  while (!reached && std::chrono::steady_clock::now() < give_up) {
    reached = done(loop.Snapshot().loop);
    if (!reached) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(reached);
  loop.Finish();
  loop.Join();
  return loop.loop_stats();
}

TEST(LoopThread, WithoutSpinItSleepsAndNeverPolls) {
  LoopThread loop(4);
  const LoopStats s = RunUntil(loop, [](const LoopStats& l) { return l.sleeps >= 3; });
  EXPECT_GE(s.sleeps, 3u);
  EXPECT_EQ(s.spins, 0u);
  EXPECT_EQ(s.spin_polls, 0u);
  EXPECT_EQ(s.spin_ns, 0);
}

TEST(LoopThread, SpinLongerThanTheNextDeadlineNeverSleeps) {
  // Every wait is at most the 250 ms to the next publication, so a 1 s budget always spins
  // until the deadline (or the Finish wake-up) instead of sleeping.
  LoopThread loop(4, std::chrono::seconds(1));
  const LoopStats s = RunUntil(loop, [](const LoopStats& l) { return l.spins >= 3; });
  EXPECT_GE(s.spins, 3u);
  EXPECT_EQ(s.sleeps, 0u);
  EXPECT_GT(s.spin_polls, s.spins);
  EXPECT_GT(s.spin_ns, 0);
}

TEST(LoopThread, ShortSpinThenSleep) {
  // Nothing arrives within 200 us of a wait starting, so each wait spins its whole budget, then
  // sleeps until the deadline.
  LoopThread loop(4, microseconds(200));
  const LoopStats s = RunUntil(loop, [](const LoopStats& l) { return l.sleeps >= 3; });
  EXPECT_GE(s.sleeps, 3u);
  EXPECT_LT(s.spins, s.sleeps);  // only a wake-up (Finish) can end a spin early
  EXPECT_GE(s.spin_polls, s.sleeps);
  EXPECT_GE(s.spin_ns, static_cast<int64_t>(s.sleeps) * 200'000);
}

}  // namespace
}  // namespace sfu::loadgen
