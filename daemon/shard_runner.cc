#include "daemon/shard_runner.h"

#include <memory>
#include <utility>
#include <vector>

#include "core/net/shard_loop.h"
#include "core/sfu/cross_shard_mesh.h"
#include "daemon/ring_shard_handle.h"

namespace sfu::daemon {
namespace {

// Slots per ring between two shards (2 KiB each): 1 MiB per ordered pair, about half a second of
// a 5 Mbit/s video room, far more than one loop iteration's worth.
constexpr size_t kCrossShardRingSlots = 512;

// What the shards of one daemon share: the cross-shard rings and the loops themselves. A loop
// writes into the others' rings and wakes their wakers (owned by their channels), so no loop may
// run once any handle is gone: the first handle destroyed stops every loop, and the group (with
// the rings) goes with the last handle.
struct ShardGroup {
  std::unique_ptr<sfu::CrossShardMesh> mesh;
  std::vector<std::unique_ptr<net::ShardLoop>> loops;

  void StopAll() {
    for (auto& loop : loops) {
      if (loop) loop->Stop();
    }
  }
};

// A RingShardHandle and the loop that serves its channel. Member order matters: the group is
// declared last so it is released first, after the destructor has stopped every loop while all
// channels still exist.
class LoopShardHandle final : public ShardHandle {
 public:
  LoopShardHandle(std::unique_ptr<RingShardHandle> rings, Logger& logger)
      : rings_(std::move(rings)), logger_(logger) {}
  ~LoopShardHandle() override {
    if (!group_) return;
    group_->StopAll();
    const net::ShardLoop* loop = group_->loops[rings_->index()].get();
    if (loop == nullptr) return;
    // The shard's counters are published once its thread has exited: one summary line per shard.
    const sfu::ShardStats& s = loop->final_stats();
    const net::IoStats& io = loop->final_io_stats();
    const sfu::CrossShardStats& x = loop->final_cross_shard_stats();
    logger_.Log(LogLevel::kInfo,
                "shard %u stopped: datagrams in %u out %u, srtp in %u out %u, srtcp in %u out %u, "
                "handshakes %u, peers added %u, udp rx %u tx %u (%u GSO batches, %u errors), "
                "cross-shard handed %u received %u dropped %u",
                rings_->index(), s.datagrams_in, s.datagrams_out, s.rtp_in, s.rtp_out, s.rtcp_in,
                s.rtcp_out, s.handshakes_succeeded, s.peers_added, io.rx_datagrams, io.tx_datagrams,
                io.tx_gso_batches, io.tx_errors, x.handoff_packets, x.handoff_received,
                s.drop_out_remote_shard);
  }

  uint32_t index() const override { return rings_->index(); }
  bool Post(sfu::ShardCommand&& command) override { return rings_->Post(std::move(command)); }
  size_t DrainEvents(std::vector<sfu::ShardEvent>& out) override {
    return rings_->DrainEvents(out);
  }
  int event_fd() const override { return rings_->event_fd(); }

  RingShardHandle& rings() { return *rings_; }
  void set_group(std::shared_ptr<ShardGroup> group) { group_ = std::move(group); }

 private:
  std::unique_ptr<RingShardHandle> rings_;
  Logger& logger_;
  std::shared_ptr<ShardGroup> group_;
};

}  // namespace

ShardFactory ShardLoopFactory(Logger& logger, ShardObserverProvider observer_for) {
  return [&logger, observer_for = std::move(observer_for)](
             const DaemonConfig& config, std::shared_ptr<const crypto::Certificate> certificate)
             -> absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> {
    auto group = std::make_shared<ShardGroup>();
    if (config.shards > 1) {
      group->mesh = std::make_unique<sfu::CrossShardMesh>(config.shards, kCrossShardRingSlots);
    }
    group->loops.resize(config.shards);
    // Every channel exists before any loop starts: each loop gets every shard's waker.
    std::vector<std::unique_ptr<ShardHandle>> shards;
    std::vector<LoopShardHandle*> handles;
    std::vector<const net::Waker*> wakers;
    for (uint32_t k = 0; k < config.shards; ++k) {
      absl::StatusOr<std::unique_ptr<RingShardHandle>> rings = RingShardHandle::Create(k);
      if (!rings.ok()) return rings.status();
      auto handle = std::make_unique<LoopShardHandle>(*std::move(rings), logger);
      handle->set_group(group);
      wakers.push_back(&handle->rings().channel().shard_waker());
      handles.push_back(handle.get());
      shards.push_back(std::move(handle));
    }
    for (uint32_t k = 0; k < config.shards; ++k) {
      ShardChannel* channel = &handles[k]->rings().channel();
      net::ShardLoopOptions options;
      options.index = static_cast<int>(k);
      options.cpu = static_cast<int>(k);  // a failed pin is reported by the thread, not fatal
      for (const IpAddress& ip : config.listen_addresses) {
        options.listen.push_back(SocketAddress{ip, static_cast<uint16_t>(config.base_port + k)});
      }
      options.engine.dtls.mtu = config.mtu;
      options.engine.max_peers = config.max_sessions_per_shard;
      if (observer_for) options.observer = observer_for(k);
      options.io.kind = config.io_backend == IoBackendKind::kMmsg ? net::IoBackendKind::kMmsg
                                                                  : net::IoBackendKind::kIoUring;
      options.cross_shard = group->mesh.get();
      options.shard_wakers = wakers;
      net::ShardControl control;
      control.pop_command = [channel] { return channel->PopCommand(); };
      control.push_event = [channel](sfu::ShardEvent&& event) {
        return channel->PushEvent(std::move(event));
      };
      control.waker = &channel->shard_waker();
      absl::StatusOr<std::unique_ptr<net::ShardLoop>> loop =
          net::ShardLoop::Start(std::move(options), certificate, std::move(control));
      if (!loop.ok()) return loop.status();
      group->loops[k] = *std::move(loop);
    }
    return shards;
  };
}

}  // namespace sfu::daemon
