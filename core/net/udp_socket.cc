#include "core/net/udp_socket.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sfu::net {
namespace {

absl::Status Errno(const SocketAddress& address, const char* call) {
  const int saved = errno;
  return absl::Status(
      saved == EADDRINUSE || saved == EACCES || saved == EADDRNOTAVAIL
          ? absl::StatusCode::kUnavailable
          : absl::StatusCode::kInternal,
      absl::StrCat("udp socket ", address.ToString(), ": ", call, ": ", std::strerror(saved)));
}

bool SetInt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value)) == 0;
}

int GetInt(int fd, int level, int name) {
  int value = 0;
  socklen_t len = sizeof(value);
  if (getsockopt(fd, level, name, &value, &len) != 0) return -1;
  return value;
}

}  // namespace

absl::StatusOr<UdpSocket> UdpSocket::Bind(const SocketAddress& address,
                                          const UdpSocketOptions& options) {
  if (!address.ip.is_v4() && !address.ip.is_v6()) {
    return absl::InvalidArgumentError(
        absl::StrCat("udp socket ", address.ToString(), ": no address family"));
  }
  const int family = address.ip.is_v4() ? AF_INET : AF_INET6;
  const int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return Errno(address, "socket");
  // Owns fd from here so every error path closes it.
  UdpSocket sock(fd, address, false, false);

  if (family == AF_INET6 && !SetInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)) {
    return Errno(address, "setsockopt(IPV6_V6ONLY)");
  }
  if (options.reuse_address && !SetInt(fd, SOL_SOCKET, SO_REUSEADDR, 1)) {
    return Errno(address, "setsockopt(SO_REUSEADDR)");
  }
  if (options.reuse_port && !SetInt(fd, SOL_SOCKET, SO_REUSEPORT, 1)) {
    return Errno(address, "setsockopt(SO_REUSEPORT)");
  }
  if (options.receive_buffer_bytes > 0 &&
      !SetInt(fd, SOL_SOCKET, SO_RCVBUF, options.receive_buffer_bytes)) {
    return Errno(address, "setsockopt(SO_RCVBUF)");
  }
  if (options.send_buffer_bytes > 0 &&
      !SetInt(fd, SOL_SOCKET, SO_SNDBUF, options.send_buffer_bytes)) {
    return Errno(address, "setsockopt(SO_SNDBUF)");
  }
  if (options.dont_fragment) {
    const bool ok = family == AF_INET
                        ? SetInt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
                        : SetInt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE);
    if (!ok) return Errno(address, "setsockopt(IP_MTU_DISCOVER)");
  }
  if (options.gro) {
    if (!SetInt(fd, SOL_UDP, UDP_GRO, 1)) return Errno(address, "setsockopt(UDP_GRO)");
    sock.gro_enabled_ = true;
  }
  // A kernel without UDP GSO rejects the option name itself.
  sock.gso_supported_ = GetInt(fd, SOL_UDP, UDP_SEGMENT) >= 0;

  sockaddr_storage storage;
  const socklen_t len = address.ToSockaddr(&storage);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&storage), len) != 0) {
    return Errno(address, "bind");
  }
  socklen_t bound_len = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &bound_len) != 0) {
    return Errno(address, "getsockname");
  }
  const std::optional<SocketAddress> bound =
      SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&storage), bound_len);
  if (!bound)
    return absl::InternalError(
        absl::StrCat("udp socket ", address.ToString(), ": getsockname returned another family"));
  sock.local_ = *bound;
  return sock;
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      local_(other.local_),
      gso_supported_(other.gso_supported_),
      gro_enabled_(other.gro_enabled_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
    gso_supported_ = other.gso_supported_;
    gro_enabled_ = other.gro_enabled_;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) close(fd_);
}

int UdpSocket::receive_buffer_bytes() const { return GetInt(fd_, SOL_SOCKET, SO_RCVBUF); }
int UdpSocket::send_buffer_bytes() const { return GetInt(fd_, SOL_SOCKET, SO_SNDBUF); }

}  // namespace sfu::net
