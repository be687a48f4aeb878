#pragma once

#include <cstdint>

namespace sfu::sfu {

// A ShardEngine's counters for rooms spanning shards (DESIGN.md §2), kept apart from ShardStats so
// an exposer maps them when it is ready (every hand-off not made is also counted in
// ShardStats::drop_out_remote_shard, which is already exported). Single writer: the shard.
//
// X(name, help). Counters only ever grow.
#define SFU_CROSS_SHARD_COUNTERS(X)                                                           \
  X(handoff_packets, "publisher packets written into another shard's ring")                   \
  X(handoff_bytes, "bytes of those packets")                                                  \
  X(drop_handoff_queue_full, "hand-offs dropped because the ring to that shard was full")     \
  X(drop_handoff_no_ring, "hand-offs to a shard with no ring (no mesh attached, bad index)")  \
  X(drop_handoff_too_large, "hand-offs of a packet larger than a ring slot")                  \
  X(handoff_rtcp, "publisher RTCP datagrams (SR, BYE) written into another shard's ring")     \
  X(handoff_received, "publisher packets taken from other shards' rings")                     \
  X(handoff_rtcp_received, "publisher RTCP datagrams taken from other shards' rings")         \
  X(drop_handoff_unknown_publisher, "received packets of a publisher not proxied here")       \
  X(feedback_sent, "keyframe requests and NACK lists sent to a publisher's home shard")       \
  X(drop_feedback_queue_full, "feedback dropped because the ring to the home shard was full") \
  X(feedback_received, "keyframe requests and NACK lists taken from other shards' rings")     \
  X(remote_keyframe_requests, "keyframe requests from other shards that reached a publisher") \
  X(remote_nacks_resent, "packets handed again to a shard that NACKed them")                  \
  X(remote_nacks_missed, "sequence numbers another shard NACKed that were not buffered here") \
  X(remote_publishers_added, "AddRemotePublisher commands accepted")                          \
  X(remote_publishers_rejected, "AddRemotePublisher commands refused (duplicate id, bad config)")

struct CrossShardStats {
#define SFU_CROSS_SHARD_STATS_FIELD(name, help) uint64_t name = 0;
  SFU_CROSS_SHARD_COUNTERS(SFU_CROSS_SHARD_STATS_FIELD)
#undef SFU_CROSS_SHARD_STATS_FIELD
};

}  // namespace sfu::sfu
