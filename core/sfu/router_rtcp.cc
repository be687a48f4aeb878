// RTCP from peers: subscribers' feedback (PLI/FIR/NACK/REMB/TWCC/RR) and publishers' SR/BYE.
#include <algorithm>

#include "core/rtp/rtcp_bye.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_remb.h"
#include "core/rtp/rtcp_report.h"
#include "core/rtp/rtcp_twcc.h"
#include "core/sfu/router_state.h"

namespace sfu::sfu {
namespace {

// The slot of `sub` sending `ssrc` (its media or RTX SSRC), or nullptr.
Slot* SlotBySsrc(Subscriber* sub, uint32_t ssrc) {
  for (Slot& slot : sub->slots) {
    if (slot.config.ssrc == ssrc || (slot.config.rtx_ssrc != 0 && slot.config.rtx_ssrc == ssrc)) {
      return &slot;
    }
  }
  return nullptr;
}

// A TWCC feedback covers at most 65535 packets; reading more than this many statuses of one is
// not worth the work for statistics.
constexpr uint32_t kMaxTwccStatusesRead = 4096;

}  // namespace

void Router::OnRtcp(Instant now, PeerId from, absl::Span<const uint8_t> compound,
                    OutputBatch* out) {
  State& s = *state_;
  ++s.stats.rtcp_packets_in;
  if (Subscriber* sub = s.FindSubscriber(from)) {
    s.HandleSubscriberRtcp(now, sub, compound, out);
  } else if (Publisher* pub = s.FindPublisher(from)) {
    s.HandlePublisherRtcp(now, pub, compound);
  } else {
    ++s.stats.dropped_unknown_peer;
  }
}

void Router::State::HandleSubscriberRtcp(Instant now, Subscriber* sub,
                                         absl::Span<const uint8_t> compound, OutputBatch* out) {
  rtp::RtcpCompoundIterator it(compound);
  rtp::RtcpPacketView packet;
  size_t nack_budget = config.max_nack_seqs_per_rtcp;
  while (it.Next(&packet)) {
    switch (rtp::ClassifyRtcp(packet)) {
      case rtp::RtcpKind::kPli: {
        auto pli = rtp::ParsePli(packet);
        if (!pli) break;
        ++stats.pli_received;
        Slot* slot = SlotBySsrc(sub, pli->media_ssrc);
        if (slot == nullptr || slot->track == nullptr) break;
        const int layer = slot->current_layer >= 0 ? slot->current_layer : slot->target_layer;
        if (layer < 0) break;
        if (!RequestKeyframe(now, slot->track, static_cast<uint32_t>(layer), false, out)) {
          ++stats.keyframe_requests_deduped;
        }
        break;
      }
      case rtp::RtcpKind::kFir: {
        auto fir = rtp::ParseFir(packet);
        if (!fir) break;
        rtp::FirEntryIterator entries = fir->entries();
        rtp::FirEntry entry;
        while (entries.Next(&entry)) {
          Slot* slot = SlotBySsrc(sub, entry.ssrc);
          if (slot == nullptr) continue;
          ++stats.fir_received;
          // RFC 5104 §4.3.1.2: a repeated sequence number is a retransmission of one request.
          if (slot->have_fir_seq && slot->last_fir_seq == entry.seq_nr) continue;
          slot->have_fir_seq = true;
          slot->last_fir_seq = entry.seq_nr;
          if (slot->track == nullptr) continue;
          const int layer = slot->current_layer >= 0 ? slot->current_layer : slot->target_layer;
          if (layer < 0) continue;
          if (!RequestKeyframe(now, slot->track, static_cast<uint32_t>(layer), true, out)) {
            ++stats.keyframe_requests_deduped;
          }
        }
        break;
      }
      case rtp::RtcpKind::kNack: {
        auto nack = rtp::ParseNack(packet);
        if (!nack) break;
        Slot* slot = SlotBySsrc(sub, nack->media_ssrc);
        rtp::NackLostIterator lost = nack->lost();
        uint16_t seq = 0;
        // Bounded: at most nack_budget numbers per datagram, whatever the BLPs claim.
        while (nack_budget > 0 && lost.Next(&seq)) {
          --nack_budget;
          ++stats.nacks_received;
          if (slot == nullptr) {
            ++stats.nacks_missed;
            continue;
          }
          AnswerNack(now, sub, slot, seq, out);
        }
        break;
      }
      case rtp::RtcpKind::kRemb: {
        if (auto remb = rtp::ParseRemb(packet)) {
          sub->feedback.remb_bps = remb->bitrate_bps;
          sub->feedback.remb_at = now;
        }
        break;
      }
      case rtp::RtcpKind::kTransportCc: {
        auto twcc = rtp::ParseTransportFeedback(packet);
        if (!twcc) break;
        ++sub->feedback.twcc_feedbacks;
        sub->feedback.twcc_last_base_seq = twcc->base_sequence_number;
        rtp::TwccStatusIterator statuses = twcc->packets();
        rtp::TwccPacketStatus status;
        uint32_t read = 0;
        while (read < kMaxTwccStatusesRead && statuses.Next(&status)) {
          ++read;
          ++sub->feedback.twcc_packets_reported;
          if (!status.received()) ++sub->feedback.twcc_packets_lost;
        }
        break;
      }
      case rtp::RtcpKind::kReceiverReport:
      case rtp::RtcpKind::kSenderReport: {
        rtp::ReportBlockIterator blocks;
        if (auto rr = rtp::ParseReceiverReport(packet)) {
          blocks = rr->blocks();
        } else if (auto sr = rtp::ParseSenderReport(packet)) {
          blocks = sr->blocks();
        } else {
          break;
        }
        rtp::ReportBlock block;
        while (blocks.Next(&block)) {
          if (block.last_sr == 0 || SlotBySsrc(sub, block.ssrc) == nullptr) continue;
          // RFC 3550 §6.4.1: RTT = A - LSR - DLSR in the middle 32 bits of NTP time.
          const uint32_t arrival = static_cast<uint32_t>(NtpAt(now) >> 16);
          const uint32_t rtt = arrival - block.last_sr - block.delay_since_last_sr;
          if (rtt >= 0x80000000u) continue;  // the peer's numbers do not add up
          sub->feedback.rtt = std::chrono::duration_cast<Duration>(
              std::chrono::nanoseconds((static_cast<int64_t>(rtt) * 1'000'000'000) >> 16));
        }
        break;
      }
      default:
        break;
    }
  }
  if (it.malformed()) ++stats.dropped_malformed;
}

void Router::State::AnswerNack(Instant now, Subscriber* sub, Slot* slot, uint16_t seq,
                               OutputBatch* out) {
  const SentEntry& e = slot->history[seq & (slot->history.size() - 1)];
  Track* track = slot->track;
  if (!e.valid || e.out_seq != seq || track == nullptr || e.layer >= track->layers.size()) {
    ++stats.nacks_missed;
    return;
  }
  const Layer& layer = *track->layers[e.layer];
  const absl::Span<const uint8_t> packet =
      layer.buffer.Find(e.index, now, config.retransmission_max_age);
  rtp::RtpPacketView view;
  ExtensionLayout layout;
  if (packet.empty() || !rtp::ParseRtpPacket(packet, &view) || !layout.Scan(view, packet)) {
    ++stats.nacks_missed;
    return;
  }
  // Token bucket: refill by elapsed time, capped at the burst.
  const double elapsed_s = std::chrono::duration<double>(now - slot->tokens_at).count();
  slot->tokens = std::min<double>(config.retransmission_burst,
                                  slot->tokens + elapsed_s * config.retransmissions_per_second);
  slot->tokens_at = now;
  if (slot->tokens < 1) {
    ++stats.nacks_rate_limited;
    return;
  }
  const uint8_t out_pt = slot->pt_map[view.payload_type];
  if (out_pt == kNoPt) {
    ++stats.nacks_missed;
    return;
  }
  const uint8_t rtx_pt = slot->rtx_pt_map[out_pt];
  bool ok;
  if (rtx_pt != kNoPt) {
    // RFC 4588 §4: RTX stream with its own sequence, the original number as OSN.
    ok = WriteForSlot(*sub, *slot, view, packet, layout, slot->rtx_seq, e.out_timestamp, rtx_pt,
                      slot->config.rtx_ssrc, /*rtx=*/true, seq, out);
    if (ok) ++slot->rtx_seq;
  } else {
    ok = WriteForSlot(*sub, *slot, view, packet, layout, seq, e.out_timestamp, out_pt,
                      slot->config.ssrc,
                      /*rtx=*/false, 0, out);
  }
  if (!ok) return;
  slot->tokens -= 1;
  ++stats.nacks_answered;
  ++stats.retransmissions;
}

void Router::State::HandlePublisherRtcp(Instant now, Publisher* pub,
                                        absl::Span<const uint8_t> compound) {
  rtp::RtcpCompoundIterator it(compound);
  rtp::RtcpPacketView packet;
  while (it.Next(&packet)) {
    const rtp::RtcpKind kind = rtp::ClassifyRtcp(packet);
    if (kind == rtp::RtcpKind::kSenderReport) {
      auto sr = rtp::ParseSenderReport(packet);
      if (!sr) continue;
      for (Track* track : pub->tracks) {
        for (auto& layer : track->layers) {
          if (layer->ssrc == 0 || layer->ssrc != sr->sender_ssrc) continue;
          layer->have_sr = true;
          layer->sr_rtp_timestamp = sr->sender_info.rtp_timestamp;
          layer->sr_ntp_middle = static_cast<uint32_t>(sr->sender_info.ntp_timestamp >> 16);
          layer->sr_arrival = now;
        }
      }
    } else if (kind == rtp::RtcpKind::kBye) {
      auto bye = rtp::ParseBye(packet);
      if (!bye) continue;
      for (size_t i = 0; i < bye->ssrc_count(); ++i) {
        const uint32_t ssrc = bye->ssrc(i);
        for (Track* track : pub->tracks) {
          for (auto& layer : track->layers) {
            // RFC 3550 §6.6: the source leaves. A track ends with its first stream's BYE.
            if (layer->ssrc != 0 && layer->ssrc == ssrc) EndTrack(track);
          }
        }
      }
    }
  }
  if (it.malformed()) ++stats.dropped_malformed;
}

}  // namespace sfu::sfu
