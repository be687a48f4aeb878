#include "core/sfu/shard_engine_timers.h"

#include <algorithm>

namespace sfu::sfu {
namespace {

// std::*_heap build a max-heap; ordering by "later" puts the earliest deadline on top.
bool Later(const PeerTimerHeap::Entry& a, const PeerTimerHeap::Entry& b) { return a.at > b.at; }

}  // namespace

PeerTimerHeap::PeerTimerHeap(size_t capacity) : capacity_(capacity) { heap_.reserve(capacity); }

bool PeerTimerHeap::Push(Instant at, PeerId peer) {
  if (heap_.size() >= capacity_) return false;
  heap_.push_back(Entry{at, peer});
  std::push_heap(heap_.begin(), heap_.end(), Later);
  return true;
}

void PeerTimerHeap::Pop() {
  if (heap_.empty()) return;
  std::pop_heap(heap_.begin(), heap_.end(), Later);
  heap_.pop_back();
}

}  // namespace sfu::sfu
