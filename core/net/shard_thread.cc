#include "core/net/shard_thread.h"

#include <pthread.h>
#include <sched.h>

#include <cstring>
#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"

namespace sfu::net {

ShardThread::ShardThread(int index, Waker waker)
    : index_(index), name_(absl::StrCat("sfud-shard-", index)), waker_(std::move(waker)) {}

absl::StatusOr<std::unique_ptr<ShardThread>> ShardThread::Start(int index, std::optional<int> cpu,
                                                                Loop loop) {
  SFU_ASSIGN_OR_RETURN(Waker waker, Waker::Create());
  std::unique_ptr<ShardThread> shard(new ShardThread(index, std::move(waker)));
  std::promise<absl::Status> pinned;
  std::future<absl::Status> pinned_future = pinned.get_future();
  ShardThread* self = shard.get();
  shard->thread_ = std::thread([self, cpu, &pinned, loop = std::move(loop)]() mutable {
    // Name from inside the thread: pthread_setname_np on another thread races with its start.
    pthread_setname_np(pthread_self(), self->name_.substr(0, 15).c_str());
    absl::Status status;
    if (cpu.has_value()) {
      cpu_set_t set;
      CPU_ZERO(&set);
      if (*cpu < 0 || *cpu >= CPU_SETSIZE) {
        status = absl::InvalidArgumentError(absl::StrCat("cpu ", *cpu, " out of range"));
      } else {
        CPU_SET(*cpu, &set);
        if (const int r = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); r != 0) {
          status = absl::UnavailableError(
              absl::StrCat(self->name_, ": pinning to cpu ", *cpu, " failed: ", std::strerror(r)));
        }
      }
    }
    pinned.set_value(std::move(status));  // `pinned` is not touched after this line
    const ShardContext context(self->index_, self->stop_, self->waker_.fd());
    loop(context);
  });
  shard->pin_status_ = pinned_future.get();
  return shard;
}

void ShardThread::Stop() {
  stop_.store(true, std::memory_order_release);
  waker_.Wake();
  if (thread_.joinable()) thread_.join();
}

ShardThread::~ShardThread() { Stop(); }

}  // namespace sfu::net
