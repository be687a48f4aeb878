#include "core/sfu/cross_shard_mesh.h"

namespace sfu::sfu {

CrossShardMesh::CrossShardMesh(size_t shards, size_t ring_slots)
    : shards_(shards),
      rings_(std::make_unique<std::unique_ptr<CrossShardRing>[]>(shards * shards)) {
  for (size_t from = 0; from < shards; ++from) {
    for (size_t to = 0; to < shards; ++to) {
      if (from != to) rings_[from * shards + to] = std::make_unique<CrossShardRing>(ring_slots);
    }
  }
}

CrossShardRing* CrossShardMesh::ring(size_t from, size_t to) const {
  if (from >= shards_ || to >= shards_ || from == to) return nullptr;
  return rings_[from * shards_ + to].get();
}

}  // namespace sfu::sfu
