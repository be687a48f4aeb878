#include "core/stun/stun_peek.h"

#include <vector>

#include "gtest/gtest.h"
#include "tests/core/stun/test_vectors.h"

namespace sfu::stun {
namespace {

using ::sfu::stun::testing::FromHex;

TEST(StunPeekTest, LooksLikeStun) {
  EXPECT_TRUE(LooksLikeStun(FromHex(testing::kRfc5769Request)));
  EXPECT_TRUE(LooksLikeStun(FromHex(testing::kRfc5769ResponseV6)));
  // A DTLS 1.2 ClientHello record header and an RTP header are not STUN (RFC 7983).
  EXPECT_FALSE(LooksLikeStun(FromHex("16fefd00000000000000000100 0000000000000000000000")));
  EXPECT_FALSE(LooksLikeStun(FromHex("80600001 00000001 12345678 2112a442 00000000")));
  EXPECT_FALSE(LooksLikeStun({}));
  std::vector<uint8_t> truncated = FromHex(testing::kRfc5769Request);
  truncated.pop_back();
  EXPECT_FALSE(LooksLikeStun(truncated));
}

TEST(StunPeekTest, LocalUfragFromRfc5769Request) {
  const std::vector<uint8_t> bytes = FromHex(testing::kRfc5769Request);
  EXPECT_EQ(PeekLocalUfrag(bytes), "evtj");
  const std::vector<uint8_t> check = FromHex(testing::kPythonNominatingCheck);
  EXPECT_EQ(PeekLocalUfrag(check), "evtj");
}

TEST(StunPeekTest, NoUfrag) {
  // A response, a USERNAME without ':' or with an empty local part, and a USERNAME that comes
  // only after MESSAGE-INTEGRITY.
  EXPECT_FALSE(PeekLocalUfrag(FromHex(testing::kRfc5769ResponseV4)).has_value());
  const std::string_view header = "000100082112a442 0102030405060708090a0b0c";
  EXPECT_FALSE(PeekLocalUfrag(FromHex(std::string(header) + "00060004 61626364")).has_value());
  EXPECT_FALSE(PeekLocalUfrag(FromHex(std::string(header) + "00060004 3a626364")).has_value());
  EXPECT_EQ(PeekLocalUfrag(FromHex(std::string(header) + "00060004 613a6364")), "a");
  const std::string after_mi = "000100242112a442 0102030405060708090a0b0c 00080014" +
                               std::string(40, '0') + "00060004 613a6364";
  EXPECT_FALSE(PeekLocalUfrag(FromHex(after_mi)).has_value());
}

TEST(StunPeekTest, EveryTruncationIsSafe) {
  const std::vector<uint8_t> bytes = FromHex(testing::kRfc5769Request);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(PeekLocalUfrag(absl::MakeConstSpan(bytes.data(), n)).has_value()) << n;
  }
}

}  // namespace
}  // namespace sfu::stun
