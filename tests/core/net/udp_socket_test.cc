#include "core/net/udp_socket.h"

#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/net/plain_udp.h"

namespace sfu::net {
namespace {

using ::testing::HasSubstr;

SocketAddress Loopback(IpAddress::Family family, uint16_t port = 0) {
  return SocketAddress{IpAddress::Loopback(family), port};
}

TEST(UdpSocketTest, BindsV4AndV6AndReportsThePort) {
  for (IpAddress::Family family : {IpAddress::Family::kV4, IpAddress::Family::kV6}) {
    absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(Loopback(family));
    ASSERT_TRUE(socket.ok()) << socket.status();
    EXPECT_GE(socket->fd(), 0);
    EXPECT_EQ(socket->local_address().ip, IpAddress::Loopback(family));
    EXPECT_NE(socket->local_address().port, 0);
    EXPECT_GT(socket->receive_buffer_bytes(), 0);
    EXPECT_GT(socket->send_buffer_bytes(), 0);
    EXPECT_FALSE(socket->gro_enabled());
  }
}

TEST(UdpSocketTest, GsoIsDetectedOnThisKernel) {
  // PEERS.md: UDP GSO works on this machine's kernel (6.18).
  absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(Loopback(IpAddress::Family::kV4));
  ASSERT_TRUE(socket.ok());
  EXPECT_TRUE(socket->gso_supported());
}

TEST(UdpSocketTest, GroCanBeEnabled) {
  UdpSocketOptions options;
  options.gro = true;
  absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(Loopback(IpAddress::Family::kV6), options);
  ASSERT_TRUE(socket.ok()) << socket.status();
  EXPECT_TRUE(socket->gro_enabled());
}

int GetIntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t len = sizeof(value);
  EXPECT_EQ(getsockopt(fd, level, name, &value, &len), 0) << std::strerror(errno);
  return value;
}

TEST(UdpSocketTest, SetsDontFragmentWithoutTrustingLearnedPathMtu) {
  absl::StatusOr<UdpSocket> v4 = UdpSocket::Bind(Loopback(IpAddress::Family::kV4));
  absl::StatusOr<UdpSocket> v6 = UdpSocket::Bind(Loopback(IpAddress::Family::kV6));
  ASSERT_TRUE(v4.ok() && v6.ok());
  EXPECT_EQ(GetIntOption(v4->fd(), IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_PROBE);
  EXPECT_EQ(GetIntOption(v6->fd(), IPPROTO_IPV6, IPV6_MTU_DISCOVER), IPV6_PMTUDISC_PROBE);

  UdpSocketOptions off;
  off.dont_fragment = false;
  absl::StatusOr<UdpSocket> plain = UdpSocket::Bind(Loopback(IpAddress::Family::kV4), off);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(GetIntOption(plain->fd(), IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_PROBE);
}

TEST(UdpSocketTest, DatagramsLeaveWithDfSetAndNoIpId) {
  // What the option is for, seen on the wire: a raw socket (CAP_NET_RAW; CI runs as root) gets a
  // copy of every UDP datagram on loopback, IP header included.
  const int raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
  if (raw < 0) GTEST_SKIP() << "no raw socket (needs CAP_NET_RAW): " << std::strerror(errno);
  timeval tv{2, 0};
  setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(Loopback(IpAddress::Family::kV4));
  ASSERT_TRUE(socket.ok());
  testing::PlainUdp receiver(IpAddress::Family::kV4);
  sockaddr_storage to;
  const socklen_t to_len = receiver.address().ToSockaddr(&to);
  const std::array<uint8_t, 100> payload{};
  ASSERT_EQ(sendto(socket->fd(), payload.data(), payload.size(), 0,
                   reinterpret_cast<const sockaddr*>(&to), to_len),
            static_cast<ssize_t>(payload.size()));
  bool seen = false;
  std::array<uint8_t, 2048> packet;
  // Bounded: other loopback UDP traffic may interleave; ours is among the next 100 datagrams.
  for (int i = 0; i < 100 && !seen; ++i) {
    const ssize_t n = recv(raw, packet.data(), packet.size(), 0);
    ASSERT_GT(n, static_cast<ssize_t>(sizeof(iphdr) + 8)) << std::strerror(errno);
    const auto* ip = reinterpret_cast<const iphdr*>(packet.data());
    const uint8_t* udp = packet.data() + ip->ihl * 4;
    const uint16_t source_port = static_cast<uint16_t>(udp[0] << 8 | udp[1]);
    if (source_port != socket->local_address().port) continue;
    seen = true;
    EXPECT_TRUE(ntohs(ip->frag_off) & IP_DF);
    EXPECT_EQ(ip->id, 0);
  }
  close(raw);
  EXPECT_TRUE(seen);
}

TEST(UdpSocketTest, IsNonBlocking) {
  absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(Loopback(IpAddress::Family::kV4));
  ASSERT_TRUE(socket.ok());
  char byte;
  EXPECT_LT(recv(socket->fd(), &byte, 1, 0), 0);
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
}

TEST(UdpSocketTest, V6SocketIsV6Only) {
  // A v6 wildcard socket with IPV6_V6ONLY leaves the v4 wildcard on the same port free.
  absl::StatusOr<UdpSocket> v6 = UdpSocket::Bind(SocketAddress{*IpAddress::Parse("::"), 0},
                                                 UdpSocketOptions{.reuse_address = false});
  ASSERT_TRUE(v6.ok()) << v6.status();
  absl::StatusOr<UdpSocket> v4 =
      UdpSocket::Bind(SocketAddress{*IpAddress::Parse("0.0.0.0"), v6->local_address().port},
                      UdpSocketOptions{.reuse_address = false});
  EXPECT_TRUE(v4.ok()) << v4.status();
}

TEST(UdpSocketTest, BindErrorNamesTheAddress) {
  UdpSocketOptions options;
  options.reuse_address = false;
  absl::StatusOr<UdpSocket> first = UdpSocket::Bind(Loopback(IpAddress::Family::kV4), options);
  ASSERT_TRUE(first.ok());
  absl::StatusOr<UdpSocket> second = UdpSocket::Bind(first->local_address(), options);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr(first->local_address().ToString()));
  EXPECT_THAT(second.status().message(), HasSubstr("bind"));
  EXPECT_FALSE(UdpSocket::Bind(SocketAddress{}).ok());
}

TEST(UdpSocketTest, ReusePortLetsTwoSocketsShareAPort) {
  UdpSocketOptions options;
  options.reuse_port = true;
  absl::StatusOr<UdpSocket> first = UdpSocket::Bind(Loopback(IpAddress::Family::kV4), options);
  ASSERT_TRUE(first.ok());
  absl::StatusOr<UdpSocket> second = UdpSocket::Bind(first->local_address(), options);
  EXPECT_TRUE(second.ok()) << second.status();
}

TEST(UdpSocketTest, MoveTransfersTheFd) {
  absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(Loopback(IpAddress::Family::kV4));
  ASSERT_TRUE(socket.ok());
  const int fd = socket->fd();
  UdpSocket moved = std::move(*socket);
  EXPECT_EQ(moved.fd(), fd);
  EXPECT_EQ(socket->fd(), -1);  // NOLINT(bugprone-use-after-move): documents the moved-from state
}

}  // namespace
}  // namespace sfu::net
