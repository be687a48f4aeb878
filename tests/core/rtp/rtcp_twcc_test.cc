#include "core/rtp/rtcp_twcc.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/rtp/rtcp_packet.h"
#include "gtest/gtest.h"
#include "tests/core/rtp/rtcp_test_packets.h"

namespace sfu::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

RtcpPacketView Single(absl::Span<const uint8_t> d) {
  RtcpCompoundIterator it(d);
  RtcpPacketView p;
  EXPECT_TRUE(it.Next(&p));
  return p;
}

std::vector<TwccPacketStatus> All(const TransportFeedbackView& fb) {
  std::vector<TwccPacketStatus> out;
  TwccStatusIterator it = fb.packets();
  TwccPacketStatus s;
  while (it.Next(&s)) out.push_back(s);
  return out;
}

// An RTPFB FMT 15 packet around `fci` (zero-padded to 32 bits, as the draft's §3.1 asks).
Bytes Feedback(const Bytes& fci) {
  const Bytes header = {0x8F, 0xCD, 0x00, 0x00, 0, 0, 0, 1, 0xDD, 0x58, 0x6E, 0xB6};
  Bytes d((header.size() + fci.size() + 3) / 4 * 4, 0);
  std::copy(header.begin(), header.end(), d.begin());
  std::copy(fci.begin(), fci.end(), d.begin() + header.size());
  d[3] = static_cast<uint8_t>(d.size() / 4 - 1);
  return d;
}

TEST(RtcpTwccTest, ParsesChromeCapture) {
  const Bytes d = testing::ChromeCaptureTransportCc();
  const RtcpPacketView p = Single(d);
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kTransportCc);
  const std::optional<TransportFeedbackView> fb = ParseTransportFeedback(p);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->sender_ssrc, 1u);
  EXPECT_EQ(fb->media_ssrc, 0xdd586eb6u);
  EXPECT_EQ(fb->base_sequence_number, 1);
  EXPECT_EQ(fb->packet_status_count, 9);
  EXPECT_EQ(fb->reference_time_64ms, 6197520u);
  EXPECT_EQ(fb->feedback_packet_count, 0);
  EXPECT_EQ(fb->received_count, 9u);
  const std::vector<TwccPacketStatus> all = All(*fb);
  ASSERT_EQ(all.size(), 9u);
  // Wireshark: 7, 3, 11, 14, 0, 1, 0, 2, 6 ms.
  const int want_ms[] = {7, 3, 11, 14, 0, 1, 0, 2, 6};
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence_number, 1 + i);
    EXPECT_EQ(all[i].status, TwccStatus::kSmallDelta);
    EXPECT_EQ(all[i].delta(), std::chrono::milliseconds(want_ms[i])) << i;
  }
}

// Both status-vector symbol sizes, a large and a negative delta, across the sequence wrap, and a
// last chunk covering more symbols than packets remain.
TEST(RtcpTwccTest, StatusVectorsLargeAndNegativeDeltas) {
  const Bytes fci = {
      0xFF,
      0xFE,  // base sequence number 65534
      0x00,
      0x14,  // 20 packets
      0xFF,
      0xFF,
      0xFF,  // reference time -1 (24-bit)
      0x05,  // feedback packet count
      // 1-bit vector: 1 0 1 1 0 0 0 0 0 0 0 0 0 1 (1 = received, small delta)
      0xAC,
      0x01,
      // 2-bit vector: 10 01 00 10 01 00 00 (large, small, none, large, small, none, [none])
      0xE4,
      0x90,
      // deltas: 4 small for the first chunk...
      0x04,
      0x00,
      0xFF,
      0x01,
      // ...then large 4000 (1 s), small 16, large -200 (-50 ms), small 2
      0x0F,
      0xA0,
      0x10,
      0xFF,
      0x38,
      0x02,
  };
  const Bytes d = Feedback(fci);
  const std::optional<TransportFeedbackView> fb = ParseTransportFeedback(Single(d));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->reference_time_64ms, 0xFFFFFFu);
  EXPECT_EQ(fb->feedback_packet_count, 5);
  EXPECT_EQ(fb->received_count, 8u);
  EXPECT_EQ(fb->deltas.size(), 10u);
  const std::vector<TwccPacketStatus> all = All(*fb);
  ASSERT_EQ(all.size(), 20u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence_number, static_cast<uint16_t>(65534 + i));
  }
  EXPECT_EQ(all[1].sequence_number, 65535);
  EXPECT_EQ(all[2].sequence_number, 0);
  struct Want {
    size_t index;
    TwccStatus status;
    int32_t ticks;
  };
  const Want received[] = {
      {0, TwccStatus::kSmallDelta, 4},
      {2, TwccStatus::kSmallDelta, 0},
      {3, TwccStatus::kSmallDelta, 255},
      {13, TwccStatus::kSmallDelta, 1},
      {14, TwccStatus::kLargeOrNegativeDelta, 4000},
      {15, TwccStatus::kSmallDelta, 16},
      {17, TwccStatus::kLargeOrNegativeDelta, -200},
      {18, TwccStatus::kSmallDelta, 2},
  };
  size_t next = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (next < std::size(received) && received[next].index == i) {
      EXPECT_EQ(all[i].status, received[next].status) << i;
      EXPECT_EQ(all[i].delta_ticks, received[next].ticks) << i;
      EXPECT_TRUE(all[i].received());
      ++next;
    } else {
      EXPECT_EQ(all[i].status, TwccStatus::kNotReceived) << i;
      EXPECT_FALSE(all[i].received());
      EXPECT_EQ(all[i].delta_ticks, 0);
    }
  }
  EXPECT_EQ(all[14].delta(), std::chrono::seconds(1));
  EXPECT_EQ(all[17].delta(), std::chrono::milliseconds(-50));
}

TEST(RtcpTwccTest, RunLengthChunksAndCallerCap) {
  const Bytes fci = {
      0x00, 0x64, 0x20, 0x01,  // base 100, 8193 packets
      0x00, 0x00, 0x10, 0x00,  // reference time 16, count 0
      0x1F, 0xFF,              // run: 8191 x not received (the longest run)
      0x40, 0x02,              // run: 2 x large delta
      0x80, 0x00,              // deltas -32768 and 32767
      0x7F, 0xFF,
  };
  const Bytes d = Feedback(fci);  // the view below points into it
  const std::optional<TransportFeedbackView> fb = ParseTransportFeedback(Single(d));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->packet_status_count, 8193);
  EXPECT_EQ(fb->received_count, 2u);
  const std::vector<TwccPacketStatus> all = All(*fb);
  ASSERT_EQ(all.size(), 8193u);
  EXPECT_FALSE(all[0].received());
  EXPECT_FALSE(all[8190].received());
  EXPECT_EQ(all[8191].sequence_number, static_cast<uint16_t>(100 + 8191));
  EXPECT_EQ(all[8191].delta_ticks, -32768);
  EXPECT_EQ(all[8192].delta_ticks, 32767);
  EXPECT_EQ(all[8192].delta(), std::chrono::microseconds(32767 * 250));

  std::array<TwccPacketStatus, 100> capped{};
  EXPECT_EQ(ExpandTransportFeedback(*fb, absl::MakeSpan(capped)), 100u);
  EXPECT_EQ(capped[99].sequence_number, 199);
  EXPECT_EQ(ExpandTransportFeedback(*fb, {}), 0u);
}

TEST(RtcpTwccTest, ZeroLengthRunsAndZeroCount) {
  // A run of 0 covers nothing; the next chunk carries the packet.
  const Bytes fci = {0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x20, 0x00, 0x20, 0x01, 0x08};
  const Bytes d = Feedback(fci);
  const std::optional<TransportFeedbackView> fb = ParseTransportFeedback(Single(d));
  ASSERT_TRUE(fb);
  const std::vector<TwccPacketStatus> all = All(*fb);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].delta_ticks, 8);
  // Zero packets: no chunk is needed.
  const Bytes none = {0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0};
  const Bytes d_none = Feedback(none);
  const std::optional<TransportFeedbackView> empty = ParseTransportFeedback(Single(d_none));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(All(*empty).empty());
}

TEST(RtcpTwccTest, RejectsLiesAndReservedSymbols) {
  auto parses = [](const Bytes& fci) {
    return ParseTransportFeedback(Single(Feedback(fci))).has_value();
  };
  // Run-length chunk with the reserved symbol 3.
  EXPECT_FALSE(parses({0, 1, 0, 1, 0, 0, 0, 0, 0x60, 0x01}));
  // 2-bit vector with a reserved symbol in the first position.
  EXPECT_FALSE(parses({0, 1, 0, 1, 0, 0, 0, 0, 0xF0, 0x00}));
  // ...but one beyond the packet count is never read.
  EXPECT_TRUE(parses({0, 1, 0, 1, 0, 0, 0, 0, 0xC3, 0x00}));
  // 9 small deltas announced, 5 present.
  EXPECT_FALSE(parses({0, 1, 0, 9, 0, 0, 0, 0, 0x20, 0x09, 1, 2, 3, 4, 5}));
  // 65535 packets claimed, chunks for 8191.
  EXPECT_FALSE(parses({0, 1, 0xFF, 0xFF, 0, 0, 0, 0, 0x1F, 0xFF}));
  // Two large deltas announced, one present.
  EXPECT_FALSE(parses({0, 1, 0, 2, 0, 0, 0, 0, 0x40, 0x02, 0x12, 0x34}));
  // FCI shorter than its fixed 8 bytes (built by hand: Feedback() would pad it to 8).
  const Bytes short_fci = {0x8F, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0};
  EXPECT_FALSE(ParseTransportFeedback(Single(short_fci)));
}

TEST(RtcpTwccTest, TruncationAtEveryLength) {
  const Bytes d = testing::ChromeCaptureTransportCc();
  for (size_t words = 0; words < 7; ++words) {
    Bytes cut(d.begin(), d.begin() + 4 + 4 * words);
    cut[0] = 0x8F;  // no padding bit: the body is exactly what is left
    cut[3] = static_cast<uint8_t>(words);
    EXPECT_FALSE(ParseTransportFeedback(Single(cut))) << words;
  }
}

}  // namespace
}  // namespace sfu::rtp
