#include "bench/loadgen/sequence_tracker.h"

#include <cstdlib>

namespace sfu::loadgen {

SequenceTracker::Arrival SequenceTracker::Record(uint32_t seq) {
  if (!started_) {
    started_ = true;
    first_ = highest_ = seq;
    received_ = 1;
    SetBit(seq);
    return Arrival::kFirst;
  }
  if (seq > highest_) {
    const uint32_t advance = seq - highest_;
    // Numbers that enter the window unseen must read as missing: clear their stale bits.
    if (advance >= kWindow) {
      bits_.fill(0);
    } else {
      for (uint32_t s = highest_ + 1; s < seq; ++s) ClearBit(s);
    }
    highest_ = seq;
    SetBit(seq);
    ++received_;
    return advance == 1 ? Arrival::kInOrder : Arrival::kGap;
  }
  // At or below the highest.
  if (seq < first_ || highest_ - seq >= kWindow) {
    ++too_old_;
    return Arrival::kTooOld;
  }
  if (TestBit(seq)) {
    ++duplicates_;
    return Arrival::kDuplicate;
  }
  SetBit(seq);
  ++received_;
  ++reordered_;
  return Arrival::kLate;
}

bool SequenceTracker::Seen(uint32_t seq) const {
  if (!started_ || seq > highest_ || seq < first_ || highest_ - seq >= kWindow) return false;
  return TestBit(seq);
}

void JitterEstimator::OnPacket(uint32_t rtp_timestamp, int64_t arrival_ns) {
  // Arrival in RTP units; only differences matter, so the clock's origin cancels out. The
  // timestamp is cast through int32 so a wrap of the 32-bit RTP clock stays a small difference.
  const int64_t arrival_units = arrival_ns / 1000 * clock_rate_ / 1'000'000;
  const int64_t transit = arrival_units - static_cast<int64_t>(rtp_timestamp);
  if (has_last_) {
    const int64_t d = static_cast<int32_t>(static_cast<uint32_t>(transit - last_transit_));
    jitter_ += (static_cast<double>(std::llabs(d)) - jitter_) / 16.0;
  }
  has_last_ = true;
  last_transit_ = transit;
}

}  // namespace sfu::loadgen
