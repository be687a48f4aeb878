#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtp_extension.h"

namespace sfu::rtp {

inline constexpr size_t kRtpFixedHeaderSize = 12;
inline constexpr size_t kRtpMaxCsrcs = 15;

// A parsed RTP packet (RFC 3550 §5.1, header extensions RFC 8285): the fixed header's fields plus
// views into the datagram for the CSRC list, the extension block and the payload.
//
// Lifetime: every span points into the buffer given to ParseRtpPacket and is valid while that
// buffer is unchanged and alive. An in-place rewrite (rtp_rewrite.h) of the same buffer leaves the
// spans pointing at the rewritten bytes; re-parse if the scalar fields are needed afterwards.
//
// Trust: every value here was chosen by the remote sender. The parser checked only that the
// structure is consistent with the datagram's size: version 2, the CSRC list, the extension block
// and the padding all fit. SSRC, sequence number, timestamp, payload type, CSRCs and extension
// ids are unvalidated and must be checked against negotiated state before use.
struct RtpPacketView {
  bool marker = false;
  uint8_t payload_type = 0;  // 7 bits
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  absl::Span<const uint8_t> csrcs;  // 4 bytes per CSRC, CC of them
  bool has_extension = false;
  uint16_t extension_profile = 0;            // "defined by profile" (0xBEDE, 0x100X, ...)
  absl::Span<const uint8_t> extension_data;  // the block after its 4-byte header, length*4 bytes
  absl::Span<const uint8_t> payload;         // between the header and the padding
  uint8_t padding_size = 0;                  // 0 when P is clear; else includes the count byte
  size_t header_size = 0;                    // 12 + 4*CC + (X ? 4 + extension_data.size() : 0)

  size_t csrc_count() const { return csrcs.size() / 4; }
  // The i-th CSRC; 0 if i >= csrc_count().
  uint32_t csrc(size_t i) const;
  RtpExtensionIterator extensions() const {
    return has_extension ? RtpExtensionIterator(extension_profile, extension_data)
                         : RtpExtensionIterator();
  }
  // The data of the first element with this id, if the block is RFC 8285 and holds one. Stops at
  // the first malformed element (elements before it are still found).
  std::optional<absl::Span<const uint8_t>> FindExtension(uint8_t id) const;
};

// Parses an RTP packet; nullopt if the header is not RFC 3550 version 2 or anything it announces
// (CSRCs, extension block, padding) does not fit. Does not allocate. Padding: P set means the
// last byte counts the padding bytes including itself; a count of 0 or more than what follows the
// header is rejected (RFC 3550 §5.1). A packet may be padding only (empty payload), as RTX probes
// are.
//
// The out-parameter form is the forwarding path's: it writes every field on success (nothing needs
// clearing between packets) and leaves `out` unspecified on failure. The optional form is the
// same parse for code where a 90-byte copy does not matter.
bool ParseRtpPacket(absl::Span<const uint8_t> packet, RtpPacketView* out);
std::optional<RtpPacketView> ParseRtpPacket(absl::Span<const uint8_t> packet);

// What WriteRtpPacket writes. Spans are read during the call only.
struct RtpPacketSpec {
  bool marker = false;
  uint8_t payload_type = 0;  // must be < 128
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  absl::Span<const uint32_t> csrcs;  // at most 15
  // Written in the one-byte form when every id is 1-14 and every size is 1-16 bytes, else in the
  // two-byte form (ids 1-255, sizes 0-255). The block is zero-padded to a 32-bit boundary.
  absl::Span<const RtpExtensionElement> extensions;
  uint8_t two_byte_appbits = 0;  // low 4 bits of the two-byte profile value, if that form is used
  absl::Span<const uint8_t> payload;
  uint8_t padding_size = 0;  // 0 = no padding; else total padding bytes including the count byte
};

// Appends one RTP packet to `w`. False (nothing useful written) if the spec is invalid (PT >= 128,
// more than 15 CSRCs, an extension id 0 or too long) or `w` runs out of room.
bool WriteRtpPacket(const RtpPacketSpec& spec, ByteWriter* w);

}  // namespace sfu::rtp
