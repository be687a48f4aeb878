// ShardEngine: commands, and rooms spanning shards (DESIGN.md §2). The publisher's shard hands
// each plaintext packet once per other shard through an SPSC ring; the other shard's Router serves
// its subscribers from a proxy publisher (same PeerId, same PublisherConfig) and sends the
// feedback only the publisher can answer (keyframe requests, NACKs for packets it missed) home
// through the ring the other way.
#include <algorithm>
#include <cstring>
#include <utility>

#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/sfu/shard_engine.h"

namespace sfu::sfu {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

absl::Status ShardEngine::HandleCommand(Instant now, ShardCommand command) {
  return std::visit(
      Overloaded{[&](sfu::AddPeer& add) { return AddPeer(now, std::move(add)); },
                 [&](sfu::RemovePeer& remove) {
                   RemovePeer(now, remove.peer);
                   return absl::OkStatus();
                 },
                 [&](sfu::StartHandOff& start) { return StartHandOff(start); },
                 [&](sfu::StopHandOff& stop) {
                   StopHandOff(stop);
                   return absl::OkStatus();
                 },
                 [&](sfu::AddRemotePublisher& add) { return AddRemotePublisher(std::move(add)); },
                 [&](sfu::RemoveRemotePublisher& remove) {
                   RemoveRemotePublisher(remove.peer);
                   return absl::OkStatus();
                 }},
      command);
}

void ShardEngine::AttachCrossShard(CrossShardMesh* mesh, uint16_t self) {
  mesh_ = mesh;
  shard_index_ = self;
  const size_t shards = mesh != nullptr ? mesh->shards() : 0;
  wake_pending_.assign(shards, 0);
  wakes_.clear();
  wakes_.reserve(shards);
  drain_cursor_ = 0;
}

absl::Status ShardEngine::StartHandOff(const sfu::StartHandOff& command) {
  // Refused up front rather than dropping every packet of the room later.
  if (mesh_ == nullptr || mesh_->ring(shard_index_, command.shard) == nullptr) {
    return absl::InvalidArgumentError("no cross-shard ring to that shard");
  }
  std::vector<uint16_t>& shards = handoffs_[command.room];
  if (std::find(shards.begin(), shards.end(), command.shard) == shards.end()) {
    shards.push_back(command.shard);
  }
  return router_.AddRemoteShard(command.room, command.shard);
}

void ShardEngine::StopHandOff(const sfu::StopHandOff& command) {
  if (auto it = handoffs_.find(command.room); it != handoffs_.end()) {
    std::erase(it->second, command.shard);
    if (it->second.empty()) handoffs_.erase(it);
  }
  router_.RemoveRemoteShard(command.room, command.shard);
}

void ShardEngine::HandOffPublisherRtcp(const Peer& publisher, absl::Span<const uint8_t> compound) {
  if (handoffs_.empty()) return;
  auto it = handoffs_.find(publisher.room());
  if (it == handoffs_.end()) return;
  for (uint16_t shard : it->second) {
    if (compound.size() > kCrossShardMaxData) {
      ++stats_.drop_out_remote_shard;
      ++cross_stats_.drop_handoff_too_large;
      continue;
    }
    CrossShardSlot* slot = ReserveTo(shard);
    if (slot == nullptr) {
      ++stats_.drop_out_remote_shard;
      ++cross_stats_.drop_handoff_queue_full;
      continue;
    }
    slot->kind = CrossShardKind::kPublisherRtcp;
    slot->layer = 0;
    slot->from_shard = shard_index_;
    slot->publisher = publisher.id();
    slot->room = publisher.room();
    slot->track = kNoTrack;
    slot->media_ssrc = 0;
    slot->size = static_cast<uint32_t>(compound.size());
    std::memcpy(slot->data, compound.data(), compound.size());
    PublishTo(shard);
    ++cross_stats_.handoff_rtcp;
  }
}

absl::Status ShardEngine::AddRemotePublisher(sfu::AddRemotePublisher command) {
  if (table_.FindById(command.peer) != nullptr || remote_publishers_.contains(command.peer)) {
    ++cross_stats_.remote_publishers_rejected;
    return absl::AlreadyExistsError("peer id already on this shard");
  }
  if (mesh_ == nullptr || mesh_->ring(command.home_shard, shard_index_) == nullptr) {
    ++cross_stats_.remote_publishers_rejected;
    return absl::InvalidArgumentError("no cross-shard ring from the home shard");
  }
  command.media.room = command.room;
  if (absl::Status added = router_.AddPublisher(command.peer, command.media).status();
      !added.ok()) {
    ++cross_stats_.remote_publishers_rejected;
    return added;
  }
  remote_publishers_[command.peer] = RemotePublisher{command.room, command.home_shard};
  ++cross_stats_.remote_publishers_added;
  return absl::OkStatus();
}

void ShardEngine::RemoveRemotePublisher(PeerId peer) {
  // Its tracks end here: bound slots wait for (or rebind to) another track of the room.
  if (remote_publishers_.erase(peer) > 0) router_.RemovePeer(peer);
}

CrossShardSlot* ShardEngine::ReserveTo(uint16_t shard) {
  CrossShardRing* ring = mesh_ != nullptr ? mesh_->ring(shard_index_, shard) : nullptr;
  return ring != nullptr ? ring->Reserve() : nullptr;
}

void ShardEngine::PublishTo(uint16_t shard) {
  mesh_->ring(shard_index_, shard)->Publish();
  if (!wake_pending_[shard]) {
    wake_pending_[shard] = 1;
    wakes_.push_back(shard);  // reserved for every shard: never allocates
  }
}

void ShardEngine::ClearCrossShardWakes() {
  for (uint16_t shard : wakes_) wake_pending_[shard] = 0;
  wakes_.clear();
}

void ShardEngine::HandOff(const RouterOutput& output) {
  if (mesh_ == nullptr || mesh_->ring(shard_index_, output.shard) == nullptr) {
    ++stats_.drop_out_remote_shard;
    ++cross_stats_.drop_handoff_no_ring;
    return;
  }
  if (output.size > kCrossShardMaxData) {
    ++stats_.drop_out_remote_shard;
    ++cross_stats_.drop_handoff_too_large;
    return;
  }
  CrossShardSlot* slot = ReserveTo(output.shard);
  if (slot == nullptr) {
    // Never block the publisher's shard on a slow one: the remote Router NACKs the gap home.
    ++stats_.drop_out_remote_shard;
    ++cross_stats_.drop_handoff_queue_full;
    return;
  }
  slot->kind = CrossShardKind::kMedia;
  slot->layer = output.layer;
  slot->from_shard = shard_index_;
  slot->publisher = output.peer;
  slot->room = output.room;
  slot->track = output.track;
  slot->media_ssrc = 0;
  slot->size = output.size;
  const absl::Span<const uint8_t> bytes = router_out_.bytes(output);
  std::memcpy(slot->data, bytes.data(), bytes.size());
  PublishTo(output.shard);
  ++cross_stats_.handoff_packets;
  cross_stats_.handoff_bytes += output.size;
}

bool ShardEngine::ForwardProxyFeedback(const RouterOutput& output) {
  auto it = remote_publishers_.find(output.peer);
  if (it == remote_publishers_.end()) return false;
  const RemotePublisher& proxy = it->second;
  auto send = [&](CrossShardKind kind, uint32_t ssrc) -> CrossShardSlot* {
    CrossShardSlot* slot = ReserveTo(proxy.home);
    if (slot == nullptr) {
      ++cross_stats_.drop_feedback_queue_full;
      return nullptr;
    }
    slot->kind = kind;
    slot->layer = 0;
    slot->from_shard = shard_index_;
    slot->publisher = output.peer;
    slot->room = proxy.room;
    slot->track = kNoTrack;
    slot->media_ssrc = ssrc;
    slot->size = 0;
    return slot;
  };
  // Our own Router wrote this compound, but it is still parsed with the bounded RTCP readers.
  rtp::RtcpCompoundIterator it_rtcp(router_out_.bytes(output));
  rtp::RtcpPacketView packet;
  while (it_rtcp.Next(&packet)) {
    switch (rtp::ClassifyRtcp(packet)) {
      case rtp::RtcpKind::kPli:
        if (auto pli = rtp::ParsePli(packet); pli.has_value()) {
          if (send(CrossShardKind::kKeyframeRequest, pli->media_ssrc) != nullptr) {
            PublishTo(proxy.home);
            ++cross_stats_.feedback_sent;
          }
        }
        break;
      case rtp::RtcpKind::kFir:
        if (auto fir = rtp::ParseFir(packet); fir.has_value()) {
          rtp::FirEntryIterator entries = fir->entries();
          rtp::FirEntry entry;
          while (entries.Next(&entry)) {
            if (send(CrossShardKind::kKeyframeRequest, entry.ssrc) != nullptr) {
              PublishTo(proxy.home);
              ++cross_stats_.feedback_sent;
            }
          }
        }
        break;
      case rtp::RtcpKind::kNack:
        if (auto nack = rtp::ParseNack(packet); nack.has_value()) {
          CrossShardSlot* slot = send(CrossShardKind::kNack, nack->media_ssrc);
          if (slot == nullptr) break;
          ByteWriter w(absl::MakeSpan(slot->data));
          rtp::NackLostIterator lost = nack->lost();
          uint16_t seq = 0;
          for (size_t n = 0; n < kCrossShardMaxNacks && lost.Next(&seq); ++n) w.WriteU16(seq);
          slot->size = static_cast<uint32_t>(w.position());
          PublishTo(proxy.home);
          ++cross_stats_.feedback_sent;
        }
        break;
      default:
        break;  // receiver reports for the proxy: the home shard sends its own
    }
  }
  return true;
}

size_t ShardEngine::DrainCrossShard(Instant now, size_t budget) {
  if (mesh_ == nullptr || mesh_->shards() < 2) return 0;
  const size_t shards = mesh_->shards();
  size_t consumed = 0;
  // Round robin over the senders so one busy shard cannot starve the others' rings.
  for (size_t visited = 0; visited < shards && consumed < budget; ++visited) {
    const size_t from = (drain_cursor_ + visited) % shards;
    CrossShardRing* ring = mesh_->ring(from, shard_index_);
    if (ring == nullptr) continue;
    const size_t share = std::max<size_t>(1, budget / (shards - 1));
    for (size_t n = 0; n < share && consumed < budget; ++n) {
      // Leave the rest for the next call once this batch's copies could overflow the queues
      // (at least one slot per call, so a huge room still makes progress).
      if (consumed > 0 && NeedsFlush()) break;
      const CrossShardSlot* slot = ring->Front();
      if (slot == nullptr) break;
      HandleCrossShardSlot(now, *slot);
      ring->Release();
      ++consumed;
    }
  }
  drain_cursor_ = (drain_cursor_ + 1) % shards;
  FlushRouterOutputs();
  return consumed;
}

bool ShardEngine::cross_shard_pending() const {
  if (mesh_ == nullptr) return false;
  for (size_t from = 0; from < mesh_->shards(); ++from) {
    const CrossShardRing* ring = mesh_->ring(from, shard_index_);
    if (ring != nullptr && ring->SizeApprox() > 0) return true;
  }
  return false;
}

void ShardEngine::HandleCrossShardSlot(Instant now, const CrossShardSlot& slot) {
  // The slot was written by another shard of this process, but its sizes are still checked: a
  // bad slot must not read past the data array.
  const size_t size = std::min<size_t>(slot.size, kCrossShardMaxData);
  switch (slot.kind) {
    case CrossShardKind::kMedia:
      if (!remote_publishers_.contains(slot.publisher)) {
        // Not proxied (yet, or any more): the control thread's commands to the two shards race.
        ++cross_stats_.drop_handoff_unknown_publisher;
        return;
      }
      ++cross_stats_.handoff_received;
      router_.OnRtp(now, slot.publisher, absl::MakeConstSpan(slot.data, size), &router_out_);
      return;
    case CrossShardKind::kPublisherRtcp:
      if (!remote_publishers_.contains(slot.publisher)) {
        ++cross_stats_.drop_handoff_unknown_publisher;
        return;
      }
      ++cross_stats_.handoff_rtcp_received;
      router_.OnRtcp(now, slot.publisher, absl::MakeConstSpan(slot.data, size), &router_out_);
      return;
    case CrossShardKind::kKeyframeRequest:
      ++cross_stats_.feedback_received;
      if (router_.RequestKeyframeForSsrc(now, slot.publisher, slot.media_ssrc, &router_out_)) {
        ++cross_stats_.remote_keyframe_requests;
      }
      return;
    case CrossShardKind::kNack: {
      ++cross_stats_.feedback_received;
      ByteReader r(absl::MakeConstSpan(slot.data, size));
      uint16_t seq = 0;
      while (r.ReadU16(&seq)) {
        if (router_.ResendToShard(now, slot.publisher, slot.media_ssrc, seq, slot.from_shard,
                                  &router_out_)) {
          ++cross_stats_.remote_nacks_resent;
        } else {
          ++cross_stats_.remote_nacks_missed;
        }
      }
      return;
    }
  }
}

}  // namespace sfu::sfu
