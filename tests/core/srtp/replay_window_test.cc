#include "core/srtp/replay_window.h"

#include "core/srtp/srtp_index.h"
#include "gtest/gtest.h"

namespace sfu::srtp {
namespace {

using Window = ReplayWindow<128>;
using Verdict = Window::Verdict;

TEST(ReplayWindowTest, FirstIndexIsNewAndSecondIsReplay) {
  Window w;
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.Check(1000), Verdict::kNew);
  w.Accept(1000);
  EXPECT_EQ(w.top(), 1000u);
  EXPECT_EQ(w.Check(1000), Verdict::kReplay);
}

TEST(ReplayWindowTest, OutOfOrderInsideWindowAcceptedOnce) {
  Window w;
  w.Accept(500);
  for (uint64_t i = 500 - 127; i < 500; ++i) {
    ASSERT_EQ(w.Check(i), Verdict::kNew) << i;
    w.Accept(i);
    ASSERT_EQ(w.Check(i), Verdict::kReplay) << i;
  }
  EXPECT_EQ(w.top(), 500u);
  EXPECT_EQ(w.Check(500 - 128), Verdict::kTooOld);
  EXPECT_EQ(w.Check(0), Verdict::kTooOld);
}

TEST(ReplayWindowTest, SlidingForwardForgetsOnlyWhatFellOut) {
  Window w;
  for (uint64_t i = 0; i < 1000; i += 2) w.Accept(i);  // evens seen, odds not
  EXPECT_EQ(w.top(), 998u);
  for (uint64_t i = 998 - 127; i <= 998; ++i) {
    EXPECT_EQ(w.Check(i), i % 2 == 0 ? Verdict::kReplay : Verdict::kNew) << i;
  }
  // A jump of exactly the window size clears everything but the new top.
  w.Accept(998 + 128);
  for (uint64_t i = 999; i < 998 + 128; ++i) EXPECT_EQ(w.Check(i), Verdict::kNew) << i;
  EXPECT_EQ(w.Check(998), Verdict::kTooOld);
  // Jumps that cross word boundaries partially.
  w.Accept(998 + 128 + 70);
  EXPECT_EQ(w.Check(998 + 128), Verdict::kReplay);
  EXPECT_EQ(w.Check(998 + 128 + 69), Verdict::kNew);
}

TEST(ReplayWindowTest, HugeJumpClearsAll) {
  ReplayWindow<1024> w;
  for (uint64_t i = 0; i < 1024; ++i) w.Accept(i);
  w.Accept(uint64_t{1} << 40);
  EXPECT_EQ(w.Check((uint64_t{1} << 40) - 1), Verdict::kNew);
  EXPECT_EQ(w.Check((uint64_t{1} << 40) - 1023), Verdict::kNew);
  EXPECT_EQ(w.Check((uint64_t{1} << 40) - 1024), Verdict::kTooOld);
}

uint64_t Estimate(uint32_t roc, uint16_t s_l, uint16_t seq) {
  uint64_t index = 0;
  EXPECT_TRUE(EstimateSrtpIndex((uint64_t{roc} << 16) | s_l, seq, &index));
  return index;
}

TEST(SrtpIndexTest, Rfc3711AppendixAGuesses) {
  // Ordinary progress and reordering keep the ROC.
  EXPECT_EQ(Estimate(0, 100, 101), 101u);
  EXPECT_EQ(Estimate(0, 100, 90), 90u);
  EXPECT_EQ(Estimate(5, 40000, 39000), (5u << 16) | 39000);
  // Wrap forward: s_l high, seq low → ROC + 1.
  EXPECT_EQ(Estimate(0, 65530, 3), (1u << 16) | 3);
  EXPECT_EQ(Estimate(7, 65535, 0), (8u << 16) | 0);
  // Late packet from before the wrap: s_l low, seq high → ROC - 1.
  EXPECT_EQ(Estimate(1, 3, 65533), (0u << 16) | 65533);
  // Before any wrap a "late" packet cannot have ROC -1: it is taken as ROC 0.
  EXPECT_EQ(Estimate(0, 3, 65533), 65533u);
}

TEST(SrtpIndexTest, RocExhaustionIsRejected) {
  uint64_t index = 0;
  EXPECT_FALSE(EstimateSrtpIndex((uint64_t{0xffffffff} << 16) | 65535, 0, &index));
  EXPECT_TRUE(EstimateSrtpIndex((uint64_t{0xffffffff} << 16) | 65535, 65535, &index));
  EXPECT_EQ(index, kMaxSrtpIndex);
}

}  // namespace
}  // namespace sfu::srtp
