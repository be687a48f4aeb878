#pragma once

#include <liburing.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "core/net/io_backend.h"
#include "core/net/mapped_region.h"

namespace sfu::net {

// IoBackend over io_uring: per socket one multishot recvmsg (IOSQE_BUFFER_SELECT) fed by a
// registered provided-buffer ring (io_uring_register_buf_ring over memory we map ourselves, since
// liburing 2.3 has no io_uring_setup_buf_ring); one sendmsg SQE per (GSO) message and one submit
// per Flush; a multishot poll on the wake eventfd; waits with io_uring_submit_and_wait_timeout.
//
// The ring is created with SINGLE_ISSUER | DEFER_TASKRUN when the kernel accepts them (completions
// are then only run when this thread asks for events, so nothing interrupts the shard), falling
// back to COOP_TASKRUN and then to no flags; description() says which. Because of SINGLE_ISSUER the
// backend must be created, used and destroyed on the shard thread.
//
// Receive slot layout (io_uring_recvmsg_out): [16-byte header][source address: 32 bytes, a
// sockaddr_in6 rounded up to cmsghdr alignment][control: a 24-byte UDP_GRO cmsg on GRO sockets]
// [payload]. Buffers are offered 16 bytes short of the slot so the payload limit is
// max_receive_bytes() like the recvmmsg backend's (24 bytes less on GRO sockets, whose slots are
// at least 64 KiB + 64 and so still hold any UDP payload).
class IoUringBackend final : public IoBackend {
 public:
  static absl::StatusOr<std::unique_ptr<IoUringBackend>> Create(const IoBackendOptions& options);
  ~IoUringBackend() override;

  std::string_view description() const override { return description_; }
  WaitResult Wait(Instant deadline) override;
  unsigned setup_flags() const { return setup_flags_; }

 private:
  enum class Op : uint32_t { kRecv = 1, kSend = 2, kWake = 3 };
  struct SocketRing {
    MappedRegion ring_memory;  // io_uring_buf_ring, page-aligned
    MappedRegion slots;
    io_uring_buf_ring* ring = nullptr;
    msghdr msg{};       // the multishot template: name and control lengths only
    uint32_t free = 0;  // buffers currently in the ring (the kernel may take them)
    bool armed = false;
  };

  explicit IoUringBackend(const IoBackendOptions& options);

  absl::Status Setup();
  absl::Status AttachSocket(uint32_t index) override;
  void PollReceive(size_t wanted) override;
  void Recycle(absl::Span<const RawDatagram> done) override;
  void SendMessages(size_t count) override;

  io_uring_sqe* GetSqe();
  void ArmReceive(uint32_t index);
  void ArmWake();
  // Re-arms the multishot receive of every socket whose last one ended and has buffers again.
  void ArmIdleSockets();
  void ReturnBuffer(uint32_t index, uint32_t slot);
  // Handles every CQE in the completion ring.
  void ProcessCompletions();
  void OnReceive(uint32_t index, const io_uring_cqe& cqe, Instant now);

  io_uring ring_{};
  bool ring_ready_ = false;
  // Sockets registered as fixed files (IOSQE_FIXED_FILE): the index into the ring's file table
  // equals the socket index, for the first kFixedFiles sockets; later ones use plain fds.
  static constexpr uint32_t kFixedFiles = 64;
  bool fixed_files_ = false;
  std::vector<bool> socket_fixed_;
  unsigned setup_flags_ = 0;
  std::string description_;
  std::vector<SocketRing> socket_rings_;
  size_t sends_in_flight_ = 0;
  bool woken_ = false;
  bool wake_armed_ = false;
};

}  // namespace sfu::net
