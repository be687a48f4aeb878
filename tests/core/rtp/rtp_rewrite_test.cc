#include "core/rtp/rtp_rewrite.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "core/rtp/rtp_packet.h"
#include "gtest/gtest.h"
#include "tests/core/rtp/rtp_test_packets.h"

namespace sfu::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// Bytes of `a` and `b` that differ, by offset.
std::vector<size_t> Diff(const Bytes& a, const Bytes& b) {
  std::vector<size_t> out;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) out.push_back(i);
  }
  return out;
}

TEST(RtpRewriteTest, SetSsrcSequenceTimestampTouchOnlyTheirField) {
  const Bytes orig = testing::Vp8PacketWithCsrcsAndPadding();
  Bytes p = orig;
  ASSERT_TRUE(SetRtpSsrc(absl::MakeSpan(p), 0x01020304));
  EXPECT_EQ(Diff(orig, p), (std::vector<size_t>{8, 9, 10, 11}));
  ASSERT_TRUE(SetRtpSequenceNumber(absl::MakeSpan(p), 0xBEEF));
  ASSERT_TRUE(SetRtpTimestamp(absl::MakeSpan(p), 0xA1B2C3D4));
  EXPECT_EQ(p.size(), orig.size());
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ssrc, 0x01020304u);
  EXPECT_EQ(v->sequence_number, 0xBEEF);
  EXPECT_EQ(v->timestamp, 0xA1B2C3D4u);
  // Everything from the CSRCs on, padding included, is untouched.
  EXPECT_EQ(Bytes(p.begin() + 12, p.end()), Bytes(orig.begin() + 12, orig.end()));
  EXPECT_EQ(Bytes(p.begin(), p.begin() + 2), Bytes(orig.begin(), orig.begin() + 2));
}

TEST(RtpRewriteTest, SetPayloadTypeKeepsMarker) {
  Bytes p = testing::Vp8PacketWithCsrcsAndPadding();  // marker set, PT 96
  ASSERT_TRUE(SetRtpPayloadType(absl::MakeSpan(p), 100));
  EXPECT_EQ(p[1], 0x80 | 100);
  EXPECT_FALSE(SetRtpPayloadType(absl::MakeSpan(p), 128));
  EXPECT_EQ(p[1], 0x80 | 100);
  ASSERT_TRUE(SetRtpMarker(absl::MakeSpan(p), false));
  EXPECT_EQ(p[1], 100);
  Bytes q = testing::ChromiumOpusPacket();  // marker clear
  ASSERT_TRUE(SetRtpPayloadType(absl::MakeSpan(q), 63));
  EXPECT_EQ(q[1], 63);
}

TEST(RtpRewriteTest, RefusesNonRtp) {
  Bytes short_packet(11, 0x80);
  EXPECT_FALSE(SetRtpSsrc(absl::MakeSpan(short_packet), 1));
  EXPECT_FALSE(SetRtpSequenceNumber(absl::MakeSpan(short_packet), 1));
  EXPECT_EQ(short_packet, Bytes(11, 0x80));
  Bytes v1 = testing::ChromiumOpusPacket();
  v1[0] = 0x50;  // version 1
  const Bytes before = v1;
  EXPECT_FALSE(SetRtpSsrc(absl::MakeSpan(v1), 1));
  EXPECT_FALSE(SetRtpPayloadType(absl::MakeSpan(v1), 1));
  EXPECT_EQ(v1, before);
}

TEST(RtpRewriteTest, RemapOneByteIdsInPlace) {
  const Bytes orig = testing::ChromiumOpusPacket();
  Bytes p = orig;
  RtpExtensionIdMap map;
  map.Set(1, 10);  // audio level
  map.Set(2, 14);  // abs-send-time
  map.Set(3, 5);   // transport-cc
  map.Set(4, 4);   // mid keeps its id
  ASSERT_EQ(RemapRtpExtensionIds(absl::MakeSpan(p), map), RemapResult::kOk);
  // Only the four element header bytes changed (offsets 16, 18, 22; mid's stayed the same).
  EXPECT_EQ(Diff(orig, p), (std::vector<size_t>{16, 18, 22}));
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(Bytes(v->FindExtension(10)->begin(), v->FindExtension(10)->end()), Bytes{0x9E});
  EXPECT_EQ(v->FindExtension(14)->size(), 3u);
  EXPECT_EQ(Bytes(v->FindExtension(5)->begin(), v->FindExtension(5)->end()), (Bytes{0x01, 0x2C}));
  EXPECT_TRUE(v->FindExtension(4));
  EXPECT_FALSE(v->FindExtension(1));
}

TEST(RtpRewriteTest, RemapDropsUnmappedElementsAsPadding) {
  const Bytes orig = testing::ChromiumOpusPacket();
  Bytes p = orig;
  RtpExtensionIdMap map;  // everything dropped unless set
  map.Set(3, 3);
  ASSERT_EQ(RemapRtpExtensionIds(absl::MakeSpan(p), map), RemapResult::kOk);
  EXPECT_EQ(p.size(), orig.size());
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  RtpExtensionIterator it = v->extensions();
  RtpExtensionElement e;
  ASSERT_TRUE(it.Next(&e));
  EXPECT_EQ(e.id, 3);
  EXPECT_EQ(Bytes(e.data.begin(), e.data.end()), (Bytes{0x01, 0x2C}));
  EXPECT_FALSE(it.Next(&e));
  EXPECT_FALSE(it.malformed());
  EXPECT_EQ(Bytes(v->payload.begin(), v->payload.end()), Bytes(orig.end() - 8, orig.end()));
  EXPECT_EQ(Bytes(p.begin(), p.begin() + 16), Bytes(orig.begin(), orig.begin() + 16));
}

TEST(RtpRewriteTest, RemapOneByteToIdAbove14IsRefusedAndLeavesPacketAlone) {
  const Bytes orig = testing::ChromiumOpusPacket();
  Bytes p = orig;
  RtpExtensionIdMap map = RtpExtensionIdMap::Identity();
  map.Set(1, 7);   // would fit...
  map.Set(4, 15);  // ...but this one does not: nothing may change
  EXPECT_EQ(RemapRtpExtensionIds(absl::MakeSpan(p), map), RemapResult::kDoesNotFitForm);
  EXPECT_EQ(p, orig);
}

TEST(RtpRewriteTest, RemapTwoByteIdsInPlace) {
  const Bytes orig = testing::ChromeCaptureTwoByte();
  Bytes p = orig;
  RtpExtensionIdMap map = RtpExtensionIdMap::Identity();
  map.Set(13, 200);
  map.Set(2, 16);
  map.Drop(9);
  ASSERT_EQ(RemapRtpExtensionIds(absl::MakeSpan(p), map), RemapResult::kOk);
  // id bytes at 16 (2->16) and 49 (13->200); element 9 at 25..27 zeroed.
  EXPECT_EQ(Diff(orig, p), (std::vector<size_t>{16, 25, 26, 27, 49}));
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->FindExtension(200)->size(), 33u);
  EXPECT_EQ(v->FindExtension(16)->size(), 3u);
  EXPECT_FALSE(v->FindExtension(9));
  EXPECT_FALSE(v->FindExtension(13));
  EXPECT_TRUE(v->FindExtension(7));
}

TEST(RtpRewriteTest, RemapMalformedBlockLeavesPacketAlone) {
  // id 2 (1 byte) then id 1 claiming 16 bytes in a 4-byte block.
  const Bytes orig = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                      0,    2,    0xBE, 0xDE, 0x00, 0x01, 0x20, 0x77, 0x1F, 0x00};
  Bytes p = orig;
  RtpExtensionIdMap map;
  map.Set(2, 3);
  EXPECT_EQ(RemapRtpExtensionIds(absl::MakeSpan(p), map), RemapResult::kMalformed);
  EXPECT_EQ(p, orig);
  Bytes garbage = {1, 2, 3};
  EXPECT_EQ(RemapRtpExtensionIds(absl::MakeSpan(garbage), map), RemapResult::kMalformed);
  Bytes plain = testing::Vp8PacketWithCsrcsAndPadding();  // no extension: nothing to do
  EXPECT_EQ(RemapRtpExtensionIds(absl::MakeSpan(plain), map), RemapResult::kOk);
  EXPECT_EQ(plain, testing::Vp8PacketWithCsrcsAndPadding());
}

}  // namespace
}  // namespace sfu::rtp
