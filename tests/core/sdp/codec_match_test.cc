#include "core/sdp/codec_match.h"

#include "gtest/gtest.h"

namespace sfu::sdp {
namespace {

// Profile classes from RFC 6184 §8.1, Table 5 (profile_idc, profile-iop), with the
// profile-level-id values browsers put in their offers.
TEST(CodecMatchTest, H264Profiles) {
  EXPECT_EQ(ParseH264Profile("42e01f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(ParseH264Profile("42E01F"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(ParseH264Profile("4d801f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(ParseH264Profile("58c01f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(ParseH264Profile("42001f"), H264Profile::kBaseline);
  EXPECT_EQ(ParseH264Profile("58801f"), H264Profile::kBaseline);
  EXPECT_EQ(ParseH264Profile("4d001f"), H264Profile::kMain);
  EXPECT_EQ(ParseH264Profile("58001f"), H264Profile::kExtended);
  EXPECT_EQ(ParseH264Profile("64001f"), H264Profile::kHigh);
  EXPECT_EQ(ParseH264Profile("640c1f"), H264Profile::kConstrainedHigh);
  EXPECT_EQ(ParseH264Profile("f4001f"), H264Profile::kOther);
  EXPECT_EQ(ParseH264Profile("42e01"), std::nullopt);
  EXPECT_EQ(ParseH264Profile("42e01g"), std::nullopt);
  EXPECT_EQ(ParseH264Profile("+42e01"), std::nullopt);
}

LocalCodec H264() {
  return LocalCodec{MediaKind::kVideo,
                    "H264",
                    90000,
                    0,
                    {{"packetization-mode", "1"}, {"profile-level-id", "42e01f"}},
                    true};
}

TEST(CodecMatchTest, H264NeedsSameModeAndProfile) {
  RtpMap map{102, "h264", 90000, 0};
  Fmtp same{102, {{"profile-level-id", "42e034"}, {"packetization-mode", "1"}}};
  Fmtp mode0{102, {{"profile-level-id", "42e01f"}}};
  Fmtp baseline{102, {{"profile-level-id", "42001f"}, {"packetization-mode", "1"}}};
  EXPECT_TRUE(CodecMatches(H264(), map, &same));  // another level of the same profile
  EXPECT_FALSE(CodecMatches(H264(), map, &mode0));
  EXPECT_FALSE(CodecMatches(H264(), map, &baseline));
  EXPECT_FALSE(CodecMatches(H264(), map, nullptr));  // defaults: mode 0, baseline
}

TEST(CodecMatchTest, AudioChannelsAndClock) {
  LocalCodec opus{MediaKind::kAudio, "opus", 48000, 2, {}, false};
  EXPECT_TRUE(CodecMatches(opus, RtpMap{111, "OPUS", 48000, 2}, nullptr));
  EXPECT_FALSE(CodecMatches(opus, RtpMap{111, "opus", 48000, 0}, nullptr));
  EXPECT_FALSE(CodecMatches(opus, RtpMap{111, "opus", 8000, 2}, nullptr));
  LocalCodec pcmu{MediaKind::kAudio, "PCMU", 8000, 0, {}, false};
  EXPECT_TRUE(CodecMatches(pcmu, RtpMap{0, "PCMU", 8000, 1}, nullptr));
}

TEST(CodecMatchTest, Vp9AndAv1Profiles) {
  LocalCodec vp9{MediaKind::kVideo, "VP9", 90000, 0, {{"profile-id", "0"}}, true};
  Fmtp p2{100, {{"profile-id", "2"}}};
  EXPECT_TRUE(CodecMatches(vp9, RtpMap{98, "VP9", 90000, 0}, nullptr));
  EXPECT_FALSE(CodecMatches(vp9, RtpMap{100, "VP9", 90000, 0}, &p2));
  LocalCodec av1{MediaKind::kVideo, "AV1", 90000, 0, {{"profile", "0"}}, true};
  Fmtp av1_high{45, {{"profile", "1"}}};
  EXPECT_TRUE(CodecMatches(av1, RtpMap{45, "AV1", 90000, 0}, nullptr));
  EXPECT_FALSE(CodecMatches(av1, RtpMap{45, "AV1", 90000, 0}, &av1_high));
}

}  // namespace
}  // namespace sfu::sdp
