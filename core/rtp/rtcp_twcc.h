#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/instant.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

// Packet status symbols of transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).
enum class TwccStatus : uint8_t {
  kNotReceived = 0,
  kSmallDelta = 1,            // received; 1-byte unsigned delta
  kLargeOrNegativeDelta = 2,  // received; 2-byte signed delta
};

// One packet's fate as the feedback reports it.
struct TwccPacketStatus {
  uint16_t sequence_number = 0;  // transport-wide sequence number
  TwccStatus status = TwccStatus::kNotReceived;
  // Arrival time minus the previous received packet's (or the reference time for the first), in
  // 250 µs ticks (§3.1.5). 0 when not received.
  int32_t delta_ticks = 0;
  bool received() const { return status != TwccStatus::kNotReceived; }
  Duration delta() const { return std::chrono::microseconds(int64_t{delta_ticks} * 250); }
};

// Yields one TwccPacketStatus per packet the feedback covers, base sequence number first, by
// walking the packet chunks and the receive deltas side by side. At most packet_status_count
// (< 65536) results; ParseTransportFeedback has already checked that every chunk and delta fits,
// so the walk never reads past the packet. Thread-compatible; a view into the datagram.
class TwccStatusIterator {
 public:
  TwccStatusIterator() = default;
  TwccStatusIterator(uint16_t base_sequence_number, uint16_t packet_status_count,
                     absl::Span<const uint8_t> chunks, absl::Span<const uint8_t> deltas)
      : next_sequence_number_(base_sequence_number),
        remaining_(packet_status_count),
        chunks_(chunks),
        deltas_(deltas) {}
  bool Next(TwccPacketStatus* out);

 private:
  bool NextSymbol(TwccStatus* symbol);

  uint16_t next_sequence_number_ = 0;
  uint32_t remaining_ = 0;
  ByteReader chunks_;
  ByteReader deltas_;
  // The chunk being walked: a run of `run_left_` copies of `run_symbol_`, or a status vector.
  uint16_t chunk_ = 0;
  uint32_t run_left_ = 0;
  TwccStatus run_symbol_ = TwccStatus::kNotReceived;
  int vector_symbols_left_ = 0;
  int vector_symbol_bits_ = 1;
};

// Transport-wide CC feedback (RTPFB FMT 15), validated and viewed in place.
// Lifetime as RtcpPacketView. All values are the receiver's claims.
struct TransportFeedbackView {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint16_t base_sequence_number = 0;
  uint16_t packet_status_count = 0;
  // 24-bit reference time in multiples of 64 ms, as sent (§3.1: a signed value in an unknown time
  // base; only differences between feedbacks mean anything, modulo 2^24).
  uint32_t reference_time_64ms = 0;
  uint8_t feedback_packet_count = 0;
  uint32_t received_count = 0;       // packets with a receive delta
  absl::Span<const uint8_t> chunks;  // the packet chunks covering packet_status_count
  absl::Span<const uint8_t> deltas;  // the receive deltas they imply
  TwccStatusIterator packets() const {
    return TwccStatusIterator(base_sequence_number, packet_status_count, chunks, deltas);
  }
};

// nullopt if not RTPFB FMT 15, or the chunks do not cover packet_status_count within the packet,
// or a chunk uses the reserved symbol, or the receive deltas the chunks announce do not fit.
// Work is linear in the packet size: run-length chunks are summed, not expanded.
std::optional<TransportFeedbackView> ParseTransportFeedback(const RtcpPacketView& packet);

// Writes up to out.size() statuses into `out` (a caller-chosen hard cap); returns how many.
size_t ExpandTransportFeedback(const TransportFeedbackView& feedback,
                               absl::Span<TwccPacketStatus> out);

}  // namespace sfu::rtp
