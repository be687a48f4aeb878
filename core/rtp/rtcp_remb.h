#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

// REMB's bitrate encoding (draft-alvestrand-rmcat-remb-03 §2.2): bitrate = mantissa * 2^exponent,
// a 6-bit exponent and an 18-bit mantissa.
struct RembBitrate {
  uint8_t exponent = 0;   // < 64
  uint32_t mantissa = 0;  // < 2^18
};
inline constexpr uint32_t kRembMaxMantissa = (1u << 18) - 1;

// The smallest exponent whose mantissa fits 18 bits; the mantissa is rounded down, so the encoded
// bitrate never exceeds the input (a receiver estimate must not be inflated). Exact for every
// value below 2^18 and every value with at most 18 significant bits.
constexpr RembBitrate EncodeRembBitrate(uint64_t bps) {
  uint8_t exponent = 0;
  while ((bps >> exponent) > kRembMaxMantissa) ++exponent;
  return RembBitrate{exponent, static_cast<uint32_t>(bps >> exponent)};
}
// Saturates at UINT64_MAX: a peer can send exponent 63 with a full mantissa, which overflows.
constexpr uint64_t DecodeRembBitrate(RembBitrate b) {
  const uint64_t mantissa = b.mantissa & kRembMaxMantissa;
  const uint8_t exponent = b.exponent & 0x3F;
  if (mantissa != 0 && exponent > 0 && (mantissa >> (64 - exponent)) != 0) return UINT64_MAX;
  return mantissa << exponent;
}

// Receiver Estimated Max Bitrate: PSFB FMT 15 (application layer feedback) whose FCI starts with
// "REMB". Views into the datagram (lifetime as RtcpPacketView); the estimate is the peer's claim.
struct RembView {
  uint32_t sender_ssrc = 0;
  RembBitrate bitrate;
  uint64_t bitrate_bps = 0;         // DecodeRembBitrate(bitrate)
  absl::Span<const uint8_t> ssrcs;  // 4 bytes each, "Num SSRC" of them
  size_t ssrc_count() const { return ssrcs.size() / 4; }
  uint32_t ssrc(size_t i) const;  // 0 if out of range
};

// nullopt if not PSFB FMT 15 with the "REMB" identifier, or the SSRC list does not fit.
std::optional<RembView> ParseRemb(const RtcpPacketView& packet);

// At most 255 SSRCs. The media SSRC field is 0, as the draft requires.
bool WriteRemb(uint32_t sender_ssrc, uint64_t bitrate_bps, absl::Span<const uint32_t> ssrcs,
               ByteWriter* w);

}  // namespace sfu::rtp
