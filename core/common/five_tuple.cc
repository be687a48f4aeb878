#include "core/common/five_tuple.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace sfu {

IpAddress IpAddress::V4(std::array<uint8_t, 4> bytes) {
  IpAddress a;
  a.family_ = Family::kV4;
  std::memcpy(a.bytes_.data(), bytes.data(), 4);
  return a;
}

IpAddress IpAddress::V6(std::array<uint8_t, 16> bytes) {
  IpAddress a;
  a.family_ = Family::kV6;
  a.bytes_ = bytes;
  return a;
}

IpAddress IpAddress::Loopback(Family family) {
  if (family == Family::kV6) {
    std::array<uint8_t, 16> b{};
    b[15] = 1;
    return V6(b);
  }
  return V4({127, 0, 0, 1});
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string; addresses are short.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::array<uint8_t, 4> v4;
  if (inet_pton(AF_INET, buf, v4.data()) == 1) return V4(v4);
  std::array<uint8_t, 16> v6;
  if (inet_pton(AF_INET6, buf, v6.data()) == 1) return V6(v6);
  return std::nullopt;
}

absl::Span<const uint8_t> IpAddress::bytes() const {
  switch (family_) {
    case Family::kV4:
      return absl::MakeConstSpan(bytes_.data(), 4);
    case Family::kV6:
      return absl::MakeConstSpan(bytes_.data(), 16);
    case Family::kNone:
      break;
  }
  return {};
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  switch (family_) {
    case Family::kV4:
      return inet_ntop(AF_INET, bytes_.data(), buf, sizeof(buf)) ? buf : "";
    case Family::kV6:
      return inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf)) ? buf : "";
    case Family::kNone:
      break;
  }
  return "(none)";
}

std::optional<SocketAddress> SocketAddress::FromSockaddr(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in;
    std::memcpy(&in, sa, sizeof(in));
    std::array<uint8_t, 4> b;
    std::memcpy(b.data(), &in.sin_addr, 4);
    return SocketAddress{IpAddress::V4(b), ntohs(in.sin_port)};
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6;
    std::memcpy(&in6, sa, sizeof(in6));
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), &in6.sin6_addr, 16);
    return SocketAddress{IpAddress::V6(b), ntohs(in6.sin6_port)};
  }
  return std::nullopt;
}

socklen_t SocketAddress::ToSockaddr(sockaddr_storage* out) const {
  std::memset(out, 0, sizeof(*out));
  if (ip.is_v4()) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, ip.bytes().data(), 4);
    std::memcpy(out, &in, sizeof(in));
    return sizeof(in);
  }
  if (ip.is_v6()) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, ip.bytes().data(), 16);
    std::memcpy(out, &in6, sizeof(in6));
    return sizeof(in6);
  }
  return 0;
}

std::string SocketAddress::ToString() const {
  if (ip.is_v6()) return absl::StrCat("[", ip.ToString(), "]:", port);
  return absl::StrCat(ip.ToString(), ":", port);
}

std::string FiveTuple::ToString() const {
  return absl::StrCat(remote.ToString(), "->", local.ToString(), "/udp");
}

}  // namespace sfu
