#pragma once

#include <sys/socket.h>

#include <array>
#include <memory>
#include <vector>

#include "core/net/io_backend.h"
#include "core/net/mapped_region.h"

namespace sfu::net {

// IoBackend over recvmmsg/sendmmsg and epoll: the portable baseline the io_uring backend is
// measured against (DESIGN.md §5: io_uring is not automatically faster for small UDP packets).
// Each socket has receive_slots_per_socket fixed slots with a free list; one recvmmsg fills up to
// kBatch of them. Level-triggered epoll watches the sockets and the wake fd. Shard-thread only.
class MmsgBackend final : public IoBackend {
 public:
  static absl::StatusOr<std::unique_ptr<MmsgBackend>> Create(const IoBackendOptions& options);
  ~MmsgBackend() override;

  std::string_view description() const override { return "recvmmsg/sendmmsg + epoll"; }
  WaitResult Wait(Instant deadline) override;

 private:
  static constexpr size_t kBatch = 64;  // messages per recvmmsg
  struct SlotPool {
    MappedRegion memory;
    std::vector<uint32_t> free;  // slot indices; reserved to the slot count
  };
  struct alignas(cmsghdr) GroControl {
    uint8_t bytes[CMSG_SPACE(sizeof(int))];
  };

  MmsgBackend(const IoBackendOptions& options, int epoll_fd);

  absl::Status AttachSocket(uint32_t index) override;
  void PollReceive(size_t wanted) override;
  void Recycle(absl::Span<const RawDatagram> done) override;
  void SendMessages(size_t count) override;
  // One recvmmsg on socket `index` for up to `wanted` datagrams (decremented by what arrived).
  // true if the batch came back full, i.e. the socket may hold more.
  bool ReceiveBatch(uint32_t index, size_t& wanted);

  int epoll_fd_ = -1;
  std::vector<SlotPool> pools_;
  uint32_t next_socket_ = 0;  // round-robin start so one busy socket cannot starve the others
  std::array<mmsghdr, kBatch> recv_msgs_{};
  std::array<iovec, kBatch> recv_iov_{};
  std::array<sockaddr_storage, kBatch> recv_names_{};
  std::array<GroControl, kBatch> recv_control_{};
  std::array<uint32_t, kBatch> recv_slots_{};
};

}  // namespace sfu::net
