// The load generator's accounting: latency histogram, sequence tracker (loss, duplicates,
// reorder), RFC 3550 §A.8 jitter, the media probe trailer. Values worked by hand.

#include <cstdint>
#include <vector>

#include "bench/loadgen/latency_histogram.h"
#include "bench/loadgen/media_probe.h"
#include "bench/loadgen/sequence_tracker.h"
#include "gtest/gtest.h"

namespace sfu::loadgen {
namespace {

TEST(LatencyHistogram, SmallValuesAreExact) {
  for (int64_t v = 0; v < 64; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketOf(v), static_cast<size_t>(v));
    EXPECT_EQ(LatencyHistogram::BucketUpperBound(v), v);
  }
}

TEST(LatencyHistogram, BucketsAreContiguousAndWithinThreePercent) {
  // Every value lands in a bucket whose upper bound is >= the value and within 1/32 of it, and
  // consecutive buckets tile the line without gaps.
  int64_t previous_upper = -1;
  for (size_t b = 0; b < LatencyHistogram::kBuckets; ++b) {
    const int64_t upper = LatencyHistogram::BucketUpperBound(b);
    ASSERT_GT(upper, previous_upper) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(previous_upper + 1), b) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(upper), b) << b;
    previous_upper = upper;
  }
  for (int64_t v : {64, 65, 100, 1000, 12345, 999999, 50'000'000}) {
    const int64_t upper = LatencyHistogram::BucketUpperBound(LatencyHistogram::BucketOf(v));
    EXPECT_GE(upper, v);
    EXPECT_LE(upper - v, v / 32 + 1) << v;
  }
}

TEST(LatencyHistogram, PercentilesOfAKnownSet) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.Record(v * 10);  // 10, 20, ..., 1000 us
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 10);
  EXPECT_EQ(h.max(), 1000);
  EXPECT_DOUBLE_EQ(h.mean(), 505.0);
  // p50 is the 50th value (500), p99 the 99th (990): reported as their bucket's upper bound.
  EXPECT_GE(h.Percentile(0.50), 500);
  EXPECT_LE(h.Percentile(0.50), 500 + 500 / 32 + 1);
  EXPECT_GE(h.Percentile(0.99), 990);
  EXPECT_LE(h.Percentile(0.99), 1000);  // capped at max
  EXPECT_EQ(h.Percentile(1.0), 1000);
  EXPECT_EQ(h.Percentile(0.0), 10);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (int64_t v = 0; v < 5000; v += 7) {
    (v % 2 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {0.5, 0.9, 0.95, 0.99}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
}

TEST(LatencyHistogram, EmptyAndNegative) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(0.99), 0);
  EXPECT_EQ(h.min(), 0);
  h.Record(-5);  // a clock step backwards counts as zero, never a crash
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.count(), 1u);
}

TEST(SequenceTracker, InOrderHasNoLoss) {
  SequenceTracker t;
  EXPECT_EQ(t.Record(100), SequenceTracker::Arrival::kFirst);
  for (uint32_t s = 101; s < 200; ++s) EXPECT_EQ(t.Record(s), SequenceTracker::Arrival::kInOrder);
  EXPECT_EQ(t.expected(), 100u);
  EXPECT_EQ(t.received(), 100u);
  EXPECT_EQ(t.lost(), 0u);
}

TEST(SequenceTracker, GapThenLateFillThenDuplicate) {
  SequenceTracker t;
  t.Record(0);
  t.Record(1);
  EXPECT_EQ(t.Record(5), SequenceTracker::Arrival::kGap);  // 2, 3, 4 missing
  EXPECT_EQ(t.lost(), 3u);
  EXPECT_FALSE(t.Seen(3));
  EXPECT_EQ(t.Record(3), SequenceTracker::Arrival::kLate);  // retransmission arrives
  EXPECT_TRUE(t.Seen(3));
  EXPECT_EQ(t.lost(), 2u);
  EXPECT_EQ(t.reordered(), 1u);
  EXPECT_EQ(t.Record(3), SequenceTracker::Arrival::kDuplicate);
  EXPECT_EQ(t.Record(5), SequenceTracker::Arrival::kDuplicate);
  EXPECT_EQ(t.duplicates(), 2u);
  EXPECT_EQ(t.lost(), 2u);  // duplicates never hide loss
  EXPECT_EQ(t.expected(), 6u);
  EXPECT_EQ(t.received(), 4u);
}

TEST(SequenceTracker, WindowSlidesAndForgetsStaleBits) {
  SequenceTracker t;
  t.Record(0);
  // Jump by exactly the window: number 1024 reuses bit 0, which must read as fresh.
  EXPECT_EQ(t.Record(SequenceTracker::kWindow), SequenceTracker::Arrival::kGap);
  EXPECT_EQ(t.Record(1), SequenceTracker::Arrival::kLate);
  // A huge jump clears everything; what falls behind the window cannot be credited.
  EXPECT_EQ(t.Record(10 * SequenceTracker::kWindow), SequenceTracker::Arrival::kGap);
  EXPECT_EQ(t.Record(SequenceTracker::kWindow + 1), SequenceTracker::Arrival::kTooOld);
  EXPECT_EQ(t.too_old(), 1u);
  EXPECT_EQ(t.received(), 4u);
  EXPECT_EQ(t.lost(), 10 * SequenceTracker::kWindow + 1 - 4);
  // Older than the first packet: too old, not credited.
  SequenceTracker u;
  u.Record(50);
  EXPECT_EQ(u.Record(49), SequenceTracker::Arrival::kTooOld);
  EXPECT_EQ(u.lost(), 0u);
}

TEST(JitterEstimator, ConstantTransitIsZero) {
  JitterEstimator j(90000);
  for (int i = 0; i < 100; ++i) j.OnPacket(3000u * i, int64_t{1'000'000'000} + i * 33'333'333LL);
  EXPECT_LT(j.jitter_units(), 2u);  // only integer rounding of the arrival clock
}

TEST(JitterEstimator, FollowsRfc3550A8) {
  // 8 kHz clock: 1 ms = 8 units. Packets every 20 ms (160 units) with arrival offsets
  // 0, +2 ms, 0, +2 ms: |D| = 16 units each time after the first.
  JitterEstimator j(8000);
  double expected = 0;
  for (int i = 0; i < 6; ++i) {
    const int64_t arrival_ns = i * 20'000'000LL + (i % 2 ? 2'000'000 : 0);
    j.OnPacket(160u * i, arrival_ns);
    if (i > 0) expected += (16.0 - expected) / 16.0;
  }
  EXPECT_EQ(j.jitter_units(), static_cast<uint32_t>(expected));
  EXPECT_NEAR(j.jitter_ms(), expected / 8.0, 1e-9);
}

TEST(JitterEstimator, TimestampWrapIsASmallStep) {
  JitterEstimator j(90000);
  j.OnPacket(0xFFFFF000u, 0);
  j.OnPacket(0xFFFFF000u + 3000u, 33'333'333);  // wraps the 32-bit RTP clock
  EXPECT_LT(j.jitter_units(), 2u);
}

TEST(MediaProbe, RoundTripAtTheEndOfAPayload) {
  std::vector<uint8_t> payload(100, 0xAB);
  MediaProbe p{7, 123456, 987654321012345};
  ASSERT_TRUE(p.WriteTo(absl::MakeSpan(payload).subspan(80)));
  std::optional<MediaProbe> back = MediaProbe::ReadFrom(payload);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->stream_id, 7u);
  EXPECT_EQ(back->sequence, 123456u);
  EXPECT_EQ(back->send_ns, 987654321012345);
}

TEST(MediaProbe, RejectsShortOrForeignPayloads) {
  std::vector<uint8_t> payload(19, 0);
  EXPECT_FALSE(MediaProbe::ReadFrom(payload).has_value());
  payload.assign(40, 0);  // no magic
  EXPECT_FALSE(MediaProbe::ReadFrom(payload).has_value());
  MediaProbe p;
  EXPECT_FALSE(p.WriteTo(absl::MakeSpan(payload).subspan(0, 19)));
}

}  // namespace
}  // namespace sfu::loadgen
