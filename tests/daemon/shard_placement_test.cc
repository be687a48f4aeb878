#include "daemon/shard_placement.h"

#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

using sfu::PeerRole;

TEST(ShardPlacementTest, HomeShardIsFnv1aOfTheName) {
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the FNV reference test vectors).
  EXPECT_EQ(ShardPlacement::HomeShard("a", 1000), 0xaf63dc4c8601ec8cULL % 1000);
  EXPECT_EQ(ShardPlacement::HomeShard("a", 7), 0xaf63dc4c8601ec8cULL % 7);
  // Empty name: the offset basis.
  EXPECT_EQ(ShardPlacement::HomeShard("", 1000), 0xcbf29ce484222325ULL % 1000);
  EXPECT_EQ(ShardPlacement::HomeShard("anything", 1), 0u);
}

TEST(ShardPlacementTest, DeterministicAcrossInstances) {
  ShardPlacement a(8, 0), b(8, 0);
  for (const char* room : {"lobby", "room-1", "x", "a.b_c"}) {
    uint32_t first = a.Place(room, PeerRole::kPublisher);
    EXPECT_EQ(first, b.Place(room, PeerRole::kSubscriber));
    EXPECT_EQ(first, ShardPlacement::HomeShard(room, 8));
    EXPECT_EQ(first, a.Place(room, PeerRole::kSubscriber));
  }
}

TEST(ShardPlacementTest, WithoutThresholdEverySubscriberStaysHome) {
  ShardPlacement p(4, 0);
  uint32_t home = ShardPlacement::HomeShard("big", 4);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(p.Place("big", PeerRole::kSubscriber), home);
}

TEST(ShardPlacementTest, LargeRoomSpreadsSubscribersEvenly) {
  ShardPlacement p(3, 2);
  uint32_t home = ShardPlacement::HomeShard("big", 3);
  EXPECT_EQ(p.Place("big", PeerRole::kPublisher), home);
  EXPECT_EQ(p.Place("big", PeerRole::kSubscriber), home);
  EXPECT_EQ(p.Place("big", PeerRole::kSubscriber), home);
  // Home is full: the others in shard order after home, least loaded first.
  EXPECT_EQ(p.Place("big", PeerRole::kSubscriber), (home + 1) % 3);
  EXPECT_EQ(p.Place("big", PeerRole::kSubscriber), (home + 2) % 3);
  EXPECT_EQ(p.Place("big", PeerRole::kSubscriber), (home + 1) % 3);
  // Publishers always go home.
  EXPECT_EQ(p.Place("big", PeerRole::kPublisher), home);
}

TEST(ShardPlacementTest, ReleaseForgetsEmptyRooms) {
  ShardPlacement p(3, 1);
  uint32_t home = ShardPlacement::HomeShard("r", 3);
  EXPECT_EQ(p.Place("r", PeerRole::kSubscriber), home);
  uint32_t second = p.Place("r", PeerRole::kSubscriber);
  EXPECT_NE(second, home);
  EXPECT_EQ(p.room_count(), 1u);
  p.Release("r", PeerRole::kSubscriber, home);
  // Home has room again.
  EXPECT_EQ(p.Place("r", PeerRole::kSubscriber), home);
  p.Release("r", PeerRole::kSubscriber, home);
  p.Release("r", PeerRole::kSubscriber, second);
  EXPECT_EQ(p.room_count(), 0u);
  p.Release("gone", PeerRole::kPublisher, 0);  // unknown room: ignored
  EXPECT_EQ(p.room_count(), 0u);
}

}  // namespace
}  // namespace sfu::daemon
