#include "daemon/shard_placement.h"

#include <algorithm>

#include "daemon/text_util.h"

namespace sfu::daemon {

ShardPlacement::ShardPlacement(uint32_t shards, uint32_t spread_threshold)
    : shards_(std::max<uint32_t>(shards, 1)), spread_threshold_(spread_threshold) {}

uint32_t ShardPlacement::HomeShard(std::string_view room, uint32_t shards) {
  // FNV-1a 64: fixed constants, unlike std::hash or absl::Hash which are seeded per process.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : room) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return static_cast<uint32_t>(h % std::max<uint32_t>(shards, 1));
}

uint32_t ShardPlacement::Place(std::string_view room, sfu::PeerRole role) {
  auto [it, inserted] = rooms_.try_emplace(std::string(room));
  RoomLoad& load = it->second;
  if (inserted) {
    load.home = HomeShard(room, shards_);
    load.subscribers.assign(shards_, 0);
  }
  if (role == sfu::PeerRole::kPublisher) {
    ++load.publishers;
    return load.home;
  }
  uint32_t shard = load.home;
  if (spread_threshold_ > 0 && shards_ > 1 && load.subscribers[load.home] >= spread_threshold_) {
    uint32_t best = (load.home + 1) % shards_;
    for (uint32_t step = 2; step < shards_; ++step) {
      uint32_t candidate = (load.home + step) % shards_;
      if (load.subscribers[candidate] < load.subscribers[best]) best = candidate;
    }
    shard = best;
  }
  ++load.subscribers[shard];
  return shard;
}

void ShardPlacement::Release(std::string_view room, sfu::PeerRole role, uint32_t shard) {
  auto it = rooms_.find(Sv(room));
  if (it == rooms_.end()) return;
  RoomLoad& load = it->second;
  if (role == sfu::PeerRole::kPublisher) {
    if (load.publishers > 0) --load.publishers;
  } else if (shard < load.subscribers.size() && load.subscribers[shard] > 0) {
    --load.subscribers[shard];
  }
  bool empty = load.publishers == 0 && std::all_of(load.subscribers.begin(), load.subscribers.end(),
                                                   [](uint32_t n) { return n == 0; });
  if (empty) rooms_.erase(it);
}

}  // namespace sfu::daemon
