#include "core/sdp/sdp_writer.h"

#include <string>

#include "core/sdp/sdp_parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/sdp/sdp_test_util.h"

namespace sfu::sdp {
namespace {

using ::testing::HasSubstr;

class SdpWriterFixtureTest : public ::testing::TestWithParam<const char*> {};

// Parse -> write -> parse -> write reaches a fixed point after one step, and the written text
// keeps every line of the fixture that sfud models (spot-checked below).
TEST_P(SdpWriterFixtureTest, RoundTrips) {
  std::string original = testing::ReadFixture(GetParam());
  auto first = SdpParser().Parse(original);
  ASSERT_TRUE(first.ok()) << first.status();
  std::string text = SdpWriter::Write(*first);
  auto second = SdpParser().Parse(text);
  ASSERT_TRUE(second.ok()) << second.status() << "\n" << text;
  EXPECT_EQ(SdpWriter::Write(*second), text);
  ASSERT_EQ(second->media.size(), first->media.size());
  for (size_t i = 0; i < first->media.size(); ++i) {
    EXPECT_EQ(second->media[i].payload_types, first->media[i].payload_types);
    EXPECT_EQ(second->media[i].rtcp_fbs.size(), first->media[i].rtcp_fbs.size());
    EXPECT_EQ(second->media[i].extmaps.size(), first->media[i].extmaps.size());
    EXPECT_EQ(second->media[i].candidates.size(), first->media[i].candidates.size());
    EXPECT_EQ(second->media[i].ssrcs.size(), first->media[i].ssrcs.size());
    EXPECT_EQ(second->media[i].other_attributes.size(), first->media[i].other_attributes.size());
  }
  // Candidate, fmtp and extmap lines come out byte-identical to the browser's.
  for (const char* prefix : {"a=candidate:", "a=fmtp:", "a=extmap:", "a=ssrc:", "a=rid:",
                             "a=simulcast:", "a=rtcp-fb:"}) {
    size_t pos = 0;
    while ((pos = original.find(prefix, pos)) != std::string::npos) {
      size_t end = original.find('\n', pos);
      std::string line = original.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      EXPECT_THAT(text, HasSubstr(line + "\r\n"));
      pos = end;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SdpWriterFixtureTest,
                         ::testing::Values("chromium156_offer.sdp",
                                           "chromium156_simulcast_offer.sdp",
                                           "chromium156_viewer_offer.sdp", "werift_offer.sdp",
                                           "firefox_style_offer.sdp"));

}  // namespace
}  // namespace sfu::sdp
