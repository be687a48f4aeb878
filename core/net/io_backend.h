#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/net/udp_socket.h"

namespace sfu::net {

enum class IoBackendKind : uint8_t { kIoUring, kMmsg };

inline constexpr uint32_t kReceiveSlotOverheadBytes = 64;
std::string_view IoBackendKindName(IoBackendKind kind);

struct IoBackendOptions {
  IoBackendKind kind = IoBackendKind::kIoUring;
  // Receive buffers per socket. io_uring needs a power of two (it is a provided-buffer ring,
  // at most 32768). 2048 slots x 2048 bytes = 4 MiB per socket keeps a v4 + v6 pair within the
  // 8 MiB memlock limit on this machine (PEERS.md) even if the kernel were to charge the buffers.
  uint32_t receive_slots_per_socket = 2048;
  // Bytes per receive buffer. kReceiveSlotOverheadBytes of each are kept for io_uring's recvmsg
  // header, source address and control message, so the largest datagram either backend accepts
  // is max_receive_bytes() = receive_slot_bytes - 64; longer ones are dropped (rx_truncated).
  // A socket with UDP_GRO needs slots of at least 64 KiB + 64.
  uint32_t receive_slot_bytes = 2048;
  // Datagrams that can be queued between two Flush() calls (a full queue flushes itself).
  uint32_t send_capacity = 256;
  // Largest datagram that can be queued.
  uint32_t send_slot_bytes = 2048;
  // Coalesce consecutive sends to one destination into one UDP_SEGMENT (GSO) send, on sockets
  // whose kernel supports it.
  bool gso = true;
  // At most this many datagrams per GSO send (the kernel's UDP_MAX_SEGMENTS is 64 or more).
  uint32_t max_gso_segments = 64;
  // A Waker's eventfd; Wait() returns kWoken when it fires. -1: no wake-ups.
  int wake_fd = -1;
  // io_uring submission queue and completion queue sizes.
  uint32_t io_uring_sq_entries = 512;
  uint32_t io_uring_cq_entries = 16384;
};

// One received datagram. `bytes` points into a backend-owned receive buffer and stays valid until
// the next IoBackend::ReleaseReceived(). Until then the bytes are the caller's to modify (e.g.
// SRTP decryption in place); nothing else reads that slot before it is released.
struct ReceivedDatagram {
  FiveTuple tuple;  // local = the receiving socket's bound address
  absl::Span<uint8_t> bytes;
  Instant received;  // when the backend reaped it (one clock read per batch)
  uint32_t socket_index = 0;
};

enum class WaitResult : uint8_t { kReady, kWoken, kTimeout };

// Per-backend counters; single writer (the shard), read by whoever owns the backend.
struct IoStats {
  uint64_t rx_datagrams = 0;
  uint64_t rx_truncated = 0;    // larger than a receive slot: dropped
  uint64_t rx_errors = 0;       // socket errors reported on receive
  uint64_t rx_no_buffers = 0;   // io_uring ran out of provided buffers (-ENOBUFS) and re-armed
  uint64_t rx_gro_buffers = 0;  // receive buffers that held several datagrams (UDP_GRO)
  uint64_t tx_datagrams = 0;
  uint64_t tx_messages = 0;       // sendmsg calls / SQEs (one per GSO batch)
  uint64_t tx_gso_batches = 0;    // messages that carried more than one segment
  uint64_t tx_errors = 0;         // datagrams the kernel refused
  uint64_t tx_gso_fallbacks = 0;  // GSO refused (EIO: no checksum offload); resent one by one
  uint64_t wakeups = 0;
};

// A shard's datagram I/O: a batch of receives, a batch of sends, and a wait that ends on input, a
// deadline or a wake-up. Steady state allocates nothing: buffers, message headers and queues are
// sized at construction/AddSocket.
//
// Owned by one shard and used only on its thread. For io_uring that must also be the thread that
// created it (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN tie the ring to its creator), so create
// the backend inside the shard's loop function.
//
// The shard loop:
//   for (;;) {
//     backend->Wait(timers.NextDeadline());
//     while (size_t n = backend->Receive(batch)) { handle batch[0..n); ... }
//     ... queue sends (QueueSend / PrepareSend+CommitSend) ...
//     backend->Flush();
//     backend->ReleaseReceived();
//   }
class IoBackend {
 public:
  static absl::StatusOr<std::unique_ptr<IoBackend>> Create(const IoBackendOptions& options);
  virtual ~IoBackend();
  IoBackend(const IoBackend&) = delete;
  IoBackend& operator=(const IoBackend&) = delete;

  IoBackendKind kind() const { return options_.kind; }
  // Which implementation and, for io_uring, which setup flags the kernel accepted.
  virtual std::string_view description() const = 0;

  // Takes ownership of `socket` and starts receiving on it; returns its index (used in
  // ReceivedDatagram::socket_index and QueueSend).
  absl::StatusOr<uint32_t> AddSocket(UdpSocket socket);
  size_t socket_count() const { return sockets_.size(); }
  // The largest datagram Receive() delivers; longer ones are counted in rx_truncated and dropped.
  size_t max_receive_bytes() const {
    return options_.receive_slot_bytes - kReceiveSlotOverheadBytes;
  }
  const UdpSocket& socket(uint32_t index) const { return sockets_[index].socket; }

  // Non-blocking: fills `out` with up to out.size() datagrams that have arrived; returns the
  // count (0 when none). The views stay valid until ReleaseReceived(). Receive buffers held by
  // unreleased datagrams are not reused, so a caller that never releases eventually receives
  // nothing (the kernel queues, then drops, what does not fit).
  size_t Receive(absl::Span<ReceivedDatagram> out);
  // Returns the buffers of every datagram Receive() has handed out so far.
  void ReleaseReceived();

  // Blocks until a datagram can be received, `deadline` passes (Instant::Infinite(): never) or
  // the wake fd fires. Returns at once (kReady) if received datagrams are already waiting.
  virtual WaitResult Wait(Instant deadline) = 0;

  // Queues a copy of `bytes` for `remote` on socket `socket_index`. false (and nothing queued)
  // if the index is unknown or the datagram is larger than send_slot_bytes. A full queue is
  // flushed first.
  bool QueueSend(uint32_t socket_index, const SocketAddress& remote,
                 absl::Span<const uint8_t> bytes);
  // Zero-copy variant: returns a send_slot_bytes buffer to build a datagram in, then
  // CommitSend(length) queues it. Empty span for an unknown socket index. A PrepareSend without
  // CommitSend is discarded by the next PrepareSend/QueueSend.
  absl::Span<uint8_t> PrepareSend(uint32_t socket_index, const SocketAddress& remote);
  void CommitSend(size_t length);
  size_t queued_sends() const { return send_count_; }
  // Sends everything queued: one batch of system calls (sendmmsg) or one io_uring submit. Runs of
  // consecutive datagrams to one destination on one socket become GSO sends: every segment but
  // the last must have the first one's size, the last may be shorter. Never blocks: returns once
  // the kernel has taken the data; a full socket buffer or another failure drops the datagrams
  // and counts them in stats().tx_errors (no retry).
  void Flush();

  const IoStats& stats() const { return stats_; }

 protected:
  // A receive buffer's worth, before GRO splitting. `data` is in a receive slot owned by
  // the backend until Recycle().
  struct RawDatagram {
    uint8_t* data;
    uint32_t length;
    uint32_t slot;
    uint16_t segment_bytes;  // UDP_GRO segment size; 0 = one datagram
    uint16_t socket;
    SocketAddress remote;
    Instant received;
  };
  struct SocketState {
    UdpSocket socket;
    bool gso = false;
  };

  explicit IoBackend(const IoBackendOptions& options);

  // Backend hooks.
  virtual absl::Status AttachSocket(uint32_t index) = 0;
  // Reaps arrived datagrams into the pending queue via PushPending (aiming for at least `wanted`
  // when that many have arrived). Never blocks.
  virtual void PollReceive(size_t wanted) = 0;
  virtual void Recycle(absl::Span<const RawDatagram> done) = 0;
  // Sends messages()[0..count); reports each with OnMessageResult before returning.
  virtual void SendMessages(size_t count) = 0;

  // Helpers for the hooks.
  void PushPending(const RawDatagram& raw) { pending_.push_back(raw); }
  bool has_pending() const { return pending_head_ < pending_.size(); }
  size_t pending_room() const { return pending_.capacity() - pending_.size(); }
  mmsghdr* messages() { return messages_.data(); }
  int message_fd(size_t message) const { return sockets_[message_socket_[message]].socket.fd(); }
  uint32_t message_socket(size_t message) const { return message_socket_[message]; }
  // `result` is the byte count sent or -errno.
  void OnMessageResult(size_t message, int result);
  // The segment size if `c` is a UDP_GRO control message, else 0.
  static uint16_t GroSegmentBytes(const cmsghdr& c);

  const IoBackendOptions options_;
  std::vector<SocketState> sockets_;
  IoStats stats_;

 private:
  struct SendEntry {
    SocketAddress remote;
    uint32_t socket;
    uint32_t length;
  };
  struct alignas(cmsghdr) GsoControl {
    uint8_t bytes[CMSG_SPACE(sizeof(uint16_t))];
  };

  size_t DrainPending(absl::Span<ReceivedDatagram> out, size_t n);
  size_t BuildMessages();
  void SendSegmentsOneByOne(size_t message);

  // Receive side: reaped datagrams not yet fully handed out start at pending_head_;
  // [0, pending_head_) were handed out and await ReleaseReceived.
  std::vector<RawDatagram> pending_;
  size_t pending_head_ = 0;
  uint32_t segment_offset_ = 0;  // within pending_[pending_head_] (GRO)

  // Send side.
  std::vector<uint8_t> send_buffers_;
  std::vector<SendEntry> send_entries_;
  size_t send_count_ = 0;
  std::vector<mmsghdr> messages_;
  std::vector<iovec> send_iov_;
  std::vector<sockaddr_storage> send_names_;
  std::vector<GsoControl> send_control_;
  std::vector<uint32_t> message_socket_;
  std::vector<uint32_t> message_segments_;
};

}  // namespace sfu::net
