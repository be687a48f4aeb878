#pragma once

#include <cstddef>
#include <memory>

#include "core/sfu/cross_shard_ring.h"

namespace sfu::sfu {

// The rings between every ordered pair of shards (from ≠ to): shard i is the only producer of
// ring(i, j) and shard j its only consumer. Created before the shard threads start and destroyed
// after they have all stopped; shards hold plain pointers to it. Memory: shards·(shards-1)
// rings of `ring_slots` 2 KiB slots, allocated at construction.
class CrossShardMesh {
 public:
  CrossShardMesh(size_t shards, size_t ring_slots);

  size_t shards() const { return shards_; }
  // nullptr when from == to or either is out of range.
  CrossShardRing* ring(size_t from, size_t to) const;

 private:
  size_t shards_;
  std::unique_ptr<std::unique_ptr<CrossShardRing>[]> rings_;  // [from * shards + to]
};

}  // namespace sfu::sfu
