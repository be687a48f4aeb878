#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/loadgen/latency_histogram.h"
#include "bench/loadgen/loop_thread.h"
#include "bench/loadgen/peer_result.h"
#include "bench/loadgen/scenario.h"

namespace sfu::loadgen {

// Distribution summary in milliseconds.
struct Percentiles {
  uint64_t count = 0;
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
  static Percentiles From(const LatencyHistogram& h);  // h in microseconds
};

// One SLO check.
struct SloResult {
  std::string name;
  double limit = 0;
  double value = 0;
  bool ok = true;
};

// Everything a run measured, built once at the end from every peer's result.
struct Report {
  Scenario scenario;
  double run_seconds = 0;    // first POST to the end of media
  double media_seconds = 0;  // first connected peer to StopMedia
  // Sessions.
  uint64_t planned_publishers = 0, planned_subscribers = 0;
  uint64_t sessions = 0;  // POSTs made (joins and churn rejoins)
  uint64_t publishers_connected = 0, subscribers_connected = 0;  // distinct peers that connected
  uint64_t not_started = 0;  // planned joins the run ended before
  std::map<std::string, uint64_t> failures_by_reason;
  std::vector<PeerResult> failures;  // every session that failed, with its reason
  uint64_t deletes_failed = 0;
  Percentiles connect_ms;    // POST to DTLS connected
  Percentiles handshake_ms;  // ICE + DTLS only
  Percentiles signaling_ms;  // POST to answer
  // Connected sessions / (last connected - first POST); with --join-storm the clock starts when
  // every signaled peer is released at once, so this is sfud's ICE+DTLS handshake rate.
  double handshakes_per_second = 0;
  double signaling_per_second = 0;  // --join-storm: answered POSTs per second in phase 1
  // Media, over all subscriber sessions and streams (probe accounting).
  uint64_t media_expected = 0, media_received = 0, media_lost = 0;
  uint64_t duplicates = 0, reordered = 0, too_old = 0, without_probe = 0;
  double loss = 0;  // lost / expected
  double worst_subscriber_loss = 0;
  Percentiles latency_ms;      // end to end, publisher send to subscriber receive
  double latency_seconds = 0;  // the window latency_ms covers (after the join warm-up)
  double video_jitter_ms_mean = 0, video_jitter_ms_max = 0;
  double audio_jitter_ms_mean = 0, audio_jitter_ms_max = 0;
  // Traffic as the load generator saw it (SRTP/SRTCP datagrams).
  uint64_t rtp_packets_out = 0, rtp_bytes_out = 0, rtp_packets_in = 0, rtp_bytes_in = 0;
  uint64_t rtcp_packets_out = 0, rtcp_packets_in = 0;
  uint64_t nacks_sent = 0, nack_items_sent = 0, retransmissions = 0, plis_sent = 0;
  uint64_t plis_received = 0, keyframes_sent = 0, srtp_errors = 0;
  uint64_t tx_errors = 0, outbox_overflows = 0, pacer_overflows = 0;
  double pps_out = 0, pps_in = 0, mbps_out = 0, mbps_in = 0;
  LoopStats loop;  // how the loop threads waited, summed over them
  // sfud's CPU from /proc (when --sfud-pid).
  std::optional<double> sfud_cpu_seconds;
  std::optional<double> sfud_cpu_percent;  // of one core, over the media window
  // The sfud-shard-* threads alone (the data plane), same window; unset if none were found.
  std::optional<double> sfud_shard_cpu_seconds;
  std::vector<SloResult> slos;
  std::vector<PeerResult> subscribers;  // every subscriber session, for the JSON report

  bool slo_ok() const;
};

// Folds per-peer results into the report's totals (everything but timings, CPU and SLOs).
void Summarize(const std::vector<PeerResult>& results, const LatencyHistogram& latency,
               Report& report);
// Evaluates the scenario's SLOs into report.slos.
void CheckSlos(Report& report);
// The final summary table for a terminal.
std::string FormatTable(const Report& report);
// The full report as JSON.
std::string ToJson(const Report& report);

}  // namespace sfu::loadgen
