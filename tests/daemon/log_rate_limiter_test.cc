#include "daemon/log_rate_limiter.h"

#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

using std::chrono::milliseconds;

TEST(LogRateLimiterTest, AllowsBurstThenRate) {
  LogRateLimiter limiter(/*per_second=*/10, /*burst=*/3);
  Instant t = Instant::FromNanos(1'000'000'000);
  EXPECT_TRUE(limiter.Allow(t));
  EXPECT_TRUE(limiter.Allow(t));
  EXPECT_TRUE(limiter.Allow(t));
  EXPECT_FALSE(limiter.Allow(t));
  EXPECT_FALSE(limiter.Allow(t + milliseconds(99)));
  EXPECT_EQ(limiter.TakeSuppressed(), 2u);
  EXPECT_EQ(limiter.TakeSuppressed(), 0u);
  // One token per 100 ms.
  EXPECT_TRUE(limiter.Allow(t + milliseconds(100)));
  EXPECT_FALSE(limiter.Allow(t + milliseconds(150)));
  EXPECT_TRUE(limiter.Allow(t + milliseconds(200)));
}

TEST(LogRateLimiterTest, IdleTimeRefillsOnlyUpToBurst) {
  LogRateLimiter limiter(1, 2);
  Instant t;
  EXPECT_TRUE(limiter.Allow(t));
  EXPECT_TRUE(limiter.Allow(t));
  EXPECT_FALSE(limiter.Allow(t));
  Instant later = t + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_FALSE(limiter.Allow(later));
}

TEST(LogRateLimiterTest, TimeGoingBackwardsDoesNotMintTokens) {
  LogRateLimiter limiter(1, 1);
  Instant t = Instant::FromNanos(5'000'000'000);
  EXPECT_TRUE(limiter.Allow(t));
  EXPECT_FALSE(limiter.Allow(t - std::chrono::seconds(3)));
  EXPECT_FALSE(limiter.Allow(t));
}

}  // namespace
}  // namespace sfu::daemon
