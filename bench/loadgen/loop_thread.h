#pragma once

#include <sys/epoll.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "bench/loadgen/latency_histogram.h"
#include "bench/loadgen/outbox.h"
#include "bench/loadgen/peer_result.h"
#include "bench/loadgen/sim_peer.h"
#include "core/common/five_tuple.h"
#include "core/net/timer_heap.h"
#include "core/net/udp_socket.h"
#include "crypto/random.h"

namespace sfu::loadgen {

// A peer whose signaling is done, handed to a loop thread to run.
struct PeerJob {
  uint32_t id = 0;
  uint32_t room = 0;
  uint32_t session = 0;
  std::string location;
  int http_status = 0;
  Instant post_started;
  int64_t signaling_ns = 0;
  SimPeerConfig config;
  std::optional<net::UdpSocket> socket;  // bound to our candidate, connected to nothing
  SocketAddress server;                  // sfud's candidate from the answer
};

// How a loop thread waited for work. Every iteration ends in exactly one of: `busy` (a timer was
// already due: epoll is only polled), `spins` (with --spin-us, a datagram or the deadline came
// while it polled epoll without blocking) or `sleeps` (it blocked in epoll_wait).
struct LoopStats {
  uint64_t busy = 0;
  uint64_t spins = 0;
  uint64_t sleeps = 0;
  uint64_t spin_polls = 0;  // epoll_wait calls with timeout 0 while spinning
  int64_t spin_ns = 0;      // time spent spinning: the load generator's CPU, not sfud's

  void Add(const LoopStats& o) {
    busy += o.busy;
    spins += o.spins;
    sleeps += o.sleeps;
    spin_polls += o.spin_polls;
    spin_ns += o.spin_ns;
  }
};

// A loop thread's counters as of its last publication (every 250 ms), for the progress line.
struct ThreadSnapshot {
  uint64_t publishers_connected = 0;
  uint64_t subscribers_connected = 0;
  uint64_t peers_failed = 0;
  uint64_t rtp_in = 0, rtp_out = 0, bytes_in = 0, bytes_out = 0;
  uint64_t media_expected = 0, media_received = 0;  // subscribers' probe accounting, all streams
  LatencyHistogram latency;                         // every latency so far
  LoopStats loop;
};

// One event loop thread of the load generator (shard-per-core, like sfud): it owns many peers,
// each with its own UDP socket (distinct local ports, so sfud sees distinct 5-tuples), waits on
// all of them with epoll, reads with recvmmsg and sends each peer's output with one sendmmsg, and
// drives every SimPeer's timers from one TimerHeap. With a spin budget, a loop that has nothing
// due polls epoll without blocking for up to that long before it sleeps in epoll_wait (Wait), so
// that on loopback sfud's sends do not pay for waking this thread. Other threads talk to it only
// through the methods marked thread-safe (a mutex-guarded inbox plus an eventfd wake-up);
// everything else lives on the loop thread.
class LoopThread {
 public:
  // `spin`: how long to poll before sleeping when nothing is due (zero: sleep at once).
  explicit LoopThread(size_t max_peers, Duration spin = Duration::zero());
  ~LoopThread();
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  absl::Status Start();
  // Thread-safe.
  void AddPeer(PeerJob job);
  void ClosePeer(uint32_t id);  // ends that peer's session (churn), result marked churned
  void StopMedia();             // publishers stop media; every peer stops RTCP
  // Join storm: peers added while held wait, signaled but silent, until Release() starts them
  // all at once, so the handshake rate is sfud's, not its signaling's.
  void Hold();
  void Release();
  // Starts the latency measurement afresh (the end of the join phase's warm-up: handshakes in
  // the loop threads delay packets, which says nothing about sfud's forwarding).
  void ResetLatency();
  void Finish();  // closes every peer (DTLS close_notify), records, and exits
  ThreadSnapshot Snapshot() const;
  // After the thread has exited (Join): every peer's result, and all latencies seen.
  void Join();
  std::vector<PeerResult> TakeResults() { return std::move(results_); }
  const LatencyHistogram& latency() const { return latency_; }
  uint64_t tx_errors() const { return tx_errors_; }
  uint64_t outbox_overflows() const { return outbox_.overflows(); }
  const LoopStats& loop_stats() const { return loop_stats_; }

 private:
  struct Slot {
    std::unique_ptr<SimPeer> peer;
    std::optional<net::UdpSocket> socket;
    SocketAddress server;
    uint32_t id = 0;
    uint32_t room = 0;
    uint32_t session = 0;
    std::string location;
    int http_status = 0;
    Instant post_started;
    int64_t signaling_ns = 0;
    bool churned = false;
  };

  void Run();
  // Waits for events until `deadline` (spinning first if configured); returns epoll_wait's result.
  int Wait(Instant deadline, epoll_event* events);
  void DrainInbox(Instant now);
  void StartPeer(Instant now, PeerJob job);
  void ServiceTimers(Instant now);
  void ReadSocket(uint32_t slot);
  void AfterCall(uint32_t slot);  // flush, re-arm or retire
  void Flush(Slot& slot);
  void Retire(uint32_t slot);
  void Publish(Instant now);

  int epoll_fd_ = -1;
  int event_fd_ = -1;
  std::thread thread_;

  mutable std::mutex inbox_mutex_;
  std::vector<PeerJob> inbox_;
  std::vector<uint32_t> close_requests_;
  bool stop_media_ = false;
  bool finish_ = false;
  bool hold_ = false;
  bool reset_latency_ = false;

  // Loop thread only.
  crypto::SystemRandom random_;
  Outbox outbox_;
  net::TimerHeap timers_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  bool media_stopped_ = false;
  bool holding_ = false;
  std::vector<uint32_t> held_;  // slots added while holding, not started yet
  LatencyHistogram latency_;
  std::vector<std::array<uint8_t, 2048>> recv_buffers_;
  Instant next_publish_;
  std::vector<PeerResult> results_;
  uint64_t tx_errors_ = 0;
  const Duration spin_;
  LoopStats loop_stats_;
  // Results of peers already retired, folded into the snapshot counters.
  ThreadSnapshot retired_;

  mutable std::mutex snapshot_mutex_;
  ThreadSnapshot snapshot_;
};

}  // namespace sfu::loadgen
