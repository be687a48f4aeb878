#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/sfu/shard_commands.h"

namespace sfu::daemon {

// The control thread's view of one shard (DESIGN.md §2): it can only send commands and receive
// events, never touch the shard's memory. Implementations: RingShardHandle (SPSC rings + eventfd
// wake-ups, what the shard runner plugs into) and test doubles.
//
// Contract, for every implementation:
//  - Only the control thread calls these methods (one producer, one consumer).
//  - Post never blocks. It returns false, leaving `command` untouched, when the shard cannot take
//    it now (its queue is full); the caller then answers 503 and frees what it set up.
//  - Every AddPeer that Post accepted ends in exactly one PeerRemoved event (ShardEngine
//    guarantees it), including when the shard rejects it, and RemovePeer of an unknown peer is
//    ignored; so the control thread keeps a session until its PeerRemoved arrives.
//  - DrainEvents appends every event produced since the last call, in order, and returns how
//    many; it never blocks.
//  - event_fd() is a descriptor that polls readable when events may be waiting (the control
//    thread adds it to its poll set), or -1 if the control thread must poll periodically.
//  - Destroying the handle stops the shard: its thread is joined before the destructor returns.
class ShardHandle {
 public:
  virtual ~ShardHandle() = default;

  // Position of the shard: 0..shards-1; its UDP port is base port + index.
  virtual uint32_t index() const = 0;
  virtual bool Post(sfu::ShardCommand&& command) = 0;
  virtual size_t DrainEvents(std::vector<sfu::ShardEvent>& out) = 0;
  virtual int event_fd() const = 0;
};

}  // namespace sfu::daemon
