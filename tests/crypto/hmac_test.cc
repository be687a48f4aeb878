#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Bytes;
using testing::Hex;
using testing::ToHex;

struct HmacVector {
  const char* name;
  std::vector<uint8_t> key;
  std::vector<uint8_t> data;
  const char* sha256;
  const char* sha384;
};

constexpr char kLargeKeyData[] = "Test Using Larger Than Block-Size Key - Hash Key First";
constexpr char kLargeKeyLargeData[] =
    "This is a test using a larger than block-size key and a larger than block-size data. The key "
    "needs to be hashed before being used by the HMAC algorithm.";

std::vector<uint8_t> Repeat(uint8_t byte, size_t n) { return std::vector<uint8_t>(n, byte); }
std::vector<uint8_t> Vec(std::string_view s) {
  auto b = Bytes(s);
  return std::vector<uint8_t>(b.begin(), b.end());
}

// RFC 4231 §4.2-§4.8 (test case 5's truncated output is left out: Compute writes the full MAC).
std::vector<HmacVector> Rfc4231Vectors() {
  return {
      {"case1", Repeat(0x0b, 20), Vec("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2f"
       "a9cb6"},
      {"case2", Vec("Jefe"), Vec("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab"
       "21649"},
      {"case3", Repeat(0xaa, 20), Repeat(0xdd, 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a"
       "34f27"},
      {"case4", Hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Repeat(0xcd, 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c67"
       "4cffb"},
      {"case6_131_byte_key", Repeat(0xaa, 131), Vec(kLargeKeyData),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f"
       "44952"},
      {"case7_131_byte_key_long_data", Repeat(0xaa, 131), Vec(kLargeKeyLargeData),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c4"
       "6523e"},
  };
}

TEST(HmacTest, Rfc4231Sha256) {
  for (const HmacVector& v : Rfc4231Vectors()) {
    SCOPED_TRACE(v.name);
    auto hmac = Hmac::Create(HashAlgorithm::kSha256, v.key);
    ASSERT_TRUE(hmac.ok()) << hmac.status();
    EXPECT_EQ(hmac->size(), 32u);
    uint8_t out[32];
    ASSERT_TRUE(hmac->Compute({v.data}, out));
    EXPECT_EQ(ToHex(out), v.sha256);
  }
}

TEST(HmacTest, Rfc4231Sha384) {
  for (const HmacVector& v : Rfc4231Vectors()) {
    SCOPED_TRACE(v.name);
    auto hmac = Hmac::Create(HashAlgorithm::kSha384, v.key);
    ASSERT_TRUE(hmac.ok()) << hmac.status();
    EXPECT_EQ(hmac->size(), 48u);
    uint8_t out[48];
    ASSERT_TRUE(hmac->Compute({v.data}, out));
    EXPECT_EQ(ToHex(out), v.sha384);
  }
}

TEST(HmacTest, Rfc2202Sha1) {
  struct V {
    std::vector<uint8_t> key;
    std::vector<uint8_t> data;
    const char* mac;
  };
  // RFC 2202 §3, test cases 1, 2, 3, 4, 6 and 7.
  const V vectors[] = {
      {Repeat(0x0b, 20), Vec("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"},
      {Vec("Jefe"), Vec("what do ya want for nothing?"),
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {Repeat(0xaa, 20), Repeat(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
      {Hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Repeat(0xcd, 50),
       "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
      {Repeat(0xaa, 80), Vec(kLargeKeyData), "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
      {Repeat(0xaa, 80),
       Vec("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
       "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
  };
  for (const V& v : vectors) {
    SCOPED_TRACE(v.mac);
    auto hmac = Hmac::Create(HashAlgorithm::kSha1, v.key);
    ASSERT_TRUE(hmac.ok()) << hmac.status();
    EXPECT_EQ(hmac->algorithm(), HashAlgorithm::kSha1);
    uint8_t out[20];
    ASSERT_TRUE(hmac->Compute({v.data}, out));
    EXPECT_EQ(ToHex(out), v.mac);
  }
}

TEST(HmacTest, SplitPartsEqualOnePart) {
  const std::vector<uint8_t> key = Repeat(0xaa, 131);
  const std::string data = kLargeKeyLargeData;
  auto hmac = Hmac::Create(HashAlgorithm::kSha256, key);
  ASSERT_TRUE(hmac.ok());
  uint8_t split[32];
  auto all = Bytes(data);
  ASSERT_TRUE(hmac->Compute({all.subspan(0, 1), {}, all.subspan(1, 63), all.subspan(64)}, split));
  EXPECT_EQ(ToHex(split), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacTest, RepeatedComputeGivesSameResult) {
  auto hmac = Hmac::Create(HashAlgorithm::kSha1, Repeat(0x0b, 20));
  ASSERT_TRUE(hmac.ok());
  uint8_t other[20];
  // A different message in between must not leak state into the next MAC.
  ASSERT_TRUE(hmac->Compute({Bytes("something else entirely")}, other));
  for (int i = 0; i < 3; ++i) {
    uint8_t out[20];
    ASSERT_TRUE(hmac->Compute({Bytes("Hi "), Bytes("There")}, out));
    EXPECT_EQ(ToHex(out), "b617318655057264e28bc0b6fb378c8ef146be00");
  }
}

TEST(HmacTest, ComputeRejectsShortOutput) {
  auto hmac = Hmac::Create(HashAlgorithm::kSha256, Repeat(1, 16));
  ASSERT_TRUE(hmac.ok());
  uint8_t out[31];
  EXPECT_FALSE(hmac->Compute({Bytes("x")}, out));
}

TEST(HmacTest, LongerOutputBufferGetsDigestSizeBytes) {
  auto hmac = Hmac::Create(HashAlgorithm::kSha1, Repeat(0x0b, 20));
  ASSERT_TRUE(hmac.ok());
  std::vector<uint8_t> out(kMaxDigestSize, 0xee);
  ASSERT_TRUE(hmac->Compute({Bytes("Hi There")}, absl::MakeSpan(out)));
  EXPECT_EQ(ToHex(absl::MakeConstSpan(out).first(20)), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(out[20], 0xee);
}

TEST(HmacTest, EmptyKeyIsAllowed) {
  // HMAC with an empty key equals HMAC with a key of one block of zeros (RFC 2104 §2 pads the
  // key with zeros); both computed here, checked against each other.
  auto empty = Hmac::Create(HashAlgorithm::kSha256, {});
  auto zeros = Hmac::Create(HashAlgorithm::kSha256, Repeat(0, 64));
  ASSERT_TRUE(empty.ok()) << empty.status();
  ASSERT_TRUE(zeros.ok());
  uint8_t a[32], b[32];
  ASSERT_TRUE(empty->Compute({Bytes("msg")}, a));
  ASSERT_TRUE(zeros->Compute({Bytes("msg")}, b));
  EXPECT_EQ(ToHex(a), ToHex(b));
}

TEST(HmacOnceTest, Rfc4231Case2) {
  uint8_t out[48];
  auto n =
      HmacOnce(HashAlgorithm::kSha384, Bytes("Jefe"), Bytes("what do ya want for nothing?"), out);
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_EQ(*n, 48u);
  EXPECT_EQ(ToHex(out),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239"
            "ecfab21649");
}

TEST(HmacOnceTest, RejectsShortOutput) {
  uint8_t out[19];
  EXPECT_FALSE(HmacOnce(HashAlgorithm::kSha1, Bytes("k"), Bytes("d"), out).ok());
}

}  // namespace
}  // namespace sfu::crypto
