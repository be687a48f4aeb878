#pragma once

#include <cstdint>

namespace sfu::sfu {

// The Router's counters, declared once (STYLE.md "Metrics") and expanded into the struct below; an
// exposer can expand the same list into metric names. Single writer: the shard owning the Router.
#define SFU_ROUTER_STATS(X)                                                              \
  X(rtp_packets_in) /* RTP packets handed to OnRtp */                                    \
  X(rtp_bytes_in)                                                                        \
  X(rtcp_packets_in) /* compound RTCP datagrams handed to OnRtcp */                      \
  X(rtp_packets_out) /* RTP outputs written (forwarded + retransmitted) */               \
  X(rtp_bytes_out)                                                                       \
  X(rtcp_packets_out)     /* compound RTCP outputs written */                            \
  X(packets_forwarded)    /* per-subscriber copies of publisher packets */               \
  X(remote_shard_packets) /* packets handed once to another shard */                     \
  X(dropped_malformed)    /* not parseable RTP / RTCP */                                 \
  X(dropped_unknown_peer)                                                                \
  X(dropped_unknown_ssrc)                                                                \
  X(dropped_duplicate)  /* a sequence number already in the buffer */                    \
  X(dropped_unknown_pt) /* PT not negotiated by the publisher */                         \
  X(dropped_no_subscribers)                                                              \
  X(dropped_not_negotiated) /* a subscriber lacks the codec: the SFU drops its copy */   \
  X(dropped_waiting_keyframe)                                                            \
  X(dropped_output_full) /* the caller's OutputBatch had no room */                      \
  X(dropped_rtx_padding) /* RTX packets without an original (probes) */                  \
  X(dropped_too_large)   /* a packet larger than a buffer slot: forwarded, not stored */ \
  X(nacks_received)      /* sequence numbers subscribers asked for */                    \
  X(nacks_answered)                                                                      \
  X(nacks_missed) /* not (or no longer) in the retransmission buffer */                  \
  X(nacks_rate_limited)                                                                  \
  X(nacks_sent)          /* sequence numbers sfud asked publishers for */                \
  X(nack_gaps_abandoned) /* losses given up after the retry limit or age */              \
  X(retransmissions)     /* packets re-sent to subscribers */                            \
  X(recovered_packets)   /* publisher RTX packets that filled a gap */                   \
  X(pli_received)                                                                        \
  X(fir_received)                                                                        \
  X(pli_forwarded) /* PLIs sent to publishers (incl. for layer switches) */              \
  X(fir_forwarded)                                                                       \
  X(keyframe_requests_deduped)                                                           \
  X(layer_switches)                                                                      \
  X(sender_reports_sent)                                                                 \
  X(receiver_reports_sent)                                                               \
  X(tracks_ended) /* publisher BYE */

struct RouterStats {
#define SFU_ROUTER_STATS_FIELD(name) uint64_t name = 0;
  SFU_ROUTER_STATS(SFU_ROUTER_STATS_FIELD)
#undef SFU_ROUTER_STATS_FIELD
};

}  // namespace sfu::sfu
