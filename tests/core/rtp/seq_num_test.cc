#include "core/rtp/seq_num.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace sfu::rtp {
namespace {

TEST(SeqNumTest, IsNewerSeqAcrossTheWrap) {
  EXPECT_TRUE(IsNewerSeq(1, 0));
  EXPECT_FALSE(IsNewerSeq(0, 1));
  EXPECT_TRUE(IsNewerSeq(0, 65535));
  EXPECT_FALSE(IsNewerSeq(65535, 0));
  EXPECT_TRUE(IsNewerSeq(100, 65500));
  EXPECT_FALSE(IsNewerSeq(7, 7));
  EXPECT_TRUE(IsNewerSeq(0x7FFF, 0));
  EXPECT_FALSE(IsNewerSeq(0, 0x7FFF));
  // Exactly half the space apart: exactly one of the two is newer.
  EXPECT_NE(IsNewerSeq(0x8000, 0), IsNewerSeq(0, 0x8000));
  EXPECT_NE(IsNewerSeq(0x9000, 0x1000), IsNewerSeq(0x1000, 0x9000));
}

TEST(SeqNumTest, SeqDelta) {
  EXPECT_EQ(SeqDelta(0, 65535), 1);
  EXPECT_EQ(SeqDelta(65535, 0), -1);
  EXPECT_EQ(SeqDelta(10, 5), 5);
  EXPECT_EQ(SeqDelta(5, 10), -5);
  EXPECT_EQ(SeqDelta(0x7FFF, 0), 32767);
  EXPECT_EQ(SeqDelta(0x8000, 0), -32768);
}

TEST(SeqNumTest, UnwrapsForwardAcrossTheWrap) {
  SeqNumUnwrapper u;
  EXPECT_EQ(u.Unwrap(65533), 65533);
  EXPECT_EQ(u.Unwrap(65534), 65534);
  EXPECT_EQ(u.Unwrap(65535), 65535);
  EXPECT_EQ(u.Unwrap(0), 65536);
  EXPECT_EQ(u.Unwrap(1), 65537);
  EXPECT_EQ(u.highest(), 65537);
}

TEST(SeqNumTest, ReorderedAroundTheWrap) {
  SeqNumUnwrapper u;
  EXPECT_EQ(u.Unwrap(65534), 65534);
  EXPECT_EQ(u.Unwrap(1), 65537);      // 65535 and 0 still missing
  EXPECT_EQ(u.Unwrap(65535), 65535);  // late, behind the wrap
  EXPECT_EQ(u.Unwrap(0), 65536);
  EXPECT_EQ(u.Unwrap(0), 65536);  // duplicate
  EXPECT_EQ(u.Unwrap(2), 65538);
  EXPECT_EQ(u.highest(), 65538);
}

TEST(SeqNumTest, OlderThanTheFirstAcrossTheWrap) {
  // 0 arrives first, then 65535 which was sent before it: it maps below the first index.
  SeqNumUnwrapper u;
  EXPECT_EQ(u.Unwrap(0), 0);
  EXPECT_EQ(u.Unwrap(65535), -1);
  EXPECT_EQ(u.Unwrap(1), 1);
  EXPECT_EQ(u.highest(), 1);
}

TEST(SeqNumTest, GapsWithinDropoutAdvance) {
  SeqNumUnwrapper u;
  EXPECT_EQ(u.Unwrap(65000), 65000);
  EXPECT_EQ(u.Unwrap(1000), 65536 + 1000);  // 1536 ahead, across the wrap
  EXPECT_EQ(u.Unwrap(3999), 65536 + 3999);  // 2999 ahead
}

TEST(SeqNumTest, LargeJumpNeedsASecondPacketInSequence) {
  SeqNumUnwrapper u;
  EXPECT_EQ(u.Unwrap(100), 100);
  EXPECT_EQ(u.Unwrap(101), 101);
  // 20000 ahead: a stray packet alone does not move the index.
  EXPECT_EQ(u.Unwrap(20101), 20101);
  EXPECT_EQ(u.highest(), 101);
  EXPECT_EQ(u.Unwrap(102), 102);  // the stream goes on as before
  // A restart at 20000 confirmed by 20001: the index follows the new numbering.
  EXPECT_EQ(u.Unwrap(20000), 20000);
  EXPECT_EQ(u.Unwrap(20001), 20001);
  EXPECT_EQ(u.highest(), 20001);
  EXPECT_EQ(u.Unwrap(20002), 20002);
}

// Found by dataplane_impairment_test: a burst loss resent after a round trip arrives more than
// A.1's MAX_MISORDER (100) behind; two such packets in a row used to "confirm a restart" and move
// the index a whole cycle forward, so every later NACK and buffered packet missed its index.
TEST(SeqNumTest, LateRetransmissionsInARowStayLate) {
  SeqNumUnwrapper u;
  for (int seq = 0; seq <= 200; ++seq) ASSERT_EQ(u.Unwrap(static_cast<uint16_t>(seq)), seq);
  EXPECT_EQ(u.Unwrap(50), 50);
  EXPECT_EQ(u.Unwrap(51), 51);
  EXPECT_EQ(u.Unwrap(52), 52);
  EXPECT_EQ(u.highest(), 200);
  EXPECT_EQ(u.Unwrap(201), 201);
  // As late as kMaxLate, across the wrap too.
  SeqNumUnwrapper w;
  EXPECT_EQ(w.Unwrap(2000), 2000);
  EXPECT_EQ(w.Unwrap(65535), -1);
  EXPECT_EQ(w.Unwrap(0), 0);
  EXPECT_EQ(w.Unwrap(2001), 2001);
}

TEST(SeqNumTest, RestartToLowerNumbersKeepsTheIndexIncreasing) {
  SeqNumUnwrapper u;
  EXPECT_EQ(u.Unwrap(40000), 40000);
  // The sender restarts at 5: 34995 behind, far beyond misorder. Two in a row confirm it.
  (void)u.Unwrap(5);
  const int64_t six = u.Unwrap(6);
  EXPECT_GT(six, 40000);
  EXPECT_EQ(six & 0xFFFF, 6);
  EXPECT_EQ(u.Unwrap(7), six + 1);
}

TEST(SeqNumTest, ManyWrapsInOrder) {
  SeqNumUnwrapper u;
  int64_t want = 1234;
  uint16_t seq = 1234;
  EXPECT_EQ(u.Unwrap(seq), want);
  for (int i = 0; i < 5 * 65536; i += 1000) {
    seq = static_cast<uint16_t>(seq + 1000);
    want += 1000;
    ASSERT_EQ(u.Unwrap(seq), want);
  }
}

}  // namespace
}  // namespace sfu::rtp
