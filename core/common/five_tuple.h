#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace sfu {

// An IPv4 or IPv6 address as a value (IPv4 kept in the first 4 bytes). Trivially copyable; 17 bytes
// of state. IPv4-mapped IPv6 addresses stay IPv6: a dual-stack socket reports them that way and the
// 5-tuple must match what the socket reports.
class IpAddress {
 public:
  enum class Family : uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

  IpAddress() = default;
  static IpAddress V4(std::array<uint8_t, 4> bytes);
  static IpAddress V6(std::array<uint8_t, 16> bytes);
  static IpAddress Loopback(Family family);
  // Parses dotted-quad IPv4 or RFC 4291 text IPv6 (no brackets, no zone). nullopt if not an
  // address.
  static std::optional<IpAddress> Parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  bool is_v6() const { return family_ == Family::kV6; }
  // 4 bytes for IPv4, 16 for IPv6, none for an unset address.
  absl::Span<const uint8_t> bytes() const;
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family_ == b.family_ && a.bytes_ == b.bytes_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.family_, a.bytes_);
  }

 private:
  std::array<uint8_t, 16> bytes_{};
  Family family_ = Family::kNone;
};

// An IP address and UDP port.
struct SocketAddress {
  IpAddress ip;
  uint16_t port = 0;

  // From/to the kernel's representation. FromSockaddr returns nullopt for families other than
  // AF_INET/AF_INET6 or a length too short for the family.
  static std::optional<SocketAddress> FromSockaddr(const sockaddr* sa, socklen_t len);
  // Fills `out`; returns the length to pass to the kernel, or 0 for an unset address.
  socklen_t ToSockaddr(sockaddr_storage* out) const;
  // "1.2.3.4:5" or "[::1]:5".
  std::string ToString() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) {
    return a.port == b.port && a.ip == b.ip;
  }
  template <typename H>
  friend H AbslHashValue(H h, const SocketAddress& a) {
    return H::combine(std::move(h), a.ip, a.port);
  }
};

// A UDP flow as a shard sees it: our local address (which socket it arrived on) and the remote one.
// The key of the ConnectionTable; hashable for absl::flat_hash_map.
struct FiveTuple {
  static constexpr uint8_t kProtocolUdp = 17;

  SocketAddress local;
  SocketAddress remote;
  uint8_t protocol = kProtocolUdp;

  std::string ToString() const;

  friend bool operator==(const FiveTuple& a, const FiveTuple& b) {
    return a.protocol == b.protocol && a.remote == b.remote && a.local == b.local;
  }
  template <typename H>
  friend H AbslHashValue(H h, const FiveTuple& t) {
    return H::combine(std::move(h), t.local, t.remote, t.protocol);
  }
};

}  // namespace sfu
