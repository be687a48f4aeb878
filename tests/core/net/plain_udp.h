#pragma once

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "core/common/five_tuple.h"

namespace sfu::net::testing {

// A blocking loopback UDP socket driven with plain sendto/recvfrom: the independent peer the
// backends are checked against. Receives time out after 2 s so a lost datagram fails a test
// instead of hanging it.
class PlainUdp {
 public:
  explicit PlainUdp(IpAddress::Family family) {
    fd_ = socket(family == IpAddress::Family::kV4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
    sockaddr_storage storage;
    const socklen_t len = SocketAddress{IpAddress::Loopback(family), 0}.ToSockaddr(&storage);
    bind(fd_, reinterpret_cast<sockaddr*>(&storage), len);
    socklen_t bound_len = sizeof(storage);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &bound_len);
    address_ = *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), bound_len);
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    const int buf = 4 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
  }
  ~PlainUdp() { close(fd_); }
  PlainUdp(const PlainUdp&) = delete;
  PlainUdp& operator=(const PlainUdp&) = delete;

  const SocketAddress& address() const { return address_; }
  int fd() const { return fd_; }

  bool SendTo(const SocketAddress& to, const std::vector<uint8_t>& bytes) const {
    sockaddr_storage storage;
    const socklen_t len = to.ToSockaddr(&storage);
    return sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&storage), len) ==
           static_cast<ssize_t>(bytes.size());
  }
  // One sendmsg with UDP_SEGMENT: the kernel splits `bytes` into `segment`-sized datagrams.
  bool SendGso(const SocketAddress& to, const std::vector<uint8_t>& bytes, uint16_t segment) const {
    sockaddr_storage storage;
    msghdr msg{};
    msg.msg_name = &storage;
    msg.msg_namelen = to.ToSockaddr(&storage);
    iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    std::memcpy(CMSG_DATA(c), &segment, sizeof(segment));
    return sendmsg(fd_, &msg, 0) == static_cast<ssize_t>(bytes.size());
  }
  // nullopt after the 2 s timeout.
  std::optional<std::vector<uint8_t>> Receive(SocketAddress* from = nullptr) const {
    std::vector<uint8_t> buf(65536);
    sockaddr_storage storage;
    socklen_t len = sizeof(storage);
    const ssize_t n =
        recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&storage), &len);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    if (from != nullptr)
      *from = *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len);
    return buf;
  }

 private:
  int fd_ = -1;
  SocketAddress address_;
};

// Deterministic test payload: `size` bytes derived from `index`.
inline std::vector<uint8_t> Payload(size_t index, size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(index * 31 + i * 7);
  return bytes;
}

}  // namespace sfu::net::testing
