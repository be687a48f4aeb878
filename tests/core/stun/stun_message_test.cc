#include "core/stun/stun_message.h"

#include <openssl/evp.h>

#include <string>
#include <vector>

#include "core/stun/stun_builder.h"
#include "core/stun/stun_integrity.h"
#include "gtest/gtest.h"
#include "tests/core/stun/test_vectors.h"

namespace sfu::stun {
namespace {

using ::sfu::stun::testing::FromHex;
using ::sfu::stun::testing::kRfc5769LongTermRequest;
using ::sfu::stun::testing::kRfc5769Password;
using ::sfu::stun::testing::kRfc5769Request;
using ::sfu::stun::testing::kRfc5769ResponseV4;
using ::sfu::stun::testing::kRfc5769ResponseV6;

constexpr TransactionId kRfc5769Tid = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                       0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

crypto::Hmac HmacFor(std::string_view password) {
  auto hmac = crypto::Hmac::Create(
      crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
  EXPECT_TRUE(hmac.ok()) << hmac.status();
  return *std::move(hmac);
}

StunMessage MustParse(absl::Span<const uint8_t> bytes) {
  StunMessage m;
  EXPECT_EQ(ParseStunMessage(bytes, &m), StunParseStatus::kOk);
  return m;
}

// A message body built by hand: header with the right length, then `attrs` (already padded).
std::vector<uint8_t> WithAttributes(uint16_t type, const std::vector<uint8_t>& attrs) {
  std::vector<uint8_t> out = {static_cast<uint8_t>(type >> 8),
                              static_cast<uint8_t>(type),
                              static_cast<uint8_t>(attrs.size() >> 8),
                              static_cast<uint8_t>(attrs.size()),
                              0x21,
                              0x12,
                              0xa4,
                              0x42};
  out.insert(out.end(), kRfc5769Tid.begin(), kRfc5769Tid.end());
  out.insert(out.end(), attrs.begin(), attrs.end());
  return out;
}

TEST(StunMessageTypeTest, MethodAndClassEncoding) {
  EXPECT_EQ(MessageMethod(kBindingError), kMethodBinding);
  EXPECT_EQ(MessageClass(kBindingError), StunClass::kErrorResponse);
  EXPECT_EQ(MessageClass(kBindingIndication), StunClass::kIndication);
  // RFC 8489 §5: the interleaving round-trips for every method and class.
  for (uint16_t method = 0; method < 0x1000; method += 0x37) {
    for (int c = 0; c < 4; ++c) {
      const uint16_t type = MessageType(method, static_cast<StunClass>(c));
      EXPECT_EQ(type & 0xC000, 0);
      EXPECT_EQ(MessageMethod(type), method);
      EXPECT_EQ(MessageClass(type), static_cast<StunClass>(c));
    }
  }
}

// RFC 5769 §2.1.
TEST(Rfc5769Test, SampleRequest) {
  const std::vector<uint8_t> bytes = FromHex(kRfc5769Request);
  const StunMessage m = MustParse(bytes);
  EXPECT_TRUE(m.is_binding_request());
  EXPECT_EQ(m.transaction_id, kRfc5769Tid);
  EXPECT_EQ(m.software, "STUN test client");
  EXPECT_EQ(m.priority, 0x6e0001ffu);
  EXPECT_EQ(m.ice_controlled, 0x932ff9b151263b36u);
  EXPECT_FALSE(m.ice_controlling.has_value());
  EXPECT_EQ(m.username, "evtj:h6vY");
  EXPECT_FALSE(m.use_candidate);
  EXPECT_EQ(m.unknown_required_count, 0u);
  ASSERT_TRUE(m.integrity_offset.has_value());
  EXPECT_EQ(*m.integrity_offset, 76u);
  EXPECT_EQ(m.fingerprint, 0xe57a3bcfu);

  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
  EXPECT_TRUE(VerifyFingerprint(m));
  crypto::Hmac wrong = HmacFor("VOkJxbRl1RmTxUk/WvJxBT");
  EXPECT_FALSE(VerifyMessageIntegrity(m, wrong));
}

// RFC 5769 §2.2.
TEST(Rfc5769Test, SampleIpv4Response) {
  const std::vector<uint8_t> bytes = FromHex(kRfc5769ResponseV4);
  const StunMessage m = MustParse(bytes);
  EXPECT_EQ(m.type, kBindingSuccess);
  EXPECT_EQ(m.software, "test vector");
  ASSERT_TRUE(m.xor_mapped_address.has_value());
  EXPECT_EQ(m.xor_mapped_address->ToString(), "192.0.2.1:32853");
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
  EXPECT_TRUE(VerifyFingerprint(m));
}

// RFC 5769 §2.3.
TEST(Rfc5769Test, SampleIpv6Response) {
  const std::vector<uint8_t> bytes = FromHex(kRfc5769ResponseV6);
  const StunMessage m = MustParse(bytes);
  ASSERT_TRUE(m.xor_mapped_address.has_value());
  EXPECT_EQ(m.xor_mapped_address->ip, *IpAddress::Parse("2001:db8:1234:5678:11:2233:4455:6677"));
  EXPECT_EQ(m.xor_mapped_address->port, 32853);
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
  EXPECT_TRUE(VerifyFingerprint(m));
}

// RFC 5769 §2.4: long-term credentials, key = MD5(username ":" realm ":" SASLprep(password)).
// MD5 comes from OpenSSL here; sfud itself only does short-term credentials.
TEST(Rfc5769Test, SampleLongTermRequest) {
  const std::vector<uint8_t> bytes = FromHex(kRfc5769LongTermRequest);
  const StunMessage m = MustParse(bytes);
  const std::string username =
      "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
  EXPECT_EQ(m.username, username);
  EXPECT_EQ(m.nonce, "f//499k954d6OL34oL9FSTvy64sA");
  EXPECT_EQ(m.realm, "example.org");
  EXPECT_FALSE(m.fingerprint_offset.has_value());
  EXPECT_EQ(m.unknown_required_count, 0u);

  const std::string input = username + ":example.org:TheMatrIX";
  std::array<uint8_t, 16> key;
  unsigned int key_size = 0;
  ASSERT_EQ(EVP_Digest(input.data(), input.size(), key.data(), &key_size, EVP_md5(), nullptr), 1);
  auto hmac = crypto::Hmac::Create(crypto::HashAlgorithm::kSha1, key);
  ASSERT_TRUE(hmac.ok());
  EXPECT_TRUE(VerifyMessageIntegrity(m, *hmac));
}

// The builder reproduces the vectors byte for byte when given their SOFTWARE and 0x20 padding.
TEST(Rfc5769Test, RebuildSampleRequest) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  std::array<uint8_t, 256> buffer;
  StunBuilder b(absl::MakeSpan(buffer), kBindingRequest, kRfc5769Tid, 0x20);
  b.AddSoftware("STUN test client");
  b.AddPriority(0x6e0001ff);
  b.AddIceControlled(0x932ff9b151263b36);
  b.AddUsername("evtj:h6vY");
  b.AddMessageIntegrity(hmac);
  b.AddFingerprint();
  const auto built = b.Finish();
  ASSERT_TRUE(built.has_value());
  EXPECT_EQ(std::vector<uint8_t>(built->begin(), built->end()), FromHex(kRfc5769Request));
}

TEST(Rfc5769Test, RebuildSampleResponses) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  const struct {
    std::string_view ip;
    std::string_view expected;
  } cases[] = {{"192.0.2.1", kRfc5769ResponseV4},
               {"2001:db8:1234:5678:11:2233:4455:6677", kRfc5769ResponseV6}};
  for (const auto& c : cases) {
    std::array<uint8_t, 256> buffer;
    StunBuilder b(absl::MakeSpan(buffer), kBindingSuccess, kRfc5769Tid, 0x20);
    b.AddSoftware("test vector");
    b.AddXorMappedAddress(SocketAddress{*IpAddress::Parse(c.ip), 32853});
    b.AddMessageIntegrity(hmac);
    b.AddFingerprint();
    const auto built = b.Finish();
    ASSERT_TRUE(built.has_value());
    EXPECT_EQ(std::vector<uint8_t>(built->begin(), built->end()), FromHex(c.expected)) << c.ip;
  }
}

// One flipped bit anywhere makes the message unparseable or fail integrity or fingerprint.
TEST(Rfc5769Test, EveryBitFlipIsRejected) {
  crypto::Hmac hmac = HmacFor(kRfc5769Password);
  for (std::string_view vector : {kRfc5769Request, kRfc5769ResponseV4, kRfc5769ResponseV6}) {
    const std::vector<uint8_t> original = FromHex(vector);
    for (size_t bit = 0; bit < original.size() * 8; ++bit) {
      std::vector<uint8_t> bytes = original;
      bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      StunMessage m;
      if (ParseStunMessage(bytes, &m) != StunParseStatus::kOk) continue;
      const bool accepted = VerifyMessageIntegrity(m, hmac) && VerifyFingerprint(m);
      EXPECT_FALSE(accepted) << "bit " << bit;
    }
  }
}

TEST(StunParseTest, EveryTruncationIsRejected) {
  for (std::string_view vector :
       {kRfc5769Request, kRfc5769ResponseV4, kRfc5769ResponseV6, kRfc5769LongTermRequest}) {
    const std::vector<uint8_t> bytes = FromHex(vector);
    for (size_t n = 0; n < bytes.size(); ++n) {
      StunMessage m;
      EXPECT_NE(ParseStunMessage(absl::MakeConstSpan(bytes.data(), n), &m), StunParseStatus::kOk)
          << n;
    }
  }
}

TEST(StunParseTest, HeaderChecks) {
  std::vector<uint8_t> bytes = FromHex(kRfc5769Request);
  StunMessage m;
  std::vector<uint8_t> top_bits = bytes;
  top_bits[0] |= 0x40;
  EXPECT_EQ(ParseStunMessage(top_bits, &m), StunParseStatus::kNotStun);
  std::vector<uint8_t> cookie = bytes;
  cookie[7] ^= 1;
  EXPECT_EQ(ParseStunMessage(cookie, &m), StunParseStatus::kNotStun);
  // A header alone is a valid empty message.
  EXPECT_EQ(ParseStunMessage(absl::MakeConstSpan(WithAttributes(kBindingRequest, {})), &m),
            StunParseStatus::kOk);
}

// The header length must be a multiple of 4 and exactly the rest of the datagram.
TEST(StunParseTest, LyingLengths) {
  const std::vector<uint8_t> original = FromHex(kRfc5769ResponseV4);
  const size_t real = original.size() - kHeaderSize;
  for (size_t claimed : {real - 4, real - 1, real + 1, real + 4, size_t{0}, size_t{0xFFFC}}) {
    std::vector<uint8_t> bytes = original;
    bytes[2] = static_cast<uint8_t>(claimed >> 8);
    bytes[3] = static_cast<uint8_t>(claimed);
    StunMessage m;
    EXPECT_EQ(ParseStunMessage(bytes, &m), StunParseStatus::kBadLength) << claimed;
  }
  // Trailing bytes after the message.
  std::vector<uint8_t> trailing = original;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  StunMessage m;
  EXPECT_EQ(ParseStunMessage(trailing, &m), StunParseStatus::kBadLength);
}

TEST(StunParseTest, AttributeLengthPastTheMessage) {
  // USERNAME claims 9 bytes but only 4 (plus nothing) follow; a value that fits but whose padding
  // does not.
  const auto too_long =
      WithAttributes(kBindingRequest, {0x00, 0x06, 0x00, 0x09, 'a', 'b', 'c', 'd'});
  StunMessage m;
  EXPECT_EQ(ParseStunMessage(too_long, &m), StunParseStatus::kTruncatedAttribute);
  const auto huge = WithAttributes(kBindingRequest, {0x00, 0x06, 0xFF, 0xFF, 'a', 'b', 'c', 'd'});
  EXPECT_EQ(ParseStunMessage(huge, &m), StunParseStatus::kTruncatedAttribute);
}

TEST(StunParseTest, RepeatedAttributesFirstWins) {
  const auto bytes = WithAttributes(
      kBindingRequest,
      {
          0x00, 0x06, 0x00, 0x03, 'a', 'b', 'c', 0, 0x00, 0x06, 0x00, 0x03, 'x', 'y', 'z', 0,
          0x00, 0x24, 0x00, 0x04, 0,   0,   0,   1, 0x00, 0x24, 0x00, 0x04, 0,   0,   0,   2,
      });
  const StunMessage m = MustParse(bytes);
  EXPECT_EQ(m.username, "abc");
  EXPECT_EQ(m.priority, 1u);
}

TEST(StunParseTest, KnownAttributeWithBadSizeIsMalformed) {
  StunMessage m;
  // PRIORITY of 3 bytes, USE-CANDIDATE with a value, XOR-MAPPED-ADDRESS family 1 with 16 bytes.
  EXPECT_EQ(
      ParseStunMessage(WithAttributes(kBindingRequest, {0x00, 0x24, 0x00, 0x03, 1, 2, 3, 0}), &m),
      StunParseStatus::kBadAttributeValue);
  EXPECT_EQ(
      ParseStunMessage(WithAttributes(kBindingRequest, {0x00, 0x25, 0x00, 0x01, 1, 0, 0, 0}), &m),
      StunParseStatus::kBadAttributeValue);
  std::vector<uint8_t> xma = {0x00, 0x20, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00};
  xma.resize(xma.size() + 16, 0);
  EXPECT_EQ(ParseStunMessage(WithAttributes(kBindingSuccess, xma), &m),
            StunParseStatus::kBadAttributeValue);
  // ERROR-CODE class 7.
  EXPECT_EQ(
      ParseStunMessage(WithAttributes(kBindingError, {0x00, 0x09, 0x00, 0x04, 0, 0, 7, 0}), &m),
      StunParseStatus::kBadAttributeValue);
  // MESSAGE-INTEGRITY of 16 bytes.
  std::vector<uint8_t> mi = {0x00, 0x08, 0x00, 0x10};
  mi.resize(mi.size() + 16, 0);
  EXPECT_EQ(ParseStunMessage(WithAttributes(kBindingRequest, mi), &m),
            StunParseStatus::kBadAttributeValue);
}

TEST(StunParseTest, AttributeAfterFingerprintIsMalformed) {
  std::vector<uint8_t> bytes = FromHex(kRfc5769ResponseV4);
  const std::vector<uint8_t> extra = {0x80, 0x22, 0x00, 0x00};  // empty SOFTWARE
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  bytes[3] = static_cast<uint8_t>(bytes.size() - kHeaderSize);
  StunMessage m;
  EXPECT_EQ(ParseStunMessage(bytes, &m), StunParseStatus::kAttributeAfterFingerprint);
}

// RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored, so an
// unauthenticated USERNAME or comprehension-required attribute appended there has no effect.
TEST(StunParseTest, AttributesAfterIntegrityAreIgnored) {
  std::vector<uint8_t> attrs = {0x00, 0x08, 0x00, 0x14};
  attrs.resize(attrs.size() + 20, 0xAA);
  const std::vector<uint8_t> after = {0x00, 0x06, 0x00, 0x04, 'e',  'v',  'i', 'l', 0x7F, 0xFF,
                                      0x00, 0x00, 0x00, 0x24, 0x00, 0x04, 0,   0,   0,    9};
  attrs.insert(attrs.end(), after.begin(), after.end());
  const StunMessage m = MustParse(WithAttributes(kBindingRequest, attrs));
  EXPECT_TRUE(m.integrity_offset.has_value());
  EXPECT_FALSE(m.username.has_value());
  EXPECT_FALSE(m.priority.has_value());
  EXPECT_EQ(m.unknown_required_count, 0u);
}

TEST(StunParseTest, UnknownAttributes) {
  const auto bytes = WithAttributes(kBindingRequest, {
                                                         0x7F, 0xFF, 0x00, 0x01, 1, 0, 0, 0,  //
                                                         0xC0, 0x57, 0x00, 0x04, 0, 1, 0, 0,  //
                                                         0x00, 0x01, 0x00, 0x00,              //
                                                         0x7F, 0xFF, 0x00, 0x00,              //
                                                     });
  const StunMessage m = MustParse(bytes);
  // 0xC057 (comprehension-optional, Chromium's GOOG-NETWORK-INFO) is ignored; the repeated 0x7FFF
  // is listed once.
  ASSERT_EQ(m.unknown_required_count, 2u);
  EXPECT_EQ(m.unknown_required[0], 0x7FFF);
  EXPECT_EQ(m.unknown_required[1], 0x0001);
}

TEST(StunParseTest, UnknownAttributeListIsCapped) {
  std::vector<uint8_t> attrs;
  for (uint16_t t = 0x7000; t < 0x7000 + 2 * kMaxUnknownAttributes; ++t) {
    attrs.insert(attrs.end(), {static_cast<uint8_t>(t >> 8), static_cast<uint8_t>(t), 0, 0});
  }
  const StunMessage m = MustParse(WithAttributes(kBindingRequest, attrs));
  EXPECT_EQ(m.unknown_required_count, kMaxUnknownAttributes);
  EXPECT_EQ(m.unknown_required_total, 2 * kMaxUnknownAttributes);
}

TEST(StunParseTest, AttributeCountIsCapped) {
  std::vector<uint8_t> attrs;
  for (size_t i = 0; i < kMaxAttributes; ++i) attrs.insert(attrs.end(), {0x80, 0x22, 0, 0});
  StunMessage m;
  EXPECT_EQ(ParseStunMessage(WithAttributes(kBindingRequest, attrs), &m), StunParseStatus::kOk);
  attrs.insert(attrs.end(), {0x80, 0x22, 0, 0});
  EXPECT_EQ(ParseStunMessage(WithAttributes(kBindingRequest, attrs), &m),
            StunParseStatus::kTooManyAttributes);
}

TEST(StunParseTest, ErrorCodeAndUnknownAttributesList) {
  const auto bytes = WithAttributes(
      kBindingError, {0x00, 0x09, 0x00, 0x0B, 0,    0,    4,    20,   'U',  'n',  'k',  'n',
                      'o',  'w',  'n',  0,    0x00, 0x0A, 0x00, 0x04, 0x7F, 0xFF, 0x00, 0x01});
  const StunMessage m = MustParse(bytes);
  ASSERT_TRUE(m.error_code.has_value());
  EXPECT_EQ(m.error_code->code, 420);
  EXPECT_EQ(m.error_code->reason, "Unknown");
  ASSERT_EQ(m.listed_unknown_attributes_count(), 2u);
  EXPECT_EQ(m.ListedUnknownAttribute(0), 0x7FFF);
  EXPECT_EQ(m.ListedUnknownAttribute(1), 0x0001);
}

}  // namespace
}  // namespace sfu::stun
