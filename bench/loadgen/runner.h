#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/loadgen/loop_thread.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/scenario.h"
#include "core/common/instant.h"
#include "crypto/certificate.h"

namespace sfu::loadgen {

// Runs one scenario end to end: plans the peers, signals them (WHIP/WHEP POST on a pool of
// signaling threads, paced by --ramp), hands each answered peer to a loop thread (peer id modulo
// --threads), prints a progress line every second, churns subscribers, and at the end stops media,
// waits the grace period, DELETEs every live session, closes the peers and builds the report.
// Every wait is bounded (HTTP timeouts, connect timeout, the run's duration). Used from main on
// one thread.
class Runner {
 public:
  explicit Runner(Scenario scenario);
  ~Runner();
  absl::StatusOr<Report> Run();

 private:
  struct PeerSpec {
    uint32_t id = 0;
    uint32_t room = 0;
    PeerRole role = PeerRole::kSubscriber;
  };
  struct Job {
    enum class Kind : uint8_t { kJoin, kLeave, kDelete };
    Kind kind = Kind::kJoin;
    uint32_t peer = 0;
    Instant not_before;
    std::string location;  // kDelete
  };
  struct LiveSession {
    std::string location;
    uint32_t session = 0;
  };

  void SignalingWorker(int index);
  void Join(class WhipClient& client, RandomSource& random, uint32_t peer_id);
  void Leave(class WhipClient& client, uint32_t peer_id);
  void RecordFailure(const PeerSpec& spec, uint32_t session, int64_t post_ns, int http_status,
                     int64_t signaling_ns, FailureReason reason, std::string detail);
  void PrintProgress(Instant now, Instant started);
  std::string RoomName(uint32_t room) const;

  Scenario scenario_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  std::vector<PeerSpec> specs_;
  std::vector<std::unique_ptr<LoopThread>> loops_;
  std::vector<std::thread> workers_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_workers_ = false;
  bool accept_joins_ = true;
  size_t jobs_in_flight_ = 0;
  std::map<uint32_t, LiveSession> live_;       // peer id -> its current session
  std::map<uint32_t, uint32_t> next_session_;  // peer id -> next session number
  std::vector<PeerResult> signaling_failures_;
  uint64_t deletes_failed_ = 0;
  uint64_t sessions_posted_ = 0;

  // Progress.
  uint64_t last_rtp_in_ = 0;
  uint64_t last_rtp_out_ = 0;
  Instant last_progress_;
};

}  // namespace sfu::loadgen
