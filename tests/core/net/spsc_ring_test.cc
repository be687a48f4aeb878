#include "core/net/spsc_ring.h"

#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sfu::net {
namespace {

TEST(SpscRingTest, FifoAndBounded) {
  SpscRing<int, 4> ring;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ring.TryPush(i));
  EXPECT_FALSE(ring.TryPush(99));
  EXPECT_EQ(ring.SizeApprox(), 4u);
  int value = -1;
  ASSERT_TRUE(ring.TryPop(value));
  EXPECT_EQ(value, 0);
  EXPECT_TRUE(ring.TryPush(4));
  int out[8];
  EXPECT_EQ(ring.PopBatch(absl::MakeSpan(out)), 4u);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[3], 4);
  EXPECT_FALSE(ring.TryPop(value));
  const int in[] = {7, 8, 9, 10, 11};
  EXPECT_EQ(ring.PushBatch(absl::MakeConstSpan(in)), 4u);
  EXPECT_EQ(ring.PopBatch(absl::MakeSpan(out)), 4u);
  EXPECT_EQ(out[3], 10);
}

TEST(SpscRingTest, MovesOnlyTypes) {
  SpscRing<std::unique_ptr<int>, 2> ring;
  EXPECT_TRUE(ring.TryPush(std::make_unique<int>(5)));
  std::unique_ptr<int> out;
  ASSERT_TRUE(ring.TryPop(out));
  EXPECT_EQ(*out, 5);
}

TEST(SpscRingTest, ConcurrentProducerConsumerKeepsOrderAndLosesNothing) {
  // A small ring forces both sides through the full and empty paths many times.
  struct Item {
    uint64_t sequence;
    uint64_t check;
  };
  auto ring = std::make_unique<SpscRing<Item, 64>>();
  constexpr uint64_t kCount = 2'000'000;
  std::thread producer([&] {
    uint64_t next = 0;
    Item batch[16];
    while (next < kCount) {
      if (next % 3 == 0) {
        size_t n = 0;
        for (; n < 16 && next + n < kCount; ++n) batch[n] = {next + n, (next + n) * 2654435761u};
        next += ring->PushBatch(absl::MakeConstSpan(batch, n));
      } else if (ring->TryPush(Item{next, next * 2654435761u})) {
        ++next;
      }
    }
  });
  uint64_t expected = 0;
  bool in_order = true;
  Item out[32];
  while (expected < kCount) {
    const size_t n = ring->PopBatch(absl::MakeSpan(out, 1 + expected % 32));
    for (size_t i = 0; i < n; ++i) {
      in_order &= out[i].sequence == expected && out[i].check == expected * 2654435761u;
      ++expected;
    }
  }
  producer.join();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(expected, kCount);
  Item extra;
  EXPECT_FALSE(ring->TryPop(extra));
}

}  // namespace
}  // namespace sfu::net
