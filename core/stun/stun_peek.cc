#include "core/stun/stun_peek.h"

#include "core/common/byte_reader.h"
#include "core/stun/stun_message.h"

namespace sfu::stun {
namespace {

// Reads and checks the header; on success `r` is positioned at the first attribute.
bool ReadHeader(ByteReader& r, uint16_t* type) {
  uint16_t length;
  uint32_t cookie;
  if (!r.ReadU16(type) || !r.ReadU16(&length) || !r.ReadU32(&cookie) ||
      !r.Skip(kTransactionIdSize)) {
    return false;
  }
  return (*type & 0xC000) == 0 && cookie == kMagicCookie && length % 4 == 0 &&
         length == r.Remaining();
}

}  // namespace

bool LooksLikeStun(absl::Span<const uint8_t> datagram) {
  ByteReader r(datagram);
  uint16_t type;
  return ReadHeader(r, &type);
}

std::optional<std::string_view> PeekLocalUfrag(absl::Span<const uint8_t> datagram) {
  ByteReader r(datagram);
  uint16_t type;
  if (!ReadHeader(r, &type) || type != kBindingRequest) return std::nullopt;
  for (size_t n = 0; n < kMaxAttributes && !r.empty(); ++n) {
    uint16_t attr_type, attr_length;
    absl::Span<const uint8_t> value;
    if (!r.ReadU16(&attr_type) || !r.ReadU16(&attr_length) || !r.ReadSpan(attr_length, &value) ||
        !r.Skip((4 - attr_length % 4) % 4)) {
      return std::nullopt;
    }
    // RFC 8489 §14.5: a USERNAME after MESSAGE-INTEGRITY is not authenticated and is ignored.
    if (attr_type == kAttrMessageIntegrity || attr_type == kAttrFingerprint) return std::nullopt;
    if (attr_type != kAttrUsername) continue;
    const std::string_view username(reinterpret_cast<const char*>(value.data()), value.size());
    const size_t colon = username.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    return username.substr(0, colon);
  }
  return std::nullopt;
}

}  // namespace sfu::stun
