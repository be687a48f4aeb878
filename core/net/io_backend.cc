#include "core/net/io_backend.h"

#include <netinet/in.h>
#include <netinet/udp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/net/io_uring_backend.h"
#include "core/net/mmsg_backend.h"

namespace sfu::net {
namespace {

// The largest UDP payload one IPv4 datagram can carry (65535 - 20 - 8); a GSO send's total payload
// must stay below it for both families.
constexpr size_t kMaxGsoPayloadBytes = 65507;

}  // namespace

std::string_view IoBackendKindName(IoBackendKind kind) {
  switch (kind) {
    case IoBackendKind::kIoUring:
      return "io_uring";
    case IoBackendKind::kMmsg:
      return "mmsg";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<IoBackend>> IoBackend::Create(const IoBackendOptions& options) {
  if (options.receive_slots_per_socket == 0 || options.send_capacity == 0 ||
      options.send_slot_bytes == 0 || options.max_gso_segments == 0 ||
      options.receive_slot_bytes < 2 * kReceiveSlotOverheadBytes) {
    return absl::InvalidArgumentError("io backend: zero-sized buffers or queues");
  }
  switch (options.kind) {
    case IoBackendKind::kIoUring: {
      SFU_ASSIGN_OR_RETURN(std::unique_ptr<IoUringBackend> backend,
                           IoUringBackend::Create(options));
      return std::unique_ptr<IoBackend>(std::move(backend));
    }
    case IoBackendKind::kMmsg: {
      SFU_ASSIGN_OR_RETURN(std::unique_ptr<MmsgBackend> backend, MmsgBackend::Create(options));
      return std::unique_ptr<IoBackend>(std::move(backend));
    }
  }
  return absl::InvalidArgumentError("io backend: unknown kind");
}

IoBackend::IoBackend(const IoBackendOptions& options)
    : options_(options),
      send_buffers_(size_t{options.send_capacity} * options.send_slot_bytes),
      send_entries_(options.send_capacity),
      messages_(options.send_capacity),
      send_iov_(options.send_capacity),
      send_names_(options.send_capacity),
      send_control_(options.send_capacity),
      message_socket_(options.send_capacity),
      message_segments_(options.send_capacity) {}

IoBackend::~IoBackend() = default;

absl::StatusOr<uint32_t> IoBackend::AddSocket(UdpSocket socket) {
  if (sockets_.size() >= UINT16_MAX)
    return absl::ResourceExhaustedError("io backend: too many sockets");
  if (socket.gro_enabled() && options_.receive_slot_bytes < 65536 + kReceiveSlotOverheadBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("io backend: ", socket.local_address().ToString(),
                     " has UDP_GRO but receive slots of only ", options_.receive_slot_bytes,
                     " bytes cannot hold a coalesced 64 KiB datagram"));
  }
  const uint32_t index = static_cast<uint32_t>(sockets_.size());
  const bool gso = options_.gso && socket.gso_supported();
  sockets_.push_back(SocketState{std::move(socket), gso});
  // Every pending entry holds a receive slot, so the total slot count bounds the queue and
  // PushPending never reallocates in steady state.
  pending_.reserve(sockets_.size() * size_t{options_.receive_slots_per_socket});
  if (absl::Status status = AttachSocket(index); !status.ok()) {
    sockets_.pop_back();
    return status;
  }
  return index;
}

size_t IoBackend::DrainPending(absl::Span<ReceivedDatagram> out, size_t n) {
  while (n < out.size() && pending_head_ < pending_.size()) {
    const RawDatagram& raw = pending_[pending_head_];
    const uint32_t segment = raw.segment_bytes != 0 ? raw.segment_bytes : raw.length;
    const uint32_t length = std::min(segment, raw.length - segment_offset_);
    ReceivedDatagram& d = out[n++];
    d.tuple.local = sockets_[raw.socket].socket.local_address();
    d.tuple.remote = raw.remote;
    d.tuple.protocol = FiveTuple::kProtocolUdp;
    d.bytes = absl::MakeSpan(raw.data + segment_offset_, length);
    d.received = raw.received;
    d.socket_index = raw.socket;
    ++stats_.rx_datagrams;
    segment_offset_ += length;
    if (segment_offset_ >= raw.length) {
      if (raw.segment_bytes != 0 && raw.length > raw.segment_bytes) ++stats_.rx_gro_buffers;
      ++pending_head_;
      segment_offset_ = 0;
    }
  }
  return n;
}

size_t IoBackend::Receive(absl::Span<ReceivedDatagram> out) {
  size_t n = DrainPending(out, 0);
  if (n < out.size()) {
    PollReceive(out.size() - n);
    n = DrainPending(out, n);
  }
  return n;
}

void IoBackend::ReleaseReceived() {
  // A GRO buffer that is only partly handed out stays: its remaining segments are still pending.
  if (pending_head_ == 0) return;
  Recycle(absl::MakeConstSpan(pending_.data(), pending_head_));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(pending_head_));
  pending_head_ = 0;
}

absl::Span<uint8_t> IoBackend::PrepareSend(uint32_t socket_index, const SocketAddress& remote) {
  if (socket_index >= sockets_.size()) return {};
  if (send_count_ == send_entries_.size()) Flush();
  SendEntry& entry = send_entries_[send_count_];
  entry.remote = remote;
  entry.socket = socket_index;
  entry.length = 0;
  return absl::MakeSpan(send_buffers_.data() + send_count_ * options_.send_slot_bytes,
                        options_.send_slot_bytes);
}

void IoBackend::CommitSend(size_t length) {
  send_entries_[send_count_].length =
      static_cast<uint32_t>(std::min<size_t>(length, options_.send_slot_bytes));
  ++send_count_;
}

bool IoBackend::QueueSend(uint32_t socket_index, const SocketAddress& remote,
                          absl::Span<const uint8_t> bytes) {
  if (bytes.size() > options_.send_slot_bytes) return false;
  absl::Span<uint8_t> slot = PrepareSend(socket_index, remote);
  if (slot.empty()) return false;
  if (!bytes.empty()) std::memcpy(slot.data(), bytes.data(), bytes.size());
  CommitSend(bytes.size());
  return true;
}

// Groups the queue into messages: a run of datagrams to one (socket, remote) whose sizes are
// s, s, ..., s, <=s becomes one message whose iovecs are the slots and whose UDP_SEGMENT is s, so
// the kernel cuts it back into the original datagrams (a GSO send needs no copy into one buffer).
size_t IoBackend::BuildMessages() {
  size_t count = 0;
  size_t i = 0;
  while (i < send_count_) {
    const SendEntry& first = send_entries_[i];
    const uint32_t segment = first.length;
    size_t total = segment;
    size_t j = i + 1;
    if (sockets_[first.socket].gso && segment > 0) {
      while (j < send_count_ && j - i < options_.max_gso_segments) {
        const SendEntry& next = send_entries_[j];
        if (next.socket != first.socket || !(next.remote == first.remote) || next.length == 0 ||
            next.length > segment || total + next.length > kMaxGsoPayloadBytes ||
            send_entries_[j - 1].length != segment) {
          break;
        }
        total += next.length;
        ++j;
      }
    }
    for (size_t k = i; k < j; ++k) {
      send_iov_[k].iov_base = send_buffers_.data() + k * options_.send_slot_bytes;
      send_iov_[k].iov_len = send_entries_[k].length;
    }
    msghdr& msg = messages_[count].msg_hdr;
    msg = msghdr{};
    msg.msg_name = &send_names_[count];
    msg.msg_namelen = first.remote.ToSockaddr(&send_names_[count]);
    msg.msg_iov = &send_iov_[i];
    msg.msg_iovlen = j - i;
    if (j - i > 1) {
      msg.msg_control = send_control_[count].bytes;
      msg.msg_controllen = sizeof(send_control_[count].bytes);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
      cmsg->cmsg_level = SOL_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const uint16_t gso_size = static_cast<uint16_t>(segment);
      std::memcpy(CMSG_DATA(cmsg), &gso_size, sizeof(gso_size));
    }
    message_socket_[count] = first.socket;
    message_segments_[count] = static_cast<uint32_t>(j - i);
    ++count;
    i = j;
  }
  return count;
}

void IoBackend::Flush() {
  if (send_count_ == 0) return;
  const size_t count = BuildMessages();
  SendMessages(count);
  send_count_ = 0;
}

void IoBackend::OnMessageResult(size_t message, int result) {
  const uint32_t segments = message_segments_[message];
  ++stats_.tx_messages;
  if (result >= 0) {
    stats_.tx_datagrams += segments;
    if (segments > 1) ++stats_.tx_gso_batches;
    return;
  }
  if (result == -EIO && segments > 1) {
    // The device cannot checksum-offload GSO: stop using GSO on this socket and resend.
    sockets_[message_socket_[message]].gso = false;
    ++stats_.tx_gso_fallbacks;
    SendSegmentsOneByOne(message);
    return;
  }
  stats_.tx_errors += segments;
}

void IoBackend::SendSegmentsOneByOne(size_t message) {
  const msghdr& gso = messages_[message].msg_hdr;
  for (size_t k = 0; k < gso.msg_iovlen; ++k) {
    msghdr single{};
    single.msg_name = gso.msg_name;
    single.msg_namelen = gso.msg_namelen;
    single.msg_iov = gso.msg_iov + k;
    single.msg_iovlen = 1;
    if (sendmsg(message_fd(message), &single, MSG_DONTWAIT) >= 0) {
      ++stats_.tx_datagrams;
    } else {
      ++stats_.tx_errors;
    }
  }
}

uint16_t IoBackend::GroSegmentBytes(const cmsghdr& c) {
  if (c.cmsg_level != SOL_UDP || c.cmsg_type != UDP_GRO || c.cmsg_len < CMSG_LEN(sizeof(int))) {
    return 0;
  }
  int size = 0;
  std::memcpy(&size, CMSG_DATA(&c), sizeof(size));
  return size > 0 && size <= UINT16_MAX ? static_cast<uint16_t>(size) : 0;
}

}  // namespace sfu::net
