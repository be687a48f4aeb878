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
  explicit LoopShardHandle(std::unique_ptr<RingShardHandle> rings) : rings_(std::move(rings)) {}
  ~LoopShardHandle() override {
    if (loop_) loop_->Stop();
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
  std::unique_ptr<net::ShardLoop> loop_;
};

}  // namespace

ShardFactory ShardLoopFactory() {
  return [](const DaemonConfig& config, std::shared_ptr<const crypto::Certificate> certificate)
             -> absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> {
    std::vector<std::unique_ptr<ShardHandle>> shards;
    for (uint32_t k = 0; k < config.shards; ++k) {
      absl::StatusOr<std::unique_ptr<RingShardHandle>> rings = RingShardHandle::Create(k);
      if (!rings.ok()) return rings.status();
      auto handle = std::make_unique<LoopShardHandle>(*std::move(rings));
      ShardChannel* channel = &handle->rings().channel();

      net::ShardLoopOptions options;
      options.index = static_cast<int>(k);
      options.cpu = static_cast<int>(k);  // a failed pin is reported by the thread, not fatal
      for (const IpAddress& ip : config.listen_addresses) {
        options.listen.push_back(SocketAddress{ip, static_cast<uint16_t>(config.base_port + k)});
      }
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
