#include "core/net/shard_thread.h"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <memory>
#include <thread>

#include "core/net/io_backend.h"
#include "core/net/monotonic_clock.h"
#include "core/net/spsc_ring.h"
#include "gtest/gtest.h"

namespace sfu::net {
namespace {

TEST(ShardThreadTest, RunsNamedPinnedAndStopsOnWake) {
  std::atomic<bool> saw_name{false};
  std::atomic<int> cpu_seen{-1};
  std::atomic<int> waits{0};
  std::atomic<bool> waiting{false};
  absl::StatusOr<std::unique_ptr<ShardThread>> shard =
      ShardThread::Start(1, 0, [&](const ShardContext& context) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof(name));
        saw_name = std::string(name) == "sfud-shard-1";
        cpu_seen = sched_getcpu();
        // A real loop: the backend wakes when Stop() fires the Waker.
        IoBackendOptions options;
        options.kind = IoBackendKind::kMmsg;
        options.wake_fd = context.wake_fd();
        absl::StatusOr<std::unique_ptr<IoBackend>> backend = IoBackend::Create(options);
        if (!backend.ok()) return;
        while (!context.stop_requested()) {
          waiting = true;
          (*backend)->Wait(Instant::Infinite());
          ++waits;
        }
      });
  ASSERT_TRUE(shard.ok()) << shard.status();
  EXPECT_EQ((*shard)->name(), "sfud-shard-1");
  // Stop once the shard is (about to be) blocked with no deadline: only the Waker can end that
  // wait, and a wake that lands just before it starts leaves the eventfd readable, so either way
  // the wait ends.
  const Instant give_up = MonotonicClock::Now() + std::chrono::seconds(10);
  while (!waiting && MonotonicClock::Now() < give_up) std::this_thread::yield();
  (*shard)->Stop();
  EXPECT_TRUE(saw_name);
  if ((*shard)->pin_status().ok()) {
    EXPECT_EQ(cpu_seen, 0);
  }
  EXPECT_GE(waits, 1);
}

TEST(ShardThreadTest, PinningFailureIsReportedNotFatal) {
  std::atomic<bool> ran{false};
  absl::StatusOr<std::unique_ptr<ShardThread>> shard =
      ShardThread::Start(0, CPU_SETSIZE + 5, [&](const ShardContext&) { ran = true; });
  ASSERT_TRUE(shard.ok());
  EXPECT_FALSE((*shard)->pin_status().ok());
  (*shard)->Stop();
  EXPECT_TRUE(ran);
}

TEST(ShardThreadTest, CommandsThroughRingAndWaker) {
  // The control thread → shard pattern: push, wake; the shard drains after every wait.
  auto commands = std::make_unique<SpscRing<int, 16>>();
  std::atomic<int> sum{0};
  std::atomic<int> received{0};
  absl::StatusOr<std::unique_ptr<ShardThread>> shard =
      ShardThread::Start(2, std::nullopt, [&](const ShardContext& context) {
        IoBackendOptions options;
        options.kind = IoBackendKind::kIoUring;  // created on the shard thread (SINGLE_ISSUER)
        options.wake_fd = context.wake_fd();
        absl::StatusOr<std::unique_ptr<IoBackend>> backend = IoBackend::Create(options);
        if (!backend.ok()) return;
        while (!context.stop_requested()) {
          (*backend)->Wait(MonotonicClock::Now() + std::chrono::seconds(5));
          int command;
          while (commands->TryPop(command)) {
            sum += command;
            ++received;
          }
        }
      });
  ASSERT_TRUE(shard.ok());
  EXPECT_TRUE((*shard)->pin_status().ok());
  for (int i = 1; i <= 100; ++i) {
    while (!commands->TryPush(i)) (*shard)->waker().Wake();
    (*shard)->waker().Wake();
  }
  const Instant give_up = MonotonicClock::Now() + std::chrono::seconds(10);
  while (received < 100 && MonotonicClock::Now() < give_up) std::this_thread::yield();
  (*shard)->Stop();
  EXPECT_EQ(received, 100);
  EXPECT_EQ(sum, 5050);
}

}  // namespace
}  // namespace sfu::net
