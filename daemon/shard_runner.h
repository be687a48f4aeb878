#pragma once

#include "daemon/daemon.h"
#include "daemon/logger.h"

namespace sfu::daemon {

// The ShardFactory of the real data plane: per shard a RingShardHandle (the control thread's
// rings) served by a net::ShardLoop on a thread pinned to CPU k, listening on base_port + k on
// every listen address with the configured IoBackend. The returned handles stop their loop
// (close_notify to every session), join it before their rings go away, and log its final
// counters on `logger`, which must outlive them.
ShardFactory ShardLoopFactory(Logger& logger);

}  // namespace sfu::daemon
