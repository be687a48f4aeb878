#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace sfu::rtp {

// What a datagram arriving on a WebRTC 5-tuple carries, decided from its first two bytes.
enum class PacketClass : uint8_t {
  kStun,     // first byte 0-3 (RFC 7983 §7)
  kDtls,     // first byte 20-63 (RFC 7983 §7)
  kRtp,      // first byte 128-191, second byte outside 192-223
  kRtcp,     // first byte 128-191, second byte 192-223 (RFC 5761 §4)
  kUnknown,  // everything else: ZRTP (16-19), TURN channels (64-79), garbage; dropped
};

// RFC 7983 §7 splits on the first byte. Inside 128-191, RFC 5761 §4 tells RTCP from RTP by the
// second byte: RTCP packet types 192-223 would be RTP payload types 64-95 with the marker bit set,
// a range RFC 5761 forbids for RTP when the streams are multiplexed. So 0xE0 (PT 96 + marker) is
// RTP, 0xC8 (200, SR) is RTCP. The second byte is only consulted in the RTP/RTCP range.
constexpr PacketClass ClassifyPacket(uint8_t first_byte, uint8_t second_byte) {
  if (first_byte <= 3) return PacketClass::kStun;
  if (first_byte >= 20 && first_byte <= 63) return PacketClass::kDtls;
  if (first_byte >= 128 && first_byte <= 191) {
    return (second_byte >= 192 && second_byte <= 223) ? PacketClass::kRtcp : PacketClass::kRtp;
  }
  return PacketClass::kUnknown;
}

// The same on a whole datagram. An empty datagram is unknown; a one-byte datagram in the RTP range
// is unknown too (neither an RTP nor an RTCP header fits). The two indexed reads are guarded by the
// size checks right before them; this stays a constexpr function, so it cannot use ByteReader.
constexpr PacketClass ClassifyDatagram(absl::Span<const uint8_t> datagram) {
  if (datagram.empty()) return PacketClass::kUnknown;
  const uint8_t first = datagram[0];
  if (first >= 128 && first <= 191 && datagram.size() < 2) return PacketClass::kUnknown;
  return ClassifyPacket(first, datagram.size() >= 2 ? datagram[1] : 0);
}

}  // namespace sfu::rtp
