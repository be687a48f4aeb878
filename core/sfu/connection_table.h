#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "core/sfu/media_types.h"
#include "core/sfu/peer.h"

namespace sfu::sfu {

// The shard's sessions and how a datagram finds its session (DESIGN.md §1): 5-tuple → Peer on the
// hot path, local ICE ufrag → Peer for the first check from a 5-tuple nobody knows yet
// (stun::PeekLocalUfrag), and peer id → Peer for commands and Router outputs.
//
// Owns the peers (std::unique_ptr; destroyed on the shard that owns the table). Bounded: at most
// `max_peers` peers and `max_tuples` 5-tuples; every map is reserved for its cap at construction,
// so lookups, binds and unbinds never allocate or rehash. Thread-compatible; one shard.
// Peer pointers stay valid until that peer is removed.
class ConnectionTable {
 public:
  ConnectionTable(size_t max_peers, size_t max_tuples);

  // Takes ownership. Fails (and destroys `peer`) with kResourceExhausted at the peer cap,
  // kAlreadyExists if its id or local ufrag is already in use.
  absl::StatusOr<Peer*> Insert(std::unique_ptr<Peer> peer);
  // Unmaps the peer's id, ufrag and every 5-tuple bound to it; returns it (null if unknown).
  std::unique_ptr<Peer> Remove(PeerId id);

  Peer* FindById(PeerId id) const;
  Peer* FindByTuple(const FiveTuple& tuple) const;
  Peer* FindByUfrag(std::string_view local_ufrag) const;

  // Maps `tuple` to `peer` (which must be in the table). A tuple bound to another peer moves to
  // this one (the newer valid check wins). False at the tuple cap.
  bool BindTuple(const FiveTuple& tuple, Peer* peer);
  // Unmaps `tuple` if it is mapped to `peer`.
  void UnbindTuple(const FiveTuple& tuple, Peer* peer);

  size_t size() const { return by_id_.size(); }
  size_t tuple_count() const { return by_tuple_.size(); }
  size_t max_peers() const { return max_peers_; }

  // Calls fn(Peer&) for every peer. fn must not insert or remove.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [id, peer] : by_id_) fn(*peer);
  }

 private:
  size_t max_peers_;
  size_t max_tuples_;
  absl::flat_hash_map<PeerId, std::unique_ptr<Peer>> by_id_;
  absl::flat_hash_map<std::string, Peer*> by_ufrag_;
  absl::flat_hash_map<FiveTuple, Peer*> by_tuple_;
};

}  // namespace sfu::sfu
