#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

// Expands NACK FCI entries (RFC 4585 §6.2.1) into the sequence numbers they report lost: for each
// entry the PID, then PID+i+1 for every set bit i of the BLP (bit 0 is the least significant).
// Lazy: at most 17 numbers per 4-byte entry, nothing allocated. Thread-compatible; a view.
class NackLostIterator {
 public:
  NackLostIterator() = default;
  explicit NackLostIterator(absl::Span<const uint8_t> fci) : reader_(fci) {}
  bool Next(uint16_t* seq);

 private:
  ByteReader reader_;
  uint16_t pid_ = 0;
  uint16_t blp_ = 0;
  int next_bit_ = 16;  // 16: the current entry is exhausted; -1: its PID comes next
};

// Generic NACK (RTPFB FMT 1). Views into the datagram (lifetime as RtcpPacketView). The numbers
// are the peer's claims: a subscriber can NACK anything, so the retransmission buffer must bound
// what it answers.
struct NackView {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  absl::Span<const uint8_t> fci;  // 4 bytes per entry
  size_t entry_count() const { return fci.size() / 4; }
  NackLostIterator lost() const { return NackLostIterator(fci); }
};

// nullopt if not RTPFB FMT 1, shorter than the feedback header, without entries, or the FCI is not
// a whole number of entries.
std::optional<NackView> ParseNack(const RtcpPacketView& packet);

// Writes up to out.size() lost sequence numbers into `out`, in packet order; returns how many.
size_t ExpandNack(const NackView& nack, absl::Span<uint16_t> out);

// One NACK packet reporting `lost` (in increasing order, wrap-aware, for the tightest packing; any
// order is still correct, just less compact). Consecutive numbers within 16 of an entry's PID share
// its BLP; duplicates are folded. False if `lost` is empty or `w` has no room.
bool WriteNack(uint32_t sender_ssrc, uint32_t media_ssrc, absl::Span<const uint16_t> lost,
               ByteWriter* w);

}  // namespace sfu::rtp
