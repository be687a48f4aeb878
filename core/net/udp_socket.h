#pragma once

#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"

namespace sfu::net {

struct UdpSocketOptions {
  // Requested kernel buffer sizes; the kernel caps them at net.core.{r,w}mem_max (and doubles
  // them for bookkeeping). The granted sizes are readable from the socket.
  int receive_buffer_bytes = 4 << 20;
  int send_buffer_bytes = 4 << 20;
  bool reuse_address = true;
  // Several shards may bind one port and let the kernel spread flows (SO_REUSEPORT).
  bool reuse_port = false;
  // UDP_GRO: the kernel may hand one receive buffer holding several equal-size datagrams from one
  // sender plus a UDP_GRO control message with the segment size. Only useful when every receive
  // buffer can hold a coalesced 64 KiB payload, so it is off by default; the IoBackends check
  // that their slot size allows it.
  bool gro = false;
  // Sets DF on every datagram (IP_PMTUDISC_PROBE / IPV6_PMTUDISC_PROBE): sfud sizes its datagrams
  // to --mtu itself, and a DTLS record or SRTP packet split into IP fragments is lost when either
  // fragment is (QUIC makes the same choice, RFC 9000 §14). PROBE rather than DO: the kernel
  // neither fragments nor shrinks sends to a path MTU learned from ICMP, which an off-path sender
  // could forge. On IPv4 it also spares the kernel the shared IP-ID generator per datagram.
  bool dont_fragment = true;
};

// A bound, non-blocking UDP socket for one address family (IPv6 sockets are IPV6_V6ONLY, so IPv4
// and IPv6 are separate sockets and every 5-tuple has one family). Packet info (IP_PKTINFO) stays
// off: the local half of a 5-tuple is the socket's bound address.
//
// Move-only; closes its fd. Created by the control thread, then handed to a shard's IoBackend,
// which owns it from then on.
class UdpSocket {
 public:
  // Binds `address` (port 0 picks a free port; local_address() reports the bound one). Errors
  // name the address and the failing call.
  static absl::StatusOr<UdpSocket> Bind(const SocketAddress& address,
                                        const UdpSocketOptions& options = {});

  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  const SocketAddress& local_address() const { return local_; }
  // UDP_SEGMENT (send-side GSO) is accepted by this kernel for this socket.
  bool gso_supported() const { return gso_supported_; }
  // UDP_GRO was requested and enabled.
  bool gro_enabled() const { return gro_enabled_; }
  int receive_buffer_bytes() const;
  int send_buffer_bytes() const;

 private:
  UdpSocket(int fd, SocketAddress local, bool gso, bool gro)
      : fd_(fd), local_(local), gso_supported_(gso), gro_enabled_(gro) {}

  int fd_ = -1;
  SocketAddress local_;
  bool gso_supported_ = false;
  bool gro_enabled_ = false;
};

}  // namespace sfu::net
