#include "daemon/ring_shard_handle.h"

#include <poll.h>

#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

sfu::PeerConnected Connected(sfu::PeerId peer) {
  sfu::PeerConnected e;
  e.peer = peer;
  return e;
}

sfu::PeerRemoved Removed(sfu::PeerId peer, sfu::RemoveReason reason, const char* detail = "") {
  sfu::PeerRemoved e;
  e.peer = peer;
  e.reason = reason;
  e.detail = detail;
  return e;
}

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

TEST(RingShardHandleTest, CommandsReachTheShardSideInOrderAndWakeIt) {
  auto handle = RingShardHandle::Create(3);
  ASSERT_TRUE(handle.ok());
  RingShardHandle& h = **handle;
  EXPECT_EQ(h.index(), 3u);
  EXPECT_FALSE(Readable(h.channel().shard_waker().fd()));
  sfu::AddPeer add;
  add.peer = 7;
  add.local_ufrag = "abcd";
  EXPECT_TRUE(h.Post(sfu::ShardCommand(add)));
  EXPECT_TRUE(h.Post(sfu::ShardCommand(sfu::RemovePeer{7})));
  EXPECT_TRUE(Readable(h.channel().shard_waker().fd()));

  auto first = h.channel().PopCommand();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(std::holds_alternative<sfu::AddPeer>(*first));
  EXPECT_EQ(std::get<sfu::AddPeer>(*first).local_ufrag, "abcd");
  auto second = h.channel().PopCommand();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(std::get<sfu::RemovePeer>(*second).peer, 7u);
  EXPECT_FALSE(h.channel().PopCommand().has_value());
}

TEST(RingShardHandleTest, FullRingRefusesWithoutTakingTheCommand) {
  auto handle = RingShardHandle::Create(0);
  ASSERT_TRUE(handle.ok());
  for (size_t i = 0; i < ShardChannel::kCommandCapacity; ++i) {
    ASSERT_TRUE((*handle)->Post(sfu::ShardCommand(sfu::RemovePeer{static_cast<uint32_t>(i)})));
  }
  sfu::ShardCommand extra = sfu::RemovePeer{99999};
  EXPECT_FALSE((*handle)->Post(std::move(extra)));
  EXPECT_EQ(std::get<sfu::RemovePeer>(extra).peer, 99999u);
}

TEST(RingShardHandleTest, EventsDrainInOrderAndWakeTheControlThread) {
  auto handle = RingShardHandle::Create(0);
  ASSERT_TRUE(handle.ok());
  RingShardHandle& h = **handle;
  EXPECT_FALSE(Readable(h.event_fd()));
  ASSERT_TRUE(h.channel().PushEvent(Connected(5)));
  ASSERT_TRUE(h.channel().PushEvent(Removed(5, sfu::RemoveReason::kDeleted)));
  EXPECT_TRUE(Readable(h.event_fd()));
  std::vector<sfu::ShardEvent> events;
  EXPECT_EQ(h.DrainEvents(events), 2u);
  EXPECT_FALSE(Readable(h.event_fd()));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<sfu::PeerConnected>(events[0]).peer, 5u);
  EXPECT_EQ(std::get<sfu::PeerRemoved>(events[1]).reason, sfu::RemoveReason::kDeleted);
  EXPECT_EQ(h.DrainEvents(events), 0u);
}

}  // namespace
}  // namespace sfu::daemon
