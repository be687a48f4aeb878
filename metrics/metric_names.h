#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sfu::metrics {

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

// Every metric family sfud exposes, declared once: the collector emits exactly these, the Grafana
// dashboard (deploy/grafana-dashboard.json) may reference only these, and
// tests/deploy/dashboard_names_test.sh reads the names from this list.
// Prometheus conventions: `sfud_` prefix, base units in the name (`_seconds`, `_bytes`), `_total`
// on counters. Each family has at most three labels ("" = unused, used labels come first).
//
// X(id, "name", type, "label1", "label2", "label3", "help")
#define SFUD_METRIC_FAMILIES(X)                                                                    \
  X(kBuildInfo, "sfud_build_info", kGauge, "version", "commit", "compiler",                        \
    "Always 1; the labels name the running build (version, git commit, compiler)")                 \
  X(kDatagramsReceived, "sfud_datagrams_received_total", kCounter, "kind", "", "",                 \
    "UDP datagrams handed to the shards, by RFC 7983 class (stun, dtls, rtp, rtcp)")               \
  X(kReceivedBytes, "sfud_received_bytes_total", kCounter, "kind", "", "",                         \
    "UDP payload bytes handed to the shards, by RFC 7983 class")                                   \
  X(kDatagramsSent, "sfud_datagrams_sent_total", kCounter, "kind", "", "",                         \
    "UDP datagrams queued for sending, by class")                                                  \
  X(kSentBytes, "sfud_sent_bytes_total", kCounter, "kind", "", "",                                 \
    "UDP payload bytes queued for sending, by class")                                              \
  X(kDropped, "sfud_dropped_packets_total", kCounter, "reason", "", "",                            \
    "Datagrams or packets dropped, by reason")                                                     \
  X(kPeers, "sfud_peers", kGauge, "state", "", "", "Peers on the shards, by connection state")     \
  X(kBoundTuples, "sfud_bound_tuples", kGauge, "", "", "",                                         \
    "5-tuples in the shards' connection tables")                                                   \
  X(kPeerEvents, "sfud_peer_events_total", kCounter, "event", "", "",                              \
    "Peer lifecycle events on the shards (added, rejected, removed, ice_selected)")                \
  X(kEventsDropped, "sfud_control_events_dropped_total", kCounter, "", "", "",                     \
    "Shard-to-control events lost to a full event queue")                                          \
  X(kSessions, "sfud_sessions", kGauge, "role", "state", "",                                       \
    "Signaling sessions, by role (publisher, subscriber) and state")                               \
  X(kRooms, "sfud_rooms", kGauge, "", "", "", "Rooms with at least one session")                   \
  X(kHandshakesStarted, "sfud_dtls_handshakes_started_total", kCounter, "", "", "",                \
    "DTLS server handshakes started (ClientHello with a valid cookie)")                            \
  X(kHelloVerifyRequests, "sfud_dtls_hello_verify_requests_total", kCounter, "", "", "",           \
    "Stateless HelloVerifyRequests sent (RFC 6347 section 4.2.1)")                                 \
  X(kHandshakesSucceeded, "sfud_dtls_handshakes_succeeded_total", kCounter, "", "", "",            \
    "DTLS handshakes completed with SRTP keys")                                                    \
  X(kHandshakesFailed, "sfud_dtls_handshakes_failed_total", kCounter, "reason", "", "",            \
    "DTLS handshakes failed, by reason")                                                           \
  X(kHandshakeDuration, "sfud_dtls_handshake_duration_seconds", kHistogram, "", "", "",            \
    "Time from the first ClientHello to SRTP keys")                                                \
  X(kRtpForwarded, "sfud_rtp_packets_forwarded_total", kCounter, "", "", "",                       \
    "Per-subscriber copies of publisher RTP packets")                                              \
  X(kCrossShardPackets, "sfud_rtp_cross_shard_packets_total", kCounter, "", "", "",                \
    "Publisher packets handed once to another shard")                                              \
  X(kCrossShardEvents, "sfud_cross_shard_events_total", kCounter, "event", "", "",                 \
    "Rooms spanning shards: hand-offs and feedback through the inter-shard rings, by event")       \
  X(kOversizePackets, "sfud_rtp_unbuffered_packets_total", kCounter, "", "", "",                   \
    "Packets forwarded but too large for the retransmission buffer")                               \
  X(kNacksReceived, "sfud_nacks_received_total", kCounter, "", "", "",                             \
    "Sequence numbers subscribers asked to retransmit (RFC 4585 generic NACK)")                    \
  X(kNacksAnswered, "sfud_nacks_answered_total", kCounter, "", "", "",                             \
    "Subscriber NACKed sequence numbers answered from the retransmission buffer")                  \
  X(kNacksUnanswered, "sfud_nacks_unanswered_total", kCounter, "reason", "", "",                   \
    "Subscriber NACKed sequence numbers not answered, by reason")                                  \
  X(kNacksSent, "sfud_nacks_sent_total", kCounter, "", "", "",                                     \
    "Sequence numbers sfud asked publishers to retransmit")                                        \
  X(kNackGapsAbandoned, "sfud_nack_gaps_abandoned_total", kCounter, "", "", "",                    \
    "Publisher losses given up after the retry limit or age")                                      \
  X(kRetransmissions, "sfud_retransmissions_total", kCounter, "", "", "",                          \
    "Packets re-sent to subscribers")                                                              \
  X(kRecoveredPackets, "sfud_recovered_packets_total", kCounter, "", "", "",                       \
    "Publisher retransmissions that filled a gap")                                                 \
  X(kKeyframeRequestsReceived, "sfud_keyframe_requests_received_total", kCounter, "type", "", "",  \
    "PLI/FIR received from subscribers")                                                           \
  X(kKeyframeRequestsForwarded, "sfud_keyframe_requests_forwarded_total", kCounter, "type", "",    \
    "", "PLI/FIR sent to publishers (including for simulcast layer switches)")                     \
  X(kKeyframeRequestsDeduped, "sfud_keyframe_requests_deduplicated_total", kCounter, "", "", "",   \
    "Keyframe requests absorbed because one was already outstanding")                              \
  X(kLayerSwitches, "sfud_simulcast_layer_switches_total", kCounter, "", "", "",                   \
    "Simulcast layer switches of subscribers")                                                     \
  X(kRtcpReportsSent, "sfud_rtcp_reports_sent_total", kCounter, "type", "", "",                    \
    "RTCP sender and receiver reports sent (type sr, rr)")                                         \
  X(kTracksEnded, "sfud_tracks_ended_total", kCounter, "", "", "",                                 \
    "Publisher tracks ended by BYE")                                                               \
  X(kForwardLatency, "sfud_forward_latency_seconds", kHistogram, "", "", "",                       \
    "Sampled time from a datagram's receipt to its forwarded copies being queued")                 \
  X(kShardBusy, "sfud_shard_busy_seconds_total", kCounter, "shard", "", "",                        \
    "Time each shard loop spent handling I/O, packets and timers")                                 \
  X(kShardIdle, "sfud_shard_idle_seconds_total", kCounter, "shard", "", "",                        \
    "Time each shard loop spent waiting for I/O or a deadline")                                    \
  X(kShardLoopIterations, "sfud_shard_loop_iterations_total", kCounter, "shard", "", "",           \
    "Wake-ups of each shard loop")                                                                 \
  X(kTimerCompactions, "sfud_timer_compactions_total", kCounter, "", "", "",                       \
    "Rebuilds of the shards' timer heaps to shed stale entries")                                   \
  X(kIoReceived, "sfud_io_received_datagrams_total", kCounter, "", "", "",                         \
    "Datagrams the I/O backends received")                                                         \
  X(kIoSent, "sfud_io_sent_datagrams_total", kCounter, "", "", "",                                 \
    "Datagrams the I/O backends handed to the kernel")                                             \
  X(kIoSendSubmissions, "sfud_io_send_submissions_total", kCounter, "", "", "",                    \
    "Send submissions: io_uring SQEs or sendmmsg messages (one per GSO batch)")                    \
  X(kIoGsoBatches, "sfud_io_gso_batches_total", kCounter, "", "", "",                              \
    "Send submissions that carried more than one UDP_SEGMENT segment")                             \
  X(kIoGsoFallbacks, "sfud_io_gso_fallbacks_total", kCounter, "", "", "",                          \
    "GSO batches the kernel refused, resent one by one")                                           \
  X(kIoGroBuffers, "sfud_io_gro_buffers_total", kCounter, "", "", "",                              \
    "Receive buffers that held several coalesced datagrams (UDP_GRO)")                             \
  X(kIoBufferExhaustions, "sfud_io_receive_buffer_exhaustions_total", kCounter, "", "", "",        \
    "Times io_uring ran out of provided receive buffers and re-armed")                             \
  X(kIoErrors, "sfud_io_errors_total", kCounter, "direction", "", "",                              \
    "Socket errors reported by the kernel, by direction (receive, send)")                          \
  X(kIoWakeups, "sfud_io_wakeups_total", kCounter, "", "", "",                                     \
    "Cross-thread wake-ups of the shard loops")                                                    \
  X(kIoReceiveBatch, "sfud_io_receive_batch_datagrams", kHistogram, "", "", "",                    \
    "Datagrams per receive batch")                                                                 \
  X(kIoSendBatch, "sfud_io_send_batch_datagrams", kHistogram, "", "", "",                          \
    "Datagrams per flush of the send queue")                                                       \
  X(kHttpRequests, "sfud_http_requests_total", kCounter, "route", "status", "",                    \
    "HTTP requests answered, by route template and status code")                                   \
  X(kSrtpGcmImplementation, "sfud_srtp_gcm_implementation_info", kGauge, "implementation", "", "", \
    "Always 1; the label names the AES-GCM code every shard's SRTP uses (evp, vaes256, vaes512)")

enum class MetricId : uint16_t {
#define SFUD_METRIC_ENUM(id, name, type, l1, l2, l3, help) id,
  SFUD_METRIC_FAMILIES(SFUD_METRIC_ENUM)
#undef SFUD_METRIC_ENUM
};

struct MetricFamilySpec {
  MetricId id;
  std::string_view name;
  MetricType type;
  std::array<std::string_view, 3> labels;  // "" = unused; used labels come first
  std::string_view help;

  size_t label_count() const {
    size_t n = 0;
    while (n < labels.size() && !labels[n].empty()) ++n;
    return n;
  }
};

inline constexpr MetricFamilySpec kMetricFamilies[] = {
#define SFUD_METRIC_SPEC(id, name, type, l1, l2, l3, help) \
  {MetricId::id, name, MetricType::type, {l1, l2, l3}, help},
    SFUD_METRIC_FAMILIES(SFUD_METRIC_SPEC)
#undef SFUD_METRIC_SPEC
};

inline constexpr size_t kMetricFamilyCount = std::size(kMetricFamilies);

constexpr const MetricFamilySpec& Family(MetricId id) {
  return kMetricFamilies[static_cast<size_t>(id)];
}

}  // namespace sfu::metrics
