#pragma once

// A ShardEngine driven in memory by SimPeers: what a shard loop does with sockets, done with
// vectors. Datagrams a peer sends go to HandleDatagram; Deliver() hands every queued transmit to
// the peer whose 5-tuple it is addressed to, then clears the engine's queue.

#include <initializer_list>
#include <memory>
#include <vector>

#include "core/common/random.h"
#include "core/sfu/shard_engine.h"
#include "crypto/certificate.h"
#include "tests/support/sim_peer.h"

namespace sfu::test_support {

// One browser at its own 5-tuple towards sfud's 192.0.2.1:40000 (documentation addresses).
struct Browser {
  // `remote_ip` is the browser's address, `port` its UDP port; the ICE credentials and the DTLS
  // seed derive from `id`.
  Browser(sfu::PeerId id, const char* remote_ip, uint16_t port);

  FiveTuple tuple;
  SimPeer sim;
};

class EngineHarness {
 public:
  explicit EngineHarness(sfu::ShardEngineConfig config = {}, uint64_t seed = 7);

  sfu::ShardEngine& engine() { return engine_; }
  Instant now() const { return now_; }
  const crypto::Certificate& certificate() const { return *cert_; }

  // One datagram from `from`, then Deliver().
  void Send(Browser& from, std::vector<uint8_t> datagram);
  // Hands the engine's transmits to the browsers they are addressed to, clears them, and drains
  // the engine's events.
  void Deliver();
  // Checks, then runs every DTLS client against the engine until all have SRTP keys (bounded:
  // 200 steps of 10 ms simulated time). The browsers must outlive the harness's use of them.
  bool Connect(const std::vector<Browser*>& browsers);

 private:
  std::shared_ptr<const crypto::Certificate> cert_;
  SeededRandom random_;
  sfu::ShardEngine engine_;
  Instant now_ = Instant::FromNanos(5'000'000'000);
  std::vector<Browser*> browsers_;
};

}  // namespace sfu::test_support
