#include "tests/integration/lossy_relay.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace sfu::net {
namespace {

int BoundLoopbackSocket(SocketAddress* bound) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_GE(fd, 0);
  const int receive_buffer = 1 << 20;  // a burst waits here while the test thread is elsewhere
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)), 0);
  sockaddr_storage storage{};
  socklen_t len = sizeof(storage);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len), 0);
  if (auto address = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len)) {
    *bound = *address;
  }
  return fd;
}

}  // namespace

LossyRelay::LossyRelay(SocketAddress server, uint64_t seed) : server_(server), random_(seed) {
  peer_side_fd_ = BoundLoopbackSocket(&peer_side_address_);
  SocketAddress upstream;
  upstream_fd_ = BoundLoopbackSocket(&upstream);
}

LossyRelay::~LossyRelay() {
  if (peer_side_fd_ >= 0) close(peer_side_fd_);
  if (upstream_fd_ >= 0) close(upstream_fd_);
}

void LossyRelay::Service() {
  Pump(peer_side_fd_, up_, upstream_fd_, /*to_server=*/true);
  Pump(upstream_fd_, down_, peer_side_fd_, /*to_server=*/false);
}

void LossyRelay::Pump(int from_fd, Direction& d, int to_fd, bool to_server) {
  uint8_t buffer[2048];
  for (int i = 0; i < 1024; ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof(from);
    const ssize_t n =
        recvfrom(from_fd, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) break;
    if (to_server)
      peer_ = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&from), from_len);
    ++d.counters.received;
    std::vector<uint8_t> datagram(buffer, buffer + n);
    const Impairment& imp = d.impairment;
    if (static_cast<int>(random_.Next() % 100) < imp.loss_percent) {
      ++d.counters.dropped;
      continue;
    }
    const bool duplicate = static_cast<int>(random_.Next() % 100) < imp.duplicate_percent;
    if (!d.held.has_value() && static_cast<int>(random_.Next() % 100) < imp.reorder_percent) {
      ++d.counters.reordered;
      d.held = std::move(datagram);  // goes out after the next one
      if (duplicate) ++d.counters.duplicated, Emit(d, to_fd, to_server, *d.held);
      continue;
    }
    Emit(d, to_fd, to_server, datagram);
    if (duplicate) ++d.counters.duplicated, Emit(d, to_fd, to_server, datagram);
    if (d.held.has_value()) {
      Emit(d, to_fd, to_server, *d.held);
      d.held.reset();
    }
  }
  // Never held past this call: a lone datagram at the end of a burst goes out last.
  if (d.held.has_value()) {
    Emit(d, to_fd, to_server, *d.held);
    d.held.reset();
  }
}

void LossyRelay::Emit(Direction& d, int to_fd, bool to_server,
                      const std::vector<uint8_t>& datagram) {
  const SocketAddress* to = to_server ? &server_ : (peer_.has_value() ? &*peer_ : nullptr);
  if (to == nullptr) return;  // the shard spoke first: nobody to relay to yet
  sockaddr_storage storage{};
  const socklen_t len = to->ToSockaddr(&storage);
  const ssize_t sent = sendto(to_fd, datagram.data(), datagram.size(), 0,
                              reinterpret_cast<sockaddr*>(&storage), len);
  EXPECT_EQ(sent, static_cast<ssize_t>(datagram.size()));
  ++d.counters.delivered;
}

}  // namespace sfu::net
