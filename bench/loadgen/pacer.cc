#include "bench/loadgen/pacer.h"

#include <algorithm>

#include "core/rtp/rtp_packet.h"

namespace sfu::loadgen {

Pacer::Pacer(double rate_bps) : rate_bps_(rate_bps), ns_per_byte_(8e9 / rate_bps) {}

Duration Pacer::SpacingOf(const PublisherStream::Packet& packet) const {
  const size_t bytes = rtp::kRtpFixedHeaderSize + packet.payload_size;
  return Duration(static_cast<int64_t>(static_cast<double>(bytes) * ns_per_byte_));
}

bool Pacer::Push(Instant now, const PublisherStream::Packet& packet) {
  if (count_ == kCapacity) return false;
  // An empty queue starts a new schedule: the packet leaves once the last one has drained.
  if (count_ == 0) next_send_ = std::max(now, busy_until_);
  ring_[(head_ + count_) % kCapacity] = packet;
  ++count_;
  return true;
}

std::optional<PublisherStream::Packet> Pacer::PopDue(Instant now) {
  if (count_ == 0 || now < next_send_) return std::nullopt;
  std::optional<PublisherStream::Packet> packet = PopFront();
  // From the scheduled time, not from `now`: a late call catches up instead of stretching the
  // train.
  next_send_ += SpacingOf(*packet);
  busy_until_ = next_send_;
  return packet;
}

std::optional<PublisherStream::Packet> Pacer::PopFront() {
  if (count_ == 0) return std::nullopt;
  const PublisherStream::Packet packet = ring_[head_];
  head_ = (head_ + 1) % kCapacity;
  --count_;
  return packet;
}

Instant Pacer::NextSend() const { return count_ == 0 ? Instant::Infinite() : next_send_; }

}  // namespace sfu::loadgen
