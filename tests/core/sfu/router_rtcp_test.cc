// Router RTCP feedback: NACK answering and generation, PLI/FIR forwarding, REMB/TWCC/RTT.
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_remb.h"
#include "core/rtp/rtcp_report.h"
#include "core/rtp/rtp_packet.h"
#include "core/sfu/router.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/router_test_util.h"

namespace sfu::sfu {
namespace {

using namespace router_testing;  // NOLINT: test vocabulary
using std::chrono::milliseconds;

const Instant kT0 = Instant() + std::chrono::seconds(100);

std::vector<uint8_t> Rtcp(const std::function<void(ByteWriter*)>& write) {
  std::vector<uint8_t> buf(1500);
  ByteWriter w(absl::MakeSpan(buf));
  write(&w);
  EXPECT_TRUE(w.ok());
  buf.resize(w.position());
  return buf;
}

std::vector<uint16_t> NacksIn(const std::vector<uint8_t>& compound, uint32_t* media_ssrc) {
  std::vector<uint16_t> lost;
  rtp::RtcpCompoundIterator it(compound);
  rtp::RtcpPacketView p;
  while (it.Next(&p)) {
    if (auto nack = rtp::ParseNack(p)) {
      *media_ssrc = nack->media_ssrc;
      rtp::NackLostIterator l = nack->lost();
      uint16_t seq;
      while (l.Next(&seq)) lost.push_back(seq);
    }
  }
  return lost;
}

class RouterRtcpTest : public ::testing::Test {
 protected:
  RouterRtcpTest() : router_(Config()), batch_(256, 256 * 1600) {}
  static RouterConfig Config() {
    RouterConfig c;
    c.nack_max_retries = 2;
    c.publisher_rtt = milliseconds(100);
    c.nack_reorder_delay = milliseconds(5);
    return c;
  }
  void SetUp() override {
    ASSERT_TRUE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
    ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10, /*rtx=*/true)).ok());
    ASSERT_TRUE(router_.AddSubscriber(11, AvSubscriber(11, /*rtx=*/false)).ok());
  }
  void Send(Instant now, uint16_t seq, std::vector<uint8_t> payload) {
    Pkt p;
    p.seq = seq;
    p.ts = 90u * seq;
    p.payload = std::move(payload);
    router_.OnRtp(now, kPublisher, Build(p), &batch_);
  }
  std::vector<Out> FromSubscriber(Instant now, PeerId sub, const std::vector<uint8_t>& rtcp) {
    router_.OnRtcp(now, sub, rtcp, &batch_);
    return Drain(&batch_);
  }

  Router router_;
  OutputBatch batch_;
};

TEST_F(RouterRtcpTest, NackAnsweredAsRtxOrPlainAndMissesCounted) {
  const uint16_t s10 = router_.slot_state(10, 1)->next_sequence_number;
  const uint16_t s11 = router_.slot_state(11, 1)->next_sequence_number;
  Send(kT0, 1000, Vp8Key());
  Send(kT0 + milliseconds(1), 1001, Vp8Delta(1));
  Send(kT0 + milliseconds(2), 1002, Vp8Delta(2));
  Drain(&batch_);
  const uint16_t lost10[] = {static_cast<uint16_t>(s10 + 1), static_cast<uint16_t>(s10 + 50)};
  auto out = FromSubscriber(kT0 + milliseconds(30), 10, Rtcp([&](ByteWriter* w) {
                              rtp::WriteReceiverReport(SubVideoSsrc(10) + 1, {}, w);
                              rtp::WriteNack(7, SubVideoSsrc(10), lost10, w);
                            }));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].meta.kind, OutputKind::kRtp);
  EXPECT_EQ(out[0].meta.peer, 10u);
  auto rtx = rtp::ParseRtpPacket(out[0].bytes);
  ASSERT_TRUE(rtx.has_value());
  // RFC 4588 §4: RTX SSRC and PT, its own sequence, OSN then the original payload.
  EXPECT_EQ(rtx->ssrc, SubVideoRtxSsrc(10));
  EXPECT_EQ(rtx->payload_type, kSubRtx);
  EXPECT_EQ(rtx->timestamp, 90u * 1001);
  std::vector<uint8_t> expected = {static_cast<uint8_t>((s10 + 1) >> 8),
                                   static_cast<uint8_t>(s10 + 1)};
  const std::vector<uint8_t> original = Vp8Delta(1);
  expected.insert(expected.end(), original.begin(), original.end());
  EXPECT_EQ(std::vector<uint8_t>(rtx->payload.begin(), rtx->payload.end()), expected);
  EXPECT_TRUE(rtx->FindExtension(kSubAbsSendTimeId).has_value());
  const uint16_t first_rtx_seq = rtx->sequence_number;

  const uint16_t lost11[] = {static_cast<uint16_t>(s11 + 2)};
  out =
      FromSubscriber(kT0 + milliseconds(31), 11,
                     Rtcp([&](ByteWriter* w) { rtp::WriteNack(8, SubVideoSsrc(11), lost11, w); }));
  ASSERT_EQ(out.size(), 1u);
  auto plain = rtp::ParseRtpPacket(out[0].bytes);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->ssrc, SubVideoSsrc(11));
  EXPECT_EQ(plain->payload_type, kSubVp8);
  EXPECT_EQ(plain->sequence_number, static_cast<uint16_t>(s11 + 2));
  EXPECT_EQ(std::vector<uint8_t>(plain->payload.begin(), plain->payload.end()), Vp8Delta(2));

  // A second RTX continues the RTX sequence.
  const uint16_t again[] = {static_cast<uint16_t>(s10 + 2)};
  out = FromSubscriber(kT0 + milliseconds(32), 10,
                       Rtcp([&](ByteWriter* w) { rtp::WriteNack(7, SubVideoSsrc(10), again, w); }));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(rtp::ParseRtpPacket(out[0].bytes)->sequence_number,
            static_cast<uint16_t>(first_rtx_seq + 1));

  // Too old for the buffer: missed.
  out = FromSubscriber(kT0 + milliseconds(1500), 10,
                       Rtcp([&](ByteWriter* w) { rtp::WriteNack(7, SubVideoSsrc(10), again, w); }));
  EXPECT_TRUE(out.empty());
  const RouterStats& s = router_.stats();
  EXPECT_EQ(s.nacks_received, 5u);
  EXPECT_EQ(s.nacks_answered, 3u);
  EXPECT_EQ(s.nacks_missed, 2u);
  EXPECT_EQ(s.retransmissions, 3u);
}

TEST_F(RouterRtcpTest, PublisherLossIsNackedWithRetryLimit) {
  Send(kT0, 1000, Vp8Key());
  Send(kT0, 1001, Vp8Delta());
  Send(kT0, 1004, Vp8Delta());
  Drain(&batch_);
  EXPECT_EQ(router_.NextTimeout(), kT0 + milliseconds(5));
  router_.OnTimeout(kT0 + milliseconds(5), &batch_);
  auto out = OfKind(Drain(&batch_), OutputKind::kRtcp, kPublisher);
  ASSERT_EQ(out.size(), 1u);
  uint32_t media = 0;
  EXPECT_EQ(NacksIn(out[0].bytes, &media), (std::vector<uint16_t>{1002, 1003}));
  EXPECT_EQ(media, kVideoSsrc);
  router_.OnTimeout(kT0 + milliseconds(50), &batch_);
  EXPECT_TRUE(Drain(&batch_).empty());
  EXPECT_EQ(router_.NextTimeout(), kT0 + milliseconds(105));
  router_.OnTimeout(kT0 + milliseconds(105), &batch_);
  out = OfKind(Drain(&batch_), OutputKind::kRtcp, kPublisher);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(NacksIn(out[0].bytes, &media), (std::vector<uint16_t>{1002, 1003}));
  // 1002 recovered by RTX; 1003 has had its two tries and is abandoned.
  Pkt lost;
  lost.seq = 1002;
  router_.OnRtp(kT0 + milliseconds(150), kPublisher, BuildRtx(lost, 1), &batch_);
  Drain(&batch_);
  router_.OnTimeout(kT0 + milliseconds(205), &batch_);
  EXPECT_TRUE(OfKind(Drain(&batch_), OutputKind::kRtcp, kPublisher).empty());
  EXPECT_EQ(router_.stats().nacks_sent, 4u);
  EXPECT_EQ(router_.stats().nack_gaps_abandoned, 1u);
  EXPECT_EQ(router_.stats().recovered_packets, 1u);
}

// Chromium offers no "a=rtcp-fb:111 nack" for opus; NACKs sfud sent for its audio anyway showed
// up in its getStats (nackCount) and were never answered. Only codecs with NACK are NACKed.
TEST_F(RouterRtcpTest, NoNacksForACodecWithoutNegotiatedNack) {
  Router router(Config());  // its own publisher, not the fixture's
  OutputBatch batch(256, 256 * 1600);
  PublisherConfig config = AvPublisher();
  config.tracks[0].codecs[0].nack = false;  // audio: opus without NACK
  ASSERT_TRUE(router.AddPublisher(kPublisher, config).ok());
  ASSERT_TRUE(router.AddSubscriber(10, AvSubscriber(10)).ok());
  auto send = [&](Instant now, uint32_t ssrc, uint8_t pt, uint16_t seq) {
    Pkt p;
    p.ssrc = ssrc;
    p.pt = pt;
    p.seq = seq;
    p.payload = pt == kPubVp8 ? (seq == 1000 ? Vp8Key() : Vp8Delta())
                              : std::vector<uint8_t>{0xf8, 0xff, 0xfe};
    router.OnRtp(now, kPublisher, Build(p), &batch);
  };
  for (uint16_t seq : {1000, 1001, 1004}) {
    send(kT0, kAudioSsrc, kPubOpus, seq);
    send(kT0, kVideoSsrc, kPubVp8, seq);
  }
  Drain(&batch);
  router.OnTimeout(kT0 + milliseconds(5), &batch);
  std::vector<Out> out = OfKind(Drain(&batch), OutputKind::kRtcp, kPublisher);
  ASSERT_EQ(out.size(), 1u);  // the video NACK only
  uint32_t media = 0;
  EXPECT_EQ(NacksIn(out[0].bytes, &media), (std::vector<uint16_t>{1002, 1003}));
  EXPECT_EQ(media, kVideoSsrc);
  EXPECT_EQ(router.stats().nacks_sent, 2u);
}

TEST_F(RouterRtcpTest, PliDeduplicatedAcrossSubscribersAndRateLimited) {
  Send(kT0, 1000, Vp8Key());
  Drain(&batch_);
  auto pli = [&](PeerId sub) {
    return Rtcp([&](ByteWriter* w) { rtp::WritePli(SubVideoSsrc(sub), SubVideoSsrc(sub), w); });
  };
  const Instant t = kT0 + std::chrono::seconds(1);
  auto out = OfKind(FromSubscriber(t, 10, pli(10)), OutputKind::kRtcp, kPublisher);
  ASSERT_EQ(out.size(), 1u);
  rtp::RtcpCompoundIterator it(out[0].bytes);
  rtp::RtcpPacketView p;
  bool found = false;
  while (it.Next(&p)) {
    if (auto v = rtp::ParsePli(p)) {
      found = true;
      EXPECT_EQ(v->media_ssrc, kVideoSsrc);
      EXPECT_EQ(v->sender_ssrc, 1u);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(FromSubscriber(t + milliseconds(10), 11, pli(11)).empty());
  EXPECT_TRUE(FromSubscriber(t + milliseconds(499), 10, pli(10)).empty());
  EXPECT_EQ(FromSubscriber(t + milliseconds(500), 11, pli(11)).size(), 1u);
  EXPECT_EQ(router_.stats().pli_received, 4u);
  EXPECT_EQ(router_.stats().pli_forwarded, 2u);
  EXPECT_EQ(router_.stats().keyframe_requests_deduped, 2u);
}

TEST_F(RouterRtcpTest, FirSequenceNumberIncrementsPerNewRequest) {
  Send(kT0, 1000, Vp8Key());
  Drain(&batch_);
  auto fir = [&](uint8_t seq) {
    const rtp::FirEntry e{SubVideoSsrc(10), seq};
    return Rtcp([&](ByteWriter* w) { rtp::WriteFir(SubVideoSsrc(10), {&e, 1}, w); });
  };
  auto fir_seq_sent = [&](const std::vector<Out>& out) -> int {
    for (const Out& o : out) {
      rtp::RtcpCompoundIterator it(o.bytes);
      rtp::RtcpPacketView p;
      while (it.Next(&p)) {
        if (auto f = rtp::ParseFir(p)) {
          rtp::FirEntryIterator entries = f->entries();
          rtp::FirEntry e;
          if (entries.Next(&e) && e.ssrc == kVideoSsrc) return e.seq_nr;
        }
      }
    }
    return -1;
  };
  EXPECT_EQ(fir_seq_sent(FromSubscriber(kT0 + std::chrono::seconds(1), 10, fir(5))), 1);
  // A repeated request (same seq nr) is a retransmission: not forwarded again.
  EXPECT_EQ(fir_seq_sent(FromSubscriber(kT0 + std::chrono::seconds(2), 10, fir(5))), -1);
  EXPECT_EQ(fir_seq_sent(FromSubscriber(kT0 + std::chrono::seconds(3), 10, fir(6))), 2);
  EXPECT_EQ(router_.stats().fir_received, 3u);
  EXPECT_EQ(router_.stats().fir_forwarded, 2u);
}

TEST_F(RouterRtcpTest, RembTwccAndRttExposedPerSubscriber) {
  router_.SetNtpClock(Instant(), uint64_t{0xE0000000} << 32);
  FromSubscriber(kT0, 10, Rtcp([&](ByteWriter* w) {
                   const uint32_t ssrcs[] = {SubVideoSsrc(10)};
                   rtp::WriteRemb(SubVideoSsrc(10), 1'500'000, ssrcs, w);
                 }));
  EXPECT_EQ(router_.subscriber_feedback(10)->remb_bps, 1'500'000u);
  EXPECT_EQ(router_.subscriber_feedback(10)->remb_at, kT0);
  // Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): base 100,
  // 5 packets, one status vector chunk of 1-bit symbols 1 0 1 1 0, three 1-byte deltas.
  const std::vector<uint8_t> twcc = {0x8F, 205,  0x00, 0x06,                  // FMT 15, length 6
                                     0x50, 0x00, 0x00, 0x0A,                  // sender SSRC
                                     0x00, 0x00, 0x00, 0x00,                  // media SSRC
                                     0x00, 100,  0x00, 0x05,                  // base, count
                                     0x00, 0x00, 0x01, 0x00,                  // ref time, fb count
                                     0xAC, 0x00, 0x04, 0x04, 0x04, 0, 0, 0};  // chunk, deltas
  FromSubscriber(kT0, 10, twcc);
  SubscriberFeedback fb = *router_.subscriber_feedback(10);
  EXPECT_EQ(fb.twcc_feedbacks, 1u);
  EXPECT_EQ(fb.twcc_packets_reported, 5u);
  EXPECT_EQ(fb.twcc_packets_lost, 2u);
  EXPECT_EQ(fb.twcc_last_base_seq, 100);
  // RFC 3550 §6.4.1: the subscriber got our SR at kT0 (LSR = its NTP's middle bits), held it 10 ms
  // (DLSR 655/65536 s) and its RR arrives 60 ms after: RTT = 50 ms.
  const uint64_t sr_ntp = (uint64_t{0xE0000000} << 32) + (uint64_t{100} << 32);
  rtp::ReportBlock block;
  block.ssrc = SubVideoSsrc(10);
  block.last_sr = static_cast<uint32_t>(sr_ntp >> 16);
  block.delay_since_last_sr = 655;
  FromSubscriber(kT0 + milliseconds(60), 10, Rtcp([&](ByteWriter* w) {
                   rtp::WriteReceiverReport(SubVideoSsrc(10), {&block, 1}, w);
                 }));
  fb = *router_.subscriber_feedback(10);
  ASSERT_TRUE(fb.rtt.has_value());
  const double rtt_ms = std::chrono::duration<double, std::milli>(*fb.rtt).count();
  EXPECT_NEAR(rtt_ms, 50.0, 0.05);
}

}  // namespace
}  // namespace sfu::sfu
