#include "core/net/timer_heap.h"

namespace sfu::net {

TimerHeap::TimerHeap(size_t capacity) : position_(capacity, kNotScheduled) {
  heap_.reserve(capacity);
}

void TimerHeap::Place(size_t index, const Entry& entry) {
  heap_[index] = entry;
  position_[entry.id] = static_cast<uint32_t>(index);
}

void TimerHeap::SiftUp(size_t index) {
  const Entry entry = heap_[index];
  while (index > 0) {
    const size_t parent = (index - 1) / 2;
    if (!Before(entry, heap_[parent])) break;
    Place(index, heap_[parent]);
    index = parent;
  }
  Place(index, entry);
}

void TimerHeap::SiftDown(size_t index) {
  const Entry entry = heap_[index];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * index + 1;
    if (child >= n) break;
    if (child + 1 < n && Before(heap_[child + 1], heap_[child])) ++child;
    if (!Before(heap_[child], entry)) break;
    Place(index, heap_[child]);
    index = child;
  }
  Place(index, entry);
}

void TimerHeap::RemoveAt(size_t index) {
  position_[heap_[index].id] = kNotScheduled;
  const Entry last = heap_.back();
  heap_.pop_back();
  if (index == heap_.size()) return;
  Place(index, last);
  // The moved entry may belong above or below its new spot.
  if (index > 0 && Before(last, heap_[(index - 1) / 2])) {
    SiftUp(index);
  } else {
    SiftDown(index);
  }
}

bool TimerHeap::Schedule(TimerId id, Instant deadline) {
  if (id >= position_.size()) return false;
  const Entry entry{deadline, next_sequence_++, id};
  const uint32_t pos = position_[id];
  if (pos == kNotScheduled) {
    heap_.push_back(entry);  // never reallocates: reserved to capacity and ids are unique
    position_[id] = static_cast<uint32_t>(heap_.size() - 1);
    SiftUp(heap_.size() - 1);
    return true;
  }
  const bool earlier = Before(entry, heap_[pos]);
  heap_[pos] = entry;
  if (earlier) {
    SiftUp(pos);
  } else {
    SiftDown(pos);
  }
  return true;
}

bool TimerHeap::Cancel(TimerId id) {
  if (!IsScheduled(id)) return false;
  RemoveAt(position_[id]);
  return true;
}

bool TimerHeap::IsScheduled(TimerId id) const {
  return id < position_.size() && position_[id] != kNotScheduled;
}

Instant TimerHeap::NextDeadline() const {
  return heap_.empty() ? Instant::Infinite() : heap_.front().deadline;
}

size_t TimerHeap::PopExpired(Instant now, absl::Span<TimerId> out) {
  size_t n = 0;
  while (n < out.size() && !heap_.empty() && heap_.front().deadline <= now) {
    out[n++] = heap_.front().id;
    RemoveAt(0);
  }
  return n;
}

}  // namespace sfu::net
