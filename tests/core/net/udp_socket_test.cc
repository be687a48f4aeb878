#include "core/net/udp_socket.h"

#include <sys/socket.h>

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
