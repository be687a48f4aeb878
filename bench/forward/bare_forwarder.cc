#include "bench/forward/bare_forwarder.h"

#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <utility>

namespace sfu::bench::forward {
namespace {

constexpr size_t kHeaderBytes = 12;  // RFC 3550 §5.1, no CSRCs, no extension
constexpr size_t kTagBytes = 16;     // RFC 7714 §5.2
constexpr size_t kSlotBytes = 2048;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

uint32_t ReadU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

}  // namespace

struct BareForwarder::Cipher {
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx;
  std::array<uint8_t, 12> salt{};

  // RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
  std::array<uint8_t, 12> Iv(uint32_t ssrc, uint32_t roc, uint16_t seq) const {
    std::array<uint8_t, 12> iv{};
    for (int i = 0; i < 4; ++i) iv[2 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) iv[6 + i] = static_cast<uint8_t>(roc >> (24 - 8 * i));
    iv[10] = static_cast<uint8_t>(seq >> 8);
    iv[11] = static_cast<uint8_t>(seq);
    for (size_t i = 0; i < iv.size(); ++i) iv[i] ^= salt[i];
    return iv;
  }
};

BareForwarder::BareForwarder() = default;

BareForwarder::~BareForwarder() {
  Stop();
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::unique_ptr<BareForwarder>> BareForwarder::Start(
    const srtp::SrtpSessionKeys& publisher_keys, const std::vector<SocketAddress>& subscribers,
    int cpu) {
  std::unique_ptr<BareForwarder> f(new BareForwarder());
  // Keyed once, as sfud keys its sessions: the fetched cipher and the key schedule are reused.
  EVP_CIPHER* gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  if (gcm == nullptr) return absl::InternalError("EVP_CIPHER_fetch AES-128-GCM");
  auto make = [&](const uint8_t* key, const uint8_t* salt, bool encrypt) -> absl::Status {
    Cipher c;
    c.ctx.reset(EVP_CIPHER_CTX_new());
    if (c.ctx == nullptr ||
        EVP_CipherInit_ex2(c.ctx.get(), gcm, key, nullptr, encrypt ? 1 : 0, nullptr) != 1) {
      return absl::InternalError("EVP_CipherInit_ex2");
    }
    std::memcpy(c.salt.data(), salt, c.salt.size());
    f->ciphers_.push_back(std::move(c));
    return absl::OkStatus();
  };
  absl::Status status = make(publisher_keys.rtp_key.data(), publisher_keys.rtp_salt.data(), false);
  for (size_t i = 0; status.ok() && i < subscribers.size(); ++i) {
    uint8_t key[16], salt[12];
    if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(salt, sizeof(salt)) != 1) {
      status = absl::InternalError("RAND_bytes");
      break;
    }
    status = make(key, salt, true);
  }
  EVP_CIPHER_free(gcm);
  if (!status.ok()) return status;

  for (const SocketAddress& s : subscribers) {
    sockaddr_storage storage{};
    f->destination_len_ = s.ToSockaddr(&storage);
    f->destinations_.push_back(storage);
  }
  f->fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (f->fd_ < 0) return absl::ErrnoToStatus(errno, "socket");
  const int buffer_bytes = 4 << 20;  // as sfud's UdpSocketOptions
  for (int option : {SO_RCVBUFFORCE, SO_SNDBUFFORCE}) {
    (void)setsockopt(f->fd_, SOL_SOCKET, option, &buffer_bytes, sizeof(buffer_bytes));
  }
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t local_len = sizeof(local);
  if (bind(f->fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
      getsockname(f->fd_, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
    return absl::ErrnoToStatus(errno, "bind");
  }
  f->local_ = *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_len);

  f->receive_buffers_.resize(kReceiveBatch * kSlotBytes);
  for (size_t i = 0; i < kReceiveBatch; ++i) {
    f->receive_iov_[i] = iovec{f->receive_buffers_.data() + i * kSlotBytes, kSlotBytes};
    f->receive_messages_[i].msg_hdr.msg_iov = &f->receive_iov_[i];
    f->receive_messages_[i].msg_hdr.msg_iovlen = 1;
  }
  f->send_buffers_.resize(kSendBatch * kSlotBytes);
  for (size_t i = 0; i < kSendBatch; ++i) {
    f->send_messages_[i].msg_hdr.msg_iov = &f->send_iov_[i];
    f->send_messages_[i].msg_hdr.msg_iovlen = 1;
  }
  BareForwarder* self = f.get();
  std::promise<void> started;
  std::future<void> ready = started.get_future();
  f->thread_ = std::thread([self, cpu, &started] {
    pthread_setname_np(pthread_self(), kThreadName);
    started.set_value();
    self->Run(cpu);
  });
  ready.wait();
  return f;
}

void BareForwarder::Stop() {
  stop_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

bool BareForwarder::Open(uint8_t* packet, size_t size, size_t* payload_size, uint32_t* roc_out) {
  if (size < kHeaderBytes + kTagBytes || (packet[0] & 0xFF) != 0x80) return false;
  const uint16_t seq = static_cast<uint16_t>(packet[2] << 8 | packet[3]);
  const uint32_t ssrc = ReadU32(packet + 8);
  // RFC 3711 §3.3.1 / Appendix A, for an in-order stream: the ROC steps when the sequence number
  // wraps.
  uint32_t roc = roc_;
  if (have_index_ && seq < highest_seq_ && highest_seq_ - seq > 0x8000) ++roc;
  Cipher& c = ciphers_[0];
  const std::array<uint8_t, 12> iv = c.Iv(ssrc, roc, seq);
  const size_t ciphertext = size - kHeaderBytes - kTagBytes;
  int len = 0, final_len = 0;
  EVP_CIPHER_CTX* ctx = c.ctx.get();
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) != 1 ||
      EVP_DecryptUpdate(ctx, nullptr, &len, packet, kHeaderBytes) != 1 ||
      EVP_DecryptUpdate(ctx, packet + kHeaderBytes, &len, packet + kHeaderBytes,
                        static_cast<int>(ciphertext)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          packet + kHeaderBytes + ciphertext) != 1 ||
      EVP_DecryptFinal_ex(ctx, packet + kHeaderBytes + len, &final_len) != 1) {
    return false;
  }
  if (!have_index_ || roc != roc_ || seq > highest_seq_) {
    roc_ = roc;
    highest_seq_ = seq;
    have_index_ = true;
  }
  *payload_size = ciphertext;
  *roc_out = roc;
  return true;
}

void BareForwarder::Seal(size_t subscriber, const uint8_t* header, const uint8_t* payload,
                         size_t payload_size, uint32_t ssrc, uint32_t roc, uint16_t seq,
                         uint8_t* out) {
  Cipher& c = ciphers_[1 + subscriber];
  const std::array<uint8_t, 12> iv = c.Iv(ssrc, roc, seq);
  std::memcpy(out, header, kHeaderBytes);
  int len = 0, final_len = 0;
  EVP_CIPHER_CTX* ctx = c.ctx.get();
  // Return values are checked by the subscriber's decryption in a real system; a failure here
  // would only mean a corrupt datagram, so the loop keeps the cost of a real forwarder.
  (void)EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data());
  (void)EVP_EncryptUpdate(ctx, nullptr, &len, out, kHeaderBytes);
  (void)EVP_EncryptUpdate(ctx, out + kHeaderBytes, &len, payload, static_cast<int>(payload_size));
  (void)EVP_EncryptFinal_ex(ctx, out + kHeaderBytes + len, &final_len);
  (void)EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes,
                            out + kHeaderBytes + payload_size);
}

void BareForwarder::SendQueued() {
  size_t done = 0;
  // Bounded: every round either sends at least one datagram or gives the rest up.
  while (done < queued_) {
    const int n =
        sendmmsg(fd_, send_messages_.data() + done, static_cast<unsigned>(queued_ - done), 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    send_errors_.fetch_add(queued_ - done, std::memory_order_relaxed);
    break;
  }
  sent_.fetch_add(done, std::memory_order_relaxed);
  queued_ = 0;
}

void BareForwarder::Run(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  const size_t subscribers = destinations_.size();
  while (!stop_.load(std::memory_order_acquire)) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 5) <= 0) continue;  // 5 ms: the stop flag is checked at least that often
    const int n = recvmmsg(fd_, receive_messages_.data(), kReceiveBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) continue;
    received_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    for (int i = 0; i < n; ++i) {
      uint8_t* packet = receive_buffers_.data() + static_cast<size_t>(i) * kSlotBytes;
      size_t payload_size = 0;
      uint32_t roc = 0;
      if (!Open(packet, receive_messages_[i].msg_len, &payload_size, &roc)) {
        open_failed_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const uint16_t seq = static_cast<uint16_t>(packet[2] << 8 | packet[3]);
      const uint32_t ssrc = ReadU32(packet + 8);
      for (size_t s = 0; s < subscribers; ++s) {
        uint8_t* out = send_buffers_.data() + queued_ * kSlotBytes;
        Seal(s, packet, packet + kHeaderBytes, payload_size, ssrc, roc, seq, out);
        send_iov_[queued_] = iovec{out, kHeaderBytes + payload_size + kTagBytes};
        send_messages_[queued_].msg_hdr.msg_name = &destinations_[s];
        send_messages_[queued_].msg_hdr.msg_namelen = destination_len_;
        if (++queued_ == kSendBatch) SendQueued();
      }
    }
    if (queued_ > 0) SendQueued();
  }
}

}  // namespace sfu::bench::forward
