#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"

namespace sfu::rtp {

// RTCP packet types: RFC 3550 §12.1, RFC 4585 §6.1.
inline constexpr uint8_t kRtcpSenderReport = 200;
inline constexpr uint8_t kRtcpReceiverReport = 201;
inline constexpr uint8_t kRtcpSdes = 202;
inline constexpr uint8_t kRtcpBye = 203;
inline constexpr uint8_t kRtcpApp = 204;
inline constexpr uint8_t kRtcpRtpfb = 205;  // transport-layer feedback (RFC 4585 §6.2)
inline constexpr uint8_t kRtcpPsfb = 206;   // payload-specific feedback (RFC 4585 §6.3)

// Feedback message types (the FMT field in the count position).
inline constexpr uint8_t kRtpfbNack = 1;              // RFC 4585 §6.2.1
inline constexpr uint8_t kRtpfbTransportCc = 15;      // draft-holmer-rmcat-transport-wide-cc-ext-01
inline constexpr uint8_t kPsfbPli = 1;                // RFC 4585 §6.3.1
inline constexpr uint8_t kPsfbFir = 4;                // RFC 5104 §4.3.1
inline constexpr uint8_t kPsfbApplicationLayer = 15;  // RFC 4585 §6.4; REMB lives here

// The first FCI word of a REMB message (draft-alvestrand-rmcat-remb-03 §2.2): "REMB" in ASCII.
inline constexpr uint32_t kRembIdentifier = 0x52454D42;

inline constexpr size_t kRtcpHeaderSize = 4;
inline constexpr uint8_t kRtcpMaxCount = 31;  // the 5-bit RC/SC field

// One packet of a compound RTCP datagram (RFC 3550 §6.1 common header).
//
// Lifetime: spans point into the datagram given to RtcpCompoundIterator; valid while it is.
// Trust: `count` and `packet_type` are what the sender wrote. The iterator has checked only that
// the packet's length fits the datagram and its padding fits the packet; the per-type parsers
// check the body against the count.
struct RtcpPacketView {
  uint8_t count = 0;  // RC, SC or FMT: 5 bits
  uint8_t packet_type = 0;
  absl::Span<const uint8_t> packet;  // the whole packet: header, body and padding
  absl::Span<const uint8_t> body;    // after the 4-byte header, without padding
};

// Walks the packets of a compound RTCP datagram (RFC 3550 §6.1). Each packet must have version 2
// and a length (32-bit words minus one) that fits what is left of the datagram. The padding bit is
// honoured only on the last packet (RFC 3550 §6.4.1: "padding ... only on the last individual
// packet"); on an earlier one the datagram is malformed. A malformed header ends the walk and sets
// malformed(); the packets before it were still returned, so a caller may act on them or drop the
// whole datagram. Packet types and FMTs are not interpreted here: unknown ones are simply yielded,
// and ClassifyRtcp() maps them to kUnknown for the caller to skip. Bounded: each packet is >= 4
// bytes. Thread-compatible; cheap to copy.
class RtcpCompoundIterator {
 public:
  explicit RtcpCompoundIterator(absl::Span<const uint8_t> datagram) : reader_(datagram) {}

  bool Next(RtcpPacketView* out);
  bool malformed() const { return malformed_; }

 private:
  bool Fail() {
    malformed_ = true;
    return false;
  }
  ByteReader reader_;
  bool malformed_ = false;
};

enum class RtcpKind : uint8_t {
  kSenderReport,
  kReceiverReport,
  kSdes,
  kBye,
  kApp,
  kNack,         // RTPFB FMT 1
  kTransportCc,  // RTPFB FMT 15
  kPli,          // PSFB FMT 1
  kFir,          // PSFB FMT 4
  kRemb,         // PSFB FMT 15 with the "REMB" identifier
  kUnknown,      // anything else (XR, RRR, SLI, other AFB, ...): skip it
};
RtcpKind ClassifyRtcp(const RtcpPacketView& packet);

// Builders append RTCP packets to a caller's ByteWriter; a compound datagram is just several
// builders called on the same writer (RFC 3550 §6.1: SR or RR first, then SDES, then the rest).
// Each writes its own header and patches its length; nothing allocates. A builder that returns
// false may have left a partial packet, and the writer is failed if it ran out of room: discard
// the buffer.
//
// Internal helper shared by the builders: writes the common header with a placeholder length and,
// in Finish(), zero-pads the body to a 32-bit boundary and patches the length.
class RtcpPacketWriter {
 public:
  RtcpPacketWriter(ByteWriter* w, uint8_t count, uint8_t packet_type);
  bool Finish();

 private:
  ByteWriter* w_;
  size_t start_;
};

// The first 8 bytes of every RTPFB/PSFB body (RFC 4585 §6.1).
struct RtcpFeedbackHeader {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  absl::Span<const uint8_t> fci;  // the feedback control information after them
};
// False if the body is shorter than 8 bytes.
bool ParseFeedbackHeader(absl::Span<const uint8_t> body, RtcpFeedbackHeader* out);

}  // namespace sfu::rtp
