#include "core/common/five_tuple.h"

#include <netinet/in.h>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash_testing.h"
#include "gtest/gtest.h"

namespace sfu {
namespace {

TEST(IpAddressTest, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddress::Parse("192.0.2.7");
  ASSERT_TRUE(v4.has_value());
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->bytes().size(), 4u);
  EXPECT_EQ(v4->ToString(), "192.0.2.7");

  auto v6 = IpAddress::Parse("2001:db8::1");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->bytes().size(), 16u);
  EXPECT_EQ(v6->ToString(), "2001:db8::1");

  EXPECT_FALSE(IpAddress::Parse("").has_value());
  EXPECT_FALSE(IpAddress::Parse("256.1.1.1").has_value());
  EXPECT_FALSE(IpAddress::Parse("[::1]").has_value());
  EXPECT_FALSE(IpAddress::Parse(std::string(200, '1')).has_value());
}

TEST(IpAddressTest, FamiliesNeverCompareEqual) {
  // ::ffff:127.0.0.1 is a different 5-tuple key from 127.0.0.1 (different sockets report them).
  EXPECT_NE(*IpAddress::Parse("::ffff:127.0.0.1"), *IpAddress::Parse("127.0.0.1"));
  EXPECT_EQ(IpAddress::Loopback(IpAddress::Family::kV6), *IpAddress::Parse("::1"));
  EXPECT_EQ(IpAddress::Loopback(IpAddress::Family::kV4), *IpAddress::Parse("127.0.0.1"));
}

TEST(SocketAddressTest, RoundTripsThroughSockaddr) {
  for (const char* text : {"127.0.0.1", "::1", "2001:db8::42"}) {
    SocketAddress a{*IpAddress::Parse(text), 40000};
    sockaddr_storage ss;
    socklen_t len = a.ToSockaddr(&ss);
    ASSERT_GT(len, 0u);
    auto back = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, a);
  }
  EXPECT_EQ((SocketAddress{*IpAddress::Parse("::1"), 5}).ToString(), "[::1]:5");
  EXPECT_EQ((SocketAddress{*IpAddress::Parse("10.0.0.1"), 5}).ToString(), "10.0.0.1:5");
}

TEST(SocketAddressTest, RejectsShortOrForeignSockaddr) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  EXPECT_FALSE(SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in), 4).has_value());
  sockaddr sa{};
  sa.sa_family = AF_UNIX;
  EXPECT_FALSE(SocketAddress::FromSockaddr(&sa, sizeof(sa)).has_value());
  EXPECT_FALSE(SocketAddress::FromSockaddr(nullptr, 0).has_value());
  sockaddr_storage ss;
  EXPECT_EQ(SocketAddress{}.ToSockaddr(&ss), 0u);
}

TEST(FiveTupleTest, HashesConsistentlyForFlatHashMap) {
  FiveTuple a{{*IpAddress::Parse("127.0.0.1"), 10000}, {*IpAddress::Parse("127.0.0.1"), 50000}};
  FiveTuple b = a;
  b.remote.port = 50001;
  FiveTuple c{{*IpAddress::Parse("::1"), 10000}, {*IpAddress::Parse("::1"), 50000}};
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({a, b, c}));

  absl::flat_hash_map<FiveTuple, int> table;
  table[a] = 1;
  table[b] = 2;
  table[c] = 3;
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.at(a), 1);
  EXPECT_EQ(table.at(c), 3);
  EXPECT_EQ(a.ToString(), "127.0.0.1:50000->127.0.0.1:10000/udp");
}

}  // namespace
}  // namespace sfu
