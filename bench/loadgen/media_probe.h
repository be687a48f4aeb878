#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace sfu::loadgen {

// What the load generator's publisher puts at the end of every RTP payload so a subscriber can
// measure what the SFU did to the stream: which stream it is, a 32-bit sequence number of the
// publisher's own (independent of the RTP sequence numbers the SFU rewrites), and the send time
// on the load generator's monotonic clock (publisher and subscribers run in one process, so
// latency is a plain difference). The trailer sits after codec headers and filler, where no SFU
// looks. Layout (network byte order):
//   magic "LGN1" (4) | stream id (4) | sequence (4) | send time ns (8)
struct MediaProbe {
  static constexpr size_t kSize = 20;
  static constexpr uint32_t kMagic = 0x4C474E31;  // "LGN1"

  uint32_t stream_id = 0;
  uint32_t sequence = 0;
  int64_t send_ns = 0;

  // Writes the 20 bytes into `out` (exactly kSize bytes). False if `out` has another size.
  bool WriteTo(absl::Span<uint8_t> out) const;
  // Reads the trailer from the last kSize bytes of an RTP payload; nullopt if the payload is too
  // short or the magic does not match (not a load generator packet).
  static std::optional<MediaProbe> ReadFrom(absl::Span<const uint8_t> payload);
};

}  // namespace sfu::loadgen
