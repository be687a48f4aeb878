#include "core/sfu/retransmission_buffer.h"

#include <algorithm>
#include <cstring>

namespace sfu::sfu {

RetransmissionBuffer::RetransmissionBuffer(size_t capacity, size_t slot_bytes)
    : slot_bytes_(slot_bytes),
      meta_(std::max<size_t>(capacity, 1)),
      bytes_(meta_.size() * slot_bytes) {}

bool RetransmissionBuffer::Store(int64_t index, Instant arrival, absl::Span<const uint8_t> packet) {
  if (index < 0 || packet.size() > slot_bytes_ || packet.empty()) return false;
  const size_t slot = SlotOf(index);
  Meta& m = meta_[slot];
  m.index = index;
  m.arrival = arrival;
  m.size = static_cast<uint32_t>(packet.size());
  std::memcpy(bytes_.data() + slot * slot_bytes_, packet.data(), packet.size());
  return true;
}

absl::Span<const uint8_t> RetransmissionBuffer::Find(int64_t index, Instant now,
                                                     Duration max_age) const {
  if (!Contains(index)) return {};
  const size_t slot = SlotOf(index);
  const Meta& m = meta_[slot];
  if (now - m.arrival > max_age) return {};
  return absl::MakeConstSpan(bytes_).subspan(slot * slot_bytes_, m.size);
}

bool RetransmissionBuffer::Contains(int64_t index) const {
  return index >= 0 && meta_[SlotOf(index)].index == index;
}

}  // namespace sfu::sfu
