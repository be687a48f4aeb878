#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/srtp/srtp_session.h"

namespace sfu::bench::forward {

// The publisher's media: fixed-size VP8-over-RTP packets (RFC 7741), SRTP-protected with the
// publisher's session and sent from its socket in UDP_SEGMENT (GSO) runs, so the traffic side can
// offer far more than one shard can forward. Single-threaded (the traffic thread).
class Publisher {
 public:
  static constexpr size_t kRtpBytes = 1200;             // a typical video RTP packet (MTU-bound)
  static constexpr size_t kSrtpBytes = kRtpBytes + 16;  // RFC 7714: 16-byte tag
  // Packets per send call: 48 x 1216 bytes stays under a UDP datagram's 64 KiB GSO limit.
  static constexpr size_t kMaxBurst = 48;

  Publisher(int fd, const SocketAddress& destination, srtp::SrtpSession* session, uint32_t ssrc,
            uint8_t payload_type);

  // Protects and sends `count` (at most kMaxBurst) interframe packets; returns how many the
  // kernel accepted (the sequence numbers of refused ones are gaps for the receiver).
  size_t SendBurst(size_t count);
  // One keyframe packet (VP8 payload header P=0, RFC 7741 §4.3), e.g. to start subscribers.
  bool SendKeyframe();
  // The payload the last packet carried (for checking what a subscriber decrypted).
  absl::Span<const uint8_t> last_payload() const;

  uint64_t sent() const { return sent_; }
  uint64_t send_failures() const { return send_failures_; }
  bool gso() const { return gso_; }

 private:
  void Build(uint8_t* packet, bool keyframe);
  size_t SendPackets(size_t count);

  int fd_;
  sockaddr_storage destination_{};
  socklen_t destination_len_ = 0;
  srtp::SrtpSession* session_;
  uint32_t ssrc_;
  uint8_t payload_type_;
  uint16_t seq_ = 1;
  uint32_t timestamp_ = 0;
  uint32_t frame_packet_ = 0;
  bool gso_ = true;
  uint64_t sent_ = 0;
  uint64_t send_failures_ = 0;
  std::array<uint8_t, kRtpBytes - 12> last_payload_{};
  std::vector<uint8_t> buffer_;  // kMaxBurst packets back to back, kSrtpBytes apart
};

// Counts what the forwarder delivers to the subscribers' sockets: epoll over them, one recvmmsg
// of up to kBatch per ready socket, copying only the first bytes of each datagram (the rest is
// discarded by the kernel). A second kind of fd (the publisher's) is drained and not counted.
class Receiver {
 public:
  static constexpr size_t kBatch = 64;

  Receiver(absl::Span<const int> subscriber_fds, int publisher_fd);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }
  // Waits up to `timeout_ms` (0: not at all) and reads what is ready. Returns the datagrams read
  // from subscriber sockets.
  uint64_t Poll(int timeout_ms);
  // Datagrams the kernel dropped at the subscriber sockets so far (receive buffer full), from
  // SO_MEMINFO: sfud sent them, the traffic side did not read them in time.
  uint64_t SocketDrops() const;

 private:
  static constexpr uint32_t kPublisherTag = 0xFFFFFFFF;
  static constexpr size_t kKeepBytes = 64;

  std::vector<int> fds_;
  int publisher_fd_;
  int epoll_fd_ = -1;
  std::vector<uint8_t> scratch_;
  std::array<mmsghdr, kBatch> messages_{};
  std::array<iovec, kBatch> iov_{};
};

// How the publisher's rate rises: from a video-like rate, doubling every `step`, until the
// forwarder delivers less than `saturated_below` of the load offered to it (input rate x
// subscribers) at two steps in a row (one step alone can be a scheduling hiccup on a shared
// core), or the offered output reaches max_offered_out_pps, or the input rate max_input_pps. The
// steady phase then offers `overload` times the first of those two rates (so well above what it
// can forward) for `settle` + `steady`, measuring over `steady`. The overload
// stays moderate on purpose: at tens of times its capacity the kernel drops runs of more than
// 2^15 publisher packets, after which SRTP's index estimate (RFC 3711 §3.3.1) cannot follow.
struct TrafficPlan {
  double start_input_pps = 250;  // ~2.4 Mbit/s of 1200-byte packets: one video stream
  double saturated_below = 0.8;
  double overload = 2;
  double max_offered_out_pps = 8e6;
  double max_input_pps = 2e6;
  std::chrono::milliseconds step{150};
  std::chrono::milliseconds settle{300};
  std::chrono::milliseconds steady{2000};
};

struct RampPoint {
  double offered_input_pps = 0;
  double out_pps = 0;  // received + dropped at the subscriber sockets
};

struct TrafficResult {
  std::vector<RampPoint> ramp;
  double offered_input_pps = 0;  // the publisher's target in the steady window
  double sent_input_pps = 0;     // what the publisher really sent in it
  double out_pps = 0;            // datagrams that reached the subscriber sockets, per second
  double received_pps = 0;       // of which the receiver read
  uint64_t window_out = 0;
  double window_seconds = 0;
  bool saturated = false;    // the ramp saw the forwarder fall behind the offered load
  double forwarder_cpu = 0;  // CPU time of the forwarding thread over the window / wall time
  // Datagrams out per second of the forwarding thread's CPU time: its rate with a whole core,
  // which stays comparable between cases when other processes share the core.
  double out_per_cpu_second = 0;
  double traffic_cpu = 0;              // the same for this (traffic) thread
  uint64_t forwarder_allocations = 0;  // heap allocations by other threads in the window
};

// Runs the plan on the calling thread. `forwarder_tid` is the thread to charge CPU time to.
TrafficResult RunTraffic(Publisher& publisher, Receiver& receiver, pid_t forwarder_tid,
                         size_t subscribers, const TrafficPlan& plan);

// The thread id of this process's thread called `name` (comm), or -1.
pid_t FindThread(const char* name);
// Nanoseconds thread `tid` of this process has run on a CPU (/proc schedstat), or 0.
uint64_t ThreadCpuNanos(pid_t tid);

}  // namespace sfu::bench::forward
