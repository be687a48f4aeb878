#include "core/sfu/connection_table.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sfu::sfu {

ConnectionTable::ConnectionTable(size_t max_peers, size_t max_tuples)
    : max_peers_(max_peers), max_tuples_(max_tuples) {
  by_id_.reserve(max_peers);
  by_ufrag_.reserve(max_peers);
  by_tuple_.reserve(max_tuples);
}

absl::StatusOr<Peer*> ConnectionTable::Insert(std::unique_ptr<Peer> peer) {
  if (by_id_.size() >= max_peers_) {
    return absl::ResourceExhaustedError("shard is at its peer capacity");
  }
  if (by_id_.contains(peer->id())) return absl::AlreadyExistsError("peer id already in use");
  if (by_ufrag_.contains(peer->local_ufrag())) {
    return absl::AlreadyExistsError("local ICE ufrag already in use on this shard");
  }
  Peer* raw = peer.get();
  by_ufrag_.emplace(raw->local_ufrag(), raw);
  by_id_.emplace(raw->id(), std::move(peer));
  return raw;
}

std::unique_ptr<Peer> ConnectionTable::Remove(PeerId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return nullptr;
  std::unique_ptr<Peer> peer = std::move(it->second);
  by_id_.erase(it);
  by_ufrag_.erase(peer->local_ufrag());
  for (const FiveTuple& tuple : peer->bound_tuples()) {
    auto t = by_tuple_.find(tuple);
    if (t != by_tuple_.end() && t->second == peer.get()) by_tuple_.erase(t);
  }
  peer->bound_tuples().clear();
  return peer;
}

Peer* ConnectionTable::FindById(PeerId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

Peer* ConnectionTable::FindByTuple(const FiveTuple& tuple) const {
  auto it = by_tuple_.find(tuple);
  return it == by_tuple_.end() ? nullptr : it->second;
}

Peer* ConnectionTable::FindByUfrag(std::string_view local_ufrag) const {
  // Heterogeneous lookup without building a std::string (this abseil's string_view is its own
  // type, not std::string_view).
  auto it = by_ufrag_.find(absl::string_view(local_ufrag.data(), local_ufrag.size()));
  return it == by_ufrag_.end() ? nullptr : it->second;
}

bool ConnectionTable::BindTuple(const FiveTuple& tuple, Peer* peer) {
  auto it = by_tuple_.find(tuple);
  if (it != by_tuple_.end()) {
    if (it->second == peer) return true;
    auto& previous = it->second->bound_tuples();
    previous.erase(std::remove(previous.begin(), previous.end(), tuple), previous.end());
    it->second = peer;
  } else {
    if (by_tuple_.size() >= max_tuples_) return false;
    by_tuple_.emplace(tuple, peer);
  }
  peer->bound_tuples().push_back(tuple);
  return true;
}

void ConnectionTable::UnbindTuple(const FiveTuple& tuple, Peer* peer) {
  auto it = by_tuple_.find(tuple);
  if (it == by_tuple_.end() || it->second != peer) return;
  by_tuple_.erase(it);
  auto& tuples = peer->bound_tuples();
  tuples.erase(std::remove(tuples.begin(), tuples.end(), tuple), tuples.end());
}

}  // namespace sfu::sfu
