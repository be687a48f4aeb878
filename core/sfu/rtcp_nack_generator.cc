#include "core/sfu/rtcp_nack_generator.h"

#include <algorithm>

namespace sfu::sfu {

NackGenerator::NackGenerator(size_t max_entries) : max_entries_(std::max<size_t>(max_entries, 1)) {
  entries_.reserve(max_entries_);
}

bool NackGenerator::OnPacket(int64_t index, int64_t previous_highest, bool first, Instant now,
                             const Policy& policy) {
  if (first) return true;
  if (index <= previous_highest) {
    OnRecovered(index);
    return true;
  }
  const int64_t gap = index - previous_highest - 1;
  if (gap == 0) return true;
  if (gap > static_cast<int64_t>(max_entries_)) {
    entries_.clear();
    next_deadline_ = Instant::Infinite();
    return false;
  }
  const Instant first_send = now + policy.reorder_delay;
  for (int64_t missing = previous_highest + 1; missing < index; ++missing) {
    if (entries_.size() == max_entries_) entries_.erase(entries_.begin());
    entries_.push_back(Entry{missing, now, first_send, 0});
  }
  next_deadline_ = std::min(next_deadline_, first_send);
  return true;
}

void NackGenerator::OnRecovered(int64_t index) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), index,
                             [](const Entry& e, int64_t i) { return e.index < i; });
  if (it != entries_.end() && it->index == index) {
    entries_.erase(it);
    Recompute();
  }
}

size_t NackGenerator::Collect(Instant now, const Policy& policy, absl::Span<uint16_t> out,
                              uint64_t* abandoned) {
  size_t n = 0;
  size_t kept = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry e = entries_[i];
    const bool expired = now - e.first_missing > policy.max_age;
    if (expired || (e.next_send <= now && e.retries >= policy.max_retries)) {
      ++*abandoned;
      continue;
    }
    if (e.next_send <= now && n < out.size()) {
      out[n++] = static_cast<uint16_t>(e.index);
      ++e.retries;
      e.next_send = now + policy.retry_interval;
    }
    entries_[kept++] = e;
  }
  entries_.resize(kept);
  Recompute();
  return n;
}

void NackGenerator::Recompute() {
  next_deadline_ = Instant::Infinite();
  for (const Entry& e : entries_) next_deadline_ = std::min(next_deadline_, e.next_send);
}

}  // namespace sfu::sfu
