#include "daemon/ring_shard_handle.h"

#include "core/common/status_macros.h"

namespace sfu::daemon {

absl::StatusOr<std::unique_ptr<ShardChannel>> ShardChannel::Create() {
  SFU_ASSIGN_OR_RETURN(net::Waker shard, net::Waker::Create());
  SFU_ASSIGN_OR_RETURN(net::Waker control, net::Waker::Create());
  // The rings are large arrays: heap, never the stack.
  return std::unique_ptr<ShardChannel>(new ShardChannel(std::move(shard), std::move(control)));
}

std::optional<sfu::ShardCommand> ShardChannel::PopCommand() {
  sfu::ShardCommand command;
  if (!commands_.TryPop(command)) return std::nullopt;
  return command;
}

bool ShardChannel::PushEvent(sfu::ShardEvent&& event) {
  if (!events_.TryPush(std::move(event))) return false;
  control_waker_.Wake();
  return true;
}

bool ShardChannel::PushCommand(sfu::ShardCommand&& command) {
  if (!commands_.TryPush(std::move(command))) return false;
  shard_waker_.Wake();
  return true;
}

size_t ShardChannel::PopEvents(std::vector<sfu::ShardEvent>& out) {
  control_waker_.Drain();
  size_t n = 0;
  sfu::ShardEvent event;
  // Bounded by the ring's capacity: the producer may keep pushing while we drain.
  while (n < kEventCapacity && events_.TryPop(event)) {
    out.push_back(std::move(event));
    ++n;
  }
  return n;
}

absl::StatusOr<std::unique_ptr<RingShardHandle>> RingShardHandle::Create(uint32_t index) {
  SFU_ASSIGN_OR_RETURN(std::unique_ptr<ShardChannel> channel, ShardChannel::Create());
  return std::unique_ptr<RingShardHandle>(new RingShardHandle(index, std::move(channel)));
}

bool RingShardHandle::Post(sfu::ShardCommand&& command) {
  return channel_->PushCommand(std::move(command));
}

size_t RingShardHandle::DrainEvents(std::vector<sfu::ShardEvent>& out) {
  return channel_->PopEvents(out);
}

}  // namespace sfu::daemon
