#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/loadgen/sim_peer.h"

namespace sfu::loadgen {

// What the report keeps of one session of one simulated peer, whether it connected, failed at
// signaling or failed later. A peer that churned (left and rejoined) has one result per session.
struct PeerResult {
  uint32_t id = 0;    // the peer's index in the scenario
  uint32_t room = 0;  // room index
  PeerRole role = PeerRole::kSubscriber;
  uint32_t session = 0;  // 0 for the first session, +1 per rejoin
  std::string location;
  int http_status = 0;
  int64_t post_started_ns = 0;          // when the POST began (monotonic clock)
  int64_t signaling_ns = 0;             // POST to answer
  std::optional<int64_t> connect_ns;    // POST to DTLS connected (what a user waits)
  std::optional<int64_t> handshake_ns;  // first check to DTLS connected (ICE + DTLS)
  FailureReason failure = FailureReason::kNone;
  std::string failure_detail;
  bool churned = false;  // ended on purpose by --churn
  PeerStats stats;
};

}  // namespace sfu::loadgen
