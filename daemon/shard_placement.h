#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/sfu/shard_commands.h"

namespace sfu::daemon {

// Chooses the shard of every new session (DESIGN.md §2). A room has a home shard derived from its
// name alone (FNV-1a, so the same room lands on the same shard in every run and on every host
// with the same shard count). Publishers always go home. Subscribers go home too until the room
// has `spread_threshold` subscribers there; later ones go to the other shard holding the fewest of
// this room's subscribers (ties: the first after home, in shard order); the home shard then hands
// the room's packets to those shards over the cross-shard rings (ControlPlane posts the
// StartHandOff/AddRemotePublisher commands). spread_threshold 0 never spreads.
// Control thread only; counts are released when the shard reports the session gone.
class ShardPlacement {
 public:
  ShardPlacement(uint32_t shards, uint32_t spread_threshold);

  static uint32_t HomeShard(std::string_view room, uint32_t shards);

  uint32_t Place(std::string_view room, sfu::PeerRole role);
  void Release(std::string_view room, sfu::PeerRole role, uint32_t shard);

  // Rooms with at least one placed session.
  size_t room_count() const { return rooms_.size(); }
  uint32_t shards() const { return shards_; }

 private:
  struct RoomLoad {
    uint32_t home = 0;
    uint32_t publishers = 0;
    std::vector<uint32_t> subscribers;  // per shard
  };

  uint32_t shards_;
  uint32_t spread_threshold_;
  absl::flat_hash_map<std::string, RoomLoad> rooms_;
};

}  // namespace sfu::daemon
