#include "core/sfu/retransmission_buffer.h"

#include <chrono>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

using std::chrono::milliseconds;

TEST(RetransmissionBufferTest, StoresByIndexAndEvictsOldest) {
  RetransmissionBuffer buffer(4, 100);
  const Instant t0 = Instant() + milliseconds(1000);
  for (int64_t i = 10; i < 16; ++i) {
    const std::vector<uint8_t> p(20, static_cast<uint8_t>(i));
    ASSERT_TRUE(buffer.Store(i, t0, p));
  }
  EXPECT_TRUE(buffer.Find(10, t0, milliseconds(1000)).empty());  // slot reused by 14
  EXPECT_TRUE(buffer.Find(11, t0, milliseconds(1000)).empty());
  for (int64_t i = 12; i < 16; ++i) {
    auto p = buffer.Find(i, t0, milliseconds(1000));
    ASSERT_EQ(p.size(), 20u);
    EXPECT_EQ(p[0], i);
  }
  // Too old, future, negative, ancient indexes all miss.
  EXPECT_TRUE(buffer.Find(15, t0 + milliseconds(1001), milliseconds(1000)).empty());
  EXPECT_TRUE(buffer.Find(19, t0, milliseconds(1000)).empty());
  EXPECT_TRUE(buffer.Find(-3, t0, milliseconds(1000)).empty());
  EXPECT_TRUE(buffer.Find(int64_t{1} << 40, t0, milliseconds(1000)).empty());
}

TEST(RetransmissionBufferTest, RefusesOversizedAndEmptyPackets) {
  RetransmissionBuffer buffer(4, 100);
  EXPECT_FALSE(buffer.Store(1, Instant(), std::vector<uint8_t>(101, 0)));
  EXPECT_FALSE(buffer.Store(1, Instant(), {}));
  EXPECT_FALSE(buffer.Store(-1, Instant(), std::vector<uint8_t>(10, 0)));
  EXPECT_TRUE(buffer.Store(1, Instant(), std::vector<uint8_t>(100, 7)));
  EXPECT_EQ(buffer.Find(1, Instant(), milliseconds(1)).size(), 100u);
}

}  // namespace
}  // namespace sfu::sfu
