// SR, RR, SDES and BYE: parsing known packets, lying counts, and build -> parse round trips,
// including a whole compound datagram built into one buffer.
#include "core/rtp/rtcp_report.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_bye.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_sdes.h"
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

std::string Str(absl::Span<const uint8_t> s) { return std::string(s.begin(), s.end()); }

TEST(RtcpReportTest, ParsesSenderReport) {
  const Bytes d = testing::SenderReportOneBlock();
  const RtcpPacketView p = Single(d);
  const std::optional<SenderReportView> sr = ParseSenderReport(p);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc, 0x11223344u);
  EXPECT_EQ(sr->sender_info.ntp_timestamp, 0xE91F2B7080000000ull);
  EXPECT_EQ(sr->sender_info.rtp_timestamp, 1000000u);
  EXPECT_EQ(sr->sender_info.packet_count, 1000u);
  EXPECT_EQ(sr->sender_info.octet_count, 1000000u);
  ASSERT_EQ(sr->report_count(), 1u);
  ReportBlockIterator it = sr->blocks();
  ReportBlock b;
  ASSERT_TRUE(it.Next(&b));
  EXPECT_EQ(b.ssrc, 0x55667788u);
  EXPECT_EQ(b.fraction_lost, 64);
  EXPECT_EQ(b.cumulative_lost, -2);
  EXPECT_EQ(b.extended_highest_seq, 0x00010010u);
  EXPECT_EQ(b.jitter, 42u);
  EXPECT_EQ(b.last_sr, 0x1F2B7080u);
  EXPECT_EQ(b.delay_since_last_sr, 0x18000u);
  EXPECT_FALSE(it.Next(&b));
  EXPECT_FALSE(ParseReceiverReport(p));  // wrong type
}

TEST(RtcpReportTest, ReportCountBeyondTheBody) {
  Bytes d = testing::SenderReportOneBlock();
  d[0] = 0x82;  // RC=2 but one block present
  EXPECT_FALSE(ParseSenderReport(Single(d)));
  d[0] = 0x9F;  // RC=31
  EXPECT_FALSE(ParseSenderReport(Single(d)));
  d[0] = 0x80;  // RC=0: the block bytes become a profile extension
  const std::optional<SenderReportView> sr = ParseSenderReport(Single(d));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->report_count(), 0u);
  EXPECT_EQ(sr->profile_extension.size(), 24u);
  // Every truncation of the body (keeping the length honest) is rejected.
  for (size_t words = 0; words < 12; ++words) {
    Bytes cut(d.begin(), d.begin() + 4 + 4 * words);
    cut[0] = 0x81;
    cut[3] = static_cast<uint8_t>(words);
    EXPECT_FALSE(ParseSenderReport(Single(cut))) << words;
  }
}

TEST(RtcpReportTest, SenderReportRoundTrip) {
  const SenderInfo info{0x0123456789ABCDEFull, 0xDEADBEEF, 7, 0xFFFFFFFF};
  std::array<ReportBlock, 2> blocks{};
  blocks[0] = {0xAAAAAAAA, 255, 0x7FFFFF, 0xFFFFFFFF, 1, 2, 3};
  blocks[1] = {0xBBBBBBBB, 0, -0x800000, 0, 0, 0, 0};
  std::array<uint8_t, 256> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteSenderReport(0x42, info, blocks, &w));
  EXPECT_EQ(w.position(), 4u + 24 + 2 * 24);
  const std::optional<SenderReportView> sr = ParseSenderReport(Single(w.written()));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc, 0x42u);
  EXPECT_EQ(sr->sender_info.ntp_timestamp, info.ntp_timestamp);
  EXPECT_EQ(sr->sender_info.rtp_timestamp, info.rtp_timestamp);
  EXPECT_EQ(sr->sender_info.packet_count, info.packet_count);
  EXPECT_EQ(sr->sender_info.octet_count, info.octet_count);
  ReportBlockIterator it = sr->blocks();
  for (const ReportBlock& want : blocks) {
    ReportBlock got;
    ASSERT_TRUE(it.Next(&got));
    EXPECT_EQ(got.ssrc, want.ssrc);
    EXPECT_EQ(got.fraction_lost, want.fraction_lost);
    EXPECT_EQ(got.cumulative_lost, want.cumulative_lost);
    EXPECT_EQ(got.extended_highest_seq, want.extended_highest_seq);
    EXPECT_EQ(got.jitter, want.jitter);
    EXPECT_EQ(got.last_sr, want.last_sr);
    EXPECT_EQ(got.delay_since_last_sr, want.delay_since_last_sr);
  }
}

TEST(RtcpReportTest, ReceiverReportClampsLossAndLimitsBlocks) {
  ReportBlock b{1, 0, 50'000'000, 0, 0, 0, 0};
  std::array<uint8_t, 64> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteReceiverReport(9, {&b, 1}, &w));
  const std::optional<ReceiverReportView> rr = ParseReceiverReport(Single(w.written()));
  ASSERT_TRUE(rr);
  ReportBlockIterator it = rr->blocks();
  ReportBlock got;
  ASSERT_TRUE(it.Next(&got));
  EXPECT_EQ(got.cumulative_lost, 0x7FFFFF);

  std::array<ReportBlock, 32> too_many{};
  std::array<uint8_t, 2048> big{};
  ByteWriter w2(absl::MakeSpan(big));
  EXPECT_FALSE(WriteReceiverReport(9, too_many, &w2));
  ByteWriter w3(absl::MakeSpan(big));
  EXPECT_TRUE(WriteReceiverReport(9, absl::MakeConstSpan(too_many).first(31), &w3));
  EXPECT_EQ(ParseReceiverReport(Single(w3.written()))->report_count(), 31u);
  std::array<uint8_t, 10> small{};
  ByteWriter w4(absl::MakeSpan(small));
  EXPECT_FALSE(WriteReceiverReport(9, {&b, 1}, &w4));
  EXPECT_FALSE(w4.ok());
}

TEST(RtcpReportTest, SdesRoundTripWithSeveralChunks) {
  const std::string long_cname(255, 'x');
  const SdesCnameEntry entries[] = {{1, "a"}, {2, "abcd"}, {3, ""}, {4, long_cname}};
  std::array<uint8_t, 512> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteSdes(entries, &w));
  EXPECT_EQ(w.position() % 4, 0u);
  const RtcpPacketView p = Single(w.written());
  EXPECT_EQ(p.count, 4);
  SdesChunkIterator it(p);
  for (const SdesCnameEntry& e : entries) {
    SdesChunk chunk;
    ASSERT_TRUE(it.Next(&chunk));
    EXPECT_EQ(chunk.ssrc, e.ssrc);
    const auto cname = chunk.FindItem(kSdesCname);
    ASSERT_TRUE(cname);
    EXPECT_EQ(Str(*cname), e.cname);
  }
  SdesChunk chunk;
  EXPECT_FALSE(it.Next(&chunk));
  EXPECT_FALSE(it.malformed());

  const std::string too_long(256, 'y');
  const SdesCnameEntry bad[] = {{1, too_long}};
  ByteWriter w2(absl::MakeSpan(buf));
  EXPECT_FALSE(WriteSdes(bad, &w2));
}

TEST(RtcpReportTest, SdesItemsOtherThanCname) {
  // One chunk with NAME (2) "Al", TOOL (6) "x", CNAME "c"; null; one padding byte.
  // 4 (SSRC) + 4 + 3 + 3 + 1 null + 1 pad = 16 bytes.
  const Bytes d = {0x81, 0xCA, 0x00, 0x04, 0, 0, 0, 7, 2, 2, 'A', 'l', 6, 1, 'x', 1, 1, 'c', 0, 0};
  SdesChunkIterator it(Single(d));
  SdesChunk chunk;
  ASSERT_TRUE(it.Next(&chunk));
  std::vector<std::pair<uint8_t, std::string>> items;
  SdesItemIterator items_it = chunk.item_iterator();
  SdesItem item;
  while (items_it.Next(&item)) items.emplace_back(item.type, Str(item.value));
  EXPECT_EQ(items, (std::vector<std::pair<uint8_t, std::string>>{{2, "Al"}, {6, "x"}, {1, "c"}}));
  EXPECT_EQ(Str(*chunk.FindItem(kSdesCname)), "c");
  EXPECT_FALSE(chunk.FindItem(3));
}

TEST(RtcpReportTest, SdesLyingItemLengthAndMissingChunks) {
  Bytes d = testing::PionCaptureCompound();
  const Bytes sdes(d.begin() + 32, d.begin() + 84);
  Bytes lying = sdes;
  lying[9] = 0xF0;  // CNAME length 240 inside a 48-byte body
  SdesChunkIterator it(Single(lying));
  SdesChunk chunk;
  EXPECT_FALSE(it.Next(&chunk));
  EXPECT_TRUE(it.malformed());

  Bytes two_chunks = sdes;
  two_chunks[0] = 0x82;  // SC=2, one present
  SdesChunkIterator it2(Single(two_chunks));
  EXPECT_TRUE(it2.Next(&chunk));
  EXPECT_FALSE(it2.Next(&chunk));
  EXPECT_TRUE(it2.malformed());

  // No null item: the body ends inside the item list.
  const Bytes no_end = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 1, 2, 'a', 'b'};
  SdesChunkIterator it3(Single(no_end));
  EXPECT_FALSE(it3.Next(&chunk));
  EXPECT_TRUE(it3.malformed());
}

TEST(RtcpReportTest, ByeWithReasonRoundTrip) {
  const uint32_t ssrcs[] = {0x01020304, 0x05060708};
  std::array<uint8_t, 64> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteBye(ssrcs, "camera off", &w));
  // 4 header + 8 SSRCs + 1 length + 10 text = 23, padded to 24.
  EXPECT_EQ(w.position(), 24u);
  const std::optional<ByeView> bye = ParseBye(Single(w.written()));
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrc_count(), 2u);
  EXPECT_EQ(bye->ssrc(0), 0x01020304u);
  EXPECT_EQ(bye->ssrc(1), 0x05060708u);
  EXPECT_EQ(bye->ssrc(2), 0u);
  EXPECT_EQ(Str(bye->reason), "camera off");
}

TEST(RtcpReportTest, ByeLyingCounts) {
  // SC=3 with two SSRCs.
  const Bytes short_list = {0x83, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_FALSE(ParseBye(Single(short_list)));
  // Reason length 200 with 3 bytes left.
  const Bytes long_reason = {0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 200, 'a', 'b', 'c'};
  EXPECT_FALSE(ParseBye(Single(long_reason)));
  // SC=0 and no reason: legal, empty.
  const Bytes empty = {0x80, 0xCB, 0x00, 0x00};
  const std::optional<ByeView> bye = ParseBye(Single(empty));
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->ssrc_count(), 0u);
}

TEST(RtcpReportTest, CompoundBuiltIntoOneBuffer) {
  std::array<uint8_t, 256> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  const ReportBlock block{0xB0B0B0B0, 1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(WriteSenderReport(0xA0A0A0A0, SenderInfo{1, 2, 3, 4}, {&block, 1}, &w));
  const SdesCnameEntry cname{0xA0A0A0A0, "sfud"};
  ASSERT_TRUE(WriteSdes({&cname, 1}, &w));
  const uint32_t bye_ssrc = 0xA0A0A0A0;
  ASSERT_TRUE(WriteBye({&bye_ssrc, 1}, "", &w));

  RtcpCompoundIterator it(w.written());
  RtcpPacketView p;
  ASSERT_TRUE(it.Next(&p));
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kSenderReport);
  EXPECT_EQ(ParseSenderReport(p)->report_count(), 1u);
  ASSERT_TRUE(it.Next(&p));
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kSdes);
  SdesChunkIterator chunks(p);
  SdesChunk chunk;
  ASSERT_TRUE(chunks.Next(&chunk));
  EXPECT_EQ(Str(*chunk.FindItem(kSdesCname)), "sfud");
  ASSERT_TRUE(it.Next(&p));
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kBye);
  EXPECT_EQ(ParseBye(p)->ssrc(0), 0xA0A0A0A0u);
  EXPECT_FALSE(it.Next(&p));
  EXPECT_FALSE(it.malformed());
  // SR 52 bytes, SDES 4 + 4 + 2 + 4 + 1 null + 1 pad = 16, BYE 8.
  EXPECT_EQ(w.position(), 52u + 16 + 8);
}

}  // namespace
}  // namespace sfu::rtp
