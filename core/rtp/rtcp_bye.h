#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/types/span.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

// BYE (RFC 3550 §6.6): the SSRCs/CSRCs leaving and an optional reason. Views into the datagram
// (lifetime as RtcpPacketView); the reason is the sender's text, unvalidated.
struct ByeView {
  absl::Span<const uint8_t> ssrcs;  // 4 bytes each
  absl::Span<const uint8_t> reason;
  size_t ssrc_count() const { return ssrcs.size() / 4; }
  uint32_t ssrc(size_t i) const;  // 0 if out of range
};

// nullopt if not a BYE, the SC SSRCs do not fit, or a reason's length runs past the packet.
std::optional<ByeView> ParseBye(const RtcpPacketView& packet);

// At most 31 SSRCs and a reason of at most 255 bytes (empty: none).
bool WriteBye(absl::Span<const uint32_t> ssrcs, std::string_view reason, ByteWriter* w);

}  // namespace sfu::rtp
