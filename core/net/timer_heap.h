#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/common/instant.h"

namespace sfu::net {

// The shard's timers: one deadline per dense id (a peer slot, a table index...), kept in a binary
// min-heap with an id → heap-position index, so Schedule/Reschedule/Cancel are O(log n), the next
// deadline is O(1), and nothing allocates after construction (all storage is sized for `capacity`
// ids up front). Timers with equal deadlines fire in the order they were (re)scheduled.
//
// Owned by one shard and used only on its thread.
class TimerHeap {
 public:
  using TimerId = uint32_t;

  explicit TimerHeap(size_t capacity);

  size_t capacity() const { return position_.size(); }
  size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }

  // Arms timer `id` for `deadline`, replacing its previous deadline if armed. false if `id` is
  // outside [0, capacity).
  bool Schedule(TimerId id, Instant deadline);
  // Disarms `id`; false if it was not armed.
  bool Cancel(TimerId id);
  bool IsScheduled(TimerId id) const;
  // Instant::Infinite() when no timer is armed.
  Instant NextDeadline() const;
  // Disarms and writes into `out` the ids of up to out.size() timers whose deadline is <= now,
  // earliest first; returns the count. Call again while it fills `out` completely.
  size_t PopExpired(Instant now, absl::Span<TimerId> out);

 private:
  static constexpr uint32_t kNotScheduled = UINT32_MAX;
  struct Entry {
    Instant deadline;
    uint64_t sequence;  // tie-break: FIFO among equal deadlines
    TimerId id;
  };
  static bool Before(const Entry& a, const Entry& b) {
    return a.deadline < b.deadline || (a.deadline == b.deadline && a.sequence < b.sequence);
  }
  void Place(size_t index, const Entry& entry);
  void SiftUp(size_t index);
  void SiftDown(size_t index);
  void RemoveAt(size_t index);

  std::vector<Entry> heap_;         // reserved to capacity
  std::vector<uint32_t> position_;  // id → index in heap_, or kNotScheduled
  uint64_t next_sequence_ = 0;
};

}  // namespace sfu::net
