#include "core/sfu/cross_shard_ring.h"

namespace sfu::sfu {
namespace {

size_t RoundUpToPowerOfTwo(size_t n) {
  size_t p = 2;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

CrossShardRing::CrossShardRing(size_t capacity)
    : mask_(RoundUpToPowerOfTwo(capacity) - 1),
      slots_(std::make_unique<CrossShardSlot[]>(mask_ + 1)) {}

}  // namespace sfu::sfu
