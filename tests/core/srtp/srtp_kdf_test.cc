#include "core/srtp/srtp_kdf.h"

#include <vector>

#include "core/srtp/srtp_session.h"
#include "gtest/gtest.h"
#include "tests/core/srtp/srtp_test_util.h"

namespace sfu::srtp {
namespace {

using testing::DirectKeys;
using testing::Hex;

// RFC 3711 Appendix B.3 (key derivation test vectors).
const std::vector<uint8_t> kB3MasterKey = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");
const std::vector<uint8_t> kB3MasterSalt = Hex("0EC675AD498AFEEBB6960B3AABE6");

TEST(SrtpKdfTest, Rfc3711AppendixB3CipherKey) {
  std::vector<uint8_t> out(16);
  ASSERT_TRUE(
      SrtpKdf(kB3MasterKey, kB3MasterSalt, SrtpKdfLabel::kRtpEncryption, absl::MakeSpan(out)).ok());
  EXPECT_EQ(out, Hex("C61E7A93744F39EE10734AFE3FF7A087"));
}

TEST(SrtpKdfTest, Rfc3711AppendixB3CipherSalt) {
  std::vector<uint8_t> out(14);
  ASSERT_TRUE(
      SrtpKdf(kB3MasterKey, kB3MasterSalt, SrtpKdfLabel::kRtpSalt, absl::MakeSpan(out)).ok());
  EXPECT_EQ(out, Hex("30CBBC08863D8C85D49DB34A9AE1"));
}

TEST(SrtpKdfTest, Rfc3711AppendixB3AuthKeyAcrossBlocks) {
  // B.3 derives 94 octets of authentication key, exercising the counter over six blocks.
  std::vector<uint8_t> out(94);
  ASSERT_TRUE(
      SrtpKdf(kB3MasterKey, kB3MasterSalt, SrtpKdfLabel::kRtpAuthentication, absl::MakeSpan(out))
          .ok());
  EXPECT_EQ(out, Hex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE"
                     "E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25"
                     "6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"));
}

TEST(SrtpKdfTest, DeriveSessionKeysUsesTheB3Values) {
  absl::StatusOr<SrtpSessionKeys> keys =
      DeriveSessionKeys(SrtpProfile::kAes128CmHmacSha1_80, kB3MasterKey, kB3MasterSalt);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(std::vector<uint8_t>(keys->rtp_key.begin(), keys->rtp_key.begin() + 16),
            Hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(std::vector<uint8_t>(keys->rtp_salt.begin(), keys->rtp_salt.end()),
            Hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(std::vector<uint8_t>(keys->rtp_auth_key.begin(), keys->rtp_auth_key.end()),
            Hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
  // RTCP labels differ, so the keys differ.
  EXPECT_NE(keys->rtcp_key, keys->rtp_key);
}

TEST(SrtpKdfTest, RejectsWrongSizes) {
  EXPECT_FALSE(DeriveSessionKeys(SrtpProfile::kAeadAes128Gcm, kB3MasterKey, kB3MasterSalt).ok());
  EXPECT_FALSE(DeriveSessionKeys(SrtpProfile::kAes128CmHmacSha1_80, Hex("00"), kB3MasterSalt).ok());
}

// RFC 3711 Appendix B.2: AES-CM keystream for session key 2B7E..., session salt F0F1...FCFD, with
// SSRC 0 and index 0 — so protecting a zero payload of a packet with SSRC 0, seq 0 yields the
// keystream itself.
TEST(SrtpKdfTest, Rfc3711AppendixB2KeystreamThroughProtect) {
  const SrtpSessionKeys keys =
      DirectKeys(SrtpProfile::kAes128CmHmacSha1_80, Hex("2B7E151628AED2A6ABF7158809CF4F3C"),
                 Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), std::vector<uint8_t>(20, 0));
  absl::StatusOr<SrtpSession> out = SrtpSession::Create(keys, SrtpSession::Direction::kOutbound);
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<uint8_t> packet(12 + 48 + 10, 0);
  packet[0] = 0x80;
  size_t out_len = 0;
  ASSERT_EQ(out->ProtectRtp(absl::MakeSpan(packet), 12 + 48, &out_len), SrtpResult::kOk);
  EXPECT_EQ(out_len, 12u + 48 + 10);
  EXPECT_EQ(std::vector<uint8_t>(packet.begin() + 12, packet.begin() + 60),
            Hex("E03EAD0935C95E80E166B16DD92B4EB4"
                "D23513162B02D0F72A43A2FE4A5F97AB"
                "41E95B3BB0A2E8DD477901E4FCA894C0"));
}

}  // namespace
}  // namespace sfu::srtp
