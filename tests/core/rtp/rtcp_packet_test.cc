#include "core/rtp/rtcp_packet.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/rtp/rtcp_bye.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_report.h"
#include "core/rtp/rtcp_sdes.h"
#include "gtest/gtest.h"
#include "tests/core/rtp/rtcp_test_packets.h"

namespace sfu::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

std::vector<RtcpKind> Kinds(absl::Span<const uint8_t> datagram, bool* malformed) {
  std::vector<RtcpKind> out;
  RtcpCompoundIterator it(datagram);
  RtcpPacketView p;
  while (it.Next(&p)) out.push_back(ClassifyRtcp(p));
  *malformed = it.malformed();
  return out;
}

TEST(RtcpPacketTest, WalksARealCompoundDatagram) {
  const Bytes d = testing::PionCaptureCompound();
  RtcpCompoundIterator it(d);
  RtcpPacketView p;

  ASSERT_TRUE(it.Next(&p));
  ASSERT_EQ(ClassifyRtcp(p), RtcpKind::kReceiverReport);
  EXPECT_EQ(p.packet.size(), 32u);
  const std::optional<ReceiverReportView> rr = ParseReceiverReport(p);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc, 0x902f9e2eu);
  ASSERT_EQ(rr->report_count(), 1u);
  ReportBlockIterator blocks = rr->blocks();
  ReportBlock b;
  ASSERT_TRUE(blocks.Next(&b));
  EXPECT_EQ(b.ssrc, 0xbc5e9a40u);
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 0);
  EXPECT_EQ(b.extended_highest_seq, 0x46e1u);
  EXPECT_EQ(b.jitter, 273u);
  EXPECT_EQ(b.last_sr, 0x9f36432u);
  EXPECT_EQ(b.delay_since_last_sr, 150137u);
  EXPECT_FALSE(blocks.Next(&b));

  ASSERT_TRUE(it.Next(&p));
  ASSERT_EQ(ClassifyRtcp(p), RtcpKind::kSdes);
  SdesChunkIterator chunks(p);
  SdesChunk chunk;
  ASSERT_TRUE(chunks.Next(&chunk));
  EXPECT_EQ(chunk.ssrc, 0x902f9e2eu);
  const auto cname = chunk.FindItem(kSdesCname);
  ASSERT_TRUE(cname);
  EXPECT_EQ(std::string(cname->begin(), cname->end()), "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}");
  EXPECT_FALSE(chunks.Next(&chunk));
  EXPECT_FALSE(chunks.malformed());

  ASSERT_TRUE(it.Next(&p));
  ASSERT_EQ(ClassifyRtcp(p), RtcpKind::kBye);
  const std::optional<ByeView> bye = ParseBye(p);
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrc_count(), 1u);
  EXPECT_EQ(bye->ssrc(0), 0x902f9e2eu);
  EXPECT_TRUE(bye->reason.empty());

  ASSERT_TRUE(it.Next(&p));
  ASSERT_EQ(ClassifyRtcp(p), RtcpKind::kPli);
  const std::optional<PliView> pli = ParsePli(p);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender_ssrc, 0x902f9e2eu);
  EXPECT_EQ(pli->media_ssrc, 0x902f9e2eu);

  // RTPFB FMT 5 is not something sfud interprets: yielded, classified unknown, skipped.
  ASSERT_TRUE(it.Next(&p));
  EXPECT_EQ(p.packet_type, kRtcpRtpfb);
  EXPECT_EQ(p.count, 5);
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kUnknown);

  EXPECT_FALSE(it.Next(&p));
  EXPECT_FALSE(it.malformed());
}

TEST(RtcpPacketTest, UnknownTypesAreYieldedNotErrors) {
  // XR (207, RFC 3611), an unassigned type 210, and APP (204) between two RRs.
  const Bytes d = {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1,                      // RR, no blocks
                   0x80, 0xCF, 0x00, 0x01, 0, 0, 0, 1,                      // XR, empty
                   0x80, 0xD2, 0x00, 0x00,                                  // type 210, header only
                   0x80, 0xCC, 0x00, 0x02, 0, 0, 0, 1, 'n', 'a', 'm', 'e',  // APP
                   0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 2};
  bool malformed = true;
  EXPECT_EQ(Kinds(d, &malformed),
            (std::vector<RtcpKind>{RtcpKind::kReceiverReport, RtcpKind::kUnknown,
                                   RtcpKind::kUnknown, RtcpKind::kApp, RtcpKind::kReceiverReport}));
  EXPECT_FALSE(malformed);
}

TEST(RtcpPacketTest, LengthBeyondTheDatagramEndsTheWalk) {
  Bytes d = testing::PionCaptureCompound();
  d[32 + 3] = 0x40;  // SDES claims 64 words
  bool malformed = false;
  EXPECT_EQ(Kinds(d, &malformed), (std::vector<RtcpKind>{RtcpKind::kReceiverReport}));
  EXPECT_TRUE(malformed);
  const Bytes lying = {0x81, 0xc9, 0xFF, 0xFF, 0, 0, 0, 1};
  EXPECT_TRUE(Kinds(lying, &malformed).empty());
  EXPECT_TRUE(malformed);
}

TEST(RtcpPacketTest, TruncationAtEveryLength) {
  const Bytes d = testing::PionCaptureCompound();
  const size_t boundaries[] = {0, 32, 84, 92, 104, 116};
  for (size_t n = 0; n <= d.size(); ++n) {
    bool malformed = false;
    const std::vector<RtcpKind> kinds = Kinds(absl::MakeConstSpan(d).first(n), &malformed);
    size_t whole = 0;
    while (whole + 1 < std::size(boundaries) && boundaries[whole + 1] <= n) ++whole;
    EXPECT_EQ(kinds.size(), whole) << n;
    const bool at_boundary = boundaries[whole] == n;
    EXPECT_EQ(malformed, !at_boundary) << n;
  }
}

TEST(RtcpPacketTest, WrongVersionIsMalformed) {
  Bytes d = testing::PionCaptureCompound();
  d[84] = 0x41;  // BYE with version 1
  bool malformed = false;
  EXPECT_EQ(Kinds(d, &malformed).size(), 2u);
  EXPECT_TRUE(malformed);
}

TEST(RtcpPacketTest, PaddingOnlyOnTheLastPacket) {
  // RFC 3550 §6.4.1: an RR with 4 bytes of padding (P set, last byte 4) as the last packet.
  const Bytes last = {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1,  // RR
                      0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 2, 0, 0, 0, 4};
  RtcpCompoundIterator it(last);
  RtcpPacketView p;
  ASSERT_TRUE(it.Next(&p));
  ASSERT_TRUE(it.Next(&p));
  EXPECT_EQ(p.packet.size(), 12u);
  EXPECT_EQ(p.body.size(), 4u);  // padding removed
  const std::optional<ReceiverReportView> rr = ParseReceiverReport(p);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc, 2u);
  EXPECT_TRUE(rr->profile_extension.empty());
  EXPECT_FALSE(it.Next(&p));
  EXPECT_FALSE(it.malformed());

  // The same padded packet first: malformed.
  const Bytes first = {0xA0, 0xC9, 0x00, 0x02, 0,    0,    0, 2, 0, 0,
                       0,    4,    0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1};
  bool malformed = false;
  EXPECT_TRUE(Kinds(first, &malformed).empty());
  EXPECT_TRUE(malformed);
}

TEST(RtcpPacketTest, PaddingCountMustFit) {
  Bytes d = {0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 2, 0, 0, 0, 8};  // count 8 = whole body
  RtcpCompoundIterator ok(d);
  RtcpPacketView p;
  ASSERT_TRUE(ok.Next(&p));
  EXPECT_TRUE(p.body.empty());
  EXPECT_FALSE(ParseReceiverReport(p));  // no room left for the SSRC
  for (uint8_t bad : {0, 9, 255}) {
    d.back() = bad;
    bool malformed = false;
    EXPECT_TRUE(Kinds(d, &malformed).empty()) << int{bad};
    EXPECT_TRUE(malformed);
  }
  const Bytes header_only = {0xA0, 0xC9, 0x00, 0x00};  // P set, nothing to hold the count
  bool malformed = false;
  EXPECT_TRUE(Kinds(header_only, &malformed).empty());
  EXPECT_TRUE(malformed);
}

TEST(RtcpPacketTest, ClassifiesFeedbackByFmt) {
  auto classify = [](uint8_t count, uint8_t type, const Bytes& body) {
    RtcpPacketView p;
    p.count = count;
    p.packet_type = type;
    p.body = body;
    return ClassifyRtcp(p);
  };
  const Bytes fb(8, 0);
  Bytes remb = fb;
  for (char c : std::string("REMB")) remb.push_back(static_cast<uint8_t>(c));
  Bytes other_afb = fb;
  for (char c : std::string("GOOG")) other_afb.push_back(static_cast<uint8_t>(c));
  EXPECT_EQ(classify(1, 205, fb), RtcpKind::kNack);
  EXPECT_EQ(classify(15, 205, fb), RtcpKind::kTransportCc);
  EXPECT_EQ(classify(3, 205, fb), RtcpKind::kUnknown);  // TMMBR
  EXPECT_EQ(classify(1, 206, fb), RtcpKind::kPli);
  EXPECT_EQ(classify(2, 206, fb), RtcpKind::kUnknown);  // SLI
  EXPECT_EQ(classify(4, 206, fb), RtcpKind::kFir);
  EXPECT_EQ(classify(15, 206, remb), RtcpKind::kRemb);
  EXPECT_EQ(classify(15, 206, other_afb), RtcpKind::kUnknown);
  EXPECT_EQ(classify(15, 206, fb), RtcpKind::kUnknown);  // too short for an identifier
  EXPECT_EQ(classify(0, 200, {}), RtcpKind::kSenderReport);
  EXPECT_EQ(classify(0, 199, {}), RtcpKind::kUnknown);
}

TEST(RtcpPacketTest, FeedbackHeaderNeedsEightBytes) {
  RtcpFeedbackHeader fb;
  const Bytes seven(7, 1);
  EXPECT_FALSE(ParseFeedbackHeader(seven, &fb));
  const Bytes nine = {0, 0, 0, 1, 0, 0, 0, 2, 9};
  ASSERT_TRUE(ParseFeedbackHeader(nine, &fb));
  EXPECT_EQ(fb.sender_ssrc, 1u);
  EXPECT_EQ(fb.media_ssrc, 2u);
  EXPECT_EQ(fb.fci.size(), 1u);
}

}  // namespace
}  // namespace sfu::rtp
