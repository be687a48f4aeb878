// CrossShardRing and CrossShardMesh: capacity, full and empty, in-place slots, and FIFO order
// with the producer and the consumer on two threads (no sleeps: the consumer spins on Front()
// with a bound).
#include "core/sfu/cross_shard_ring.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "core/sfu/cross_shard_mesh.h"
#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

TEST(CrossShardRingTest, CapacityRoundsUpToAPowerOfTwo) {
  EXPECT_EQ(CrossShardRing(0).capacity(), 2u);
  EXPECT_EQ(CrossShardRing(3).capacity(), 4u);
  EXPECT_EQ(CrossShardRing(512).capacity(), 512u);
  EXPECT_EQ(CrossShardRing(513).capacity(), 1024u);
}

TEST(CrossShardRingTest, FullRefusesEmptyReturnsNothingSlotsAreReadInPlace) {
  CrossShardRing ring(4);
  EXPECT_EQ(ring.Front(), nullptr);
  for (uint32_t i = 0; i < 4; ++i) {
    CrossShardSlot* slot = ring.Reserve();
    ASSERT_NE(slot, nullptr);
    slot->publisher = i;
    slot->size = 3;
    std::memcpy(slot->data, "abc", 3);
    ring.Publish();
  }
  EXPECT_EQ(ring.Reserve(), nullptr);  // full: the producer drops, never blocks
  EXPECT_EQ(ring.SizeApprox(), 4u);
  // A reserved but unpublished slot is invisible and reused.
  const CrossShardSlot* front = ring.Front();
  ASSERT_NE(front, nullptr);
  EXPECT_EQ(front->publisher, 0u);
  EXPECT_EQ(std::string(front->bytes().begin(), front->bytes().end()), "abc");
  ring.Release();
  CrossShardSlot* reserved = ring.Reserve();
  ASSERT_NE(reserved, nullptr);
  reserved->publisher = 99;  // not published
  for (uint32_t i = 1; i < 4; ++i) {
    ASSERT_NE(ring.Front(), nullptr);
    EXPECT_EQ(ring.Front()->publisher, i);
    ring.Release();
  }
  EXPECT_EQ(ring.Front(), nullptr);
  CrossShardSlot* again = ring.Reserve();
  EXPECT_EQ(again, reserved);
}

TEST(CrossShardRingTest, TwoThreadsSeeEverySlotInOrder) {
  constexpr uint32_t kSlots = 100000;
  CrossShardRing ring(64);
  std::atomic<bool> give_up{false};  // the consumer ran out of time: do not spin on a full ring
  std::thread producer([&] {
    for (uint32_t i = 0; i < kSlots && !give_up.load(std::memory_order_relaxed);) {
      CrossShardSlot* slot = ring.Reserve();
      if (slot == nullptr) {
        std::this_thread::yield();
        continue;
      }
      slot->publisher = i;
      slot->size = 4;
      std::memcpy(slot->data, &i, 4);
      ring.Publish();
      ++i;
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  uint32_t next = 0;
  bool in_order = true;
  while (next < kSlots && std::chrono::steady_clock::now() < deadline) {
    const CrossShardSlot* slot = ring.Front();
    if (slot == nullptr) {
      std::this_thread::yield();
      continue;
    }
    uint32_t payload = 0;
    std::memcpy(&payload, slot->data, 4);
    in_order = in_order && slot->publisher == next && payload == next;
    ring.Release();
    ++next;
  }
  give_up.store(true, std::memory_order_relaxed);
  producer.join();
  EXPECT_EQ(next, kSlots);
  EXPECT_TRUE(in_order);
}

TEST(CrossShardMeshTest, OneRingPerOrderedPairOfDistinctShards) {
  CrossShardMesh mesh(3, 8);
  EXPECT_EQ(mesh.shards(), 3u);
  for (size_t from = 0; from < 3; ++from) {
    for (size_t to = 0; to < 3; ++to) {
      if (from == to) {
        EXPECT_EQ(mesh.ring(from, to), nullptr);
      } else {
        ASSERT_NE(mesh.ring(from, to), nullptr);
        EXPECT_EQ(mesh.ring(from, to)->capacity(), 8u);
      }
    }
  }
  EXPECT_NE(mesh.ring(0, 1), mesh.ring(1, 0));
  EXPECT_EQ(mesh.ring(0, 3), nullptr);
  EXPECT_EQ(mesh.ring(7, 0), nullptr);
}

}  // namespace
}  // namespace sfu::sfu
