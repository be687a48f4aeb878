#include "daemon/trickle_fragment.h"

#include <string>

#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

// The shape of RFC 8840 §9's fragment example (Chrome's trickle PATCH body looks the same).
constexpr char kTrickle[] =
    "a=ice-options:trickle ice2\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=mid:0\r\n"
    "a=ice-ufrag:EsAw\r\n"
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0\r\n"
    "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0\r\n"
    "a=end-of-candidates\r\n";

TEST(TrickleFragmentTest, ParsesCredentialsAndCountsCandidates) {
  auto f = ParseTrickleFragment(kTrickle);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->ice_ufrag, "EsAw");
  EXPECT_EQ(f->ice_pwd, "P2uYro0UCOQ4zxjKXaWCBui1");
  EXPECT_EQ(f->candidates, 2u);
  EXPECT_TRUE(f->end_of_candidates);
}

TEST(TrickleFragmentTest, AcceptsBareNewlinesAndEmptyBody) {
  auto f = ParseTrickleFragment("a=candidate:1 1 udp 1 10.0.0.1 1 typ host\n");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->candidates, 1u);
  EXPECT_TRUE(f->ice_ufrag.empty());
  EXPECT_TRUE(ParseTrickleFragment("").ok());
}

TEST(TrickleFragmentTest, RejectsForeignLinesWithLineNumber) {
  auto f = ParseTrickleFragment("a=mid:0\r\nv=0\r\n");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(std::string(f.status().message()).find("line 2"), std::string::npos);
}

TEST(TrickleFragmentTest, RejectsBadCredentialsAndOversizedInput) {
  EXPECT_FALSE(ParseTrickleFragment("a=ice-ufrag:\r\n").ok());
  EXPECT_FALSE(ParseTrickleFragment("a=ice-pwd:has space\r\n").ok());
  EXPECT_FALSE(ParseTrickleFragment("a=candidate:" + std::string(2000, 'x')).ok());
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "a=end-of-candidates\n";
  EXPECT_FALSE(ParseTrickleFragment(many).ok());
}

}  // namespace
}  // namespace sfu::daemon
