// Generic NACK, PLI, FIR and REMB: known packets, lying lengths, round trips.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_remb.h"
#include "gtest/gtest.h"
#include "tests/core/rtp/rtcp_test_packets.h"

namespace sfu::rtp {
namespace {

using Bytes = std::vector<uint8_t>;
using Seqs = std::vector<uint16_t>;

RtcpPacketView Single(absl::Span<const uint8_t> d) {
  RtcpCompoundIterator it(d);
  RtcpPacketView p;
  EXPECT_TRUE(it.Next(&p));
  return p;
}

Seqs AllLost(const NackView& nack) {
  Seqs out;
  NackLostIterator it = nack.lost();
  uint16_t seq;
  while (it.Next(&seq)) out.push_back(seq);
  return out;
}

TEST(RtcpNackTest, ExpandsPidAndBlp) {
  const Bytes d = testing::NackTwoEntries();
  const RtcpPacketView p = Single(d);
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kNack);
  const std::optional<NackView> nack = ParseNack(p);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->sender_ssrc, 1u);
  EXPECT_EQ(nack->media_ssrc, 0xCAFEBABEu);
  EXPECT_EQ(nack->entry_count(), 2u);
  // PID=100, BLP=0x8001 -> 100, 101, 116; PID=65535, BLP=3 -> 65535, 0, 1.
  EXPECT_EQ(AllLost(*nack), (Seqs{100, 101, 116, 65535, 0, 1}));

  std::array<uint16_t, 4> small{};
  EXPECT_EQ(ExpandNack(*nack, absl::MakeSpan(small)), 4u);
  EXPECT_EQ(small, (std::array<uint16_t, 4>{100, 101, 116, 65535}));
  std::array<uint16_t, 64> big{};
  EXPECT_EQ(ExpandNack(*nack, absl::MakeSpan(big)), 6u);
  EXPECT_EQ(ExpandNack(*nack, {}), 0u);
}

TEST(RtcpNackTest, FullBlpGivesSeventeen) {
  const Bytes d = {0x81, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xF8, 0xFF, 0xFF};
  const std::optional<NackView> nack = ParseNack(Single(d));
  ASSERT_TRUE(nack);
  Seqs want;
  for (int i = 0; i <= 16; ++i) want.push_back(static_cast<uint16_t>(0xFFF8 + i));
  EXPECT_EQ(AllLost(*nack), want);  // 65528 .. 65535, 0 .. 8
}

TEST(RtcpNackTest, RejectsMalformed) {
  Bytes d = testing::NackTwoEntries();
  // FCI not a whole number of entries: drop 2 bytes, P bit with padding count 2.
  Bytes odd = d;
  odd[0] |= 0x20;
  odd.back() = 2;
  EXPECT_FALSE(ParseNack(Single(odd)));
  // No entries at all.
  const Bytes empty = {0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_FALSE(ParseNack(Single(empty)));
  // Not even the feedback header.
  const Bytes tiny = {0x81, 0xCD, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_FALSE(ParseNack(Single(tiny)));
  // Another FMT.
  d[0] = 0x83;
  EXPECT_FALSE(ParseNack(Single(d)));
}

TEST(RtcpNackTest, BuildPacksPidAndBlp) {
  const uint16_t lost[] = {100, 101, 116, 117, 65535, 0, 1};
  std::array<uint8_t, 64> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteNack(1, 0xCAFEBABE, lost, &w));
  // 100..116 fit one entry (BLP 0x8001), 117 starts the next, 65535 the third (0 and 1 in its BLP).
  const Bytes want = {0x81, 0xCD, 0x00, 0x05, 0,    0,    0,    1,    0xCA, 0xFE, 0xBA, 0xBE,
                      0x00, 0x64, 0x80, 0x01, 0x00, 0x75, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x03};
  EXPECT_EQ(Bytes(w.written().begin(), w.written().end()), want);
  const std::optional<NackView> nack = ParseNack(Single(w.written()));
  ASSERT_TRUE(nack);
  EXPECT_EQ(AllLost(*nack), Seqs(std::begin(lost), std::end(lost)));
}

TEST(RtcpNackTest, BuildRoundTripsLongRunsAndFoldsDuplicates) {
  Seqs lost;
  for (uint16_t s = 65000; s != 700; s = static_cast<uint16_t>(s + 3)) lost.push_back(s);
  std::array<uint8_t, 2048> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteNack(1, 2, lost, &w));
  const std::optional<NackView> nack = ParseNack(Single(w.written()));
  ASSERT_TRUE(nack);
  EXPECT_EQ(AllLost(*nack), lost);
  EXPECT_EQ(nack->entry_count(), (lost.size() + 5) / 6);  // every 6th starts an entry (PID+15)

  const uint16_t dup[] = {5, 5, 6, 5};
  ByteWriter w2(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteNack(1, 2, dup, &w2));
  EXPECT_EQ(AllLost(*ParseNack(Single(w2.written()))), (Seqs{5, 6}));

  ByteWriter w3(absl::MakeSpan(buf));
  EXPECT_FALSE(WriteNack(1, 2, {}, &w3));
}

TEST(RtcpPliTest, RoundTrip) {
  std::array<uint8_t, 16> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WritePli(0x11, 0x22, &w));
  EXPECT_EQ(Bytes(w.written().begin(), w.written().end()),
            (Bytes{0x81, 0xCE, 0x00, 0x02, 0, 0, 0, 0x11, 0, 0, 0, 0x22}));
  const std::optional<PliView> pli = ParsePli(Single(w.written()));
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender_ssrc, 0x11u);
  EXPECT_EQ(pli->media_ssrc, 0x22u);
  const Bytes short_pli = {0x81, 0xCE, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_FALSE(ParsePli(Single(short_pli)));
}

TEST(RtcpFirTest, ParsesAndRoundTrips) {
  const Bytes d = testing::FirTwoEntries();
  const RtcpPacketView p = Single(d);
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kFir);
  const std::optional<FirView> fir = ParseFir(p);
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->sender_ssrc, 1u);
  EXPECT_EQ(fir->media_ssrc, 0u);
  ASSERT_EQ(fir->entry_count(), 2u);
  FirEntryIterator it = fir->entries();
  FirEntry e;
  ASSERT_TRUE(it.Next(&e));
  EXPECT_EQ(e.ssrc, 0x12345678u);
  EXPECT_EQ(e.seq_nr, 7);
  ASSERT_TRUE(it.Next(&e));
  EXPECT_EQ(e.ssrc, 0x9ABCDEF0u);
  EXPECT_EQ(e.seq_nr, 255);
  EXPECT_FALSE(it.Next(&e));

  const FirEntry entries[] = {{0x12345678, 7}, {0x9ABCDEF0, 255}};
  std::array<uint8_t, 64> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteFir(1, entries, &w));
  EXPECT_EQ(Bytes(w.written().begin(), w.written().end()), d);
  ByteWriter w2(absl::MakeSpan(buf));
  EXPECT_FALSE(WriteFir(1, {}, &w2));
}

TEST(RtcpFirTest, RejectsPartialEntries) {
  Bytes d = testing::FirTwoEntries();
  d[3] = 0x05;  // length 5 words: the second entry is cut to 4 bytes
  d.resize(24);
  EXPECT_FALSE(ParseFir(Single(d)));
  d[3] = 0x02;  // no entries
  d.resize(12);
  EXPECT_FALSE(ParseFir(Single(d)));
}

TEST(RtcpRembTest, ParsesKnownPacket) {
  const Bytes d = testing::RembTwoMbps();
  const RtcpPacketView p = Single(d);
  EXPECT_EQ(ClassifyRtcp(p), RtcpKind::kRemb);
  const std::optional<RembView> remb = ParseRemb(p);
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->sender_ssrc, 1u);
  EXPECT_EQ(remb->bitrate.exponent, 3);
  EXPECT_EQ(remb->bitrate.mantissa, 250000u);
  EXPECT_EQ(remb->bitrate_bps, 2'000'000u);
  ASSERT_EQ(remb->ssrc_count(), 1u);
  EXPECT_EQ(remb->ssrc(0), 0xCAFEBABEu);
  EXPECT_EQ(remb->ssrc(1), 0u);
}

TEST(RtcpRembTest, BuildReproducesKnownPacket) {
  const uint32_t ssrc = 0xCAFEBABE;
  std::array<uint8_t, 64> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteRemb(1, 2'000'000, {&ssrc, 1}, &w));
  EXPECT_EQ(Bytes(w.written().begin(), w.written().end()), testing::RembTwoMbps());
}

TEST(RtcpRembTest, LyingSsrcCountAndWrongIdentifier) {
  Bytes d = testing::RembTwoMbps();
  d[16] = 2;  // two SSRCs claimed, one present
  EXPECT_FALSE(ParseRemb(Single(d)));
  d[16] = 1;
  d[12] = 'G';
  EXPECT_FALSE(ParseRemb(Single(d)));
  EXPECT_EQ(ClassifyRtcp(Single(d)), RtcpKind::kUnknown);
}

TEST(RtcpRembTest, MantissaExponentRoundTrip) {
  // Exactly representable values survive unchanged.
  for (uint64_t bps :
       {uint64_t{0}, uint64_t{1}, uint64_t{262143}, uint64_t{262144}, uint64_t{300'000},
        uint64_t{2'000'000}, uint64_t{1} << 40, uint64_t{kRembMaxMantissa} << 46}) {
    const RembBitrate b = EncodeRembBitrate(bps);
    EXPECT_LE(b.mantissa, kRembMaxMantissa);
    EXPECT_LT(b.exponent, 64);
    EXPECT_EQ(DecodeRembBitrate(b), bps) << bps;
  }
  // Others round down, by less than one unit of the chosen exponent.
  for (uint64_t bps : {uint64_t{262145}, uint64_t{12'345'678}, uint64_t{987'654'321'123},
                       std::numeric_limits<uint64_t>::max()}) {
    const RembBitrate b = EncodeRembBitrate(bps);
    const uint64_t decoded = DecodeRembBitrate(b);
    EXPECT_LE(decoded, bps);
    EXPECT_LT(bps - decoded, uint64_t{1} << b.exponent);
    EXPECT_GE(b.mantissa, kRembMaxMantissa / 2);  // the smallest exponent was used
  }
  // Through the wire and back.
  for (uint64_t bps : {uint64_t{64'000}, uint64_t{1'500'000}, uint64_t{2'500'000'000}}) {
    std::array<uint8_t, 32> buf{};
    ByteWriter w(absl::MakeSpan(buf));
    ASSERT_TRUE(WriteRemb(7, bps, {}, &w));
    const std::optional<RembView> remb = ParseRemb(Single(w.written()));
    ASSERT_TRUE(remb);
    EXPECT_EQ(remb->bitrate_bps, DecodeRembBitrate(EncodeRembBitrate(bps)));
    EXPECT_EQ(remb->ssrc_count(), 0u);
  }
  // A peer's exponent 63 with a full mantissa would overflow: saturates.
  EXPECT_EQ(DecodeRembBitrate({63, kRembMaxMantissa}), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(DecodeRembBitrate({46, kRembMaxMantissa}), uint64_t{kRembMaxMantissa} << 46);
  EXPECT_EQ(DecodeRembBitrate({47, kRembMaxMantissa}), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(DecodeRembBitrate({63, 0}), 0u);
  EXPECT_EQ(DecodeRembBitrate({63, 1}), uint64_t{1} << 63);
}

}  // namespace
}  // namespace sfu::rtp
