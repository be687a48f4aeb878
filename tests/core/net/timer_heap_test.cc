#include "core/net/timer_heap.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sfu::net {
namespace {

using ::testing::ElementsAre;

Instant At(int64_t ms) { return Instant() + std::chrono::milliseconds(ms); }

std::vector<TimerHeap::TimerId> PopAll(TimerHeap& timers, Instant now) {
  std::vector<TimerHeap::TimerId> out;
  TimerHeap::TimerId buf[3];
  while (size_t n = timers.PopExpired(now, absl::MakeSpan(buf)))
    out.insert(out.end(), buf, buf + n);
  return out;
}

TEST(TimerHeapTest, PopsInDeadlineOrderUpToNow) {
  TimerHeap timers(10);
  EXPECT_EQ(timers.NextDeadline(), Instant::Infinite());
  timers.Schedule(3, At(30));
  timers.Schedule(1, At(10));
  timers.Schedule(2, At(20));
  timers.Schedule(4, At(40));
  EXPECT_EQ(timers.NextDeadline(), At(10));
  EXPECT_THAT(PopAll(timers, At(25)), ElementsAre(1, 2));
  EXPECT_EQ(timers.NextDeadline(), At(30));
  EXPECT_FALSE(timers.IsScheduled(1));
  EXPECT_TRUE(timers.IsScheduled(3));
  EXPECT_THAT(PopAll(timers, At(40)), ElementsAre(3, 4));
  EXPECT_TRUE(timers.empty());
}

TEST(TimerHeapTest, EqualDeadlinesFireInScheduleOrder) {
  TimerHeap timers(10);
  for (TimerHeap::TimerId id : {5u, 2u, 7u, 0u}) timers.Schedule(id, At(5));
  EXPECT_THAT(PopAll(timers, At(5)), ElementsAre(5, 2, 7, 0));
}

TEST(TimerHeapTest, CancelAndReschedule) {
  TimerHeap timers(10);
  timers.Schedule(1, At(10));
  timers.Schedule(2, At(20));
  timers.Schedule(3, At(30));
  EXPECT_TRUE(timers.Cancel(1));
  EXPECT_FALSE(timers.Cancel(1));
  EXPECT_FALSE(timers.Cancel(9));
  EXPECT_EQ(timers.NextDeadline(), At(20));
  timers.Schedule(3, At(5));   // earlier
  timers.Schedule(2, At(50));  // later
  EXPECT_EQ(timers.size(), 2u);
  EXPECT_THAT(PopAll(timers, At(100)), ElementsAre(3, 2));
  EXPECT_FALSE(timers.Schedule(10, At(1)));  // outside the capacity
  EXPECT_TRUE(timers.empty());
}

TEST(TimerHeapTest, ManyTimersAgainstASortedReference) {
  constexpr uint32_t kTimers = 5000;
  TimerHeap timers(kTimers);
  std::mt19937 rng(42);
  std::vector<int64_t> deadline(kTimers, -1);
  for (int op = 0; op < 40000; ++op) {
    const uint32_t id = rng() % kTimers;
    if (rng() % 4 == 0) {
      EXPECT_EQ(timers.Cancel(id), deadline[id] >= 0);
      deadline[id] = -1;
    } else {
      deadline[id] = rng() % 100000;
      timers.Schedule(id, At(deadline[id]));
    }
  }
  std::vector<std::pair<int64_t, uint32_t>> expected;
  for (uint32_t id = 0; id < kTimers; ++id) {
    if (deadline[id] >= 0) expected.emplace_back(deadline[id], id);
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(timers.size(), expected.size());
  // Pop in slices of time; every slice yields exactly the reference's ids with deadlines in it.
  size_t next = 0;
  for (int64_t now = 0; now <= 100000; now += 997) {
    const std::vector<TimerHeap::TimerId> popped = PopAll(timers, At(now));
    std::vector<int64_t> popped_deadlines;
    for (TimerHeap::TimerId id : popped) popped_deadlines.push_back(deadline[id]);
    EXPECT_TRUE(std::is_sorted(popped_deadlines.begin(), popped_deadlines.end()));
    for (TimerHeap::TimerId id : popped) {
      ASSERT_LT(next, expected.size());
      EXPECT_EQ(deadline[id], expected[next].first);
      EXPECT_LE(deadline[id], now);
      ++next;
    }
  }
  EXPECT_EQ(PopAll(timers, At(1'000'000)).size() + next, expected.size());
  EXPECT_TRUE(timers.empty());
}

}  // namespace
}  // namespace sfu::net
