#include "tests/support/udp_peer.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace sfu::test_support {

UdpPeer::UdpPeer(SimPeerConfig config, SocketAddress server)
    : sim_(std::move(config)), server_(server) {
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_GE(fd_, 0);
  // Room for a burst of media while the test thread is busy elsewhere (capped by rmem_max).
  const int receive_buffer = 1 << 20;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)), 0);
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len), 0);
  if (auto address = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&bound), len)) {
    local_ = *address;
  }
}

UdpPeer::~UdpPeer() {
  if (fd_ >= 0) close(fd_);
}

void UdpPeer::Send(absl::Span<const uint8_t> bytes) {
  sockaddr_storage storage{};
  const socklen_t len = server_.ToSockaddr(&storage);
  const ssize_t sent =
      sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&storage), len);
  EXPECT_EQ(sent, static_cast<ssize_t>(bytes.size()));
}

void UdpPeer::Service(Instant now) {
  uint8_t buffer[2048];
  for (int i = 0; i < 1024; ++i) {
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    ++datagrams_received;
    sim_.Receive(now, std::vector<uint8_t>(buffer, buffer + n));
  }
  sim_.TakeRtcp();
  sim_.HandleTimeout(now);
  // Bounded: a flight is a handful of datagrams.
  for (int i = 0; i < 64; ++i) {
    std::optional<std::vector<uint8_t>> datagram = sim_.PollTransmit();
    if (!datagram.has_value()) break;
    Send(*datagram);
  }
  sim_.PollEvents();
}

}  // namespace sfu::test_support
