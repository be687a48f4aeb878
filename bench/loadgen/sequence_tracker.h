#pragma once

#include <array>
#include <cstdint>

namespace sfu::loadgen {

// Loss, duplicate and reorder accounting for one media stream, keyed by the 32-bit sequence
// number the load generator's publisher embeds in every payload (it never wraps within a run, so
// no RFC 3550 §A.1 unwrapping is needed). A 1024-packet bitmap behind the highest number seen
// tells a duplicate from a late (reordered or retransmitted) arrival; older arrivals are counted
// as too_old and not credited. Plain value, no allocation. Thread-compatible.
//
//   expected = highest - first + 1   (the first packet seen starts the stream)
//   lost     = expected - received   (never negative: duplicates are not credited)
class SequenceTracker {
 public:
  static constexpr uint32_t kWindow = 1024;

  enum class Arrival : uint8_t {
    kFirst,      // the first packet of the stream
    kInOrder,    // highest + 1
    kGap,        // a new highest past one or more missing numbers
    kLate,       // fills a hole below the highest (reordered or retransmitted)
    kDuplicate,  // seen before
    kTooOld,     // below the window: cannot tell, not credited
  };

  Arrival Record(uint32_t seq);

  bool started() const { return started_; }
  uint32_t first() const { return first_; }
  uint32_t highest() const { return highest_; }
  uint64_t expected() const { return started_ ? uint64_t{highest_} - first_ + 1 : 0; }
  uint64_t received() const { return received_; }
  uint64_t lost() const { return expected() > received_ ? expected() - received_ : 0; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t reordered() const { return reordered_; }
  uint64_t too_old() const { return too_old_; }
  // Whether `seq` (within the window below highest) has arrived.
  bool Seen(uint32_t seq) const;

 private:
  bool TestBit(uint32_t seq) const { return bits_[(seq % kWindow) / 64] >> (seq % 64) & 1; }
  void SetBit(uint32_t seq) { bits_[(seq % kWindow) / 64] |= uint64_t{1} << (seq % 64); }
  void ClearBit(uint32_t seq) { bits_[(seq % kWindow) / 64] &= ~(uint64_t{1} << (seq % 64)); }

  std::array<uint64_t, kWindow / 64> bits_{};
  bool started_ = false;
  uint32_t first_ = 0;
  uint32_t highest_ = 0;
  uint64_t received_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t reordered_ = 0;
  uint64_t too_old_ = 0;
};

// RFC 3550 §6.4.1 / §A.8 interarrival jitter: J += (|D| - J) / 16, where D is the difference of
// two consecutive packets' transit times in RTP timestamp units. Fed only packets that arrive in
// order (a retransmission's transit is not the network's). Plain value.
class JitterEstimator {
 public:
  explicit JitterEstimator(uint32_t clock_rate = 90000) : clock_rate_(clock_rate) {}
  void OnPacket(uint32_t rtp_timestamp, int64_t arrival_ns);
  // In RTP timestamp units (what a receiver report carries) and in milliseconds.
  uint32_t jitter_units() const { return static_cast<uint32_t>(jitter_); }
  double jitter_ms() const { return jitter_ * 1000.0 / clock_rate_; }
  uint32_t clock_rate() const { return clock_rate_; }

 private:
  uint32_t clock_rate_;
  bool has_last_ = false;
  int64_t last_transit_ = 0;
  double jitter_ = 0;
};

}  // namespace sfu::loadgen
