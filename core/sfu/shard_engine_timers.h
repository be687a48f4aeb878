#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/common/instant.h"
#include "core/sfu/media_types.h"

namespace sfu::sfu {

// The ShardEngine's per-peer deadlines (ICE consent, DTLS retransmission) as a binary min-heap
// with lazy deletion: rescheduling a peer pushes a new entry, and the engine discards entries
// that no longer match the peer's current deadline when they surface. Capacity is fixed at
// construction (the vector never grows); when it fills, the engine rebuilds it from the peers'
// current deadlines (Compact). Thread-compatible; one shard. core/net has its own timer for the
// driver; the engine does not depend on core/net.
class PeerTimerHeap {
 public:
  struct Entry {
    Instant at;
    PeerId peer = 0;
  };

  explicit PeerTimerHeap(size_t capacity);

  // False when full (the caller compacts and retries).
  bool Push(Instant at, PeerId peer);
  const Entry* Top() const { return heap_.empty() ? nullptr : &heap_.front(); }
  void Pop();
  void Clear() { heap_.clear(); }
  size_t size() const { return heap_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::vector<Entry> heap_;
};

}  // namespace sfu::sfu
