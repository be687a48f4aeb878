#include "core/net/mmsg_backend.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/net/monotonic_clock.h"

namespace sfu::net {
namespace {

constexpr uint32_t kWakeTag = UINT32_MAX;

absl::Status EpollAdd(int epoll_fd, int fd, uint32_t tag) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u32 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl(ADD, fd ", fd, "): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MmsgBackend>> MmsgBackend::Create(const IoBackendOptions& options) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    return absl::InternalError(absl::StrCat("epoll_create1: ", std::strerror(errno)));
  std::unique_ptr<MmsgBackend> backend(new MmsgBackend(options, epoll_fd));
  if (options.wake_fd >= 0) SFU_RETURN_IF_ERROR(EpollAdd(epoll_fd, options.wake_fd, kWakeTag));
  return backend;
}

MmsgBackend::MmsgBackend(const IoBackendOptions& options, int epoll_fd)
    : IoBackend(options), epoll_fd_(epoll_fd) {}

MmsgBackend::~MmsgBackend() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status MmsgBackend::AttachSocket(uint32_t index) {
  const uint32_t slots = options_.receive_slots_per_socket;
  SFU_ASSIGN_OR_RETURN(MappedRegion memory,
                       MappedRegion::Allocate(size_t{slots} * options_.receive_slot_bytes));
  SlotPool pool{std::move(memory), {}};
  pool.free.reserve(slots);
  // Highest index at the bottom so slots are handed out in address order.
  for (uint32_t s = slots; s > 0; --s) pool.free.push_back(s - 1);
  SFU_RETURN_IF_ERROR(EpollAdd(epoll_fd_, sockets_[index].socket.fd(), index));
  pools_.push_back(std::move(pool));
  return absl::OkStatus();
}

bool MmsgBackend::ReceiveBatch(uint32_t index, size_t& wanted) {
  SlotPool& pool = pools_[index];
  const size_t n = std::min({wanted, kBatch, pool.free.size()});
  if (n == 0) return false;
  const bool gro = sockets_[index].socket.gro_enabled();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t slot = pool.free.back();
    pool.free.pop_back();
    recv_slots_[i] = slot;
    recv_iov_[i].iov_base = pool.memory.data() + size_t{slot} * options_.receive_slot_bytes;
    recv_iov_[i].iov_len = max_receive_bytes();
    msghdr& msg = recv_msgs_[i].msg_hdr;
    msg.msg_name = &recv_names_[i];
    msg.msg_namelen = sizeof(recv_names_[i]);
    msg.msg_iov = &recv_iov_[i];
    msg.msg_iovlen = 1;
    msg.msg_control = gro ? recv_control_[i].bytes : nullptr;
    msg.msg_controllen = gro ? sizeof(recv_control_[i].bytes) : 0;
    msg.msg_flags = 0;
  }
  int got = recvmmsg(sockets_[index].socket.fd(), recv_msgs_.data(), static_cast<unsigned>(n),
                     MSG_DONTWAIT, nullptr);
  if (got < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++stats_.rx_errors;
    got = 0;
  }
  const Instant now = got > 0 ? MonotonicClock::Now() : Instant();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t slot = recv_slots_[i];
    if (i >= static_cast<size_t>(got)) {
      pool.free.push_back(slot);
      continue;
    }
    const msghdr& msg = recv_msgs_[i].msg_hdr;
    const std::optional<SocketAddress> remote = SocketAddress::FromSockaddr(
        reinterpret_cast<const sockaddr*>(&recv_names_[i]), msg.msg_namelen);
    if ((msg.msg_flags & MSG_TRUNC) || !remote) {
      ++((msg.msg_flags & MSG_TRUNC) ? stats_.rx_truncated : stats_.rx_errors);
      pool.free.push_back(slot);
      continue;
    }
    uint16_t segment = 0;
    if (gro) {
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
           c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), c)) {
        if (const uint16_t s = GroSegmentBytes(*c); s != 0) segment = s;
      }
    }
    PushPending(RawDatagram{static_cast<uint8_t*>(recv_iov_[i].iov_base), recv_msgs_[i].msg_len,
                            slot, segment, static_cast<uint16_t>(index), *remote, now});
    // A GRO buffer holds several datagrams; count them all against what the caller wants.
    const size_t datagrams =
        segment != 0 ? (recv_msgs_[i].msg_len + segment - 1) / segment : size_t{1};
    wanted -= std::min(wanted, datagrams);
  }
  // A full batch means the socket may hold more.
  return static_cast<size_t>(got) == n;
}

void MmsgBackend::PollReceive(size_t wanted) {
  const uint32_t count = static_cast<uint32_t>(sockets_.size());
  for (uint32_t k = 0; k < count && wanted > 0; ++k) {
    const uint32_t index = (next_socket_ + k) % count;
    while (wanted > 0 && ReceiveBatch(index, wanted)) {
    }
  }
  if (count > 0) next_socket_ = (next_socket_ + 1) % count;
}

void MmsgBackend::Recycle(absl::Span<const RawDatagram> done) {
  for (const RawDatagram& raw : done) pools_[raw.socket].free.push_back(raw.slot);
}

void MmsgBackend::SendMessages(size_t count) {
  size_t i = 0;
  while (i < count) {
    // One sendmmsg per run of messages on the same socket.
    size_t j = i + 1;
    while (j < count && message_fd(j) == message_fd(i)) ++j;
    while (i < j) {
      const int sent = sendmmsg(message_fd(i), messages() + i, static_cast<unsigned>(j - i), 0);
      if (sent < 0) {
        if (errno == EINTR) continue;
        OnMessageResult(i, -errno);  // the first message failed; skip it and go on
        ++i;
        continue;
      }
      for (int k = 0; k < sent; ++k)
        OnMessageResult(i + k, static_cast<int>(messages()[i + k].msg_len));
      i += static_cast<size_t>(sent);
    }
  }
}

WaitResult MmsgBackend::Wait(Instant deadline) {
  if (has_pending()) return WaitResult::kReady;
  std::array<epoll_event, 16> events;
  for (;;) {
    timespec ts{};
    timespec* timeout = nullptr;
    if (deadline != Instant::Infinite()) {
      const int64_t left = std::max<int64_t>(0, (deadline - MonotonicClock::Now()).count());
      ts.tv_sec = left / 1'000'000'000;
      ts.tv_nsec = left % 1'000'000'000;
      timeout = &ts;
    }
    const int n =
        epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      return WaitResult::kTimeout;  // only EBADF/EINVAL, i.e. a bug; do not spin
    }
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u32 == kWakeTag) {
        uint64_t value;
        [[maybe_unused]] ssize_t r = read(options_.wake_fd, &value, sizeof(value));
        woken = true;
      }
    }
    if (woken) {
      ++stats_.wakeups;
      return WaitResult::kWoken;
    }
    if (n > 0) return WaitResult::kReady;
    if (timeout != nullptr) return WaitResult::kTimeout;
  }
}

}  // namespace sfu::net
