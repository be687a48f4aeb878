#include "core/sfu/rtcp_nack_generator.h"

#include <array>
#include <chrono>
#include <cstdint>

#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

using std::chrono::milliseconds;

const NackGenerator::Policy kPolicy{milliseconds(5), milliseconds(20), 3, milliseconds(1000)};

TEST(NackGeneratorTest, ReorderDelayRetriesAndLimit) {
  NackGenerator gen(64);
  const Instant t0 = Instant() + milliseconds(100);
  ASSERT_TRUE(gen.OnPacket(10, 0, true, t0, kPolicy));
  ASSERT_TRUE(gen.OnPacket(11, 10, false, t0, kPolicy));
  ASSERT_TRUE(gen.OnPacket(14, 11, false, t0, kPolicy));  // 12 and 13 missing
  EXPECT_EQ(gen.pending(), 2u);
  EXPECT_EQ(gen.next_deadline(), t0 + milliseconds(5));
  std::array<uint16_t, 16> out;
  uint64_t abandoned = 0;
  EXPECT_EQ(gen.Collect(t0 + milliseconds(1), kPolicy, absl::MakeSpan(out), &abandoned), 0u);
  ASSERT_EQ(gen.Collect(t0 + milliseconds(5), kPolicy, absl::MakeSpan(out), &abandoned), 2u);
  EXPECT_EQ(out[0], 12);
  EXPECT_EQ(out[1], 13);
  EXPECT_EQ(gen.Collect(t0 + milliseconds(10), kPolicy, absl::MakeSpan(out), &abandoned), 0u);
  EXPECT_EQ(gen.Collect(t0 + milliseconds(25), kPolicy, absl::MakeSpan(out), &abandoned), 2u);
  gen.OnRecovered(12);
  ASSERT_EQ(gen.Collect(t0 + milliseconds(45), kPolicy, absl::MakeSpan(out), &abandoned), 1u);
  EXPECT_EQ(out[0], 13);
  // Third NACK was the last: the next due time abandons it.
  EXPECT_EQ(gen.Collect(t0 + milliseconds(65), kPolicy, absl::MakeSpan(out), &abandoned), 0u);
  EXPECT_EQ(abandoned, 1u);
  EXPECT_EQ(gen.pending(), 0u);
  EXPECT_EQ(gen.next_deadline(), Instant::Infinite());
}

TEST(NackGeneratorTest, LatePacketCancelsAndWideGapIsRefused) {
  NackGenerator gen(8);
  const Instant t0 = Instant() + milliseconds(100);
  ASSERT_TRUE(gen.OnPacket(100, 0, true, t0, kPolicy));
  ASSERT_TRUE(gen.OnPacket(102, 100, false, t0, kPolicy));
  ASSERT_TRUE(gen.OnPacket(101, 102, false, t0, kPolicy));  // late original
  EXPECT_EQ(gen.pending(), 0u);
  EXPECT_FALSE(gen.OnPacket(120, 102, false, t0, kPolicy));  // 17 missing > 8
  EXPECT_EQ(gen.pending(), 0u);
}

TEST(NackGeneratorTest, ExpiresByAgeAndCapsOutput) {
  NackGenerator gen(64);
  const Instant t0 = Instant() + milliseconds(100);
  ASSERT_TRUE(gen.OnPacket(0, 0, true, t0, kPolicy));
  ASSERT_TRUE(gen.OnPacket(41, 0, false, t0, kPolicy));  // 40 missing
  std::array<uint16_t, 16> out;
  uint64_t abandoned = 0;
  EXPECT_EQ(gen.Collect(t0 + milliseconds(5), kPolicy, absl::MakeSpan(out), &abandoned), 16u);
  EXPECT_EQ(gen.pending(), 40u);
  EXPECT_EQ(gen.Collect(t0 + milliseconds(1001), kPolicy, absl::MakeSpan(out), &abandoned), 0u);
  EXPECT_EQ(abandoned, 40u);
}

}  // namespace
}  // namespace sfu::sfu
