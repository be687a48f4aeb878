#pragma once

// A SimPeer on its own UDP socket on 127.0.0.1, talking to one server address (a shard's socket,
// or a test relay in front of it). Non-blocking; Service() does one round of receive, DTLS timers
// and sends, so a test's loop can interleave many peers and wait on conditions with a deadline.
// Used by one test thread.

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "tests/support/sim_peer.h"

namespace sfu::test_support {

class UdpPeer {
 public:
  UdpPeer(SimPeerConfig config, SocketAddress server);
  ~UdpPeer();
  UdpPeer(const UdpPeer&) = delete;
  UdpPeer& operator=(const UdpPeer&) = delete;

  SimPeer& sim() { return sim_; }
  const SimPeer& sim() const { return sim_; }
  sfu::PeerId id() const { return sim_.id(); }
  int fd() const { return fd_; }
  // The socket's bound address (the peer's side of its 5-tuple).
  const SocketAddress& local_address() const { return local_; }

  void Send(absl::Span<const uint8_t> bytes);
  // A Binding request from core/stun's builder (USE-CANDIDATE set).
  void SendCheck() { Send(sim_.BindingRequest()); }
  void StartDtls(Instant now) { sim_.StartDtls(now); }
  // Reads everything waiting on the socket (bounded), decrypts received SRTCP once keyed, runs
  // the DTLS client's timer, sends what it wants to send.
  void Service(Instant now);

  bool connected() const { return sim_.connected(); }
  bool closed_by_server() const { return sim_.closed_by_server(); }
  void SendRtp(const std::vector<uint8_t>& rtp) { Send(sim_.ProtectRtp(rtp)); }
  void SendRtcp(const std::vector<uint8_t>& rtcp) { Send(sim_.ProtectRtcp(rtcp)); }

  int datagrams_received = 0;

 private:
  SimPeer sim_;
  SocketAddress server_;
  SocketAddress local_;
  int fd_ = -1;
};

}  // namespace sfu::test_support
