// Steady-state forwarding allocates nothing: RTP fan-out, publisher RTX, subscriber NACK/PLI/REMB/
// RR, publisher SR, and the timers (NACKs, RR, SR) all run inside a counting scope.
//
// The counting allocator is shared by the sfu_test suites (alloc_counter.h): it counts only while
// an AllocationCounter is alive and otherwise just forwards to malloc.
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_remb.h"
#include "core/rtp/rtcp_report.h"
#include "core/sfu/router.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/alloc_counter.h"
#include "tests/core/sfu/router_test_util.h"

namespace sfu::sfu {
namespace {

using namespace router_testing;  // NOLINT: test vocabulary
using std::chrono::milliseconds;
using testing_alloc::AllocationCounter;

std::vector<uint8_t> Rtcp(void (*write)(ByteWriter*, PeerId), PeerId sub) {
  std::vector<uint8_t> buf(512);
  ByteWriter w(absl::MakeSpan(buf));
  write(&w, sub);
  buf.resize(w.position());
  return buf;
}

TEST(RouterAllocationTest, CounterIsLive) {
  uint64_t n;
  {
    AllocationCounter counter;
    auto* v = new std::vector<int>(10);
    delete v;
    n = counter.count();
  }
  EXPECT_GE(n, 2u);
}

TEST(RouterAllocationTest, SteadyStateForwardingAllocatesNothing) {
  Router router;
  OutputBatch batch(1024, 1024 * 1600);
  ASSERT_TRUE(router.AddPublisher(kPublisher, AvPublisher()).ok());
  constexpr PeerId kSubs[] = {10, 11, 12, 13, 14};
  for (PeerId s : kSubs) ASSERT_TRUE(router.AddSubscriber(s, AvSubscriber(s, s % 2 == 0)).ok());

  // Everything the loop feeds is built up front.
  constexpr int kPackets = 3000;
  std::vector<std::vector<uint8_t>> packets;
  packets.reserve(kPackets);
  for (int i = 0; i < kPackets; ++i) {
    Pkt p;
    if (i % 3 == 0) {
      p.ssrc = kAudioSsrc;
      p.pt = kPubOpus;
      p.seq = static_cast<uint16_t>(65000 + i / 3);
      p.ts = 960u * (i / 3);
      p.payload = std::vector<uint8_t>(80, 0x11);
    } else {
      p.seq = static_cast<uint16_t>(65500 + i);  // wraps
      p.ts = 3000u * (i / 30);
      p.payload = (i % 300 == 1) ? Vp8Key() : std::vector<uint8_t>(1000, 0x22);
    }
    packets.push_back(Build(p));
  }
  Pkt rtx_original;
  rtx_original.seq = static_cast<uint16_t>(65500 + 500);
  rtx_original.payload = std::vector<uint8_t>(1000, 0x22);
  const std::vector<uint8_t> rtx = BuildRtx(rtx_original, 77);
  std::vector<std::vector<uint8_t>> feedback;
  for (PeerId s : kSubs) {
    feedback.push_back(Rtcp(
        [](ByteWriter* w, PeerId sub) {
          const uint16_t lost[] = {1, 2, 3, 40, 41};
          rtp::WriteReceiverReport(SubVideoSsrc(sub), {}, w);
          rtp::WriteNack(SubVideoSsrc(sub), SubVideoSsrc(sub), lost, w);
          rtp::WritePli(SubVideoSsrc(sub), SubVideoSsrc(sub), w);
          const uint32_t ssrcs[] = {SubVideoSsrc(sub)};
          rtp::WriteRemb(SubVideoSsrc(sub), 2'000'000, ssrcs, w);
        },
        s));
  }
  std::vector<uint8_t> sr(64);
  {
    ByteWriter w(absl::MakeSpan(sr));
    rtp::SenderInfo info;
    info.ntp_timestamp = 0x0123456789ABCDEFULL;
    ASSERT_TRUE(rtp::WriteSenderReport(kVideoSsrc, info, {}, &w));
    sr.resize(w.position());
  }

  Instant now = Instant() + std::chrono::seconds(10);
  auto step = [&](int i) {
    now += milliseconds(1);
    // Drop every 50th video packet on the way in (publisher loss -> NACKs to it).
    if (i % 50 != 7) router.OnRtp(now, kPublisher, packets[i], &batch);
    if (i == 600) router.OnRtp(now, kPublisher, rtx, &batch);
    if (i % 100 == 0) router.OnRtcp(now, kSubs[(i / 100) % 5], feedback[(i / 100) % 5], &batch);
    if (i % 500 == 0) router.OnRtcp(now, kPublisher, sr, &batch);
    if (router.NextTimeout() <= now) router.OnTimeout(now, &batch);
    batch.Clear();
  };
  // Warm-up: the first packets and the first timers take every first-time path.
  for (int i = 0; i < 600; ++i) step(i);
  uint64_t allocations;
  {
    AllocationCounter counter;
    for (int i = 600; i < kPackets; ++i) step(i);
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
  const RouterStats& s = router.stats();
  EXPECT_GT(s.packets_forwarded, 10000u);
  EXPECT_GT(s.nacks_sent, 0u);
  EXPECT_GT(s.receiver_reports_sent, 0u);
  EXPECT_GT(s.sender_reports_sent, 0u);
  EXPECT_GT(s.retransmissions + s.nacks_missed, 0u);
  EXPECT_GT(s.pli_forwarded, 0u);
  EXPECT_EQ(s.dropped_output_full, 0u);
}

}  // namespace
}  // namespace sfu::sfu
