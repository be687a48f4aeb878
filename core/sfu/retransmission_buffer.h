#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/common/instant.h"

namespace sfu::sfu {

// The last packets of one received RTP stream, kept so subscribers' NACKs (RFC 4585 §6.2.1) can be
// answered without asking the publisher. A ring of `capacity` fixed-size slots, all allocated at
// construction: Store copies the packet into the slot of its (unwrapped) sequence index, replacing
// whatever older packet was there, so steady state never allocates. A lookup succeeds only for
// the exact index stored, so a NACK for an ancient or future sequence number misses in O(1).
// Thread-compatible; owned by the Router's track. Views returned by Find live until the next Store.
class RetransmissionBuffer {
 public:
  RetransmissionBuffer(size_t capacity, size_t slot_bytes);

  // False (nothing stored) if the packet is larger than a slot or the index is negative.
  bool Store(int64_t index, Instant arrival, absl::Span<const uint8_t> packet);
  // The packet stored for `index`, if present and not older than `max_age` at `now`.
  absl::Span<const uint8_t> Find(int64_t index, Instant now, Duration max_age) const;
  bool Contains(int64_t index) const;

  size_t capacity() const { return meta_.size(); }
  size_t slot_bytes() const { return slot_bytes_; }

 private:
  struct Meta {
    int64_t index = -1;
    Instant arrival;
    uint32_t size = 0;
  };
  size_t SlotOf(int64_t index) const { return static_cast<size_t>(index) % meta_.size(); }

  size_t slot_bytes_;
  std::vector<Meta> meta_;
  std::vector<uint8_t> bytes_;
};

}  // namespace sfu::sfu
