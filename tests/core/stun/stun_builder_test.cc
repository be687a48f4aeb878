#include "core/stun/stun_builder.h"

#include <openssl/hmac.h>

#include <vector>

#include "core/stun/crc32.h"
#include "core/stun/stun_integrity.h"
#include "core/stun/stun_message.h"
#include "gtest/gtest.h"
#include "tests/core/stun/test_vectors.h"

namespace sfu::stun {
namespace {

using ::sfu::stun::testing::FromHex;
using ::sfu::stun::testing::kPythonNominatingCheck;
using ::sfu::stun::testing::kRfc5769Password;

constexpr TransactionId kTid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

crypto::Hmac HmacFor(std::string_view password) {
  auto hmac = crypto::Hmac::Create(
      crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
  EXPECT_TRUE(hmac.ok()) << hmac.status();
  return *std::move(hmac);
}

std::vector<uint8_t> ToVector(absl::Span<const uint8_t> s) { return {s.begin(), s.end()}; }

// Our Binding request is byte-identical to one encoded independently (Python hmac/zlib, see
// make_corpus.py), so a browser-side verifier computing RFC 8489 §14.5/§14.7 accepts it.
TEST(StunBuilderTest, BindingRequestMatchesIndependentEncoding) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  std::array<uint8_t, 256> buffer;
  const auto built = BuildBindingRequest(absl::MakeSpan(buffer), kTid,
                                         {.username = "evtj:h6vY",
                                          .priority = 0x6e0001ff,
                                          .tie_breaker = 0x0102030405060708,
                                          .controlling = true,
                                          .use_candidate = true},
                                         hmac);
  ASSERT_TRUE(built.has_value());
  EXPECT_EQ(ToVector(*built), FromHex(kPythonNominatingCheck));
}

// The same check against OpenSSL's one-shot HMAC() over the bytes we produced.
TEST(StunBuilderTest, IntegrityMatchesOpenSslHmac) {
  crypto::Hmac hmac = HmacFor("a-password-of-22-chars");
  std::array<uint8_t, 256> buffer;
  const auto built = BuildBindingSuccess(
      absl::MakeSpan(buffer), kTid, SocketAddress{*IpAddress::Parse("203.0.113.7"), 50000}, hmac);
  ASSERT_TRUE(built.has_value());
  // Layout: header 20, XOR-MAPPED-ADDRESS 12, MESSAGE-INTEGRITY 24, FINGERPRINT 8.
  ASSERT_EQ(built->size(), 64u);
  std::vector<uint8_t> covered(built->begin(), built->begin() + 32);
  covered[3] = 32 + 24 - 20;  // length as if MESSAGE-INTEGRITY were last
  uint8_t mac[20];
  unsigned int mac_size = 0;
  const std::string key = "a-password-of-22-chars";
  ASSERT_NE(HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), covered.data(),
                 covered.size(), mac, &mac_size),
            nullptr);
  EXPECT_EQ(std::vector<uint8_t>(mac, mac + 20), ToVector(built->subspan(36, 20)));
}

TEST(StunBuilderTest, SuccessRoundTripV4AndV6) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  for (std::string_view ip : {"198.51.100.23", "2001:db8::42", "::ffff:10.0.0.1"}) {
    const SocketAddress mapped{*IpAddress::Parse(ip), 61234};
    std::array<uint8_t, 256> buffer;
    const auto built = BuildBindingSuccess(absl::MakeSpan(buffer), kTid, mapped, hmac);
    ASSERT_TRUE(built.has_value());
    StunMessage m;
    ASSERT_EQ(ParseStunMessage(*built, &m), StunParseStatus::kOk);
    EXPECT_EQ(m.type, kBindingSuccess);
    EXPECT_EQ(m.transaction_id, kTid);
    EXPECT_EQ(m.xor_mapped_address, mapped) << ip;
    EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
    EXPECT_TRUE(VerifyFingerprint(m));
  }
}

TEST(StunBuilderTest, ErrorRoundTrip) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  const uint16_t unknown[] = {0x7FFF, 0x0001, 0x0030};
  std::array<uint8_t, 256> buffer;
  const auto built =
      BuildBindingError(absl::MakeSpan(buffer), kTid, 420, "Unknown Attribute", unknown, hmac);
  ASSERT_TRUE(built.has_value());
  StunMessage m;
  ASSERT_EQ(ParseStunMessage(*built, &m), StunParseStatus::kOk);
  EXPECT_EQ(m.type, kBindingError);
  ASSERT_TRUE(m.error_code.has_value());
  EXPECT_EQ(m.error_code->code, 420);
  EXPECT_EQ(m.error_code->reason, "Unknown Attribute");
  ASSERT_EQ(m.listed_unknown_attributes_count(), 3u);
  EXPECT_EQ(m.ListedUnknownAttribute(0), 0x7FFF);
  EXPECT_EQ(m.ListedUnknownAttribute(2), 0x0030);
  EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
  EXPECT_TRUE(VerifyFingerprint(m));
}

TEST(StunBuilderTest, RequestRoundTrip) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  std::array<uint8_t, 256> buffer;
  const auto built = BuildBindingRequest(
      absl::MakeSpan(buffer), kTid,
      {.username = "abcd:efgh", .priority = 7, .tie_breaker = 9, .controlling = false}, hmac);
  ASSERT_TRUE(built.has_value());
  StunMessage m;
  ASSERT_EQ(ParseStunMessage(*built, &m), StunParseStatus::kOk);
  EXPECT_EQ(m.username, "abcd:efgh");
  EXPECT_EQ(m.priority, 7u);
  EXPECT_EQ(m.ice_controlled, 9u);
  EXPECT_FALSE(m.ice_controlling.has_value());
  EXPECT_FALSE(m.use_candidate);
  EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
  EXPECT_TRUE(VerifyFingerprint(m));
}

TEST(StunBuilderTest, EveryTooSmallBufferFails) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  const SocketAddress mapped{*IpAddress::Parse("2001:db8::1"), 1};
  std::array<uint8_t, 256> full;
  const auto reference = BuildBindingSuccess(absl::MakeSpan(full), kTid, mapped, hmac);
  ASSERT_TRUE(reference.has_value());
  for (size_t n = 0; n < reference->size(); ++n) {
    std::vector<uint8_t> small(n);
    EXPECT_FALSE(BuildBindingSuccess(absl::MakeSpan(small), kTid, mapped, hmac).has_value()) << n;
  }
  std::vector<uint8_t> exact(reference->size());
  EXPECT_TRUE(BuildBindingSuccess(absl::MakeSpan(exact), kTid, mapped, hmac).has_value());
}

TEST(StunBuilderTest, InvalidValuesFail) {
  std::array<uint8_t, 2048> buffer;
  {
    StunBuilder b(absl::MakeSpan(buffer), kBindingError, kTid);
    b.AddErrorCode(299, "");
    EXPECT_FALSE(b.Finish().has_value());
  }
  {
    StunBuilder b(absl::MakeSpan(buffer), kBindingError, kTid);
    b.AddErrorCode(700, "");
    EXPECT_FALSE(b.Finish().has_value());
  }
  {
    StunBuilder b(absl::MakeSpan(buffer), kBindingSuccess, kTid);
    b.AddXorMappedAddress(SocketAddress{});  // no address family
    EXPECT_FALSE(b.Finish().has_value());
  }
  {
    StunBuilder b(absl::MakeSpan(buffer), kBindingRequest, kTid);
    b.AddSoftware(std::string(kMaxTextSize + 1, 'x'));
    EXPECT_FALSE(b.Finish().has_value());
  }
  {
    StunBuilder b(absl::MakeSpan(buffer), kBindingRequest, kTid);
    b.AddFingerprint();
    b.AddSoftware("after fingerprint");
    EXPECT_FALSE(b.Finish().has_value());
  }
  {
    StunBuilder b(absl::MakeSpan(buffer), 0x4001, kTid);  // top bits set
    EXPECT_FALSE(b.Finish().has_value());
  }
}

TEST(StunBuilderTest, PaddingAndLength) {
  std::array<uint8_t, 64> buffer;
  StunBuilder b(absl::MakeSpan(buffer), kBindingRequest, kTid, 0xEE);
  b.AddUsername("abcde");
  const auto built = b.Finish();
  ASSERT_TRUE(built.has_value());
  EXPECT_EQ(ToVector(*built),
            FromHex("0001000c2112a442 0102030405060708090a0b0c 00060005 6162636465 eeeeee"));
}

}  // namespace
}  // namespace sfu::stun
