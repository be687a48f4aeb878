#include "bench/forward/traffic.h"

#include <dirent.h>
#include <linux/sock_diag.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/forward/alloc_hooks.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace sfu::bench::forward {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Publisher

Publisher::Publisher(int fd, const SocketAddress& destination, srtp::SrtpSession* session,
                     uint32_t ssrc, uint8_t payload_type)
    : fd_(fd),
      session_(session),
      ssrc_(ssrc),
      payload_type_(payload_type),
      buffer_(kMaxBurst * kSrtpBytes) {
  destination_len_ = destination.ToSockaddr(&destination_);
  for (size_t i = 0; i < last_payload_.size(); ++i) last_payload_[i] = static_cast<uint8_t>(i * 7);
}

absl::Span<const uint8_t> Publisher::last_payload() const {
  return absl::MakeConstSpan(last_payload_);
}

void Publisher::Build(uint8_t* p, bool keyframe) {
  // Ten packets per frame at 90 kHz / 30 fps; the marker ends a frame (RFC 3550 §5.1).
  const bool marker = frame_packet_ == 9;
  p[0] = 0x80;
  p[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | payload_type_);
  p[2] = static_cast<uint8_t>(seq_ >> 8);
  p[3] = static_cast<uint8_t>(seq_);
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(timestamp_ >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc_ >> (24 - 8 * i));
  uint8_t* payload = p + 12;
  // RFC 7741 §4.2 descriptor: S=1 on a frame's first packet (PID 0), then the VP8 payload header
  // (§4.3) whose P bit is 0 for a keyframe. A keyframe also carries the start code 9D 01 2A.
  last_payload_[0] = frame_packet_ == 0 || keyframe ? 0x10 : 0x00;
  last_payload_[1] = keyframe ? 0x00 : 0x01;
  last_payload_[2] = 0x9D;
  last_payload_[3] = 0x01;
  last_payload_[4] = 0x2A;
  last_payload_[5] = static_cast<uint8_t>(seq_);
  std::memcpy(payload, last_payload_.data(), last_payload_.size());
  ++seq_;
  if (++frame_packet_ == 10) {
    frame_packet_ = 0;
    timestamp_ += 3000;
  }
}

size_t Publisher::SendPackets(size_t count) {
  if (gso_ && count > 1) {
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))] = {};
    iovec iov{buffer_.data(), count * kSrtpBytes};
    msghdr msg{};
    msg.msg_name = &destination_;
    msg.msg_namelen = destination_len_;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_UDP;  // SOL_UDP
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    const uint16_t segment = kSrtpBytes;
    std::memcpy(CMSG_DATA(c), &segment, sizeof(segment));
    if (sendmsg(fd_, &msg, 0) >= 0) return count;
    if (errno == EAGAIN || errno == ENOBUFS) return 0;
    gso_ = false;  // no GSO here (EIO, EINVAL): one datagram per message from now on
  }
  std::array<mmsghdr, kMaxBurst> messages{};
  std::array<iovec, kMaxBurst> iov{};
  for (size_t i = 0; i < count; ++i) {
    iov[i] = iovec{buffer_.data() + i * kSrtpBytes, kSrtpBytes};
    messages[i].msg_hdr.msg_name = &destination_;
    messages[i].msg_hdr.msg_namelen = destination_len_;
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  const int sent = sendmmsg(fd_, messages.data(), static_cast<unsigned>(count), 0);
  return sent > 0 ? static_cast<size_t>(sent) : 0;
}

size_t Publisher::SendBurst(size_t count) {
  count = std::min(count, kMaxBurst);
  std::array<srtp::SrtpPacket, kMaxBurst> packets{};
  for (size_t i = 0; i < count; ++i) {
    uint8_t* p = buffer_.data() + i * kSrtpBytes;
    Build(p, false);
    packets[i] = srtp::SrtpPacket{p, kRtpBytes, kSrtpBytes, srtp::SrtpResult::kOk};
  }
  const size_t ok = session_->ProtectRtpBatch(absl::MakeSpan(packets.data(), count));
  if (ok != count) {
    send_failures_ += count;
    return 0;
  }
  const size_t sent = SendPackets(count);
  sent_ += sent;
  send_failures_ += count - sent;
  return sent;
}

bool Publisher::SendKeyframe() {
  uint8_t* p = buffer_.data();
  Build(p, true);
  size_t size = 0;
  if (session_->ProtectRtp(absl::MakeSpan(p, kSrtpBytes), kRtpBytes, &size) !=
      srtp::SrtpResult::kOk) {
    return false;
  }
  const bool sent = sendto(fd_, p, size, 0, reinterpret_cast<const sockaddr*>(&destination_),
                           destination_len_) == static_cast<ssize_t>(size);
  sent_ += sent ? 1 : 0;
  return sent;
}

// ---------------------------------------------------------------------------------------------
// Receiver

Receiver::Receiver(absl::Span<const int> subscriber_fds, int publisher_fd)
    : fds_(subscriber_fds.begin(), subscriber_fds.end()),
      publisher_fd_(publisher_fd),
      scratch_(kBatch * kKeepBytes) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return;
  auto add = [this](int fd, uint32_t tag) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = tag;
    return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
  };
  bool ok = publisher_fd < 0 || add(publisher_fd, kPublisherTag);
  for (size_t i = 0; ok && i < fds_.size(); ++i) ok = add(fds_[i], static_cast<uint32_t>(i));
  if (!ok) {
    close(epoll_fd_);
    epoll_fd_ = -1;
  }
  for (size_t i = 0; i < kBatch; ++i) {
    iov_[i] = iovec{scratch_.data() + i * kKeepBytes, kKeepBytes};
    messages_[i].msg_hdr.msg_iov = &iov_[i];
    messages_[i].msg_hdr.msg_iovlen = 1;
  }
}

Receiver::~Receiver() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

uint64_t Receiver::Poll(int timeout_ms) {
  std::array<epoll_event, 256> events;
  const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
  uint64_t received = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t tag = events[i].data.u32;
    const int fd = tag == kPublisherTag ? publisher_fd_ : fds_[tag];
    const int got = recvmmsg(fd, messages_.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (got > 0 && tag != kPublisherTag) received += static_cast<uint64_t>(got);
  }
  return received;
}

uint64_t Receiver::SocketDrops() const {
  uint64_t drops = 0;
  for (int fd : fds_) {
    uint32_t info[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof(info);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len) == 0 &&
        len >= sizeof(uint32_t) * (SK_MEMINFO_DROPS + 1)) {
      drops += info[SK_MEMINFO_DROPS];
    }
  }
  return drops;
}

// ---------------------------------------------------------------------------------------------
// Threads

pid_t FindThread(const char* name) {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  pid_t found = -1;
  for (int i = 0; i < 4096 && found < 0; ++i) {
    const dirent* entry = readdir(dir);
    if (entry == nullptr) break;
    if (entry->d_name[0] == '.') continue;
    const std::string path = std::string("/proc/self/task/") + entry->d_name + "/comm";
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      char comm[64] = {};
      if (std::fgets(comm, sizeof(comm), f) != nullptr) {
        comm[std::strcspn(comm, "\n")] = '\0';
        if (std::strcmp(comm, name) == 0) found = static_cast<pid_t>(std::stol(entry->d_name));
      }
      std::fclose(f);
    }
  }
  closedir(dir);
  return found;
}

uint64_t ThreadCpuNanos(pid_t tid) {
  if (tid < 0) return 0;
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/schedstat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return 0;
  unsigned long long ns = 0;
  if (std::fscanf(f, "%llu", &ns) != 1) ns = 0;
  std::fclose(f);
  return ns;
}

// ---------------------------------------------------------------------------------------------
// The run

TrafficResult RunTraffic(Publisher& publisher, Receiver& receiver, pid_t forwarder_tid,
                         size_t subscribers, const TrafficPlan& plan) {
  TrafficResult result;
  const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  const double n = static_cast<double>(std::max<size_t>(subscribers, 1));
  // Sends what the rate makes due since `start` (at most a few bursts per call) and reads what
  // has arrived; returns the datagrams received.
  auto pump = [&](double rate, Clock::time_point start, uint64_t& sent_in_phase) {
    const double due = rate * Seconds(Clock::now() - start) - static_cast<double>(sent_in_phase);
    size_t to_send = due >= 1 ? static_cast<size_t>(due) : 0;
    to_send = std::min(to_send, 4 * Publisher::kMaxBurst);
    while (to_send > 0) {
      const size_t burst = std::min(to_send, Publisher::kMaxBurst);
      publisher.SendBurst(burst);
      sent_in_phase += burst;  // refused sends count as offered: the rate is what was tried
      to_send -= burst;
    }
    const bool more_due =
        rate * Seconds(Clock::now() - start) - static_cast<double>(sent_in_phase) >= 1;
    return receiver.Poll(more_due ? 0 : 1);
  };

  // The ramp: doubling until the forwarder falls behind (or a cap). Bounded: at most 32 steps.
  uint64_t drops_before_step = receiver.SocketDrops();
  double rate = plan.start_input_pps;
  double saturating_rate = 0;
  double behind_since = 0;  // the rate of the last step that fell behind, 0 if it kept up
  for (int i = 0; i < 32; ++i) {
    const Clock::time_point start = Clock::now();
    uint64_t sent = 0, received = 0;
    // Bounded: the step's wall time; every pump waits at most 1 ms.
    while (Clock::now() - start < plan.step) received += pump(rate, start, sent);
    const uint64_t drops = receiver.SocketDrops();
    const double out =
        static_cast<double>(received + drops - drops_before_step) / Seconds(plan.step);
    drops_before_step = drops;
    result.ramp.push_back(RampPoint{rate, out});
    if (out < plan.saturated_below * rate * n) {
      if (behind_since > 0) {
        saturating_rate = behind_since;
        break;
      }
      behind_since = rate;
    } else {
      behind_since = 0;
    }
    if (rate * n >= plan.max_offered_out_pps || rate >= plan.max_input_pps) break;
    rate = std::min(rate * 2, plan.max_input_pps);
  }
  if (saturating_rate == 0) saturating_rate = behind_since;  // a cap ended the ramp while behind
  result.saturated = saturating_rate > 0;
  if (result.saturated) rate = std::min(saturating_rate * plan.overload, plan.max_input_pps);

  // Steady: the overload rate, settle, then the measured window.
  result.offered_input_pps = rate;
  const Clock::time_point start = Clock::now();
  uint64_t sent = 0;
  while (Clock::now() - start < plan.settle) pump(rate, start, sent);

  const uint64_t drops_before = receiver.SocketDrops();
  const uint64_t published_before = publisher.sent();
  const uint64_t allocations_before = AllocationsTotal();
  const uint64_t own_allocations_before = AllocationsThisThread();
  const uint64_t forwarder_cpu_before = ThreadCpuNanos(forwarder_tid);
  const uint64_t traffic_cpu_before = ThreadCpuNanos(self);
  const Clock::time_point window_start = Clock::now();
  uint64_t received = 0;
  while (Clock::now() - window_start < plan.steady) received += pump(rate, start, sent);
  const Clock::time_point window_end = Clock::now();
  const uint64_t forwarder_cpu = ThreadCpuNanos(forwarder_tid) - forwarder_cpu_before;
  const uint64_t traffic_cpu = ThreadCpuNanos(self) - traffic_cpu_before;
  const uint64_t own_allocations = AllocationsThisThread() - own_allocations_before;
  const uint64_t allocations = AllocationsTotal() - allocations_before;
  const uint64_t drops = receiver.SocketDrops() - drops_before;

  const double seconds = Seconds(window_end - window_start);
  result.window_seconds = seconds;
  result.window_out = received + drops;
  result.out_pps = static_cast<double>(received + drops) / seconds;
  result.received_pps = static_cast<double>(received) / seconds;
  result.sent_input_pps = static_cast<double>(publisher.sent() - published_before) / seconds;
  result.forwarder_cpu = static_cast<double>(forwarder_cpu) / 1e9 / seconds;
  result.out_per_cpu_second = forwarder_cpu == 0 ? 0
                                                 : static_cast<double>(received + drops) /
                                                       (static_cast<double>(forwarder_cpu) / 1e9);
  result.traffic_cpu = static_cast<double>(traffic_cpu) / 1e9 / seconds;
  result.forwarder_allocations = allocations - own_allocations;
  return result;
}

}  // namespace sfu::bench::forward
