#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/net/io_backend.h"
#include "core/sfu/cross_shard_stats.h"
#include "core/sfu/router_stats.h"
#include "core/sfu/shard_stats.h"
#include "metrics/metric_names.h"

namespace sfu::metrics {

// Where one uint64_t field of a shard-owned stats struct goes: a metric family and the value of
// its first label ("" for unlabeled families). Several fields may feed one series (they are
// summed). The tables below are the one place that maps each struct's X-macro fields to families;
// ShardMetrics mirrors them slot by slot and SfudCollector sums them, both by expanding the same
// table. A field deliberately not exported maps to family kNotExported, with the reason next to it.
// tests/metrics/stats_sources_test.cc checks that every field of each X-macro list appears here.
template <typename Stats>
struct FieldSource {
  uint64_t Stats::*field;
  bool exported;
  MetricId family;
  std::string_view label;
};

#define SFUD_EXPORT(field, family, label) {&Stats::field, true, MetricId::family, label},
#define SFUD_SKIP(field) {&Stats::field, false, MetricId::kBuildInfo, ""},

// core/sfu/shard_stats.h (SFU_SHARD_COUNTERS, SFU_SHARD_GAUGES).
#define SFUD_SHARD_STATS_SOURCES(E, S)                                \
  S(datagrams_in) /* the sum of the four kinds plus drop_malformed */ \
  S(bytes_in)                                                         \
  E(stun_in, kDatagramsReceived, "stun")                              \
  E(stun_bytes_in, kReceivedBytes, "stun")                            \
  E(dtls_in, kDatagramsReceived, "dtls")                              \
  E(dtls_bytes_in, kReceivedBytes, "dtls")                            \
  E(rtp_in, kDatagramsReceived, "rtp")                                \
  E(rtp_bytes_in, kReceivedBytes, "rtp")                              \
  E(rtcp_in, kDatagramsReceived, "rtcp")                              \
  E(rtcp_bytes_in, kReceivedBytes, "rtcp")                            \
  S(datagrams_out) /* the sum of the four kinds */                    \
  S(bytes_out)                                                        \
  E(stun_out, kDatagramsSent, "stun")                                 \
  E(stun_bytes_out, kSentBytes, "stun")                               \
  E(dtls_out, kDatagramsSent, "dtls")                                 \
  E(dtls_bytes_out, kSentBytes, "dtls")                               \
  E(rtp_out, kDatagramsSent, "rtp")                                   \
  E(rtp_bytes_out, kSentBytes, "rtp")                                 \
  E(rtcp_out, kDatagramsSent, "rtcp")                                 \
  E(rtcp_bytes_out, kSentBytes, "rtcp")                               \
  E(drop_malformed, kDropped, "malformed")                            \
  E(drop_unknown_5tuple, kDropped, "unknown_5tuple")                  \
  E(drop_unknown_ufrag, kDropped, "unknown_ufrag")                    \
  E(drop_stun_auth, kDropped, "stun_auth")                            \
  E(drop_stun_other, kDropped, "stun_other")                          \
  E(drop_dtls_initial, kDropped, "dtls_initial")                      \
  E(drop_not_connected, kDropped, "not_connected")                    \
  E(drop_srtp_auth, kDropped, "srtp_auth")                            \
  E(drop_srtp_replay, kDropped, "srtp_replay")                        \
  E(drop_srtp_malformed, kDropped, "srtp_malformed")                  \
  E(drop_srtp_other, kDropped, "srtp_other")                          \
  E(drop_queue_full, kDropped, "queue_full")                          \
  E(drop_out_not_connected, kDropped, "out_not_connected")            \
  E(drop_out_protect_failed, kDropped, "out_protect_failed")          \
  E(drop_out_remote_shard, kDropped, "out_remote_shard")              \
  E(events_dropped, kEventsDropped, "")                               \
  E(handshakes_started, kHandshakesStarted, "")                       \
  E(hello_verify_requests, kHelloVerifyRequests, "")                  \
  E(handshakes_succeeded, kHandshakesSucceeded, "")                   \
  E(handshakes_failed_timeout, kHandshakesFailed, "timeout")          \
  E(handshakes_failed_certificate, kHandshakesFailed, "certificate")  \
  E(handshakes_failed_peer_alert, kHandshakesFailed, "peer_alert")    \
  E(handshakes_failed_other, kHandshakesFailed, "other")              \
  E(handshakes_failed_srtp_keys, kHandshakesFailed, "srtp_keys")      \
  E(peers_added, kPeerEvents, "added")                                \
  E(peers_rejected, kPeerEvents, "rejected")                          \
  E(peers_removed, kPeerEvents, "removed")                            \
  E(ice_selected, kPeerEvents, "ice_selected")                        \
  E(timer_compactions, kTimerCompactions, "")                         \
  E(peers_new, kPeers, "new")                                         \
  E(peers_ice_connected, kPeers, "ice_connected")                     \
  E(peers_dtls_connected, kPeers, "dtls_connected")                   \
  E(bound_tuples, kBoundTuples, "")

// core/sfu/router_stats.h (SFU_ROUTER_STATS). Its in/out counts repeat the engine's per-kind
// counts above (which also see STUN and DTLS), so they are not exported twice.
#define SFUD_ROUTER_STATS_SOURCES(E, S)                       \
  S(rtp_packets_in)                                           \
  S(rtp_bytes_in)                                             \
  S(rtcp_packets_in)                                          \
  S(rtp_packets_out)                                          \
  S(rtp_bytes_out)                                            \
  S(rtcp_packets_out)                                         \
  E(packets_forwarded, kRtpForwarded, "")                     \
  E(remote_shard_packets, kCrossShardPackets, "")             \
  E(dropped_malformed, kDropped, "rtp_malformed")             \
  E(dropped_unknown_peer, kDropped, "unknown_peer")           \
  E(dropped_unknown_ssrc, kDropped, "unknown_ssrc")           \
  E(dropped_duplicate, kDropped, "duplicate")                 \
  E(dropped_unknown_pt, kDropped, "unknown_payload_type")     \
  E(dropped_no_subscribers, kDropped, "no_subscribers")       \
  E(dropped_not_negotiated, kDropped, "codec_not_negotiated") \
  E(dropped_waiting_keyframe, kDropped, "waiting_keyframe")   \
  E(dropped_output_full, kDropped, "router_output_full")      \
  E(dropped_rtx_padding, kDropped, "rtx_padding")             \
  E(dropped_too_large, kOversizePackets, "")                  \
  E(nacks_received, kNacksReceived, "")                       \
  E(nacks_answered, kNacksAnswered, "")                       \
  E(nacks_missed, kNacksUnanswered, "missed")                 \
  E(nacks_rate_limited, kNacksUnanswered, "rate_limited")     \
  E(nacks_sent, kNacksSent, "")                               \
  E(nack_gaps_abandoned, kNackGapsAbandoned, "")              \
  E(retransmissions, kRetransmissions, "")                    \
  E(recovered_packets, kRecoveredPackets, "")                 \
  E(pli_received, kKeyframeRequestsReceived, "pli")           \
  E(fir_received, kKeyframeRequestsReceived, "fir")           \
  E(pli_forwarded, kKeyframeRequestsForwarded, "pli")         \
  E(fir_forwarded, kKeyframeRequestsForwarded, "fir")         \
  E(keyframe_requests_deduped, kKeyframeRequestsDeduped, "")  \
  E(layer_switches, kLayerSwitches, "")                       \
  E(sender_reports_sent, kRtcpReportsSent, "sr")              \
  E(receiver_reports_sent, kRtcpReportsSent, "rr")            \
  E(tracks_ended, kTracksEnded, "")

// core/net/io_backend.h (IoStats).
#define SFUD_IO_STATS_SOURCES(E, S)          \
  E(rx_datagrams, kIoReceived, "")           \
  E(rx_truncated, kDropped, "io_truncated")  \
  E(rx_errors, kIoErrors, "receive")         \
  E(rx_no_buffers, kIoBufferExhaustions, "") \
  E(rx_gro_buffers, kIoGroBuffers, "")       \
  E(tx_datagrams, kIoSent, "")               \
  E(tx_messages, kIoSendSubmissions, "")     \
  E(tx_gso_batches, kIoGsoBatches, "")       \
  E(tx_errors, kIoErrors, "send")            \
  E(tx_gso_fallbacks, kIoGsoFallbacks, "")   \
  E(wakeups, kIoWakeups, "")

// core/sfu/cross_shard_stats.h (SFU_CROSS_SHARD_COUNTERS): one family, the field name as event.
#define SFUD_CROSS_SHARD_STATS_SOURCES(E, S)                                             \
  S(handoff_packets) /* = RouterStats::remote_shard_packets, exported already */         \
  S(handoff_bytes)   /* bytes, not events; the ring traffic is in handoff_packets */     \
  E(drop_handoff_queue_full, kCrossShardEvents, "drop_handoff_queue_full")               \
  E(drop_handoff_no_ring, kCrossShardEvents, "drop_handoff_no_ring")                     \
  E(drop_handoff_too_large, kCrossShardEvents, "drop_handoff_too_large")                 \
  E(handoff_rtcp, kCrossShardEvents, "handoff_rtcp")                                     \
  E(handoff_received, kCrossShardEvents, "handoff_received")                             \
  E(handoff_rtcp_received, kCrossShardEvents, "handoff_rtcp_received")                   \
  E(drop_handoff_unknown_publisher, kCrossShardEvents, "drop_handoff_unknown_publisher") \
  E(feedback_sent, kCrossShardEvents, "feedback_sent")                                   \
  E(drop_feedback_queue_full, kCrossShardEvents, "drop_feedback_queue_full")             \
  E(feedback_received, kCrossShardEvents, "feedback_received")                           \
  E(remote_keyframe_requests, kCrossShardEvents, "remote_keyframe_requests")             \
  E(remote_nacks_resent, kCrossShardEvents, "remote_nacks_resent")                       \
  E(remote_nacks_missed, kCrossShardEvents, "remote_nacks_missed")                       \
  E(remote_publishers_added, kCrossShardEvents, "remote_publishers_added")               \
  E(remote_publishers_rejected, kCrossShardEvents, "remote_publishers_rejected")

namespace internal {
template <typename Stats>
struct SourceTables;

template <>
struct SourceTables<::sfu::sfu::ShardStats> {
  using Stats = ::sfu::sfu::ShardStats;
  static constexpr FieldSource<Stats> kSources[] = {
      SFUD_SHARD_STATS_SOURCES(SFUD_EXPORT, SFUD_SKIP)};
};
template <>
struct SourceTables<::sfu::sfu::RouterStats> {
  using Stats = ::sfu::sfu::RouterStats;
  static constexpr FieldSource<Stats> kSources[] = {
      SFUD_ROUTER_STATS_SOURCES(SFUD_EXPORT, SFUD_SKIP)};
};
template <>
struct SourceTables<::sfu::sfu::CrossShardStats> {
  using Stats = ::sfu::sfu::CrossShardStats;
  static constexpr FieldSource<Stats> kSources[] = {
      SFUD_CROSS_SHARD_STATS_SOURCES(SFUD_EXPORT, SFUD_SKIP)};
};
template <>
struct SourceTables<::sfu::net::IoStats> {
  using Stats = ::sfu::net::IoStats;
  static constexpr FieldSource<Stats> kSources[] = {SFUD_IO_STATS_SOURCES(SFUD_EXPORT, SFUD_SKIP)};
};
}  // namespace internal

#undef SFUD_EXPORT
#undef SFUD_SKIP

// The field table of `Stats` (ShardStats, RouterStats, CrossShardStats or IoStats).
template <typename Stats>
inline constexpr const auto& kStatsSources = internal::SourceTables<Stats>::kSources;

}  // namespace sfu::metrics
