#pragma once

#include <cstdint>
#include <functional>

#include "core/net/shard_observer.h"
#include "daemon/daemon.h"
#include "daemon/logger.h"

namespace sfu::daemon {

// The ShardFactory of the real data plane: per shard a RingShardHandle (the control thread's
// rings) served by a net::ShardLoop on a thread pinned to CPU k, listening on base_port + k on
// every listen address with the configured IoBackend. The returned handles stop their loop
// (close_notify to every session), join it before their rings go away, and log its final
// counters on `logger`, which must outlive them. The DTLS MTU is the configured `mtu`.
//
// `observer_for(k)`, if given, returns the metrics hook of shard k (or null); the observer must
// outlive the returned handles.
using ShardObserverProvider = std::function<net::ShardObserver*(uint32_t shard)>;
ShardFactory ShardLoopFactory(Logger& logger, ShardObserverProvider observer_for = nullptr);

}  // namespace sfu::daemon
