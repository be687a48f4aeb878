// Keyframe detection on payloads hand-built from the payload-format RFCs.
#include "core/sfu/keyframe.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

bool Key(Codec codec, std::vector<uint8_t> payload) {
  return IsKeyframeStart(codec, absl::MakeConstSpan(payload));
}

// RFC 7741 §4.2 descriptor, §4.3 payload header (P is bit 0 of the first byte; a key frame's
// first bytes are followed by the start code 9d 01 2a, §9.1 of RFC 6386).
TEST(KeyframeTest, Vp8) {
  EXPECT_TRUE(Key(Codec::kVp8, {0x10, 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a}));
  EXPECT_FALSE(Key(Codec::kVp8, {0x10, 0x31, 0x42, 0x00}));  // P=1: interframe
  EXPECT_FALSE(Key(Codec::kVp8, {0x00, 0x50, 0x42}));        // S=0: continuation
  EXPECT_FALSE(Key(Codec::kVp8, {0x11, 0x50, 0x42}));        // PID 1: not the first partition
  // X=1, I=1 with a 15-bit PictureID (M=1).
  EXPECT_TRUE(Key(Codec::kVp8, {0x90, 0x80, 0x81, 0x23, 0x50, 0x9d}));
  // X=1, I L T: 7-bit PictureID, TL0PICIDX, TID|Y|KEYIDX.
  EXPECT_TRUE(Key(Codec::kVp8, {0x90, 0xE0, 0x12, 0x05, 0x40, 0x50, 0x9d}));
  EXPECT_FALSE(Key(Codec::kVp8, {0x90, 0xE0, 0x12, 0x05, 0x40, 0x51, 0x9d}));
  // Truncated inside the extensions: not a keyframe, no over-read.
  EXPECT_FALSE(Key(Codec::kVp8, {0x90, 0xE0, 0x12}));
  EXPECT_FALSE(Key(Codec::kVp8, {0x90, 0x80, 0x81}));
  EXPECT_FALSE(Key(Codec::kVp8, {}));
  EXPECT_FALSE(Key(Codec::kVp8, {0x10}));
}

// RFC 9628 §4.2: I|P|L|F|B|E|V|Z.
TEST(KeyframeTest, Vp9) {
  // Non-flexible, I L B, 15-bit PictureID, TID/U/SID/D with SID 0, TL0PICIDX.
  EXPECT_TRUE(Key(Codec::kVp9, {0xA8, 0x81, 0x23, 0x00, 0x00, 0x83}));
  EXPECT_FALSE(Key(Codec::kVp9, {0xE8, 0x81, 0x23, 0x00, 0x00}));  // P=1
  EXPECT_FALSE(Key(Codec::kVp9, {0xA0, 0x81, 0x23, 0x00, 0x00}));  // B=0: not frame start
  EXPECT_FALSE(Key(Codec::kVp9, {0xA8, 0x81, 0x23, 0x02, 0x00}));  // SID 1
  // Flexible mode (F=1), I B, 7-bit PictureID, no layer indices.
  EXPECT_TRUE(Key(Codec::kVp9, {0x98, 0x05, 0x83}));
  EXPECT_FALSE(Key(Codec::kVp9, {0xD8, 0x05, 0x01}));  // flexible, P=1 (with a P_DIFF)
  EXPECT_FALSE(Key(Codec::kVp9, {0xA8, 0x81}));        // truncated PictureID
  EXPECT_FALSE(Key(Codec::kVp9, {}));
}

// RFC 6184 §5.6 single NAL, §5.7.1 STAP-A, §5.8 FU-A.
TEST(KeyframeTest, H264) {
  EXPECT_TRUE(Key(Codec::kH264, {0x65, 0x88, 0x84}));   // IDR slice
  EXPECT_TRUE(Key(Codec::kH264, {0x67, 0x42, 0xc0}));   // SPS
  EXPECT_FALSE(Key(Codec::kH264, {0x41, 0x9a, 0x00}));  // non-IDR slice
  EXPECT_FALSE(Key(Codec::kH264, {0x68, 0xce}));        // PPS alone
  // STAP-A: SPS (2 bytes), PPS (2 bytes).
  EXPECT_TRUE(Key(Codec::kH264, {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}));
  // STAP-A: PPS then IDR.
  EXPECT_TRUE(Key(Codec::kH264, {0x78, 0x00, 0x02, 0x68, 0xce, 0x00, 0x02, 0x65, 0x88}));
  EXPECT_FALSE(Key(Codec::kH264, {0x78, 0x00, 0x02, 0x41, 0x9a}));
  EXPECT_FALSE(Key(Codec::kH264, {0x78, 0x00, 0x10, 0x67}));  // a size past the end
  EXPECT_FALSE(Key(Codec::kH264, {0x78, 0x00, 0x00}));        // zero-size unit
  // FU-A: indicator type 28, header S|E|R|type.
  EXPECT_TRUE(Key(Codec::kH264, {0x7c, 0x85, 0x88}));
  EXPECT_FALSE(Key(Codec::kH264, {0x7c, 0x05, 0x88}));  // not the start
  EXPECT_FALSE(Key(Codec::kH264, {0x7c, 0x81, 0x9a}));  // start of a non-IDR slice
  EXPECT_FALSE(Key(Codec::kH264, {0x7c}));
  EXPECT_FALSE(Key(Codec::kH264, {}));
}

TEST(KeyframeTest, Av1AggregationHeader) {
  EXPECT_TRUE(Key(Codec::kAv1, {0x18, 0x0a}));   // N=1, W=1
  EXPECT_FALSE(Key(Codec::kAv1, {0x10, 0x32}));  // N=0
  EXPECT_FALSE(Key(Codec::kAv1, {0x88, 0x32}));  // Z=1: continues an OBU
  EXPECT_FALSE(Key(Codec::kAv1, {}));
}

TEST(KeyframeTest, AudioAndUnknownCodecsHaveNoKeyframes) {
  EXPECT_FALSE(Key(Codec::kOpus, {0x10, 0x50}));
  EXPECT_FALSE(Key(Codec::kOther, {0x65}));
  EXPECT_EQ(CodecFromName("vp8"), Codec::kVp8);
  EXPECT_EQ(CodecFromName("OPUS"), Codec::kOpus);
  EXPECT_EQ(CodecFromName("h264"), Codec::kH264);
  EXPECT_EQ(CodecFromName("red"), Codec::kOther);
}

}  // namespace
}  // namespace sfu::sfu
