#pragma once

#include <cstdint>

namespace sfu::rtp {

// RFC 3550 §5.1 sequence numbers are 16 bits and wrap. "a is newer than b" when a is less than half
// the number space ahead of b. Exactly half (a - b == 0x8000) is ambiguous; it is broken by the
// numeric value so that IsNewerSeq(a, b) and IsNewerSeq(b, a) are never both true.
constexpr bool IsNewerSeq(uint16_t a, uint16_t b) {
  const uint16_t forward = static_cast<uint16_t>(a - b);
  if (forward == 0x8000) return a > b;
  return forward != 0 && forward < 0x8000;
}

// The signed distance from b to a in the 16-bit space, in [-32768, 32767]; > 0 when a is newer.
constexpr int32_t SeqDelta(uint16_t a, uint16_t b) {
  const uint16_t forward = static_cast<uint16_t>(a - b);
  return forward < 0x8000 ? static_cast<int32_t>(forward) : static_cast<int32_t>(forward) - 65536;
}

// Extends a stream's 16-bit RTP sequence numbers to a 64-bit index that does not wrap, in the
// manner of RFC 3550 Appendix A.1 (update_seq):
//   - the first number seen maps to itself;
//   - a number up to kMaxDropout ahead of the highest seen so far advances the highest, counting
//     through the 65535 -> 0 wrap;
//   - a number up to kMaxLate behind the highest is a late or duplicate packet: it maps to its
//     place behind the highest, across the wrap too, without moving the highest (so it may be
//     smaller than the first index, even negative). A.1 calls only MAX_MISORDER (100) late, to
//     spot a restart quickly; an SFU that NACKs gets retransmissions far later than that (a
//     burst loss resent after one round trip at video rates), and two consecutive ones would
//     then "confirm a restart" and throw the index a whole cycle forward, so late reaches as far
//     back as a retransmission can usefully arrive, and restarts are recognised beyond it;
//   - anything else is a large jump. Alone it is treated as a stray packet (mapped by the nearer
//     reading, the highest is not moved); when the very next number in sequence follows it, the
//     source has restarted or skipped, as A.1 concludes, and the index jumps forward to it, so the
//     index stays strictly increasing for in-order packets.
// Indexes are what the NACK generator and retransmission buffer key on, and the extended highest
// sequence number of receiver reports is their low 32 bits.
// Thread-compatible; one per received SSRC, owned by that stream's shard. Input is untrusted (a
// peer picks the numbers), and every input is handled in O(1).
class SeqNumUnwrapper {
 public:
  static constexpr uint16_t kMaxDropout = 3000;  // RFC 3550 A.1 MAX_DROPOUT
  // How far behind the highest a packet is still late rather than a jump (see above). Larger
  // than any retransmission buffer of the Router (1024 packets by default).
  static constexpr uint16_t kMaxLate = 3000;

  SeqNumUnwrapper() = default;
  SeqNumUnwrapper(uint16_t max_dropout, uint16_t max_late)
      : max_dropout_(max_dropout), max_late_(max_late) {}

  int64_t Unwrap(uint16_t seq);

  // The highest index produced so far; meaningful only after the first Unwrap.
  int64_t highest() const { return highest_; }
  bool started() const { return started_; }

 private:
  uint16_t max_dropout_ = kMaxDropout;
  uint16_t max_late_ = kMaxLate;
  bool started_ = false;
  int64_t highest_ = 0;
  // Set after a large jump: the number that, if it comes next, confirms the jump (A.1 bad_seq).
  bool have_bad_seq_ = false;
  uint16_t bad_seq_ = 0;
};

}  // namespace sfu::rtp
