// Timer-driven RTCP: NACKs and receiver reports to publishers, sender reports to subscribers.
#include <algorithm>
#include <array>

#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_report.h"
#include "core/sfu/router_state.h"

namespace sfu::sfu {
namespace {

// A deterministic stand-in for RFC 3550 §6.3.1's random factor: a 32-bit mix of the peer and the
// report count, so peers do not report in lockstep and tests stay reproducible.
uint32_t Mix(uint32_t a, uint32_t b) {
  uint64_t x = (uint64_t{a} << 32) | b;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return static_cast<uint32_t>(x);
}

// RFC 3550 §6.4.1 DLSR: units of 1/65536 seconds.
uint32_t ToDlsr(Duration d) {
  if (d.count() <= 0) return 0;
  return static_cast<uint32_t>((static_cast<__int128>(d.count()) << 16) / 1'000'000'000);
}

void CommitRtcp(Router::State* s, PeerId peer, size_t size, OutputBatch* out) {
  RouterOutput o;
  o.kind = OutputKind::kRtcp;
  o.peer = peer;
  out->Commit(o, size);
  ++s->stats.rtcp_packets_out;
}

}  // namespace

Instant Router::State::NextReportTime(Instant now, PeerId peer, uint32_t count, bool video) const {
  const Duration interval = video ? config.video_report_interval : config.audio_report_interval;
  // [0.5, 1.5) x interval.
  const uint32_t r = Mix(peer, count);
  const int64_t scaled = interval.count() / 2 +
                         static_cast<int64_t>((static_cast<__int128>(interval.count()) * r) >> 32);
  return now + Duration(scaled);
}

void Router::State::ScheduleReport(Instant now, Instant* next_report, PeerId peer, uint32_t count,
                                   bool video) {
  *next_report = NextReportTime(now, peer, count, video);
  next_report_due = std::min(next_report_due, *next_report);
}

Instant Router::NextTimeout() const {
  return std::min(state_->next_report_due, state_->next_nack_due);
}

void Router::OnTimeout(Instant now, OutputBatch* out) {
  State& s = *state_;
  if (now >= s.next_nack_due) {
    s.next_nack_due = Instant::Infinite();
    for (auto& [id, pub] : s.publishers) {
      s.SendNacks(now, pub.get(), out);
      for (Track* track : pub->tracks) {
        for (auto& layer : track->layers) {
          s.next_nack_due = std::min(s.next_nack_due, layer->nacks.next_deadline());
        }
      }
    }
  }
  if (now >= s.next_report_due) {
    s.next_report_due = Instant::Infinite();
    for (auto& [id, pub] : s.publishers) {
      if (now >= pub->next_report) {
        s.SendReceiverReport(now, pub.get(), out);
        ++pub->reports_sent;
        pub->next_report = s.NextReportTime(now, pub->id, pub->reports_sent, pub->has_video);
      }
      s.next_report_due = std::min(s.next_report_due, pub->next_report);
    }
    for (auto& [id, sub] : s.subscribers) {
      if (now >= sub->next_report) {
        s.SendSenderReports(now, sub.get(), out);
        ++sub->reports_sent;
        sub->next_report = s.NextReportTime(now, sub->id, sub->reports_sent, sub->has_video);
      }
      s.next_report_due = std::min(s.next_report_due, sub->next_report);
    }
    if (s.next_report_due != Instant::Infinite()) {
      s.next_report_due = std::max(s.next_report_due, now + s.config.report_scan_interval);
    }
  }
}

void Router::State::SendNacks(Instant now, Publisher* pub, OutputBatch* out) {
  const NackGenerator::Policy policy = NackPolicy();
  for (Track* track : pub->tracks) {
    for (auto& layer : track->layers) {
      if (layer->nacks.next_deadline() > now) continue;
      const size_t n = layer->nacks.Collect(now, policy, absl::MakeSpan(nack_scratch),
                                            &stats.nack_gaps_abandoned);
      if (n == 0 || layer->ssrc == 0) continue;
      // An empty RR leads (RFC 4585 §3.1 compound rule), then one NACK with up to n/1 entries.
      const size_t max_size = 8 + 12 + 4 * n;
      absl::Span<uint8_t> dst = out->Begin(max_size);
      if (dst.empty()) {
        ++stats.dropped_output_full;
        continue;
      }
      ByteWriter w(dst.first(max_size));
      rtp::WriteReceiverReport(pub->feedback_ssrc, {}, &w);
      rtp::WriteNack(pub->feedback_ssrc, layer->ssrc, absl::MakeConstSpan(nack_scratch).first(n),
                     &w);
      if (!w.ok()) continue;
      CommitRtcp(this, pub->id, w.position(), out);
      stats.nacks_sent += n;
    }
  }
}

void Router::State::SendReceiverReport(Instant now, Publisher* pub, OutputBatch* out) {
  std::array<rtp::ReportBlock, rtp::kRtcpMaxCount> blocks;
  size_t n = 0;
  for (Track* track : pub->tracks) {
    for (auto& layer : track->layers) {
      if (n == blocks.size() || !layer->receive.started() || layer->ssrc == 0) continue;
      rtp::ReportBlock& b = blocks[n++];
      b = rtp::ReportBlock();
      b.ssrc = layer->ssrc;
      layer->receive.FillReportBlock(&b);
      if (layer->have_sr) {
        b.last_sr = layer->sr_ntp_middle;
        b.delay_since_last_sr = ToDlsr(now - layer->sr_arrival);
      }
    }
  }
  if (n == 0) return;
  const size_t max_size = 8 + rtp::kReportBlockSize * n;
  absl::Span<uint8_t> dst = out->Begin(max_size);
  if (dst.empty()) {
    ++stats.dropped_output_full;
    return;
  }
  ByteWriter w(dst.first(max_size));
  if (!rtp::WriteReceiverReport(pub->feedback_ssrc, absl::MakeConstSpan(blocks).first(n), &w)) {
    return;
  }
  CommitRtcp(this, pub->id, w.position(), out);
  ++stats.receiver_reports_sent;
}

void Router::State::SendSenderReports(Instant now, Subscriber* sub, OutputBatch* out) {
  const size_t max_size = 28 * sub->slots.size();
  if (max_size == 0) return;
  absl::Span<uint8_t> dst = out->Begin(max_size);
  if (dst.empty()) {
    ++stats.dropped_output_full;
    return;
  }
  ByteWriter w(dst.first(max_size));
  const uint64_t ntp = NtpAt(now);
  size_t count = 0;
  for (const Slot& slot : sub->slots) {
    if (!slot.sent_any) continue;
    rtp::SenderInfo info;
    info.ntp_timestamp = ntp;
    // RFC 3550 §6.4.1: the RTP time corresponding to the NTP time. From the publisher's own SR
    // when there is one (its RTP clock at the SR's arrival, advanced by our elapsed time), else
    // from the last packet sent; then shifted into this subscriber's timestamp space.
    const Layer* layer = (slot.track != nullptr && slot.current_layer >= 0)
                             ? slot.track->layers[slot.current_layer].get()
                             : nullptr;
    if (layer != nullptr && layer->have_sr) {
      info.rtp_timestamp =
          layer->sr_rtp_timestamp +
          static_cast<uint32_t>(DurationToRtpTicks(now - layer->sr_arrival, slot.clock_rate)) +
          slot.timestamp_offset;
    } else {
      info.rtp_timestamp =
          slot.last_out_timestamp +
          static_cast<uint32_t>(DurationToRtpTicks(now - slot.last_out_time, slot.clock_rate));
    }
    info.packet_count = static_cast<uint32_t>(slot.packets_sent);
    info.octet_count = static_cast<uint32_t>(slot.payload_octets_sent);
    rtp::WriteSenderReport(slot.config.ssrc, info, {}, &w);
    ++count;
  }
  if (count == 0 || !w.ok()) return;
  CommitRtcp(this, sub->id, w.position(), out);
  stats.sender_reports_sent += count;
}

}  // namespace sfu::sfu
