#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/common/instant.h"

namespace sfu::sfu {

// Which packets of one received stream are missing and when to NACK them again (RFC 4585 §6.2.1
// generic NACK; RFC 4585 §3.5 leaves the timing to the receiver). Missing indexes (unwrapped
// sequence numbers) are kept in increasing order in a vector reserved at construction, at most
// `max_entries` of them: a wider gap is not tracked (the caller asks for a keyframe instead), and
// when full the oldest entries are abandoned. Thread-compatible; no allocation after construction.
class NackGenerator {
 public:
  struct Policy {
    Duration reorder_delay;   // wait this long before the first NACK (reordering is common)
    Duration retry_interval;  // between NACKs for the same packet (about one RTT)
    int max_retries;
    Duration max_age;  // give up on a packet missing this long
  };

  explicit NackGenerator(size_t max_entries);

  // A packet with unwrapped index `index` arrived; `previous_highest` is the highest index before
  // it (none when `first`). Returns false when the gap it opens is wider than max_entries: nothing
  // was recorded for it and the caller should request a keyframe.
  bool OnPacket(int64_t index, int64_t previous_highest, bool first, Instant now,
                const Policy& policy);
  // A retransmission (or late original) filled `index`.
  void OnRecovered(int64_t index);

  // Writes the 16-bit sequence numbers due at `now` into `out` (at most out.size()), advancing
  // their retry counts; drops entries past the retry limit or age (counted in *abandoned).
  size_t Collect(Instant now, const Policy& policy, absl::Span<uint16_t> out, uint64_t* abandoned);

  Instant next_deadline() const { return entries_.empty() ? Instant::Infinite() : next_deadline_; }
  size_t pending() const { return entries_.size(); }
  void Clear() { entries_.clear(); }

 private:
  struct Entry {
    int64_t index;
    Instant first_missing;
    Instant next_send;
    int retries;
  };
  void Recompute();

  size_t max_entries_;
  std::vector<Entry> entries_;
  Instant next_deadline_ = Instant::Infinite();
};

}  // namespace sfu::sfu
