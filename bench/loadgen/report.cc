#include "bench/loadgen/report.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/json_string.h"

namespace sfu::loadgen {
namespace {

using ::sfu::AppendJsonString;

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

std::string PercentilesJson(const Percentiles& p) {
  return absl::StrCat("{\"count\":", p.count, ",\"p50\":", Num(p.p50), ",\"p95\":", Num(p.p95),
                      ",\"p99\":", Num(p.p99), ",\"max\":", Num(p.max), ",\"mean\":", Num(p.mean),
                      "}");
}

const char* RoleName(PeerRole role) {
  return role == PeerRole::kPublisher ? "publisher" : "subscriber";
}

}  // namespace

Percentiles Percentiles::From(const LatencyHistogram& h) {
  Percentiles p;
  p.count = h.count();
  p.p50 = h.Percentile(0.50) / 1000.0;
  p.p95 = h.Percentile(0.95) / 1000.0;
  p.p99 = h.Percentile(0.99) / 1000.0;
  p.max = h.max() / 1000.0;
  p.mean = h.mean() / 1000.0;
  return p;
}

bool Report::slo_ok() const {
  return std::all_of(slos.begin(), slos.end(), [](const SloResult& s) { return s.ok; });
}

void Summarize(const std::vector<PeerResult>& results, const LatencyHistogram& latency,
               Report& report) {
  LatencyHistogram connect, handshake, signaling;
  std::set<uint32_t> publishers_connected, subscribers_connected;
  int64_t first_post = INT64_MAX, last_connected = 0;
  uint64_t connected_sessions = 0;
  double video_jitter_sum = 0, audio_jitter_sum = 0;
  uint64_t video_jitter_n = 0, audio_jitter_n = 0;
  for (const PeerResult& r : results) {
    ++report.sessions;
    if (r.post_started_ns > 0) first_post = std::min(first_post, r.post_started_ns);
    if (r.http_status != 0 || r.signaling_ns > 0) signaling.Record(r.signaling_ns / 1000);
    if (r.connect_ns.has_value()) {
      ++connected_sessions;
      connect.Record(*r.connect_ns / 1000);
      last_connected = std::max(last_connected, r.post_started_ns + *r.connect_ns);
      (r.role == PeerRole::kPublisher ? publishers_connected : subscribers_connected).insert(r.id);
    }
    if (r.handshake_ns.has_value()) handshake.Record(*r.handshake_ns / 1000);
    if (r.failure != FailureReason::kNone) {
      ++report.failures_by_reason[ToString(r.failure)];
      report.failures.push_back(r);
    }
    const PeerStats& s = r.stats;
    report.rtp_packets_out += s.rtp_out;
    report.rtp_bytes_out += s.rtp_bytes_out;
    report.rtp_packets_in += s.rtp_in;
    report.rtp_bytes_in += s.rtp_bytes_in;
    report.rtcp_packets_out += s.rtcp_out;
    report.rtcp_packets_in += s.rtcp_in;
    report.nacks_sent += s.nacks_sent;
    report.nack_items_sent += s.nack_items_sent;
    report.retransmissions += s.retransmissions;
    report.plis_sent += s.plis_sent;
    report.plis_received += s.plis_received + s.firs_received;
    report.keyframes_sent += s.keyframes_sent;
    report.srtp_errors += s.srtp_errors;
    report.pacer_overflows += s.pacer_overflows;
    if (r.role != PeerRole::kSubscriber) continue;
    uint64_t expected = 0, lost = 0;
    for (const ReceiveStreamStats* st : {&s.audio, &s.video}) {
      expected += st->probe.expected();
      lost += st->probe.lost();
      report.media_received += std::min(st->probe.received(), st->probe.expected());
      report.duplicates += st->probe.duplicates();
      report.reordered += st->probe.reordered();
      report.too_old += st->probe.too_old();
      report.without_probe += st->without_probe;
    }
    report.media_expected += expected;
    report.media_lost += lost;
    if (expected > 0) {
      report.worst_subscriber_loss =
          std::max(report.worst_subscriber_loss, static_cast<double>(lost) / expected);
    }
    if (s.video.rtp_started) {
      video_jitter_sum += s.video.jitter.jitter_ms();
      report.video_jitter_ms_max = std::max(report.video_jitter_ms_max, s.video.jitter.jitter_ms());
      ++video_jitter_n;
    }
    if (s.audio.rtp_started) {
      audio_jitter_sum += s.audio.jitter.jitter_ms();
      report.audio_jitter_ms_max = std::max(report.audio_jitter_ms_max, s.audio.jitter.jitter_ms());
      ++audio_jitter_n;
    }
    report.subscribers.push_back(r);
  }
  report.publishers_connected = publishers_connected.size();
  report.subscribers_connected = subscribers_connected.size();
  report.connect_ms = Percentiles::From(connect);
  report.handshake_ms = Percentiles::From(handshake);
  report.signaling_ms = Percentiles::From(signaling);
  report.latency_ms = Percentiles::From(latency);
  report.loss = report.media_expected == 0
                    ? 0
                    : static_cast<double>(report.media_lost) / report.media_expected;
  if (video_jitter_n > 0) report.video_jitter_ms_mean = video_jitter_sum / video_jitter_n;
  if (audio_jitter_n > 0) report.audio_jitter_ms_mean = audio_jitter_sum / audio_jitter_n;
  if (connected_sessions > 0 && last_connected > first_post) {
    report.handshakes_per_second =
        connected_sessions / (static_cast<double>(last_connected - first_post) / 1e9);
  }
  if (report.media_seconds > 0) {
    report.pps_out = report.rtp_packets_out / report.media_seconds;
    report.pps_in = report.rtp_packets_in / report.media_seconds;
    report.mbps_out = report.rtp_bytes_out * 8 / report.media_seconds / 1e6;
    report.mbps_in = report.rtp_bytes_in * 8 / report.media_seconds / 1e6;
  }
}

void CheckSlos(Report& report) {
  const Scenario& s = report.scenario;
  if (s.max_loss.has_value()) {
    report.slos.push_back({"max_loss", *s.max_loss, report.loss, report.loss <= *s.max_loss});
  }
  if (s.max_p99_latency_ms.has_value()) {
    // No latency sample at all cannot pass a latency objective.
    const bool ok = report.latency_ms.count > 0 && report.latency_ms.p99 <= *s.max_p99_latency_ms;
    report.slos.push_back({"max_p99_latency_ms", *s.max_p99_latency_ms, report.latency_ms.p99, ok});
  }
  if (s.min_connected.has_value()) {
    const double planned =
        static_cast<double>(report.planned_publishers + report.planned_subscribers);
    const double connected =
        static_cast<double>(report.publishers_connected + report.subscribers_connected);
    const double fraction = planned == 0 ? 0 : connected / planned;
    report.slos.push_back(
        {"min_connected", *s.min_connected, fraction, fraction >= *s.min_connected});
  }
}

std::string FormatTable(const Report& r) {
  std::string out;
  auto row = [&out](std::string_view name, const std::string& value) {
    absl::StrAppendFormat(&out, "  %-28s %s\n", name, value);
  };
  auto pct = [](const Percentiles& p) {
    return absl::StrFormat("p50 %.2f  p95 %.2f  p99 %.2f  max %.2f ms  (n=%u)", p.p50, p.p95, p.p99,
                           p.max, p.count);
  };
  absl::StrAppend(&out, "sfud-loadgen summary\n");
  const std::string pacing = r.scenario.pacing_factor > 0
                                 ? absl::StrFormat(" paced at %gx", r.scenario.pacing_factor)
                                 : std::string(" unpaced");
  row("scenario", absl::StrFormat("%u rooms x (%u pub + %u sub), video %u kbps%s, audio %s, %.0f s",
                                  r.scenario.rooms, r.scenario.publishers, r.scenario.subscribers,
                                  r.scenario.video_kbps, pacing, r.scenario.audio ? "on" : "off",
                                  r.scenario.duration.count() / 1000.0));
  row("connected", absl::StrFormat("publishers %u/%u  subscribers %u/%u  (sessions %u)",
                                   r.publishers_connected, r.planned_publishers,
                                   r.subscribers_connected, r.planned_subscribers, r.sessions));
  std::string failures = r.failures_by_reason.empty() ? "none" : "";
  for (const auto& [reason, n] : r.failures_by_reason)
    absl::StrAppend(&failures, reason, "=", n, " ");
  if (r.not_started > 0) absl::StrAppend(&failures, "not_started=", r.not_started);
  row("failures", failures);
  row("time to connected", pct(r.connect_ms));
  row("  of which ICE+DTLS", pct(r.handshake_ms));
  row("handshakes/s", absl::StrFormat("%.1f", r.handshakes_per_second));
  if (r.signaling_per_second > 0) {
    row("signaling (POST answered)/s", absl::StrFormat("%.1f", r.signaling_per_second));
  }
  row("loss", absl::StrFormat("%.4f%% (%u of %u)  worst subscriber %.4f%%", r.loss * 100,
                              r.media_lost, r.media_expected, r.worst_subscriber_loss * 100));
  row("duplicates / reordered", absl::StrFormat("%u / %u", r.duplicates, r.reordered));
  row("latency (end to end)",
      pct(r.latency_ms) + absl::StrFormat(", last %.0f s", r.latency_seconds));
  row("jitter video / audio",
      absl::StrFormat("mean %.2f / %.2f ms, max %.2f / %.2f ms", r.video_jitter_ms_mean,
                      r.audio_jitter_ms_mean, r.video_jitter_ms_max, r.audio_jitter_ms_max));
  row("RTP out (publishers)",
      absl::StrFormat("%u pkts, %.0f pps, %.2f Mbit/s", r.rtp_packets_out, r.pps_out, r.mbps_out));
  row("RTP in (subscribers)",
      absl::StrFormat("%u pkts, %.0f pps, %.2f Mbit/s", r.rtp_packets_in, r.pps_in, r.mbps_in));
  row("RTCP out / in", absl::StrFormat("%u / %u", r.rtcp_packets_out, r.rtcp_packets_in));
  row("NACK / retransmit / PLI",
      absl::StrFormat("%u NACKs (%u seqs) / %u / %u PLIs sent", r.nacks_sent, r.nack_items_sent,
                      r.retransmissions, r.plis_sent));
  if (r.sfud_cpu_percent.has_value()) {
    row("sfud CPU",
        absl::StrFormat(
            "%.1f%% of one core (%.2f s)%s", *r.sfud_cpu_percent, r.sfud_cpu_seconds.value_or(0),
            r.sfud_shard_cpu_seconds.has_value()
                ? absl::StrFormat(", of which shard threads %.2f s", *r.sfud_shard_cpu_seconds)
                : std::string()));
  }
  row("loop threads",
      absl::StrFormat(
          "slept %u, spun %u, busy %u times%s", r.loop.sleeps, r.loop.spins, r.loop.busy,
          r.scenario.spin_us > 0 ? absl::StrFormat(" (spin %u us: %.2f s spinning)",
                                                   r.scenario.spin_us, r.loop.spin_ns / 1e9)
                                 : std::string()));
  if (r.tx_errors + r.outbox_overflows + r.srtp_errors + r.pacer_overflows > 0) {
    row("loadgen errors",
        absl::StrFormat("tx %u, outbox %u, srtp %u, pacer overflows %u", r.tx_errors,
                        r.outbox_overflows, r.srtp_errors, r.pacer_overflows));
  }
  for (const SloResult& s : r.slos) {
    row("SLO " + s.name,
        absl::StrFormat("%s (limit %g, measured %g)", s.ok ? "ok" : "VIOLATED", s.limit, s.value));
  }
  size_t shown = 0;
  for (const PeerResult& f : r.failures) {
    if (++shown > 20) {
      absl::StrAppendFormat(&out, "  ... %u more failures in the JSON report\n",
                            r.failures.size() - 20);
      break;
    }
    absl::StrAppendFormat(&out, "  failed %s %u (room %u): %s: %s\n", RoleName(f.role), f.id,
                          f.room, ToString(f.failure), f.failure_detail);
  }
  return out;
}

std::string ToJson(const Report& r) {
  std::string o = "{";
  const Scenario& s = r.scenario;
  absl::StrAppend(&o, "\"scenario\":{\"url\":");
  AppendJsonString(o, s.url);
  absl::StrAppend(&o, ",\"rooms\":", s.rooms, ",\"publishers_per_room\":", s.publishers,
                  ",\"subscribers_per_room\":", s.subscribers, ",\"video_kbps\":", s.video_kbps,
                  ",\"fps\":", s.video_fps, ",\"pacing_factor\":", Num(s.pacing_factor),
                  ",\"audio\":", s.audio ? "true" : "false",
                  ",\"duration_s\":", Num(s.duration.count() / 1000.0), ",\"ramp\":", Num(s.ramp),
                  ",\"churn\":", Num(s.churn), ",\"join_storm\":", s.join_storm ? "true" : "false",
                  ",\"threads\":", s.threads, ",\"scenario_file\":");
  AppendJsonString(o, s.scenario_file);
  o += "}";
  absl::StrAppend(&o, ",\"run_seconds\":", Num(r.run_seconds),
                  ",\"media_seconds\":", Num(r.media_seconds));
  absl::StrAppend(&o, ",\"sessions\":{\"planned_publishers\":", r.planned_publishers,
                  ",\"planned_subscribers\":", r.planned_subscribers, ",\"sessions\":", r.sessions,
                  ",\"publishers_connected\":", r.publishers_connected,
                  ",\"subscribers_connected\":", r.subscribers_connected,
                  ",\"not_started\":", r.not_started, ",\"deletes_failed\":", r.deletes_failed,
                  ",\"failures_by_reason\":{");
  bool first = true;
  for (const auto& [reason, n] : r.failures_by_reason) {
    if (!first) o += ",";
    first = false;
    AppendJsonString(o, reason);
    absl::StrAppend(&o, ":", n);
  }
  absl::StrAppend(&o, "}}");
  absl::StrAppend(&o, ",\"connect_ms\":", PercentilesJson(r.connect_ms),
                  ",\"handshake_ms\":", PercentilesJson(r.handshake_ms),
                  ",\"signaling_ms\":", PercentilesJson(r.signaling_ms),
                  ",\"handshakes_per_second\":", Num(r.handshakes_per_second),
                  ",\"signaling_per_second\":", Num(r.signaling_per_second));
  absl::StrAppend(
      &o, ",\"media\":{\"expected\":", r.media_expected, ",\"received\":", r.media_received,
      ",\"lost\":", r.media_lost, ",\"loss\":", Num(r.loss),
      ",\"worst_subscriber_loss\":", Num(r.worst_subscriber_loss), ",\"duplicates\":", r.duplicates,
      ",\"reordered\":", r.reordered, ",\"too_old\":", r.too_old,
      ",\"without_probe\":", r.without_probe, ",\"latency_ms\":", PercentilesJson(r.latency_ms),
      ",\"video_jitter_ms\":{\"mean\":", Num(r.video_jitter_ms_mean),
      ",\"max\":", Num(r.video_jitter_ms_max),
      "},\"audio_jitter_ms\":{\"mean\":", Num(r.audio_jitter_ms_mean),
      ",\"max\":", Num(r.audio_jitter_ms_max), "}}");
  absl::StrAppend(
      &o, ",\"traffic\":{\"rtp_packets_out\":", r.rtp_packets_out,
      ",\"rtp_bytes_out\":", r.rtp_bytes_out, ",\"rtp_packets_in\":", r.rtp_packets_in,
      ",\"rtp_bytes_in\":", r.rtp_bytes_in, ",\"rtcp_packets_out\":", r.rtcp_packets_out,
      ",\"rtcp_packets_in\":", r.rtcp_packets_in, ",\"pps_out\":", Num(r.pps_out),
      ",\"pps_in\":", Num(r.pps_in), ",\"mbps_out\":", Num(r.mbps_out),
      ",\"mbps_in\":", Num(r.mbps_in), ",\"nacks_sent\":", r.nacks_sent,
      ",\"nack_items_sent\":", r.nack_items_sent, ",\"retransmissions\":", r.retransmissions,
      ",\"plis_sent\":", r.plis_sent, ",\"keyframe_requests_received\":", r.plis_received,
      ",\"keyframes_sent\":", r.keyframes_sent, ",\"srtp_errors\":", r.srtp_errors,
      ",\"tx_errors\":", r.tx_errors, ",\"outbox_overflows\":", r.outbox_overflows,
      ",\"pacer_overflows\":", r.pacer_overflows, "}");
  absl::StrAppend(&o, ",\"loop\":{\"spin_us\":", s.spin_us, ",\"busy\":", r.loop.busy,
                  ",\"spins\":", r.loop.spins, ",\"sleeps\":", r.loop.sleeps,
                  ",\"spin_polls\":", r.loop.spin_polls,
                  ",\"spin_seconds\":", Num(r.loop.spin_ns / 1e9), "}");
  absl::StrAppend(&o, ",\"sfud\":{");
  if (r.sfud_cpu_percent.has_value()) {
    absl::StrAppend(&o, "\"cpu_seconds\":", Num(r.sfud_cpu_seconds.value_or(0)),
                    ",\"cpu_percent\":", Num(*r.sfud_cpu_percent));
    if (r.sfud_shard_cpu_seconds.has_value()) {
      absl::StrAppend(&o, ",\"shard_cpu_seconds\":", Num(*r.sfud_shard_cpu_seconds));
    }
  }
  absl::StrAppend(&o, "},\"slo\":{\"ok\":", r.slo_ok() ? "true" : "false", ",\"checks\":[");
  for (size_t i = 0; i < r.slos.size(); ++i) {
    if (i > 0) o += ",";
    absl::StrAppend(&o, "{\"name\":");
    AppendJsonString(o, r.slos[i].name);
    absl::StrAppend(&o, ",\"limit\":", Num(r.slos[i].limit), ",\"value\":", Num(r.slos[i].value),
                    ",\"ok\":", r.slos[i].ok ? "true" : "false", "}");
  }
  absl::StrAppend(&o, "]},\"failures\":[");
  for (size_t i = 0; i < r.failures.size(); ++i) {
    const PeerResult& f = r.failures[i];
    if (i > 0) o += ",";
    absl::StrAppend(&o, "{\"id\":", f.id, ",\"room\":", f.room, ",\"role\":\"", RoleName(f.role),
                    "\",\"session\":", f.session, ",\"http_status\":", f.http_status,
                    ",\"reason\":\"", ToString(f.failure), "\",\"detail\":");
    AppendJsonString(o, f.failure_detail);
    o += "}";
  }
  absl::StrAppend(&o, "],\"subscribers\":[");
  for (size_t i = 0; i < r.subscribers.size(); ++i) {
    const PeerResult& p = r.subscribers[i];
    const PeerStats& st = p.stats;
    if (i > 0) o += ",";
    const uint64_t expected = st.audio.probe.expected() + st.video.probe.expected();
    const uint64_t lost = st.audio.probe.lost() + st.video.probe.lost();
    const uint64_t samples = st.audio.latency_samples + st.video.latency_samples;
    const double mean_ms =
        samples == 0 ? 0 : (st.audio.latency_sum_us + st.video.latency_sum_us) / 1000.0 / samples;
    absl::StrAppend(&o, "{\"id\":", p.id, ",\"room\":", p.room, ",\"session\":", p.session,
                    ",\"connected\":", p.connect_ns.has_value() ? "true" : "false",
                    ",\"connect_ms\":", Num(p.connect_ns.value_or(0) / 1e6),
                    ",\"rtp_in\":", st.rtp_in, ",\"expected\":", expected, ",\"lost\":", lost,
                    ",\"loss\":", Num(expected == 0 ? 0 : static_cast<double>(lost) / expected),
                    ",\"duplicates\":", st.audio.probe.duplicates() + st.video.probe.duplicates(),
                    ",\"reordered\":", st.audio.probe.reordered() + st.video.probe.reordered(),
                    ",\"latency_mean_ms\":", Num(mean_ms), ",\"latency_max_ms\":",
                    Num(std::max(st.audio.latency_max_us, st.video.latency_max_us) / 1000.0),
                    ",\"video_jitter_ms\":", Num(st.video.jitter.jitter_ms()),
                    ",\"audio_jitter_ms\":", Num(st.audio.jitter.jitter_ms()),
                    ",\"nacks_sent\":", st.nacks_sent, ",\"plis_sent\":", st.plis_sent,
                    ",\"failure\":\"", ToString(p.failure), "\"}");
  }
  o += "]}\n";
  return o;
}

}  // namespace sfu::loadgen
