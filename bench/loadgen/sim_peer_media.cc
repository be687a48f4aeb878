// SimPeer's media half: what a publisher sends (RTP, sender reports, answers to NACK/PLI) and what
// a subscriber does with what it receives (accounting, receiver reports, NACK, PLI).

#include <algorithm>

#include "bench/loadgen/media_probe.h"
#include "bench/loadgen/sim_peer.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_report.h"
#include "core/rtp/rtcp_sdes.h"
#include "core/rtp/rtp_packet.h"

namespace sfu::loadgen {
namespace {

constexpr Duration kAudioPacketInterval = std::chrono::milliseconds(20);
constexpr uint32_t kAudioTimestampStep = 960;  // 20 ms at 48 kHz
constexpr size_t kMaxFramePackets = 64;
constexpr size_t kMaxNackItems = 64;
constexpr char kCname[] = "sfud-loadgen";

// RFC 3550 §4: NTP format, 32.32 fixed-point seconds. The origin is the load generator's clock,
// which is fine: only the middle 32 bits travel back in LSR, compared against our own SR.
uint64_t NtpFromInstant(Instant now) {
  const uint64_t ns = static_cast<uint64_t>(now.nanos());
  const uint64_t seconds = ns / 1'000'000'000;
  const uint64_t frac = ((ns % 1'000'000'000) << 32) / 1'000'000'000;
  return seconds << 32 | frac;
}

}  // namespace

void SimPeer::SendMedia(Instant now, Outbox& out) {
  if (media_stopped_) return;
  // Catch up at most a few intervals: a loop thread that fell behind sends late rather than in a
  // burst that has nothing to do with what a browser does.
  for (int i = 0; i < 4 && audio_out_ && now >= next_audio_; ++i) {
    SendAudioPacket(now, out);
    next_audio_ += kAudioPacketInterval;
  }
  if (audio_out_ && now >= next_audio_) next_audio_ = now + kAudioPacketInterval;
  const Duration frame_interval = std::chrono::nanoseconds(1'000'000'000 / config_.video_fps);
  for (int i = 0; i < 4 && video_out_ && now >= next_video_; ++i) {
    SendVideoFrame(now, out);
    next_video_ += frame_interval;
  }
  if (video_out_ && now >= next_video_) next_video_ = now + frame_interval;
  DrainPacer(now, out);
}

void SimPeer::DrainPacer(Instant now, Outbox& out) {
  if (video_pacer_ == nullptr) return;
  while (std::optional<PublisherStream::Packet> p = video_pacer_->PopDue(now)) {
    SendFresh(*video_out_, *p, now, out);
  }
}

void SimPeer::SendAudioPacket(Instant now, Outbox& out) {
  std::array<PublisherStream::Packet, 1> packet;
  const size_t n = audio_out_->PlanFrame(now.nanos(), config_.audio_payload, config_.audio_payload,
                                         false, kAudioTimestampStep, absl::MakeSpan(packet));
  if (n == 1) SendFresh(*audio_out_, packet[0], now, out);
}

void SimPeer::SendVideoFrame(Instant now, Outbox& out) {
  bool keyframe = false;
  if (now - last_keyframe_ >= config_.keyframe_interval ||
      (keyframe_requested_ && now - last_keyframe_ >= config_.keyframe_request_min_interval)) {
    keyframe = true;
  }
  if (stats_.keyframes_sent == 0) keyframe = true;
  if (keyframe) {
    last_keyframe_ = now;
    keyframe_requested_ = false;
    ++stats_.keyframes_sent;
  }
  const size_t average = config_.video_kbps * 1000 / 8 / config_.video_fps;
  const size_t frame_bytes = keyframe ? average * config_.keyframe_size_factor : average;
  std::array<PublisherStream::Packet, kMaxFramePackets> packets;
  const size_t n =
      video_out_->PlanFrame(now.nanos(), frame_bytes, config_.max_video_payload, keyframe,
                            90000 / config_.video_fps, absl::MakeSpan(packets));
  for (size_t i = 0; i < n; ++i) {
    if (video_pacer_ == nullptr) {
      SendFresh(*video_out_, packets[i], now, out);
      continue;
    }
    // The pacer drains at pacing_factor x the stream's bitrate, so it fills only if that factor
    // is below what the stream sends: make room by sending the oldest at once, keeping the order.
    if (!video_pacer_->Push(now, packets[i])) {
      ++stats_.pacer_overflows;
      SendFresh(*video_out_, *video_pacer_->PopFront(), now, out);
      video_pacer_->Push(now, packets[i]);
    }
  }
}

void SimPeer::SendFresh(PublisherStream& stream, PublisherStream::Packet packet, Instant now,
                        Outbox& out) {
  // The probe's send time is when the packet is handed to the driver, which sends the Outbox
  // right after this call: time spent waiting in the pacer is the sender's, not the SFU's.
  stream.MarkSent(packet, now.nanos());
  WriteRtp(stream, packet, /*retransmission=*/false, out);
}

void SimPeer::WriteRtp(const PublisherStream& stream, const PublisherStream::Packet& packet,
                       bool retransmission, Outbox& out) {
  absl::Span<uint8_t> slot = out.Begin();
  if (slot.empty()) {
    ++stats_.outbox_full;
    return;
  }
  const size_t len = stream.Write(packet, slot);
  size_t protected_len = 0;
  if (len == 0 || srtp_->outbound.ProtectRtp(slot, len, &protected_len) != srtp::SrtpResult::kOk) {
    ++stats_.srtp_errors;
    return;
  }
  out.Commit(protected_len);
  ++stats_.datagrams_out;
  stats_.bytes_out += protected_len;
  ++stats_.rtp_out;
  stats_.rtp_bytes_out += protected_len;
  if (retransmission) ++stats_.retransmissions;
}

void SimPeer::SendRtcp(absl::Span<uint8_t> buf, size_t len, Outbox& out) {
  size_t protected_len = 0;
  if (srtp_->outbound.ProtectRtcp(buf, len, &protected_len) != srtp::SrtpResult::kOk) {
    ++stats_.srtp_errors;
    return;
  }
  const size_t before = stats_.outbox_full;
  Send(absl::MakeConstSpan(buf.data(), protected_len), out);
  if (stats_.outbox_full == before) ++stats_.rtcp_out;
}

void SimPeer::SendReports(Instant now, Outbox& out) {
  std::array<uint8_t, 512> buf;
  if (config_.role == PeerRole::kPublisher) {
    // RFC 3550 §6.4.1: one SR per sending SSRC, each in its own compound with SDES CNAME.
    for (const std::optional<PublisherStream>* stream : {&audio_out_, &video_out_}) {
      if (!stream->has_value() || (*stream)->packets_sent() == 0) continue;
      const PublisherStream& s = **stream;
      rtp::SenderInfo info;
      info.ntp_timestamp = NtpFromInstant(now);
      const int64_t since_ns = now.nanos() - s.last_capture_ns();
      info.rtp_timestamp = s.last_frame_timestamp() +
                           static_cast<uint32_t>(since_ns / 1000 * s.clock_rate() / 1'000'000);
      info.packet_count = s.packets_sent();
      info.octet_count = s.octets_sent();
      ByteWriter w(absl::MakeSpan(buf));
      const rtp::SdesCnameEntry cname{s.ssrc(), kCname};
      if (!rtp::WriteSenderReport(s.ssrc(), info, {}, &w) ||
          !rtp::WriteSdes(absl::MakeConstSpan(&cname, 1), &w)) {
        continue;
      }
      ++stats_.sr_sent;
      SendRtcp(absl::MakeSpan(buf), w.position(), out);
    }
    return;
  }
  // RFC 3550 §6.4.2 / §A.3: one RR with a block per stream received.
  std::array<rtp::ReportBlock, 2> blocks;
  size_t count = 0;
  for (ReceiveStreamStats* s : {&stats_.audio, &stats_.video}) {
    if (!s->rtp_started) continue;
    rtp::ReportBlock& b = blocks[count++];
    const uint64_t expected = uint64_t{s->rtp_ext_highest} - s->rtp_base + 1;
    const uint64_t expected_interval = expected - s->rr_expected_prior;
    const uint64_t received_interval = s->rtp_received - s->rr_received_prior;
    s->rr_expected_prior = expected;
    s->rr_received_prior = s->rtp_received;
    const int64_t lost_interval =
        static_cast<int64_t>(expected_interval) - static_cast<int64_t>(received_interval);
    b.ssrc = s->ssrc;
    b.fraction_lost = expected_interval == 0 || lost_interval <= 0
                          ? 0
                          : static_cast<uint8_t>((lost_interval << 8) / expected_interval);
    b.cumulative_lost = static_cast<int32_t>(static_cast<int64_t>(expected) -
                                             static_cast<int64_t>(s->rtp_received));
    b.extended_highest_seq = s->rtp_ext_highest;
    b.jitter = s->jitter.jitter_units();
    if (s->last_sr_arrival.has_value()) {
      b.last_sr = s->last_sr_middle;
      b.delay_since_last_sr =
          static_cast<uint32_t>((now - *s->last_sr_arrival).count() * 65536 / 1'000'000'000);
    }
  }
  ByteWriter w(absl::MakeSpan(buf));
  const rtp::SdesCnameEntry cname{config_.rtcp_ssrc, kCname};
  if (!rtp::WriteReceiverReport(config_.rtcp_ssrc, absl::MakeConstSpan(blocks.data(), count), &w) ||
      !rtp::WriteSdes(absl::MakeConstSpan(&cname, 1), &w)) {
    return;
  }
  ++stats_.rr_sent;
  SendRtcp(absl::MakeSpan(buf), w.position(), out);
}

void SimPeer::SendPli(Instant now, Outbox& out) {
  // RFC 4585 §6.1: feedback goes in a compound that starts with an RR (reduced-size RTCP, RFC
  // 5506, would allow it alone; sfud accepts both).
  std::array<uint8_t, 128> buf;
  ByteWriter w(absl::MakeSpan(buf));
  if (!rtp::WriteReceiverReport(config_.rtcp_ssrc, {}, &w) ||
      !rtp::WritePli(config_.rtcp_ssrc, config_.remote_video_ssrc, &w)) {
    return;
  }
  ++stats_.plis_sent;
  --plis_left_;
  next_pli_ = now + config_.pli_retry_interval;
  SendRtcp(absl::MakeSpan(buf), w.position(), out);
}

ReceiveStreamStats* SimPeer::StreamFor(uint32_t ssrc, uint8_t payload_type) {
  if (ssrc != 0 && ssrc == config_.remote_audio_ssrc) return &stats_.audio;
  if (ssrc != 0 && ssrc == config_.remote_video_ssrc) return &stats_.video;
  // No a=ssrc in the answer: tell the streams apart by the payload type we offered.
  if (payload_type == config_.audio_pt) return &stats_.audio;
  if (payload_type == config_.video_pt) return &stats_.video;
  return nullptr;
}

void SimPeer::HandleRtp(Instant now, absl::Span<uint8_t> datagram, Outbox& out) {
  if (!srtp_.has_value()) return;
  size_t len = 0;
  if (srtp_->inbound.UnprotectRtp(datagram, datagram.size(), &len) != srtp::SrtpResult::kOk) {
    ++stats_.srtp_errors;
    return;
  }
  rtp::RtpPacketView packet;
  if (!rtp::ParseRtpPacket(datagram.subspan(0, len), &packet)) {
    ++stats_.srtp_errors;
    return;
  }
  ReceiveStreamStats* stream = StreamFor(packet.ssrc, packet.payload_type);
  if (stream == nullptr) {
    ++stats_.other_in;
    return;
  }
  stream->ssrc = packet.ssrc;
  ++stream->packets;
  stream->bytes += len;
  OnReceivedRtp(now, *stream, packet.sequence_number, packet.timestamp, packet.payload, out);
}

void SimPeer::OnReceivedRtp(Instant now, ReceiveStreamStats& s, uint16_t sequence_number,
                            uint32_t timestamp, absl::Span<const uint8_t> payload, Outbox& out) {
  if (&s == &stats_.video && !stats_.first_video_at.has_value()) {
    stats_.first_video_at = now;
    plis_left_ = 0;  // video flows: the decoder has its key frame
  }
  // RTP level (RFC 3550 §A.1 style unwrapping) for receiver reports and NACK.
  bool in_order = true;
  std::array<uint16_t, kMaxNackItems> missing;
  size_t missing_count = 0;
  if (!s.rtp_started) {
    s.rtp_started = true;
    s.rtp_base = s.rtp_ext_highest = sequence_number;
  } else {
    const uint16_t delta =
        static_cast<uint16_t>(sequence_number - static_cast<uint16_t>(s.rtp_ext_highest));
    if (delta != 0 && delta < 0x8000) {
      for (uint32_t gap = 1; gap < delta && missing_count < kMaxNackItems; ++gap) {
        missing[missing_count++] = static_cast<uint16_t>(s.rtp_ext_highest + gap);
      }
      s.rtp_ext_highest += delta;
    } else {
      in_order = false;
    }
  }
  ++s.rtp_received;
  if (in_order) s.jitter.OnPacket(timestamp, now.nanos());
  if (missing_count > 0 && config_.send_nack && !media_stopped_ && &s == &stats_.video) {
    std::array<uint8_t, 512> buf;
    ByteWriter w(absl::MakeSpan(buf));
    if (rtp::WriteReceiverReport(config_.rtcp_ssrc, {}, &w) &&
        rtp::WriteNack(config_.rtcp_ssrc, s.ssrc,
                       absl::MakeConstSpan(missing.data(), missing_count), &w)) {
      ++stats_.nacks_sent;
      stats_.nack_items_sent += missing_count;
      SendRtcp(absl::MakeSpan(buf), w.position(), out);
    }
  }

  std::optional<MediaProbe> probe = MediaProbe::ReadFrom(payload);
  if (!probe.has_value()) {
    ++s.without_probe;
    return;
  }
  const SequenceTracker::Arrival arrival = s.probe.Record(probe->sequence);
  if (arrival == SequenceTracker::Arrival::kDuplicate ||
      arrival == SequenceTracker::Arrival::kTooOld) {
    return;
  }
  const int64_t latency_us = (now.nanos() - probe->send_ns) / 1000;
  s.latency_sum_us += latency_us;
  s.latency_max_us = std::max(s.latency_max_us, latency_us);
  ++s.latency_samples;
  if (latency_ != nullptr) latency_->Record(latency_us);
}

void SimPeer::HandleRtcp(Instant now, absl::Span<uint8_t> datagram, Outbox& out) {
  if (!srtp_.has_value()) return;
  size_t len = 0;
  if (srtp_->inbound.UnprotectRtcp(datagram, datagram.size(), &len) != srtp::SrtpResult::kOk) {
    ++stats_.srtp_errors;
    return;
  }
  rtp::RtcpCompoundIterator it(datagram.subspan(0, len));
  rtp::RtcpPacketView packet;
  while (it.Next(&packet)) {
    switch (rtp::ClassifyRtcp(packet)) {
      case rtp::RtcpKind::kSenderReport:
        if (std::optional<rtp::SenderReportView> sr = rtp::ParseSenderReport(packet)) {
          ++stats_.sr_received;
          ReceiveStreamStats* s = nullptr;
          if (sr->sender_ssrc == stats_.audio.ssrc && stats_.audio.rtp_started) s = &stats_.audio;
          if (sr->sender_ssrc == stats_.video.ssrc && stats_.video.rtp_started) s = &stats_.video;
          if (sr->sender_ssrc == config_.remote_audio_ssrc) s = &stats_.audio;
          if (sr->sender_ssrc == config_.remote_video_ssrc) s = &stats_.video;
          if (s != nullptr) {
            s->last_sr_middle = static_cast<uint32_t>(sr->sender_info.ntp_timestamp >> 16);
            s->last_sr_arrival = now;
          }
        }
        break;
      case rtp::RtcpKind::kReceiverReport:
        ++stats_.rr_received;
        break;
      case rtp::RtcpKind::kNack:
        if (std::optional<rtp::NackView> nack = rtp::ParseNack(packet)) {
          ++stats_.nacks_received;
          std::array<uint16_t, kMaxNackItems> lost;
          const size_t n = rtp::ExpandNack(*nack, absl::MakeSpan(lost));
          OnNack(nack->media_ssrc, absl::MakeConstSpan(lost.data(), n), out);
        }
        break;
      case rtp::RtcpKind::kPli:
        ++stats_.plis_received;
        keyframe_requested_ = true;
        break;
      case rtp::RtcpKind::kFir:
        ++stats_.firs_received;
        keyframe_requested_ = true;
        break;
      default:
        break;
    }
  }
}

void SimPeer::OnNack(uint32_t media_ssrc, absl::Span<const uint16_t> lost, Outbox& out) {
  if (config_.role != PeerRole::kPublisher || media_stopped_) return;
  for (const std::optional<PublisherStream>* stream : {&audio_out_, &video_out_}) {
    if (!stream->has_value() || (*stream)->ssrc() != media_ssrc) continue;
    for (uint16_t seq : lost) {
      // RFC 4588 §3 would resend on an RTX stream; none is negotiated, so the packet is resent
      // as it was (same SSRC and sequence number, and the probe's first send time), which RFC
      // 4585 §3.1 allows. At once, not behind queued video: libwebrtc's pacer sends
      // retransmissions ahead of new media.
      if (const PublisherStream::Packet* p = (*stream)->Find(seq)) {
        WriteRtp(**stream, *p, /*retransmission=*/true, out);
      }
    }
  }
}

}  // namespace sfu::loadgen
