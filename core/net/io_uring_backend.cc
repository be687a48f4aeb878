#include "core/net/io_uring_backend.h"

#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/net/monotonic_clock.h"

namespace sfu::net {
namespace {

// What the kernel puts before the payload in a slot without a control message: the 16-byte
// io_uring_recvmsg_out and the name space (sockaddr_in6 rounded up to cmsghdr alignment).
constexpr uint32_t kRecvHeaderBytes = 48;
// Buffers are offered to the kernel this much shorter than a slot, so the payload limit is
// max_receive_bytes(), the same as the recvmmsg backend's.
constexpr uint32_t kRingBufferShortfall = kReceiveSlotOverheadBytes - kRecvHeaderBytes;
constexpr uint64_t UserData(uint32_t op, uint32_t index) { return (uint64_t{op} << 32) | index; }

}  // namespace

absl::StatusOr<std::unique_ptr<IoUringBackend>> IoUringBackend::Create(
    const IoBackendOptions& options) {
  const uint32_t slots = options.receive_slots_per_socket;
  if ((slots & (slots - 1)) != 0 || slots > 32768) {
    return absl::InvalidArgumentError(absl::StrCat("io_uring backend: receive_slots_per_socket ",
                                                   slots, " is not a power of two <= 32768"));
  }
  std::unique_ptr<IoUringBackend> backend(new IoUringBackend(options));
  SFU_RETURN_IF_ERROR(backend->Setup());
  return backend;
}

IoUringBackend::IoUringBackend(const IoBackendOptions& options) : IoBackend(options) {}

absl::Status IoUringBackend::Setup() {
  // Preferred first. DEFER_TASKRUN needs SINGLE_ISSUER (kernel 6.1); COOP_TASKRUN is 5.19.
  struct Attempt {
    unsigned flags;
    const char* name;
  };
  constexpr Attempt kAttempts[] = {
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL,
       "SINGLE_ISSUER|DEFER_TASKRUN"},
      {IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL, "COOP_TASKRUN"},
      {0, "no taskrun flags"},
  };
  int last_error = 0;
  for (const Attempt& attempt : kAttempts) {
    io_uring_params params{};
    params.flags = attempt.flags | IORING_SETUP_CQSIZE;
    params.cq_entries = options_.io_uring_cq_entries;
    last_error = io_uring_queue_init_params(options_.io_uring_sq_entries, &ring_, &params);
    if (last_error == 0) {
      ring_ready_ = true;
      setup_flags_ = attempt.flags;
      description_ = absl::StrCat("io_uring (", attempt.name, ")");
      break;
    }
    if (last_error != -EINVAL) break;  // EPERM/ENOMEM/ENOSYS: no point trying other flags
  }
  if (!ring_ready_) {
    return absl::UnavailableError(
        absl::StrCat("io_uring_queue_init_params: ", std::strerror(-last_error)));
  }
  // A sparse file table the sockets are installed into as they attach; without it (an old
  // kernel, or a locked-memory limit) every SQE names the plain fd, which the kernel then looks up
  // and reference-counts per operation.
  fixed_files_ = io_uring_register_files_sparse(&ring_, kFixedFiles) == 0;
  if (fixed_files_) absl::StrAppend(&description_, ", fixed files");
  if (options_.wake_fd >= 0) ArmWake();
  return absl::OkStatus();
}

IoUringBackend::~IoUringBackend() {
  // Exiting the ring cancels the multishot requests before the buffer memory is unmapped
  // (socket_rings_ is destroyed after this body).
  if (ring_ready_) io_uring_queue_exit(&ring_);
}

io_uring_sqe* IoUringBackend::GetSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    io_uring_submit(&ring_);  // SQ full: hand what we have to the kernel and retry
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

absl::Status IoUringBackend::AttachSocket(uint32_t index) {
  const uint32_t slots = options_.receive_slots_per_socket;
  const UdpSocket& socket = sockets_[index].socket;
  SocketRing sr;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t ring_bytes = (slots * sizeof(io_uring_buf) + page - 1) / page * page;
  SFU_ASSIGN_OR_RETURN(sr.ring_memory, MappedRegion::Allocate(ring_bytes));
  SFU_ASSIGN_OR_RETURN(sr.slots,
                       MappedRegion::Allocate(size_t{slots} * options_.receive_slot_bytes));
  sr.ring = reinterpret_cast<io_uring_buf_ring*>(sr.ring_memory.data());

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(sr.ring);
  reg.ring_entries = slots;
  reg.bgid = static_cast<uint16_t>(index);
  if (const int r = io_uring_register_buf_ring(&ring_, &reg, 0); r != 0) {
    return absl::UnavailableError(absl::StrCat("io_uring_register_buf_ring for ",
                                               socket.local_address().ToString(), ": ",
                                               std::strerror(-r)));
  }
  io_uring_buf_ring_init(sr.ring);
  const int mask = io_uring_buf_ring_mask(slots);
  for (uint32_t s = 0; s < slots; ++s) {
    io_uring_buf_ring_add(sr.ring, sr.slots.data() + size_t{s} * options_.receive_slot_bytes,
                          options_.receive_slot_bytes - kRingBufferShortfall,
                          static_cast<unsigned short>(s), mask, static_cast<int>(s));
  }
  io_uring_buf_ring_advance(sr.ring, static_cast<int>(slots));
  sr.free = slots;
  // The kernel lays out [io_uring_recvmsg_out][name: msg_namelen][control][payload]; rounding the
  // name space up keeps the control message 8-byte aligned as cmsghdr requires.
  sr.msg.msg_namelen =
      (sizeof(sockaddr_in6) + alignof(cmsghdr) - 1) / alignof(cmsghdr) * alignof(cmsghdr);
  sr.msg.msg_controllen = socket.gro_enabled() ? CMSG_SPACE(sizeof(int)) : 0;
  static_assert(sizeof(io_uring_recvmsg_out) + 32 == kRecvHeaderBytes);
  socket_rings_.push_back(std::move(sr));
  int fd = socket.fd();
  socket_fixed_.push_back(fixed_files_ && index < kFixedFiles &&
                          io_uring_register_files_update(&ring_, index, &fd, 1) == 1);
  ArmReceive(index);
  io_uring_submit(&ring_);
  return absl::OkStatus();
}

void IoUringBackend::ArmReceive(uint32_t index) {
  SocketRing& sr = socket_rings_[index];
  io_uring_sqe* sqe = GetSqe();
  if (sqe == nullptr) return;  // retried on the next recycle
  if (socket_fixed_[index]) {
    io_uring_prep_recvmsg_multishot(sqe, static_cast<int>(index), &sr.msg, 0);
    sqe->flags |= IOSQE_FIXED_FILE;
  } else {
    io_uring_prep_recvmsg_multishot(sqe, sockets_[index].socket.fd(), &sr.msg, 0);
  }
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = static_cast<uint16_t>(index);
  io_uring_sqe_set_data64(sqe, UserData(static_cast<uint32_t>(Op::kRecv), index));
  sr.armed = true;
}

void IoUringBackend::ArmWake() {
  io_uring_sqe* sqe = GetSqe();
  if (sqe == nullptr) return;
  // A poll, not a read: an eventfd read on a non-blocking fd completes at once with -EAGAIN.
  io_uring_prep_poll_multishot(sqe, options_.wake_fd, POLLIN);
  io_uring_sqe_set_data64(sqe, UserData(static_cast<uint32_t>(Op::kWake), 0));
  wake_armed_ = true;
}

void IoUringBackend::ReturnBuffer(uint32_t index, uint32_t slot) {
  SocketRing& sr = socket_rings_[index];
  io_uring_buf_ring_add(sr.ring, sr.slots.data() + size_t{slot} * options_.receive_slot_bytes,
                        options_.receive_slot_bytes - kRingBufferShortfall,
                        static_cast<unsigned short>(slot),
                        io_uring_buf_ring_mask(options_.receive_slots_per_socket), 0);
  io_uring_buf_ring_advance(sr.ring, 1);
  ++sr.free;
}

void IoUringBackend::OnReceive(uint32_t index, const io_uring_cqe& cqe, Instant now) {
  SocketRing& sr = socket_rings_[index];
  if (!(cqe.flags & IORING_CQE_F_MORE)) sr.armed = false;
  if (!(cqe.flags & IORING_CQE_F_BUFFER)) {
    // -ENOBUFS: the buffer ring ran dry. The datagrams wait in the socket; Recycle re-arms once
    // buffers are back.
    if (cqe.res == -ENOBUFS) {
      ++stats_.rx_no_buffers;
    } else if (cqe.res < 0) {
      ++stats_.rx_errors;
    }
    if (!sr.armed && sr.free > 0 && cqe.res != -ENOBUFS) ArmReceive(index);
    return;
  }
  const uint32_t slot = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
  --sr.free;
  uint8_t* buffer = sr.slots.data() + size_t{slot} * options_.receive_slot_bytes;
  io_uring_recvmsg_out* out = io_uring_recvmsg_validate(buffer, cqe.res, &sr.msg);
  std::optional<SocketAddress> remote;
  if (out != nullptr && !(out->flags & MSG_TRUNC)) {
    remote = SocketAddress::FromSockaddr(static_cast<const sockaddr*>(io_uring_recvmsg_name(out)),
                                         std::min<socklen_t>(out->namelen, sr.msg.msg_namelen));
  }
  if (!remote) {
    ++(out != nullptr && (out->flags & MSG_TRUNC) ? stats_.rx_truncated : stats_.rx_errors);
    ReturnBuffer(index, slot);
  } else {
    uint16_t segment = 0;
    for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(out, &sr.msg); c != nullptr;
         c = io_uring_recvmsg_cmsg_nexthdr(out, &sr.msg, c)) {
      if (const uint16_t s = GroSegmentBytes(*c); s != 0) segment = s;
    }
    PushPending(RawDatagram{static_cast<uint8_t*>(io_uring_recvmsg_payload(out, &sr.msg)),
                            io_uring_recvmsg_payload_length(out, cqe.res, &sr.msg), slot, segment,
                            static_cast<uint16_t>(index), *remote, now});
  }
  if (!sr.armed && sr.free > 0) ArmReceive(index);
}

void IoUringBackend::ProcessCompletions() {
  Instant now;
  bool have_now = false;
  unsigned head;
  unsigned seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++seen;
    const uint64_t data = io_uring_cqe_get_data64(cqe);
    if (data == LIBURING_UDATA_TIMEOUT) continue;
    const uint32_t index = static_cast<uint32_t>(data);
    switch (static_cast<Op>(data >> 32)) {
      case Op::kRecv:
        if (!have_now) {
          now = MonotonicClock::Now();
          have_now = true;
        }
        OnReceive(index, *cqe, now);
        break;
      case Op::kSend:
        --sends_in_flight_;
        OnMessageResult(index, cqe->res);
        break;
      case Op::kWake: {
        uint64_t value;
        [[maybe_unused]] ssize_t r = read(options_.wake_fd, &value, sizeof(value));
        woken_ = true;
        if (!(cqe->flags & IORING_CQE_F_MORE)) wake_armed_ = false;
        break;
      }
    }
  }
  io_uring_cq_advance(&ring_, seen);
  if (options_.wake_fd >= 0 && !wake_armed_) ArmWake();
}

void IoUringBackend::ArmIdleSockets() {
  for (uint32_t i = 0; i < socket_rings_.size(); ++i) {
    if (!socket_rings_[i].armed && socket_rings_[i].free > 0) ArmReceive(i);
  }
}

void IoUringBackend::PollReceive(size_t /*wanted*/) {
  ArmIdleSockets();
  // With DEFER_TASKRUN completions are only produced when we enter the kernel asking for events;
  // this also submits re-arms queued by Recycle.
  if (io_uring_sq_ready(&ring_) > 0) {
    io_uring_submit_and_get_events(&ring_);
  } else {
    io_uring_get_events(&ring_);
  }
  ProcessCompletions();
}

void IoUringBackend::Recycle(absl::Span<const RawDatagram> done) {
  for (const RawDatagram& raw : done) ReturnBuffer(raw.socket, raw.slot);
  ArmIdleSockets();
}

void IoUringBackend::SendMessages(size_t count) {
  for (size_t i = 0; i < count; ++i) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      OnMessageResult(i, -EBUSY);
      continue;
    }
    // MSG_DONTWAIT: a full socket buffer fails the send with -EAGAIN (counted, like sendmmsg on
    // the non-blocking socket) instead of parking it on a poll and stalling this Flush.
    const msghdr& msg = messages()[i].msg_hdr;
    const uint32_t socket = message_socket(i);
    const bool fixed = socket_fixed_[socket];
    const int fd = fixed ? static_cast<int>(socket) : message_fd(i);
    if (msg.msg_controllen == 0 && msg.msg_iovlen == 1) {
      // One datagram: SEND with a destination address (sendto), which spares the kernel copying
      // and validating a msghdr and an iovec array per datagram.
      io_uring_prep_send(sqe, fd, msg.msg_iov[0].iov_base, msg.msg_iov[0].iov_len, MSG_DONTWAIT);
      io_uring_prep_send_set_addr(sqe, static_cast<const sockaddr*>(msg.msg_name),
                                  static_cast<uint16_t>(msg.msg_namelen));
    } else {
      io_uring_prep_sendmsg(sqe, fd, &msg, MSG_DONTWAIT);  // GSO: UDP_SEGMENT needs a cmsg
    }
    if (fixed) sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe,
                            UserData(static_cast<uint32_t>(Op::kSend), static_cast<uint32_t>(i)));
    ++sends_in_flight_;
  }
  // The message headers and the send slots are reused by the next Flush, so wait for every send
  // to complete; with MSG_DONTWAIT they all complete inline.
  io_uring_submit(&ring_);
  ProcessCompletions();  // inline-completed sends are already in the CQ ring: no second syscall
  while (sends_in_flight_ > 0) {
    const int r = io_uring_submit_and_wait(&ring_, 1);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) break;
    ProcessCompletions();
  }
}

WaitResult IoUringBackend::Wait(Instant deadline) {
  woken_ = false;
  // Whatever is already in the CQ ring; the wait below submits re-arms and runs deferred task
  // work, so no separate get_events syscall is needed.
  ArmIdleSockets();
  ProcessCompletions();
  for (;;) {
    if (woken_) {
      ++stats_.wakeups;
      return WaitResult::kWoken;
    }
    if (has_pending()) return WaitResult::kReady;
    __kernel_timespec ts{};
    __kernel_timespec* timeout = nullptr;
    if (deadline != Instant::Infinite()) {
      const int64_t left = (deadline - MonotonicClock::Now()).count();
      if (left <= 0) return WaitResult::kTimeout;
      ts.tv_sec = left / 1'000'000'000;
      ts.tv_nsec = left % 1'000'000'000;
      timeout = &ts;
    }
    io_uring_cqe* cqe = nullptr;
    const int r = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, timeout, nullptr);
    ProcessCompletions();
    if (woken_ || has_pending()) continue;
    if (r == -ETIME) return WaitResult::kTimeout;
    // Anything but an interrupted or completed wait is a broken ring; do not spin on it.
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) return WaitResult::kTimeout;
  }
}

}  // namespace sfu::net
