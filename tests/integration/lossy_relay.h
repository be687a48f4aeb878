#pragma once

// A UDP relay on 127.0.0.1 between one peer and a shard, impairing each direction with seeded
// loss, duplication and reordering, so that loopback tests see what a real path does to
// datagrams. The peer sends to address(); the shard sees the relay's upstream socket as the peer's
// 5-tuple. Reordering swaps a datagram with the next one in the same direction within one
// Service() call and never holds one past it, so nothing waits unboundedly. Deterministic for a
// given arrival order. Used by one test thread.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/five_tuple.h"
#include "core/common/random.h"

namespace sfu::net {

struct Impairment {
  int loss_percent = 0;
  int duplicate_percent = 0;
  int reorder_percent = 0;
};

class LossyRelay {
 public:
  LossyRelay(SocketAddress server, uint64_t seed);
  ~LossyRelay();
  LossyRelay(const LossyRelay&) = delete;
  LossyRelay& operator=(const LossyRelay&) = delete;

  // Where the peer sends (the relay's peer-facing socket).
  const SocketAddress& address() const { return peer_side_address_; }
  int peer_side_fd() const { return peer_side_fd_; }
  int upstream_fd() const { return upstream_fd_; }

  void set_uplink(Impairment i) { up_.impairment = i; }      // peer -> shard
  void set_downlink(Impairment i) { down_.impairment = i; }  // shard -> peer

  // Forwards everything waiting on both sockets (bounded per call).
  void Service();

  struct Counters {
    int received = 0;
    int delivered = 0;  // datagrams sent on, duplicates included
    int dropped = 0;
    int duplicated = 0;
    int reordered = 0;
  };
  const Counters& uplink() const { return up_.counters; }
  const Counters& downlink() const { return down_.counters; }

 private:
  struct Direction {
    Impairment impairment;
    Counters counters;
    std::optional<std::vector<uint8_t>> held;  // waiting for the next datagram to pass it
  };
  // Reads one socket dry, impairing into `send`.
  void Pump(int from_fd, Direction& d, int to_fd, bool to_server);
  void Emit(Direction& d, int to_fd, bool to_server, const std::vector<uint8_t>& datagram);

  SocketAddress server_;
  SeededRandom random_;
  int peer_side_fd_ = -1;
  int upstream_fd_ = -1;
  SocketAddress peer_side_address_;
  std::optional<SocketAddress> peer_;  // learned from the first datagram the peer sends
  Direction up_, down_;
};

}  // namespace sfu::net
