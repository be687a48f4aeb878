#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "bench/loadgen/publisher_stream.h"
#include "core/common/instant.h"

namespace sfu::loadgen {

// The paced sender of one simulated publisher's video stream. A browser does not write a video
// frame to the socket as one burst: libwebrtc queues every video packet in its pacer
// (modules/pacing, PacingController), which releases them at a pacing rate of 2.5x the target
// bitrate (PacedSender's kDefaultPaceMultiplier), so a key frame of several packets leaves as a
// train over tens of milliseconds. Audio and retransmissions do not wait here (libwebrtc gives
// them priority over queued video), so only first transmissions of video go through a Pacer.
//
// A leaky bucket with a schedule: a packet's size (RTP header plus payload, what libwebrtc's pacer
// counts) over the pacing rate is the time the bucket needs after it, so the next packet may leave
// that much later. A packet that finds the queue empty leaves at once unless the previous one's
// time is not over yet. A driver that comes late releases what has fallen due in one call, as
// libwebrtc's media budget lets a late process call catch up; the schedule restarts when the
// queue empties, so idle time is never saved up into a burst.
//
// Sans-IO: time comes in as `now`, NextSend() says when to call PopDue again. A fixed ring, no
// allocation after construction. Thread-compatible; owned by its SimPeer.
class Pacer {
 public:
  // Enough for several key frames of the largest frames a SimPeer plans (64 packets); a queue
  // this long means the pacing rate is below the stream's rate, and the caller makes room by
  // sending the oldest packet at once.
  static constexpr size_t kCapacity = 256;

  // rate_bps > 0: the pacing rate in bits per second.
  explicit Pacer(double rate_bps);

  // Queues a packet that is ready at `now`; false when the queue is full.
  bool Push(Instant now, const PublisherStream::Packet& packet);
  // The next packet if its time has come by `now`; advances the schedule by its spacing.
  std::optional<PublisherStream::Packet> PopDue(Instant now);
  // The oldest packet whatever the schedule (to make room when full); the schedule is unchanged.
  std::optional<PublisherStream::Packet> PopFront();
  // When the head of the queue may leave; Instant::Infinite() when the queue is empty.
  Instant NextSend() const;
  void Clear() { count_ = 0; }

  // How long the bucket needs after sending `packet`.
  Duration SpacingOf(const PublisherStream::Packet& packet) const;
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  double rate_bps() const { return rate_bps_; }

 private:
  double rate_bps_;
  double ns_per_byte_;
  Instant next_send_;   // the head's earliest departure (valid while the queue is not empty)
  Instant busy_until_;  // when the last packet sent has drained from the bucket
  std::array<PublisherStream::Packet, kCapacity> ring_{};
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace sfu::loadgen
