#include "core/rtp/rtcp_twcc.h"

#include <algorithm>

namespace sfu::rtp {
namespace {

// Chunk layout (§3.1.3, §3.1.4): the top bit says run-length (0) or status vector (1).
constexpr uint16_t kVectorChunkBit = 0x8000;
constexpr uint16_t kTwoBitSymbolsBit = 0x4000;  // in a status vector chunk
constexpr uint16_t kRunLengthMask = 0x1FFF;
constexpr int kOneBitSymbolsPerChunk = 14;
constexpr int kTwoBitSymbolsPerChunk = 7;
constexpr uint8_t kReservedSymbol = 3;

size_t DeltaSize(uint8_t symbol) { return symbol == 1 ? 1 : symbol == 2 ? 2 : 0; }

int SymbolCount(uint16_t chunk) {
  return (chunk & kTwoBitSymbolsBit) ? kTwoBitSymbolsPerChunk : kOneBitSymbolsPerChunk;
}
int SymbolBits(uint16_t chunk) { return (chunk & kTwoBitSymbolsBit) ? 2 : 1; }
// Symbol i (0 = leftmost) of a status vector chunk.
uint8_t VectorSymbol(uint16_t chunk, int bits, int i) {
  const int shift = 14 - bits * (i + 1);
  return static_cast<uint8_t>((chunk >> shift) & ((1 << bits) - 1));
}

}  // namespace

bool TwccStatusIterator::NextSymbol(TwccStatus* symbol) {
  for (;;) {
    if (run_left_ > 0) {
      --run_left_;
      *symbol = run_symbol_;
      return true;
    }
    if (vector_symbols_left_ > 0) {
      const int i = SymbolCount(chunk_) - vector_symbols_left_;
      --vector_symbols_left_;
      const uint8_t s = VectorSymbol(chunk_, vector_symbol_bits_, i);
      if (s == kReservedSymbol) return false;
      *symbol = static_cast<TwccStatus>(s);
      return true;
    }
    if (!chunks_.ReadU16(&chunk_)) return false;
    if ((chunk_ & kVectorChunkBit) == 0) {
      const uint8_t s = static_cast<uint8_t>((chunk_ >> 13) & 0x3);
      run_left_ = chunk_ & kRunLengthMask;
      if (s == kReservedSymbol && run_left_ > 0) return false;
      run_symbol_ = static_cast<TwccStatus>(s);
    } else {
      vector_symbol_bits_ = SymbolBits(chunk_);
      vector_symbols_left_ = SymbolCount(chunk_);
    }
  }
}

bool TwccStatusIterator::Next(TwccPacketStatus* out) {
  if (remaining_ == 0) return false;
  TwccStatus symbol;
  if (!NextSymbol(&symbol)) {
    remaining_ = 0;
    return false;
  }
  out->sequence_number = next_sequence_number_++;
  out->status = symbol;
  out->delta_ticks = 0;
  bool ok = true;
  if (symbol == TwccStatus::kSmallDelta) {
    uint8_t d = 0;
    ok = deltas_.ReadU8(&d);
    out->delta_ticks = d;
  } else if (symbol == TwccStatus::kLargeOrNegativeDelta) {
    uint16_t d = 0;
    ok = deltas_.ReadU16(&d);
    out->delta_ticks = static_cast<int16_t>(d);  // two's complement on the wire (§3.1.5)
  }
  remaining_ = ok ? remaining_ - 1 : 0;
  return ok;
}

std::optional<TransportFeedbackView> ParseTransportFeedback(const RtcpPacketView& packet) {
  if (packet.packet_type != kRtcpRtpfb || packet.count != kRtpfbTransportCc) return std::nullopt;
  RtcpFeedbackHeader fb;
  if (!ParseFeedbackHeader(packet.body, &fb)) return std::nullopt;
  TransportFeedbackView v;
  v.sender_ssrc = fb.sender_ssrc;
  v.media_ssrc = fb.media_ssrc;
  ByteReader r(fb.fci);
  if (!r.ReadU16(&v.base_sequence_number) || !r.ReadU16(&v.packet_status_count) ||
      !r.ReadU24(&v.reference_time_64ms) || !r.ReadU8(&v.feedback_packet_count)) {
    return std::nullopt;
  }
  // Walk the chunks once, summing the delta bytes they announce. Every loop step reads a chunk,
  // so the walk is bounded by the packet size whatever the counts claim.
  const absl::Span<const uint8_t> chunks_start = r.remaining_view();
  uint32_t remaining = v.packet_status_count;
  size_t delta_bytes = 0;
  while (remaining > 0) {
    uint16_t chunk = 0;
    if (!r.ReadU16(&chunk)) return std::nullopt;
    if ((chunk & kVectorChunkBit) == 0) {
      const uint8_t symbol = static_cast<uint8_t>((chunk >> 13) & 0x3);
      const uint32_t covered = std::min<uint32_t>(chunk & kRunLengthMask, remaining);
      if (symbol == kReservedSymbol && covered > 0) return std::nullopt;
      delta_bytes += covered * DeltaSize(symbol);
      if (symbol != 0) v.received_count += covered;
      remaining -= covered;
    } else {
      const int bits = SymbolBits(chunk);
      for (int i = 0; i < SymbolCount(chunk) && remaining > 0; ++i, --remaining) {
        const uint8_t symbol = VectorSymbol(chunk, bits, i);
        if (symbol == kReservedSymbol) return std::nullopt;
        delta_bytes += DeltaSize(symbol);
        if (symbol != 0) ++v.received_count;
      }
    }
  }
  v.chunks = chunks_start.first(chunks_start.size() - r.Remaining());
  if (!r.ReadSpan(delta_bytes, &v.deltas)) return std::nullopt;
  // What follows is zero padding to the 32-bit boundary (§3.1); not checked.
  return v;
}

size_t ExpandTransportFeedback(const TransportFeedbackView& feedback,
                               absl::Span<TwccPacketStatus> out) {
  TwccStatusIterator it = feedback.packets();
  size_t n = 0;
  while (n < out.size() && it.Next(&out[n])) ++n;
  return n;
}

}  // namespace sfu::rtp
