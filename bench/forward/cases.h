#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/forward/traffic.h"
#include "core/net/io_backend.h"
#include "crypto/certificate.h"
#include "crypto/vaes/gcm_batch.h"

namespace sfu::bench::forward {

inline constexpr int kForwarderCpu = 0;
inline constexpr int kTrafficCpu = 1;

// One measured forwarder: what the subscribers' sockets saw, and the forwarder's own counters.
struct CaseResult {
  bool ok = false;
  std::string error;  // why the case could not run (setup, handshakes, verification)
  TrafficResult traffic;
  size_t verified = 0;  // subscribers whose first packet decrypted to the publisher's payload
  // The forwarder's counters over the whole case (sfud: ShardLoop::final_stats/final_io_stats).
  uint64_t media_in = 0;
  uint64_t media_out = 0;
  uint64_t queue_full_drops = 0;
  // Publisher packets that did not authenticate or were refused as replays: at a heavy overload
  // the gaps the kernel's drops leave can grow past 2^15 packets, where RFC 3711 §3.3.1's index
  // estimate picks the wrong ROC and the stream stays undecryptable.
  uint64_t auth_failures = 0;
  uint64_t tx_errors = 0;
  uint64_t rx_no_buffers = 0;
  double setup_seconds = 0;

  double allocations_per_packet() const {
    return traffic.window_out == 0 ? 0
                                   : static_cast<double>(traffic.forwarder_allocations) /
                                         static_cast<double>(traffic.window_out);
  }
};

// Fixtures every case shares: sfud's DTLS certificate and the simulated browsers' one.
struct Certificates {
  std::shared_ptr<const crypto::Certificate> sfud;
  std::shared_ptr<const crypto::Certificate> client;
};

// sfud's real data plane: one net::ShardLoop (ShardEngine inside) pinned to kForwarderCpu, one
// publisher (VP8) and `subscribers` viewers in one room, every peer through ICE + DTLS + SRTP with
// sfud's own DTLS client, the first forwarded packet decrypted and compared at every subscriber,
// then the plan's traffic from the calling thread (pinned to kTrafficCpu by the caller).
// `engine_outputs` > 0 resizes the engine's per-batch output queues (router_outputs,
// router_arena_bytes, max_transmits); 0 keeps ShardEngineConfig's defaults, which sfud runs with.
CaseResult RunSfudCase(size_t subscribers, net::IoBackendKind backend, crypto::GcmImpl gcm,
                       const Certificates& certificates, const TrafficPlan& plan,
                       size_t engine_outputs = 0);

// The bare forwarding loop (BareForwarder) on kForwarderCpu with the same publisher traffic to
// the same number of subscriber sockets.
CaseResult RunBareCase(size_t subscribers, const TrafficPlan& plan);

}  // namespace sfu::bench::forward
