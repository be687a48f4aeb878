// Hostile and malformed input: every case is counted and dropped, work stays bounded.
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/common/random.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_report.h"
#include "core/sfu/router.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/router_test_util.h"

namespace sfu::sfu {
namespace {

using namespace router_testing;  // NOLINT: test vocabulary
using std::chrono::milliseconds;

const Instant kT0 = Instant() + std::chrono::seconds(100);

class RouterHostileTest : public ::testing::Test {
 protected:
  RouterHostileTest() : batch_(1024, 1024 * 1600) {}
  void SetUp() override {
    ASSERT_TRUE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
    ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10)).ok());
    Pkt key;
    key.seq = 1000;
    key.payload = Vp8Key();
    router_.OnRtp(kT0, kPublisher, Build(key), &batch_);
    batch_.Clear();
  }
  Router router_;
  OutputBatch batch_;
};

TEST_F(RouterHostileTest, TruncatedRtpNeverReadsPastTheEnd) {
  Pkt p;
  p.seq = 1001;
  const std::vector<uint8_t> full = Build(p);
  for (size_t n = 0; n < full.size(); ++n) {
    // A fresh heap copy of exactly n bytes, so ASan sees any over-read.
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);
    router_.OnRtp(kT0, kPublisher, cut, &batch_);
    batch_.Clear();
  }
  EXPECT_GE(router_.stats().dropped_malformed, 12u);  // every cut inside the header
}

TEST_F(RouterHostileTest, UnknownPeersSsrcsAndPayloadTypesAreCounted) {
  Pkt p;
  p.seq = 1001;
  router_.OnRtp(kT0, 99, Build(p), &batch_);
  EXPECT_EQ(router_.stats().dropped_unknown_peer, 1u);
  p.ssrc = 0xDEADBEEF;
  router_.OnRtp(kT0, kPublisher, Build(p), &batch_);
  EXPECT_EQ(router_.stats().dropped_unknown_ssrc, 1u);
  p.ssrc = kVideoSsrc;
  p.pt = 50;
  router_.OnRtp(kT0, kPublisher, Build(p), &batch_);
  EXPECT_EQ(router_.stats().dropped_unknown_pt, 1u);
  // A subscriber's RTP is not forwarded anywhere.
  p.pt = kPubVp8;
  router_.OnRtp(kT0, 10, Build(p), &batch_);
  EXPECT_EQ(router_.stats().dropped_unknown_peer, 2u);
  router_.OnRtcp(kT0, 99, {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1}, &batch_);
  EXPECT_EQ(router_.stats().dropped_unknown_peer, 3u);
  EXPECT_TRUE(batch_.empty());
}

TEST_F(RouterHostileTest, NackStormCostsBoundedWork) {
  // 300 entries with every BLP bit set claim 5100 lost packets; the datagram budget stops at 256.
  std::vector<uint8_t> rtcp(1500);
  ByteWriter w(absl::MakeSpan(rtcp));
  w.WriteU8(0x81);  // V=2, FMT=1
  w.WriteU8(205);
  w.WriteU16(2 + 300);
  w.WriteU32(SubVideoSsrc(10));
  w.WriteU32(SubVideoSsrc(10));
  for (int i = 0; i < 300; ++i) {
    w.WriteU16(static_cast<uint16_t>(i * 17));
    w.WriteU16(0xFFFF);
  }
  ASSERT_TRUE(w.ok());
  rtcp.resize(w.position());
  router_.OnRtcp(kT0 + milliseconds(10), 10, rtcp, &batch_);
  const RouterStats& s = router_.stats();
  EXPECT_EQ(s.nacks_received, 256u);
  EXPECT_LE(batch_.size(), 256u);
  EXPECT_EQ(s.nacks_answered + s.nacks_missed + s.nacks_rate_limited, 256u);
}

TEST_F(RouterHostileTest, AncientAndUnknownNacksMissAndRetransmissionsAreRateLimited) {
  const uint16_t ancient[] = {1, 2, 3, 30000};
  std::vector<uint8_t> rtcp(256);
  ByteWriter w(absl::MakeSpan(rtcp));
  ASSERT_TRUE(rtp::WriteNack(1, SubVideoSsrc(10), ancient, &w));
  ASSERT_TRUE(rtp::WriteNack(1, 0x0BADBAD0, ancient, &w));  // not one of its SSRCs
  rtcp.resize(w.position());
  router_.OnRtcp(kT0 + milliseconds(10), 10, rtcp, &batch_);
  EXPECT_EQ(router_.stats().nacks_received, 8u);
  EXPECT_EQ(router_.stats().nacks_missed, 8u);
  EXPECT_TRUE(batch_.empty());

  // The same real packet NACKed again and again: the burst (200) is served, then the bucket
  // refills at 1000/s.
  const uint16_t s0 = static_cast<uint16_t>(router_.slot_state(10, 1)->next_sequence_number - 1);
  const uint16_t one[] = {s0};
  std::vector<uint8_t> nack(64);
  ByteWriter nw(absl::MakeSpan(nack));
  ASSERT_TRUE(rtp::WriteNack(1, SubVideoSsrc(10), one, &nw));
  nack.resize(nw.position());
  for (int i = 0; i < 250; ++i) router_.OnRtcp(kT0 + milliseconds(20), 10, nack, &batch_);
  EXPECT_EQ(router_.stats().nacks_answered, 200u);
  EXPECT_EQ(router_.stats().nacks_rate_limited, 50u);
  batch_.Clear();
  router_.OnRtcp(kT0 + milliseconds(30), 10, nack, &batch_);  // 10 ms later: 10 tokens
  EXPECT_EQ(router_.stats().nacks_answered, 201u);
}

TEST_F(RouterHostileTest, FullOutputBatchDropsInsteadOfGrowing) {
  ASSERT_TRUE(router_.AddSubscriber(11, AvSubscriber(11)).ok());
  ASSERT_TRUE(router_.AddSubscriber(12, AvSubscriber(12)).ok());
  OutputBatch tiny(1, 4096);
  Pkt p;
  p.seq = 1001;
  p.payload = Vp8Key();
  router_.OnRtp(kT0, kPublisher, Build(p), &tiny);
  EXPECT_EQ(tiny.size(), 1u);
  EXPECT_EQ(router_.stats().dropped_output_full, 2u);
}

TEST_F(RouterHostileTest, RandomAndMutatedDatagramsFromEveryPeer) {
  SeededRandom rng(42);
  Pkt p;
  p.payload = Vp8Key();
  std::vector<uint8_t> rtcp(256);
  ByteWriter w(absl::MakeSpan(rtcp));
  const uint16_t lost[] = {1, 5, 9};
  ASSERT_TRUE(rtp::WriteReceiverReport(SubVideoSsrc(10), {}, &w));
  ASSERT_TRUE(rtp::WriteNack(1, SubVideoSsrc(10), lost, &w));
  rtcp.resize(w.position());
  Instant now = kT0;
  for (int i = 0; i < 3000; ++i) {
    now += milliseconds(1);
    p.seq = static_cast<uint16_t>(1001 + i);
    std::vector<uint8_t> bytes = (i % 3 == 2) ? rtcp : Build(p);
    const uint64_t r = rng.Next();
    if (i % 2 == 0) {
      // Flip up to 4 random bytes.
      for (int k = 0; k < static_cast<int>(r % 5); ++k) {
        bytes[rng.Next() % bytes.size()] ^= static_cast<uint8_t>(rng.Next());
      }
    } else if (i % 7 == 0) {
      bytes.resize(rng.Next() % 64);
      rng.Fill(absl::MakeSpan(bytes));
    }
    const PeerId from = (r >> 8) % 2 == 0 ? kPublisher : 10;
    if ((r >> 16) % 2 == 0) {
      router_.OnRtp(now, from, bytes, &batch_);
    } else {
      router_.OnRtcp(now, from, bytes, &batch_);
    }
    if (router_.NextTimeout() <= now) router_.OnTimeout(now, &batch_);
    ASSERT_LE(batch_.size(), 1024u);
    batch_.Clear();
  }
  EXPECT_GT(router_.stats().packets_forwarded, 0u);
}

}  // namespace
}  // namespace sfu::sfu
