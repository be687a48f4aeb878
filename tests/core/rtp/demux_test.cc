#include "core/rtp/demux.h"

#include <array>
#include <cstdint>

#include "gtest/gtest.h"

namespace sfu::rtp {
namespace {

// The whole table is checked at compile time too: ClassifyPacket is constexpr.
static_assert(ClassifyPacket(0, 0) == PacketClass::kStun);
static_assert(ClassifyPacket(0x80, 0xE0) == PacketClass::kRtp);
static_assert(ClassifyPacket(0x80, 0xC8) == PacketClass::kRtcp);

// RFC 7983 §7 first-byte ranges, at every edge. The second byte (0x60 = RTP PT 96) does not matter
// outside 128-191.
TEST(DemuxTest, FirstByteEdges) {
  struct Case {
    uint8_t first;
    PacketClass want;
  };
  const Case cases[] = {
      {0, PacketClass::kStun},      {3, PacketClass::kStun},      {4, PacketClass::kUnknown},
      {16, PacketClass::kUnknown},  {19, PacketClass::kUnknown},  {20, PacketClass::kDtls},
      {22, PacketClass::kDtls},     {63, PacketClass::kDtls},     {64, PacketClass::kUnknown},
      {79, PacketClass::kUnknown},  {127, PacketClass::kUnknown}, {128, PacketClass::kRtp},
      {0x90, PacketClass::kRtp},    {191, PacketClass::kRtp},     {192, PacketClass::kUnknown},
      {255, PacketClass::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyPacket(c.first, 0x60), c.want) << int{c.first};
    const std::array<uint8_t, 2> d = {c.first, 0x60};
    EXPECT_EQ(ClassifyDatagram(d), c.want) << int{c.first};
  }
}

// RFC 5761 §4: RTCP when the second byte is 192-223, whatever the marker bit "would" be.
TEST(DemuxTest, RtcpVersusRtpBySecondByte) {
  EXPECT_EQ(ClassifyPacket(0x80, 191), PacketClass::kRtp);   // PT 63 + marker
  EXPECT_EQ(ClassifyPacket(0x80, 192), PacketClass::kRtcp);  // lowest RTCP-range value
  EXPECT_EQ(ClassifyPacket(0x81, 200), PacketClass::kRtcp);  // SR
  EXPECT_EQ(ClassifyPacket(0x81, 201), PacketClass::kRtcp);  // RR
  EXPECT_EQ(ClassifyPacket(0x8F, 206), PacketClass::kRtcp);  // PSFB FMT 15
  EXPECT_EQ(ClassifyPacket(0x80, 223), PacketClass::kRtcp);  // highest RTCP-range value
  EXPECT_EQ(ClassifyPacket(0x80, 224), PacketClass::kRtp);   // 0xE0: PT 96 with marker
  EXPECT_EQ(ClassifyPacket(0x80, 0xFF), PacketClass::kRtp);  // PT 127 with marker
  EXPECT_EQ(ClassifyPacket(0x80, 96), PacketClass::kRtp);    // PT 96, no marker
  EXPECT_EQ(ClassifyPacket(0x80, 127), PacketClass::kRtp);   // PT 127, no marker
  EXPECT_EQ(ClassifyPacket(0xBF, 0xE0), PacketClass::kRtp);  // first byte 191
}

TEST(DemuxTest, ShortDatagrams) {
  EXPECT_EQ(ClassifyDatagram({}), PacketClass::kUnknown);
  const std::array<uint8_t, 1> rtp_one = {0x80};
  EXPECT_EQ(ClassifyDatagram(rtp_one), PacketClass::kUnknown);
  const std::array<uint8_t, 1> stun_one = {0x00};
  EXPECT_EQ(ClassifyDatagram(stun_one), PacketClass::kStun);  // the STUN parser rejects it
  const std::array<uint8_t, 1> dtls_one = {22};
  EXPECT_EQ(ClassifyDatagram(dtls_one), PacketClass::kDtls);
}

}  // namespace
}  // namespace sfu::rtp
