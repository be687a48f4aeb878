// RTCP reports: receiver reports to publishers and sender reports to subscribers, with the
// expected fields worked out by hand from RFC 3550 §6.4 and Appendix A.3/A.8.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/rtp/rtcp_packet.h"
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
constexpr uint64_t kNtpBase = uint64_t{0xE0000000} << 32;

// Runs every timer up to `until`; returns the outputs with the Instant each was produced at.
struct Timed {
  Instant at;
  Out out;
};
std::vector<Timed> RunTimers(Router* router, OutputBatch* batch, Instant until) {
  std::vector<Timed> all;
  for (int i = 0; i < 100 && router->NextTimeout() <= until; ++i) {
    const Instant at = router->NextTimeout();
    router->OnTimeout(at, batch);
    for (Out& o : Drain(batch)) all.push_back(Timed{at, std::move(o)});
  }
  return all;
}

TEST(RouterReportsTest, ReceiverReportToPublisher) {
  Router router;
  OutputBatch batch(64, 64 * 1600);
  router.SetNtpClock(Instant(), kNtpBase);
  ASSERT_TRUE(router.AddPublisher(kPublisher, AvPublisher()).ok());
  // 10 packets at 20 ms (1800 ticks at 90 kHz); #3 and #7 lost, #5 arrives 5 ms late (450 ticks).
  for (int i = 0; i < 10; ++i) {
    if (i == 3 || i == 7) continue;
    Pkt p;
    p.seq = static_cast<uint16_t>(5000 + i);
    p.ts = 1800u * i;
    router.OnRtp(kT0 + milliseconds(20 * i + (i == 5 ? 5 : 0)), kPublisher, Build(p), &batch);
  }
  // The publisher's SR, received 200 ms in.
  std::vector<uint8_t> sr(64);
  ByteWriter w(absl::MakeSpan(sr));
  rtp::SenderInfo info;
  info.ntp_timestamp = 0x0000AAAABBBB0000ULL;
  info.rtp_timestamp = 123;
  ASSERT_TRUE(rtp::WriteSenderReport(kVideoSsrc, info, {}, &w));
  sr.resize(w.position());
  const Instant sr_at = kT0 + milliseconds(200);
  router.OnRtcp(sr_at, kPublisher, sr, &batch);
  // Timers also carry the NACKs for #3 and #7 (compounds led by an empty RR); the report is
  // the RR with a block, between 0.5 and 1.5 report intervals after the first packet.
  auto outs = RunTimers(&router, &batch, kT0 + milliseconds(1500));
  std::optional<rtp::ReportBlock> block;
  Instant due;
  size_t reports = 0;
  for (const Timed& t : outs) {
    EXPECT_EQ(t.out.meta.peer, kPublisher);
    rtp::RtcpCompoundIterator it(t.out.bytes);
    rtp::RtcpPacketView p;
    ASSERT_TRUE(it.Next(&p));
    auto rr = rtp::ParseReceiverReport(p);
    ASSERT_TRUE(rr.has_value());
    EXPECT_EQ(rr->sender_ssrc, 1u);
    if (rr->report_count() == 0) continue;
    ++reports;
    ASSERT_EQ(rr->report_count(), 1u);  // audio has received nothing
    rtp::ReportBlockIterator blocks = rr->blocks();
    block.emplace();
    ASSERT_TRUE(blocks.Next(&*block));
    due = t.at;
  }
  ASSERT_EQ(reports, 1u);
  EXPECT_GE(due, kT0 + milliseconds(500));
  EXPECT_LT(due, kT0 + milliseconds(1500));
  const rtp::ReportBlock& b = *block;
  EXPECT_EQ(b.ssrc, kVideoSsrc);
  EXPECT_EQ(b.fraction_lost, 51);  // 2 of 10: 2 * 256 / 10
  EXPECT_EQ(b.cumulative_lost, 2);
  EXPECT_EQ(b.extended_highest_seq, 5009u);
  // |D| = 450 then 450 (transit back to 0), then 0, 0: J = 28.1, 54.5, 51.1, 47.9 -> 47.
  EXPECT_EQ(b.jitter, 47u);
  EXPECT_EQ(b.last_sr, 0xAAAABBBBu);
  // DLSR in 1/65536 s, truncated.
  const int64_t held_ns = (due - sr_at).count();
  EXPECT_EQ(b.delay_since_last_sr, static_cast<uint32_t>((held_ns << 16) / 1'000'000'000));
  EXPECT_EQ(router.stats().receiver_reports_sent, 1u);
  // The next one comes again within [0.5, 1.5) s, with this interval's (zero) loss.
  const Instant next = router.NextTimeout();
  EXPECT_GE(next, due + milliseconds(500));
  EXPECT_LT(next, due + milliseconds(1500));
}

TEST(RouterReportsTest, SenderReportToSubscriberExtrapolatesPublisherClock) {
  Router router;
  OutputBatch batch(64, 64 * 1600);
  router.SetNtpClock(Instant(), kNtpBase);
  ASSERT_TRUE(router.AddPublisher(kPublisher, AvPublisher()).ok());
  ASSERT_TRUE(router.AddSubscriber(10, AvSubscriber(10)).ok());
  Pkt key;
  key.seq = 1;
  key.ts = 90000;
  key.payload = Vp8Key();
  Pkt delta;
  delta.seq = 2;
  delta.ts = 91800;
  delta.payload = Vp8Delta();
  router.OnRtp(kT0, kPublisher, Build(key), &batch);
  router.OnRtp(kT0 + milliseconds(20), kPublisher, Build(delta), &batch);
  Drain(&batch);
  // Publisher SR at +30 ms: its RTP clock reads 92700 then.
  std::vector<uint8_t> sr(64);
  ByteWriter w(absl::MakeSpan(sr));
  rtp::SenderInfo info;
  info.ntp_timestamp = 0x1234567800000000ULL;  // the publisher's wall clock: not ours
  info.rtp_timestamp = 92700;
  ASSERT_TRUE(rtp::WriteSenderReport(kVideoSsrc, info, {}, &w));
  sr.resize(w.position());
  router.OnRtcp(kT0 + milliseconds(30), kPublisher, sr, &batch);

  auto outs = RunTimers(&router, &batch, kT0 + std::chrono::seconds(2));
  const Timed* to_sub = nullptr;
  for (const Timed& t : outs) {
    if (t.out.meta.peer == 10 && t.out.meta.kind == OutputKind::kRtcp) {
      to_sub = &t;
      break;
    }
  }
  ASSERT_NE(to_sub, nullptr);
  rtp::RtcpCompoundIterator it(to_sub->out.bytes);
  rtp::RtcpPacketView p;
  ASSERT_TRUE(it.Next(&p));
  auto parsed = rtp::ParseSenderReport(p);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(it.Next(&p));  // only the video slot has sent anything
  EXPECT_EQ(parsed->sender_ssrc, SubVideoSsrc(10));
  // NTP: the base plus the elapsed monotonic time, 32.32.
  const int64_t ns = to_sub->at.nanos();
  const uint64_t expected_ntp = kNtpBase + (uint64_t(ns / 1'000'000'000) << 32) +
                                ((uint64_t(ns % 1'000'000'000) << 32) / 1'000'000'000);
  EXPECT_EQ(parsed->sender_info.ntp_timestamp, expected_ntp);
  // RTP: 92700 at the SR's arrival, plus 90 ticks per ms since (offset 0: first layer).
  const int64_t since_sr_ns = (to_sub->at - (kT0 + milliseconds(30))).count();
  EXPECT_EQ(parsed->sender_info.rtp_timestamp,
            static_cast<uint32_t>(92700 + since_sr_ns * 90000 / 1'000'000'000));
  EXPECT_EQ(parsed->sender_info.packet_count, 2u);
  EXPECT_EQ(parsed->sender_info.octet_count, Vp8Key().size() + Vp8Delta().size());
  EXPECT_GE(router.stats().sender_reports_sent, 1u);
}

TEST(RouterReportsTest, SenderReportWithoutPublisherSrUsesLastPacket) {
  Router router;
  OutputBatch batch(64, 64 * 1600);
  ASSERT_TRUE(router.AddPublisher(kPublisher, AvPublisher()).ok());
  ASSERT_TRUE(router.AddSubscriber(10, AvSubscriber(10)).ok());
  Pkt audio;
  audio.ssrc = kAudioSsrc;
  audio.pt = kPubOpus;
  audio.ts = 48000;
  audio.payload = {1, 2, 3, 4};
  router.OnRtp(kT0, kPublisher, Build(audio), &batch);
  Drain(&batch);
  auto outs = RunTimers(&router, &batch, kT0 + std::chrono::seconds(8));
  const Timed* to_sub = nullptr;
  for (const Timed& t : outs) {
    if (t.out.meta.peer == 10) to_sub = &t;
  }
  ASSERT_NE(to_sub, nullptr);
  rtp::RtcpCompoundIterator it(to_sub->out.bytes);
  rtp::RtcpPacketView p;
  ASSERT_TRUE(it.Next(&p));
  auto parsed = rtp::ParseSenderReport(p);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->sender_ssrc, SubAudioSsrc(10));
  const int64_t since_ns = (to_sub->at - kT0).count();
  EXPECT_EQ(parsed->sender_info.rtp_timestamp,
            static_cast<uint32_t>(48000 + since_ns * 48000 / 1'000'000'000));
  EXPECT_EQ(parsed->sender_info.packet_count, 1u);
  EXPECT_EQ(parsed->sender_info.octet_count, 4u);
}

TEST(RouterReportsTest, ManySubscribersAreReportedInFewPasses) {
  // 200 subscribers with jittered report times: each still gets its sender reports about once a
  // second, but the Router walks its sessions at most once per report_scan_interval instead of
  // once per individual deadline (which is O(sessions^2) per second).
  constexpr PeerId kFirst = 10;
  constexpr int kSubscribers = 200;
  Router router;
  OutputBatch batch(1024, 1024 * 1600);
  router.SetNtpClock(Instant(), kNtpBase);
  ASSERT_TRUE(router.AddPublisher(kPublisher, AvPublisher()).ok());
  for (int i = 0; i < kSubscribers; ++i) {
    const PeerId id = kFirst + static_cast<PeerId>(i);
    ASSERT_TRUE(router.AddSubscriber(id, AvSubscriber(id)).ok());
  }
  Pkt key;
  key.seq = 1;
  key.ts = 90000;
  key.payload = Vp8Key();
  router.OnRtp(kT0, kPublisher, Build(key), &batch);
  Drain(&batch);
  std::vector<int> reports(kSubscribers, 0);
  std::vector<Instant> passes;
  const Instant until = kT0 + std::chrono::seconds(10);
  for (int i = 0; i < 100000 && router.NextTimeout() <= until; ++i) {
    const Instant at = router.NextTimeout();
    router.OnTimeout(at, &batch);
    bool reported = false;
    for (const Out& o : Drain(&batch)) {
      if (o.meta.kind != OutputKind::kRtcp || o.meta.peer < kFirst) continue;
      ++reports[o.meta.peer - kFirst];
      reported = true;
    }
    if (reported) passes.push_back(at);
  }
  for (int i = 0; i < kSubscribers; ++i) {
    // About one a second for 10 s (intervals jittered within [0.5, 1.5) s, plus the pass grain).
    EXPECT_GE(reports[i], 6) << "subscriber " << i;
    EXPECT_LE(reports[i], 21) << "subscriber " << i;
  }
  for (size_t i = 1; i < passes.size(); ++i) {
    EXPECT_GE(passes[i] - passes[i - 1], RouterConfig().report_scan_interval);
  }
  // 2,000 reports in 10 s went out in at most one pass per 20 ms, not one per report.
  EXPECT_LE(passes.size(), 10u * 1000 / 20 + 1);
  EXPECT_LT(passes.size(), 2000u / 2);
}

}  // namespace
}  // namespace sfu::sfu
