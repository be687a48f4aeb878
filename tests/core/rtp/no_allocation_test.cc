// Proves the packet-path claim of core/rtp: parsing, walking and rewriting allocate nothing. This
// binary replaces the global operator new/delete with counting versions (forwarding to malloc), so
// the count is exact for everything reached from the code under test.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "core/rtp/rtcp_bye.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_remb.h"
#include "core/rtp/rtcp_report.h"
#include "core/rtp/rtcp_sdes.h"
#include "core/rtp/rtcp_twcc.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/rtp_rewrite.h"
#include "core/rtp/seq_num.h"
#include "gtest/gtest.h"
#include "tests/core/rtp/rtcp_test_packets.h"
#include "tests/core/rtp/rtp_test_packets.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
// Out of line so gcc does not pair the inlined malloc with free and warn about a "mismatched"
// operator delete: both sides are ours and both use malloc/free.
[[gnu::noinline]] void Release(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }

namespace sfu::rtp {
namespace {

// Runs every parser and walk over `rtcp`; returns a checksum so nothing is optimised away.
uint64_t WalkRtcp(absl::Span<const uint8_t> rtcp) {
  uint64_t sum = 0;
  RtcpCompoundIterator it(rtcp);
  RtcpPacketView p;
  while (it.Next(&p)) {
    sum += static_cast<uint64_t>(ClassifyRtcp(p));
    if (auto rr = ParseReceiverReport(p)) {
      ReportBlockIterator b = rr->blocks();
      ReportBlock block;
      while (b.Next(&block)) sum += block.jitter;
    }
    if (auto sr = ParseSenderReport(p)) sum += sr->sender_info.packet_count;
    SdesChunkIterator chunks(p);
    SdesChunk chunk;
    while (chunks.Next(&chunk)) sum += chunk.FindItem(kSdesCname).has_value();
    if (auto bye = ParseBye(p)) sum += bye->ssrc(0);
    if (auto pli = ParsePli(p)) sum += pli->media_ssrc;
    if (auto nack = ParseNack(p)) {
      std::array<uint16_t, 64> lost;
      sum += ExpandNack(*nack, absl::MakeSpan(lost));
    }
    if (auto fir = ParseFir(p)) sum += fir->entry_count();
    if (auto remb = ParseRemb(p)) sum += remb->bitrate_bps;
    if (auto fb = ParseTransportFeedback(p)) {
      std::array<TwccPacketStatus, 64> out;
      sum += ExpandTransportFeedback(*fb, absl::MakeSpan(out));
    }
  }
  return sum;
}

TEST(NoAllocationTest, ParsersWalksAndRewritesDoNotAllocate) {
  // Inputs are built (and allocated) before counting starts.
  std::vector<uint8_t> opus = testing::ChromiumOpusPacket();
  const std::vector<uint8_t> two_byte = testing::ChromeCaptureTwoByte();
  const std::vector<std::vector<uint8_t>> rtcp = {
      testing::PionCaptureCompound(),  testing::ChromeCaptureTransportCc(),
      testing::SenderReportOneBlock(), testing::NackTwoEntries(),
      testing::FirTwoEntries(),        testing::RembTwoMbps()};
  RtpExtensionIdMap map;
  map.Set(1, 5);
  map.Set(3, 3);
  SeqNumUnwrapper unwrapper;

  const uint64_t before = g_allocations.load();
  uint64_t sum = 0;
  for (int round = 0; round < 10; ++round) {
    for (const auto& p : {absl::MakeConstSpan(opus), absl::MakeConstSpan(two_byte)}) {
      auto v = ParseRtpPacket(p);
      ASSERT_TRUE(v);
      RtpExtensionIterator it = v->extensions();
      RtpExtensionElement e;
      while (it.Next(&e)) sum += e.id;
      sum += v->FindExtension(3).has_value();
      sum += static_cast<uint64_t>(unwrapper.Unwrap(v->sequence_number));
    }
    ASSERT_TRUE(SetRtpSsrc(absl::MakeSpan(opus), 7));
    ASSERT_TRUE(SetRtpSequenceNumber(absl::MakeSpan(opus), static_cast<uint16_t>(round)));
    ASSERT_TRUE(SetRtpPayloadType(absl::MakeSpan(opus), 111));
    RemapRtpExtensionIds(absl::MakeSpan(opus), round == 0 ? map : RtpExtensionIdMap::Identity());
    for (const auto& d : rtcp) sum += WalkRtcp(d);
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_NE(sum, 0u);
}

// The counter is live (otherwise the test above would prove nothing).
TEST(NoAllocationTest, CounterSeesAllocations) {
  const std::vector<uint8_t> source = testing::PionCaptureCompound();
  const uint64_t before = g_allocations.load();
  std::vector<uint8_t> copy(source);
  copy.push_back(1);
  EXPECT_GE(g_allocations.load() - before, 1u);
  EXPECT_EQ(copy.size(), source.size() + 1);
}

}  // namespace
}  // namespace sfu::rtp
