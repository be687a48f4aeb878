#include "core/sfu/connection_table.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

const Instant kNow = Instant::FromNanos(1'000'000'000);

std::unique_ptr<Peer> MakePeer(PeerId id, std::string ufrag) {
  AddPeer add;
  add.peer = id;
  add.room = 1;
  add.local_ufrag = std::move(ufrag);
  add.local_pwd = "abcdefghijklmnopqrstuvwxyz";
  add.remote_ufrag = "remote";
  add.media = SubscriberConfig{};
  auto peer = Peer::Create(add, Peer::Limits{}, kNow);
  EXPECT_TRUE(peer.ok()) << peer.status();
  return *std::move(peer);
}

FiveTuple Tuple(uint16_t remote_port) {
  return FiveTuple{SocketAddress{*IpAddress::Parse("192.0.2.1"), 3478},
                   SocketAddress{*IpAddress::Parse("198.51.100.2"), remote_port}};
}

TEST(ConnectionTableTest, FindsPeersByIdUfragAndBoundTuple) {
  ConnectionTable table(4, 8);
  absl::StatusOr<Peer*> a = table.Insert(MakePeer(1, "ufragA"));
  absl::StatusOr<Peer*> b = table.Insert(MakePeer(2, "ufragB"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(table.FindById(1), *a);
  EXPECT_EQ(table.FindByUfrag("ufragB"), *b);
  EXPECT_EQ(table.FindByUfrag("ufragC"), nullptr);
  EXPECT_EQ(table.FindByTuple(Tuple(1)), nullptr);

  EXPECT_TRUE(table.BindTuple(Tuple(1), *a));
  EXPECT_TRUE(table.BindTuple(Tuple(2), *a));
  EXPECT_TRUE(table.BindTuple(Tuple(1), *a));  // idempotent
  EXPECT_EQ(table.FindByTuple(Tuple(1)), *a);
  EXPECT_EQ(table.FindByTuple(Tuple(2)), *a);
  EXPECT_EQ(table.tuple_count(), 2u);
  EXPECT_EQ((*a)->bound_tuples().size(), 2u);

  table.UnbindTuple(Tuple(2), *b);  // not b's: no effect
  EXPECT_EQ(table.FindByTuple(Tuple(2)), *a);
  table.UnbindTuple(Tuple(2), *a);
  EXPECT_EQ(table.FindByTuple(Tuple(2)), nullptr);
  EXPECT_EQ((*a)->bound_tuples().size(), 1u);
}

TEST(ConnectionTableTest, RemoveUnmapsEverythingAndReturnsOwnership) {
  ConnectionTable table(4, 8);
  Peer* a = *table.Insert(MakePeer(1, "ufragA"));
  ASSERT_TRUE(table.BindTuple(Tuple(1), a));
  ASSERT_TRUE(table.BindTuple(Tuple(2), a));
  std::unique_ptr<Peer> removed = table.Remove(1);
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(removed->id(), 1u);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.tuple_count(), 0u);
  EXPECT_EQ(table.FindById(1), nullptr);
  EXPECT_EQ(table.FindByUfrag("ufragA"), nullptr);
  EXPECT_EQ(table.FindByTuple(Tuple(1)), nullptr);
  EXPECT_EQ(table.Remove(1), nullptr);
  // The id and ufrag can be used again.
  EXPECT_TRUE(table.Insert(MakePeer(1, "ufragA")).ok());
}

TEST(ConnectionTableTest, ATupleMovesToTheSessionWithTheNewerCheck) {
  ConnectionTable table(4, 8);
  Peer* a = *table.Insert(MakePeer(1, "ufragA"));
  Peer* b = *table.Insert(MakePeer(2, "ufragB"));
  ASSERT_TRUE(table.BindTuple(Tuple(1), a));
  ASSERT_TRUE(table.BindTuple(Tuple(1), b));  // a NAT binding reused by another session
  EXPECT_EQ(table.FindByTuple(Tuple(1)), b);
  EXPECT_TRUE(a->bound_tuples().empty());
  EXPECT_EQ(table.tuple_count(), 1u);
  table.Remove(1);  // removing the old owner leaves the new mapping alone
  EXPECT_EQ(table.FindByTuple(Tuple(1)), b);
}

TEST(ConnectionTableTest, CapsAndDuplicatesAreRefused) {
  ConnectionTable table(2, 3);
  Peer* a = *table.Insert(MakePeer(1, "ufragA"));
  EXPECT_EQ(table.Insert(MakePeer(1, "ufragZ")).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(table.Insert(MakePeer(9, "ufragA")).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(table.Insert(MakePeer(2, "ufragB")).ok());
  EXPECT_EQ(table.Insert(MakePeer(3, "ufragC")).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(table.size(), 2u);

  EXPECT_TRUE(table.BindTuple(Tuple(1), a));
  EXPECT_TRUE(table.BindTuple(Tuple(2), a));
  EXPECT_TRUE(table.BindTuple(Tuple(3), a));
  EXPECT_FALSE(table.BindTuple(Tuple(4), a));
  EXPECT_EQ(table.FindByTuple(Tuple(4)), nullptr);
  EXPECT_EQ(table.tuple_count(), 3u);
  table.UnbindTuple(Tuple(1), a);
  EXPECT_TRUE(table.BindTuple(Tuple(4), a));
}

TEST(ConnectionTableTest, ForEachVisitsEveryPeer) {
  ConnectionTable table(8, 8);
  for (PeerId id = 1; id <= 5; ++id) {
    ASSERT_TRUE(table.Insert(MakePeer(id, "ufrag" + std::to_string(id))).ok());
  }
  PeerId sum = 0;
  table.ForEach([&](const Peer& p) { sum += p.id(); });
  EXPECT_EQ(sum, 15u);
}

}  // namespace
}  // namespace sfu::sfu
