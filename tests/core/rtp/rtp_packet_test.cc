#include "core/rtp/rtp_packet.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/byte_writer.h"
#include "core/rtp/rtp_extension.h"
#include "gtest/gtest.h"
#include "tests/core/rtp/rtp_test_packets.h"

namespace sfu::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ToBytes(absl::Span<const uint8_t> s) { return Bytes(s.begin(), s.end()); }

std::vector<std::pair<uint8_t, Bytes>> Elements(const RtpPacketView& v, bool* malformed) {
  std::vector<std::pair<uint8_t, Bytes>> out;
  RtpExtensionIterator it = v.extensions();
  RtpExtensionElement e;
  while (it.Next(&e)) out.emplace_back(e.id, ToBytes(e.data));
  *malformed = it.malformed();
  return out;
}

TEST(RtpPacketTest, ParsesChromiumOpusPacket) {
  const Bytes p = testing::ChromiumOpusPacket();
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->marker);
  EXPECT_EQ(v->payload_type, 111);
  EXPECT_EQ(v->sequence_number, 23100);
  EXPECT_EQ(v->timestamp, 0x8A2F1C40u);
  EXPECT_EQ(v->ssrc, 0x1D2C3B4Au);
  EXPECT_EQ(v->csrc_count(), 0u);
  EXPECT_TRUE(v->has_extension);
  EXPECT_EQ(v->extension_profile, kOneByteExtensionProfile);
  EXPECT_EQ(v->extension_data.size(), 12u);
  EXPECT_EQ(v->header_size, 28u);
  EXPECT_EQ(v->padding_size, 0);
  ASSERT_EQ(v->payload.size(), 8u);
  EXPECT_EQ(v->payload.data(), p.data() + 28);  // a view, not a copy

  bool malformed = true;
  const auto elements = Elements(*v, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 4u);
  EXPECT_EQ(elements[0], (std::pair<uint8_t, Bytes>{1, {0x9E}}));
  EXPECT_EQ(elements[1], (std::pair<uint8_t, Bytes>{2, {0x8C, 0x4E, 0x12}}));
  EXPECT_EQ(elements[2], (std::pair<uint8_t, Bytes>{3, {0x01, 0x2C}}));
  EXPECT_EQ(elements[3], (std::pair<uint8_t, Bytes>{4, {'0'}}));

  ASSERT_TRUE(v->FindExtension(3));
  EXPECT_EQ(ToBytes(*v->FindExtension(3)), (Bytes{0x01, 0x2C}));
  EXPECT_FALSE(v->FindExtension(5));
  EXPECT_FALSE(v->FindExtension(0));
}

// The out-parameter form is reused across packets on the forwarding path: a parse must overwrite
// everything the previous packet left behind.
TEST(RtpPacketTest, OutParameterFormOverwritesEveryField) {
  const Bytes opus = testing::ChromiumOpusPacket();
  const Bytes vp8 = testing::Vp8PacketWithCsrcsAndPadding();
  RtpPacketView v;
  ASSERT_TRUE(ParseRtpPacket(vp8, &v));
  ASSERT_TRUE(ParseRtpPacket(opus, &v));
  EXPECT_EQ(v.csrc_count(), 0u);
  EXPECT_EQ(v.padding_size, 0);
  EXPECT_FALSE(v.marker);
  EXPECT_EQ(v.payload.size(), 8u);
  ASSERT_TRUE(ParseRtpPacket(vp8, &v));
  EXPECT_FALSE(v.has_extension);
  EXPECT_EQ(v.extension_profile, 0);
  EXPECT_TRUE(v.extension_data.empty());
  EXPECT_FALSE(v.FindExtension(3));
  EXPECT_EQ(v.padding_size, 4);
  EXPECT_EQ(v.csrc_count(), 2u);
  EXPECT_FALSE(ParseRtpPacket(absl::MakeConstSpan(vp8).first(11), &v));
}

TEST(RtpPacketTest, ParsesVp8PacketWithCsrcsAndPadding) {
  const Bytes p = testing::Vp8PacketWithCsrcsAndPadding();
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->marker);
  EXPECT_EQ(v->payload_type, 96);
  EXPECT_EQ(v->sequence_number, 0x1234);
  EXPECT_EQ(v->timestamp, 90000u);
  EXPECT_EQ(v->ssrc, 0xCAFEBABEu);
  ASSERT_EQ(v->csrc_count(), 2u);
  EXPECT_EQ(v->csrc(0), 0x11111111u);
  EXPECT_EQ(v->csrc(1), 0x22222222u);
  EXPECT_EQ(v->csrc(2), 0u);
  EXPECT_FALSE(v->has_extension);
  EXPECT_EQ(v->header_size, 20u);
  EXPECT_EQ(v->padding_size, 4);
  EXPECT_EQ(ToBytes(v->payload),
            (Bytes{0x90, 0x80, 0x2A, 0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01}));
  RtpExtensionIterator it = v->extensions();
  RtpExtensionElement e;
  EXPECT_FALSE(it.Next(&e));
}

TEST(RtpPacketTest, ParsesChromeCapturesOneByte) {
  const Bytes p = testing::ChromeCaptureOneByte();
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);  // Wireshark: PT 45, seq 6751, ts 3557360969, SSRC 0xf7b16e83
  EXPECT_EQ(v->payload_type, 45);
  EXPECT_FALSE(v->marker);
  EXPECT_EQ(v->sequence_number, 6751);
  EXPECT_EQ(v->timestamp, 3557360969u);
  EXPECT_EQ(v->ssrc, 0xf7b16e83u);
  EXPECT_TRUE(v->payload.empty());
  bool malformed = true;
  const auto elements = Elements(*v, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(elements[0], (std::pair<uint8_t, Bytes>{2, {0xf3, 0x43, 0x50}}));
  EXPECT_EQ(elements[1], (std::pair<uint8_t, Bytes>{4, {0x00, 0x9b}}));
  EXPECT_EQ(elements[2], (std::pair<uint8_t, Bytes>{13, {0x81, 0x00, 0x45}}));

  const Bytes q = testing::ChromeCaptureOneByteMarker();
  const std::optional<RtpPacketView> w = ParseRtpPacket(q);
  ASSERT_TRUE(w);  // Wireshark: marker, seq 6612, ts 3557156759
  EXPECT_TRUE(w->marker);
  EXPECT_EQ(w->payload_type, 45);
  EXPECT_EQ(w->sequence_number, 6612);
  EXPECT_EQ(w->timestamp, 3557156759u);
  const auto more = Elements(*w, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(more.size(), 7u);
  const uint8_t ids[] = {2, 4, 9, 3, 6, 7, 13};
  const size_t sizes[] = {3, 2, 1, 1, 1, 13, 3};
  for (size_t i = 0; i < more.size(); ++i) {
    EXPECT_EQ(more[i].first, ids[i]);
    EXPECT_EQ(more[i].second.size(), sizes[i]);
  }
  EXPECT_EQ(more[5].second,
            (Bytes{0x01, 0x00, 0x03, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x23, 0x00, 0x00, 0x00, 0x00}));
}

TEST(RtpPacketTest, ParsesChromeCaptureTwoByte) {
  const Bytes p = testing::ChromeCaptureTwoByte();
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);  // Wireshark: seq 25029, ts 2500464622, SSRC 0x8d3814e5, profile 0x1000
  EXPECT_EQ(v->sequence_number, 25029);
  EXPECT_EQ(v->timestamp, 2500464622u);
  EXPECT_EQ(v->ssrc, 0x8d3814e5u);
  EXPECT_EQ(ExtensionFormOf(v->extension_profile), RtpExtensionForm::kTwoByte);
  bool malformed = true;
  const auto elements = Elements(*v, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 7u);
  const uint8_t ids[] = {2, 4, 9, 3, 6, 7, 13};
  const size_t sizes[] = {3, 2, 1, 1, 1, 13, 33};
  for (size_t i = 0; i < elements.size(); ++i) {
    EXPECT_EQ(elements[i].first, ids[i]);
    EXPECT_EQ(elements[i].second.size(), sizes[i]);
  }
  EXPECT_EQ(elements[0].second, (Bytes{0x03, 0xf7, 0xae}));
  EXPECT_EQ(elements[6].second.back(), 0xf0);
}

// Every prefix of every sample is rejected or parsed without reading past its end (ASan checks
// the latter); the full packets parse.
TEST(RtpPacketTest, TruncationAtEveryLength) {
  for (const Bytes& full : {testing::ChromiumOpusPacket(), testing::Vp8PacketWithCsrcsAndPadding(),
                            testing::ChromeCaptureOneByte(), testing::ChromeCaptureTwoByte()}) {
    ASSERT_TRUE(ParseRtpPacket(full));
    for (size_t n = 0; n < full.size(); ++n) {
      const Bytes cut(full.begin(), full.begin() + n);
      const std::optional<RtpPacketView> v = ParseRtpPacket(cut);
      if (n < 12) {
        EXPECT_FALSE(v) << n;
      }
      if (v) {
        EXPECT_LE(v->header_size + v->payload.size() + v->padding_size, n);
        RtpExtensionIterator it = v->extensions();
        RtpExtensionElement e;
        while (it.Next(&e)) {
        }
      }
    }
  }
  // The Opus packet is cut inside its extension block: rejected up to the end of the block.
  const Bytes opus = testing::ChromiumOpusPacket();
  for (size_t n = 12; n < 28; ++n) {
    EXPECT_FALSE(ParseRtpPacket(absl::MakeConstSpan(opus).first(n))) << n;
  }
  EXPECT_TRUE(ParseRtpPacket(absl::MakeConstSpan(opus).first(28)));  // header only, no payload
}

TEST(RtpPacketTest, RejectsWrongVersion) {
  Bytes p = testing::ChromiumOpusPacket();
  for (uint8_t version : {0, 1, 3}) {
    p[0] = static_cast<uint8_t>((version << 6) | (p[0] & 0x3F));
    EXPECT_FALSE(ParseRtpPacket(p)) << int{version};
  }
}

TEST(RtpPacketTest, CsrcCountBeyondThePacket) {
  // CC = 15 announces 60 bytes of CSRCs; only 8 follow.
  Bytes p = {0x8F, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_FALSE(ParseRtpPacket(p));
  p.resize(12 + 60, 0xAB);  // now they fit exactly
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->csrc_count(), 15u);
  EXPECT_EQ(v->csrc(14), 0xABABABABu);
  EXPECT_TRUE(v->payload.empty());
}

TEST(RtpPacketTest, ExtensionLengthBeyondThePacket) {
  Bytes p = testing::ChromiumOpusPacket();
  p[15] = 0x20;  // 32 words = 128 bytes claimed, 20 present
  EXPECT_FALSE(ParseRtpPacket(p));
  p[15] = 0xFF;
  p[14] = 0xFF;
  EXPECT_FALSE(ParseRtpPacket(p));
}

TEST(RtpPacketTest, PaddingCountMustFitAndBeNonZero) {
  Bytes p = testing::Vp8PacketWithCsrcsAndPadding();  // 20 header + 13 payload + 4 padding
  p.back() = 17;  // all of payload and padding: a padding-only packet, legal
  std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->payload.empty());
  p.back() = 18;  // one byte into the CSRCs
  EXPECT_FALSE(ParseRtpPacket(p));
  p.back() = 255;
  EXPECT_FALSE(ParseRtpPacket(p));
  p.back() = 0;  // the count includes itself, so 0 is impossible
  EXPECT_FALSE(ParseRtpPacket(p));
  // P set on a bare 12-byte header: there is no byte to hold the count.
  const Bytes bare = {0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_FALSE(ParseRtpPacket(bare));
}

TEST(RtpPacketTest, OneByteExtensionPaddingAndStopId) {
  // id 1 (1 byte), two padding zeros, id 2 (2 bytes), id 15 stop, then bytes that look like an
  // element but must not be parsed (RFC 8285 §4.2).
  const Bytes p = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                   0,    2,    0xBE, 0xDE, 0x00, 0x03, 0x10, 0xAA, 0x00, 0x00,
                   0x21, 0xBB, 0xCC, 0xF0, 0x30, 0xDD, 0x00, 0x00};
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  bool malformed = true;
  const auto elements = Elements(*v, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0], (std::pair<uint8_t, Bytes>{1, {0xAA}}));
  EXPECT_EQ(elements[1], (std::pair<uint8_t, Bytes>{2, {0xBB, 0xCC}}));
  EXPECT_FALSE(v->FindExtension(3));
}

TEST(RtpPacketTest, ExtensionElementLongerThanItsBlock) {
  // One-byte id 1 claims 16 bytes inside a 4-byte block; the element before it is still found.
  const Bytes one = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,    0,    2,
                     0xBE, 0xDE, 0x00, 0x01, 0x20, 0x77, 0x1F, 0x00, 0xEE, 0xEE, 0xEE, 0xEE};
  std::optional<RtpPacketView> v = ParseRtpPacket(one);
  ASSERT_TRUE(v);  // the packet is still RTP; the element walk reports the problem
  bool malformed = false;
  auto elements = Elements(*v, &malformed);
  EXPECT_TRUE(malformed);
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].first, 2);
  EXPECT_FALSE(v->FindExtension(1));
  // Two-byte: id 5 claims 200 bytes; and a lone id byte with no length byte.
  const Bytes two = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                     0,    2,    0x10, 0x00, 0x00, 0x01, 0x05, 0xC8, 0x00, 0x00};
  v = ParseRtpPacket(two);
  ASSERT_TRUE(v);
  elements = Elements(*v, &malformed);
  EXPECT_TRUE(malformed);
  EXPECT_TRUE(elements.empty());
  const Bytes lone = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                      0,    2,    0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07};
  v = ParseRtpPacket(lone);
  ASSERT_TRUE(v);
  elements = Elements(*v, &malformed);
  EXPECT_TRUE(malformed);
  EXPECT_TRUE(elements.empty());
}

TEST(RtpPacketTest, TwoByteZeroLengthElementAndAppBits) {
  // Profile 0x100A: two-byte form with appbits 0xA; id 7 with no data, id 200 with 1 byte.
  const Bytes p = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,    0,    2,
                   0x10, 0x0A, 0x00, 0x02, 0x07, 0x00, 0x00, 0xC8, 0x01, 0x99, 0x00, 0x00};
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_profile & 0x0F, 0x0A);
  bool malformed = true;
  const auto elements = Elements(*v, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0], (std::pair<uint8_t, Bytes>{7, {}}));
  EXPECT_EQ(elements[1], (std::pair<uint8_t, Bytes>{200, {0x99}}));
}

TEST(RtpPacketTest, NonRfc8285ExtensionYieldsNoElements) {
  const Bytes p = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,   0,
                   2,    0xAB, 0xCD, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x55};
  const std::optional<RtpPacketView> v = ParseRtpPacket(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_data.size(), 4u);
  EXPECT_EQ(v->payload.size(), 1u);
  bool malformed = true;
  EXPECT_TRUE(Elements(*v, &malformed).empty());
  EXPECT_FALSE(malformed);
}

TEST(RtpPacketTest, BuildReproducesTheOpusPacketByteForByte) {
  const uint8_t level[] = {0x9E};
  const uint8_t abs_send_time[] = {0x8C, 0x4E, 0x12};
  const uint8_t twcc[] = {0x01, 0x2C};
  const uint8_t mid[] = {'0'};
  const RtpExtensionElement ext[] = {{1, level}, {2, abs_send_time}, {3, twcc}, {4, mid}};
  const uint8_t payload[] = {0x78, 0x0B, 0xE4, 0xC1, 0x36, 0xEC, 0xC5, 0x80};
  RtpPacketSpec spec;
  spec.payload_type = 111;
  spec.sequence_number = 23100;
  spec.timestamp = 0x8A2F1C40;
  spec.ssrc = 0x1D2C3B4A;
  spec.extensions = ext;
  spec.payload = payload;
  std::array<uint8_t, 1500> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteRtpPacket(spec, &w));
  EXPECT_EQ(ToBytes(w.written()), testing::ChromiumOpusPacket());
}

TEST(RtpPacketTest, BuildReproducesTheVp8PacketByteForByte) {
  const uint32_t csrcs[] = {0x11111111, 0x22222222};
  const uint8_t payload[] = {0x90, 0x80, 0x2A, 0x50, 0x42, 0x00, 0x9D,
                             0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01};
  RtpPacketSpec spec;
  spec.marker = true;
  spec.payload_type = 96;
  spec.sequence_number = 0x1234;
  spec.timestamp = 90000;
  spec.ssrc = 0xCAFEBABE;
  spec.csrcs = csrcs;
  spec.payload = payload;
  spec.padding_size = 4;
  std::array<uint8_t, 1500> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteRtpPacket(spec, &w));
  EXPECT_EQ(ToBytes(w.written()), testing::Vp8PacketWithCsrcsAndPadding());
}

TEST(RtpPacketTest, BuildPicksTwoByteFormWhenNeededAndRoundTrips) {
  const uint8_t big[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
  const uint8_t small[] = {0x42};
  const RtpExtensionElement ext[] = {{3, small}, {20, big}, {9, {}}};
  RtpPacketSpec spec;
  spec.payload_type = 100;
  spec.sequence_number = 65535;
  spec.timestamp = 0xFFFFFFFF;
  spec.ssrc = 1;
  spec.extensions = ext;
  spec.two_byte_appbits = 0x5;
  spec.padding_size = 255;
  std::array<uint8_t, 1500> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteRtpPacket(spec, &w));
  const std::optional<RtpPacketView> v = ParseRtpPacket(w.written());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_profile, 0x1005);
  EXPECT_EQ(v->sequence_number, 65535);
  EXPECT_EQ(v->timestamp, 0xFFFFFFFFu);
  EXPECT_EQ(v->padding_size, 255);
  EXPECT_TRUE(v->payload.empty());
  bool malformed = true;
  const auto elements = Elements(*v, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(elements[0], (std::pair<uint8_t, Bytes>{3, {0x42}}));
  EXPECT_EQ(elements[1], (std::pair<uint8_t, Bytes>{20, Bytes(big, big + 20)}));
  EXPECT_EQ(elements[2], (std::pair<uint8_t, Bytes>{9, {}}));
  EXPECT_EQ(v->extension_data.size() % 4, 0u);
}

TEST(RtpPacketTest, BuildRejectsInvalidSpecsAndShortBuffers) {
  std::array<uint8_t, 64> buf{};
  RtpPacketSpec spec;
  spec.payload_type = 128;
  ByteWriter w1(absl::MakeSpan(buf));
  EXPECT_FALSE(WriteRtpPacket(spec, &w1));
  spec.payload_type = 0;
  const uint32_t csrcs[16] = {};
  spec.csrcs = csrcs;
  ByteWriter w2(absl::MakeSpan(buf));
  EXPECT_FALSE(WriteRtpPacket(spec, &w2));
  spec.csrcs = {};
  const RtpExtensionElement zero_id[] = {{0, {}}};
  spec.extensions = zero_id;
  ByteWriter w3(absl::MakeSpan(buf));
  EXPECT_FALSE(WriteRtpPacket(spec, &w3));
  spec.extensions = {};
  const uint8_t payload[100] = {};
  spec.payload = payload;
  ByteWriter w4(absl::MakeSpan(buf));  // 64 bytes: too small
  EXPECT_FALSE(WriteRtpPacket(spec, &w4));
  EXPECT_FALSE(w4.ok());
}

}  // namespace
}  // namespace sfu::rtp
