#include "core/common/instant.h"

#include <chrono>

#include "gtest/gtest.h"

namespace sfu {
namespace {

using std::chrono::milliseconds;

TEST(InstantTest, ArithmeticAndOrdering) {
  Instant t0;
  Instant t1 = t0 + milliseconds(100);
  EXPECT_LT(t0, t1);
  EXPECT_EQ(t1 - t0, milliseconds(100));
  EXPECT_EQ(t1.millis(), 100);
  EXPECT_EQ((t1 - milliseconds(40)).millis(), 60);
  t1 += milliseconds(1);
  EXPECT_EQ(t1.nanos(), 101'000'000);
  EXPECT_LT(t1, Instant::Infinite());
}

TEST(InstantTest, FromSteadyClockPreservesDifferences) {
  auto a = std::chrono::steady_clock::time_point(std::chrono::seconds(5));
  auto b = a + milliseconds(250);
  EXPECT_EQ(Instant::FromSteady(b) - Instant::FromSteady(a), milliseconds(250));
}

}  // namespace
}  // namespace sfu
