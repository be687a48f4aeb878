#pragma once

#include <cstddef>

#include "core/common/instant.h"
#include "core/net/io_backend.h"
#include "core/sfu/cross_shard_stats.h"
#include "core/sfu/router_stats.h"
#include "core/sfu/shard_stats.h"

namespace sfu::net {

// What a running ShardLoop reports about itself, for metrics (metrics/ implements it; core/net
// does not depend on metrics/). Called on the shard thread only, between batches, never with a
// lock held. Implementations run on the packet path's thread: no locks, no blocking, no
// allocation (relaxed atomic stores are the intended cost).
class ShardObserver {
 public:
  virtual ~ShardObserver() = default;

  // The shard's plain counters, at most every ShardLoop::kCounterPublishInterval and once more
  // at exit. The references are valid only for the call.
  virtual void OnCounters(const sfu::ShardStats& shard, const sfu::RouterStats& router,
                          const IoStats& io) = 0;
  // The cross-shard hand-off counters, published with OnCounters.
  virtual void OnCrossShardCounters(const sfu::CrossShardStats& /*stats*/) {}
  // One loop iteration: `busy` handling datagrams, commands and timers, `idle` blocked in Wait().
  virtual void OnLoopTime(Duration busy, Duration idle) = 0;
  // Datagrams returned by one Receive() call, and datagrams handed to the kernel by one Flush().
  virtual void OnReceiveBatch(size_t datagrams) = 0;
  virtual void OnSendBatch(size_t datagrams) = 0;
  // From the clock read after a receive batch to its outputs having been flushed: the longest
  // any datagram of that batch waited inside sfud (one sample per batch).
  virtual void OnForwardLatency(Duration latency) = 0;
  // A DTLS handshake that keyed SRTP, from the peer's first DTLS datagram (PeerConnected).
  virtual void OnHandshake(Duration duration) = 0;
};

}  // namespace sfu::net
