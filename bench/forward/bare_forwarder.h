#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "core/srtp/srtp_kdf.h"

namespace sfu::bench::forward {

// The baseline of issue 5's forwarding benchmark: the least a forwarder must do, with no SFU
// logic. recvmmsg a batch from the publisher → OpenSSL EVP AES-128-GCM open (RFC 7714 SRTP
// layout: 12-byte header as AAD, IV from salt, SSRC, ROC and sequence number) → for every
// subscriber an EVP seal with that subscriber's own key into a send slot → sendmmsg in batches
// of kSendBatch (the size of sfud's send queue, IoBackendOptions::send_capacity).
//
// Runs on its own thread ("fwd-bare", pinned to `cpu`), started and stopped by the benchmark's
// main thread; the counters are relaxed atomics written by that thread only.
class BareForwarder {
 public:
  static constexpr size_t kReceiveBatch = 64;  // as ShardLoop::kReceiveBatch
  static constexpr size_t kSendBatch = 256;
  static constexpr char kThreadName[] = "fwd-bare";

  // `publisher_keys` are the session keys the publisher's SRTP session protects with (AEAD
  // AES-128-GCM); every subscriber gets a fresh random key and salt.
  static absl::StatusOr<std::unique_ptr<BareForwarder>> Start(
      const srtp::SrtpSessionKeys& publisher_keys, const std::vector<SocketAddress>& subscribers,
      int cpu);
  ~BareForwarder();
  BareForwarder(const BareForwarder&) = delete;
  BareForwarder& operator=(const BareForwarder&) = delete;

  void Stop();
  const SocketAddress& local_address() const { return local_; }

  uint64_t received() const { return received_.load(std::memory_order_relaxed); }
  uint64_t open_failed() const { return open_failed_.load(std::memory_order_relaxed); }
  uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  uint64_t send_errors() const { return send_errors_.load(std::memory_order_relaxed); }

 private:
  struct Cipher;  // an EVP_CIPHER_CTX keyed once, and its salt
  BareForwarder();
  void Run(int cpu);
  // Opens one publisher packet in place; false if it does not authenticate. `roc` is the
  // rollover counter it was sealed with.
  bool Open(uint8_t* packet, size_t size, size_t* payload_size, uint32_t* roc);
  void Seal(size_t subscriber, const uint8_t* header, const uint8_t* payload, size_t payload_size,
            uint32_t ssrc, uint32_t roc, uint16_t seq, uint8_t* out);
  void SendQueued();

  int fd_ = -1;
  SocketAddress local_;
  std::vector<Cipher> ciphers_;  // [0]: the publisher's (open); [1 + i]: subscriber i (seal)
  std::vector<sockaddr_storage> destinations_;
  socklen_t destination_len_ = 0;
  bool have_index_ = false;
  uint16_t highest_seq_ = 0;
  uint32_t roc_ = 0;

  std::vector<uint8_t> receive_buffers_;
  std::array<mmsghdr, kReceiveBatch> receive_messages_{};
  std::array<iovec, kReceiveBatch> receive_iov_{};
  std::vector<uint8_t> send_buffers_;
  std::array<mmsghdr, kSendBatch> send_messages_{};
  std::array<iovec, kSendBatch> send_iov_{};
  size_t queued_ = 0;

  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> open_failed_{0};
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> send_errors_{0};
  std::thread thread_;
};

}  // namespace sfu::bench::forward
