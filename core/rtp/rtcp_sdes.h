#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

inline constexpr uint8_t kSdesCname = 1;  // RFC 3550 §6.5.1

// One SDES item (RFC 3550 §6.5): type and a view of its text (UTF-8 per the RFC, unvalidated).
struct SdesItem {
  uint8_t type = 0;
  absl::Span<const uint8_t> value;
};

// Walks the items of one chunk. The chunk iterator has already checked that they fit.
class SdesItemIterator {
 public:
  SdesItemIterator() = default;
  explicit SdesItemIterator(absl::Span<const uint8_t> items) : reader_(items) {}
  bool Next(SdesItem* out);

 private:
  ByteReader reader_;
};

// One SDES chunk: an SSRC/CSRC and its items (the span stops before the null terminator).
struct SdesChunk {
  uint32_t ssrc = 0;
  absl::Span<const uint8_t> items;
  SdesItemIterator item_iterator() const { return SdesItemIterator(items); }
  // The first item of this type, e.g. kSdesCname.
  std::optional<absl::Span<const uint8_t>> FindItem(uint8_t type) const;
};

// Walks the SC chunks of an SDES packet (RFC 3550 §6.5). Every chunk must end with a null item
// and zero padding to the next 32-bit boundary, inside the packet; items must fit. A chunk that
// does not, or fewer chunks than SC announces, ends the walk with malformed() set. Views into the
// datagram (lifetime as RtcpPacketView); bounded by the packet size. Thread-compatible.
class SdesChunkIterator {
 public:
  explicit SdesChunkIterator(const RtcpPacketView& packet);
  bool Next(SdesChunk* out);
  bool malformed() const { return malformed_; }

 private:
  bool Fail() {
    malformed_ = true;
    return false;
  }
  ByteReader reader_;
  uint8_t remaining_chunks_ = 0;
  bool malformed_ = false;
};

struct SdesCnameEntry {
  uint32_t ssrc = 0;
  std::string_view cname;  // at most 255 bytes
};
// One SDES packet with a CNAME chunk per entry (at most 31).
bool WriteSdes(absl::Span<const SdesCnameEntry> entries, ByteWriter* w);

}  // namespace sfu::rtp
