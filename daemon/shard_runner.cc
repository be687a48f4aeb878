#include "daemon/shard_runner.h"

#include <memory>
#include <utility>
#include <vector>

#include "core/net/shard_loop.h"
#include "daemon/ring_shard_handle.h"

namespace sfu::daemon {
namespace {

// A RingShardHandle and the loop that serves its channel. Member order matters: the loop is
// declared last so it is destroyed (stopped and joined) first, while the channel still exists.
class LoopShardHandle final : public ShardHandle {
 public:
  LoopShardHandle(std::unique_ptr<RingShardHandle> rings, Logger& logger)
      : rings_(std::move(rings)), logger_(logger) {}
  ~LoopShardHandle() override {
    if (!loop_) return;
    loop_->Stop();
    // The shard's counters are published once its thread has exited: one summary line per shard.
    const sfu::ShardStats& s = loop_->final_stats();
    const net::IoStats& io = loop_->final_io_stats();
    logger_.Log(LogLevel::kInfo,
                "shard %u stopped: datagrams in %u out %u, srtp in %u out %u, srtcp in %u out %u, "
                "handshakes %u, peers added %u, udp rx %u tx %u (%u GSO batches, %u errors)",
                rings_->index(), s.datagrams_in, s.datagrams_out, s.rtp_in, s.rtp_out, s.rtcp_in,
                s.rtcp_out, s.handshakes_succeeded, s.peers_added, io.rx_datagrams, io.tx_datagrams,
                io.tx_gso_batches, io.tx_errors);
  }

  uint32_t index() const override { return rings_->index(); }
  bool Post(sfu::ShardCommand&& command) override { return rings_->Post(std::move(command)); }
  size_t DrainEvents(std::vector<sfu::ShardEvent>& out) override {
    return rings_->DrainEvents(out);
  }
  int event_fd() const override { return rings_->event_fd(); }

  RingShardHandle& rings() { return *rings_; }
  void set_loop(std::unique_ptr<net::ShardLoop> loop) { loop_ = std::move(loop); }

 private:
  std::unique_ptr<RingShardHandle> rings_;
  Logger& logger_;
  std::unique_ptr<net::ShardLoop> loop_;
};

}  // namespace

ShardFactory ShardLoopFactory(Logger& logger, ShardObserverProvider observer_for) {
  return [&logger, observer_for = std::move(observer_for)](
             const DaemonConfig& config, std::shared_ptr<const crypto::Certificate> certificate)
             -> absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> {
    std::vector<std::unique_ptr<ShardHandle>> shards;
    for (uint32_t k = 0; k < config.shards; ++k) {
      absl::StatusOr<std::unique_ptr<RingShardHandle>> rings = RingShardHandle::Create(k);
      if (!rings.ok()) return rings.status();
      auto handle = std::make_unique<LoopShardHandle>(*std::move(rings), logger);
      ShardChannel* channel = &handle->rings().channel();

      net::ShardLoopOptions options;
      options.index = static_cast<int>(k);
      options.cpu = static_cast<int>(k);  // a failed pin is reported by the thread, not fatal
      for (const IpAddress& ip : config.listen_addresses) {
        options.listen.push_back(SocketAddress{ip, static_cast<uint16_t>(config.base_port + k)});
      }
      options.engine.dtls.mtu = config.mtu;
      if (observer_for) options.observer = observer_for(k);
      options.io.kind = config.io_backend == IoBackendKind::kMmsg ? net::IoBackendKind::kMmsg
                                                                  : net::IoBackendKind::kIoUring;
      net::ShardControl control;
      control.pop_command = [channel] { return channel->PopCommand(); };
      control.push_event = [channel](sfu::ShardEvent&& event) {
        return channel->PushEvent(std::move(event));
      };
      control.waker = &channel->shard_waker();
      absl::StatusOr<std::unique_ptr<net::ShardLoop>> loop =
          net::ShardLoop::Start(std::move(options), certificate, std::move(control));
      if (!loop.ok()) return loop.status();
      handle->set_loop(*std::move(loop));
      shards.push_back(std::move(handle));
    }
    return shards;
  };
}

}  // namespace sfu::daemon
