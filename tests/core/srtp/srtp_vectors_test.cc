// Known-answer tests: RFC 7714 §16-§17 (AEAD AES-GCM packets, session keys given directly) and a
// libsrtp2-produced AES_CM_128_HMAC_SHA1_80 packet (libsrtp's srtp_driver self-test, master key
// through the KDF).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/srtp/srtp_kdf.h"
#include "core/srtp/srtp_keying.h"
#include "core/srtp/srtp_session.h"
#include "gtest/gtest.h"
#include "tests/core/srtp/srtp_test_util.h"

namespace sfu::srtp {
namespace {

using testing::DirectKeys;
using testing::Hex;
using Direction = SrtpSession::Direction;

const std::vector<uint8_t> kKey128 = Hex("000102030405060708090a0b0c0d0e0f");
const std::vector<uint8_t> kKey256 =
    Hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const std::vector<uint8_t> kSalt = Hex("517569642070726f2071756f");  // "Quid pro quo"

// RFC 7714 §16: SSRC 0x5501a0b2, ROC 0, SEQ 0xf17b, "Gallia est omnis divisa in partes tres".
const std::vector<uint8_t> kRtpPlain =
    Hex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976"
        "69736120 696e2070 61727465 73207472 6573");
// RFC 7714 §17: sender report from SSRC "Mars", SRTCP index 0x5d4.
const std::vector<uint8_t> kRtcpPlain =
    Hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
        "deadbeef deadbeef deadbeef deadbeef deadbeef");
constexpr uint32_t kRtcpSsrc = 0x4d617273;
constexpr uint32_t kRtcpIndex = 0x5d4;

SrtpSession Make(SrtpProfile profile, const std::vector<uint8_t>& key, Direction dir) {
  absl::StatusOr<SrtpSession> s = SrtpSession::Create(DirectKeys(profile, key, kSalt), dir);
  EXPECT_TRUE(s.ok()) << s.status();
  return *std::move(s);
}

std::vector<uint8_t> Protect(SrtpSession& s, std::vector<uint8_t> packet, bool rtcp) {
  const size_t len = packet.size();
  packet.resize(len + kMaxSrtcpTrailer);
  size_t out_len = 0;
  const SrtpResult r = rtcp ? s.ProtectRtcp(absl::MakeSpan(packet), len, &out_len)
                            : s.ProtectRtp(absl::MakeSpan(packet), len, &out_len);
  EXPECT_EQ(r, SrtpResult::kOk);
  packet.resize(r == SrtpResult::kOk ? out_len : 0);
  return packet;
}

std::vector<uint8_t> Unprotect(SrtpSession& s, std::vector<uint8_t> packet, bool rtcp,
                               SrtpResult expect = SrtpResult::kOk) {
  size_t out_len = 0;
  const SrtpResult r = rtcp ? s.UnprotectRtcp(absl::MakeSpan(packet), packet.size(), &out_len)
                            : s.UnprotectRtp(absl::MakeSpan(packet), packet.size(), &out_len);
  EXPECT_EQ(r, expect) << SrtpResultName(r);
  packet.resize(r == SrtpResult::kOk ? out_len : 0);
  return packet;
}

TEST(Rfc7714Test, Section16_1RtpAes128Gcm) {
  const std::vector<uint8_t> wire =
      Hex("8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5"
          "0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce");
  SrtpSession out = Make(SrtpProfile::kAeadAes128Gcm, kKey128, Direction::kOutbound);
  EXPECT_EQ(Protect(out, kRtpPlain, false), wire);
  SrtpSession in = Make(SrtpProfile::kAeadAes128Gcm, kKey128, Direction::kInbound);
  EXPECT_EQ(Unprotect(in, wire, false), kRtpPlain);
  Unprotect(in, wire, false, SrtpResult::kReplay);
  EXPECT_EQ(in.stats().dropped(SrtpResult::kReplay), 1u);
}

TEST(Rfc7714Test, Section16_2RtpAes256Gcm) {
  const std::vector<uint8_t> wire =
      Hex("8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238"
          "9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13");
  SrtpSession out = Make(SrtpProfile::kAeadAes256Gcm, kKey256, Direction::kOutbound);
  EXPECT_EQ(Protect(out, kRtpPlain, false), wire);
  SrtpSession in = Make(SrtpProfile::kAeadAes256Gcm, kKey256, Direction::kInbound);
  EXPECT_EQ(Unprotect(in, wire, false), kRtpPlain);
}

TEST(Rfc7714Test, Section17_1SrtcpAes128GcmEncrypted) {
  const std::vector<uint8_t> wire =
      Hex("81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d"
          "c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872"
          "45d9eade 800005d4");
  SrtpSession out = Make(SrtpProfile::kAeadAes128Gcm, kKey128, Direction::kOutbound);
  ASSERT_TRUE(out.SetNextSrtcpIndex(kRtcpSsrc, kRtcpIndex));
  EXPECT_EQ(Protect(out, kRtcpPlain, true), wire);
  SrtpSession in = Make(SrtpProfile::kAeadAes128Gcm, kKey128, Direction::kInbound);
  EXPECT_EQ(Unprotect(in, wire, true), kRtcpPlain);
  Unprotect(in, wire, true, SrtpResult::kReplay);
}

TEST(Rfc7714Test, Section17_2SrtcpAes256GcmEncrypted) {
  const std::vector<uint8_t> wire =
      Hex("81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50"
          "a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c"
          "b26ac3be 800005d4");
  SrtpSession out = Make(SrtpProfile::kAeadAes256Gcm, kKey256, Direction::kOutbound);
  ASSERT_TRUE(out.SetNextSrtcpIndex(kRtcpSsrc, kRtcpIndex));
  EXPECT_EQ(Protect(out, kRtcpPlain, true), wire);
  SrtpSession in = Make(SrtpProfile::kAeadAes256Gcm, kKey256, Direction::kInbound);
  EXPECT_EQ(Unprotect(in, wire, true), kRtcpPlain);
}

// §17.3 / §17.4: E = 0, the whole packet is authenticated but sent in the clear. sfud never sends
// this form, but must accept it.
TEST(Rfc7714Test, Section17_3SrtcpAes128GcmUnencryptedReceive) {
  const std::vector<uint8_t> wire =
      Hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
          "deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790"
          "125f62b3 000005d4");
  SrtpSession in = Make(SrtpProfile::kAeadAes128Gcm, kKey128, Direction::kInbound);
  EXPECT_EQ(Unprotect(in, wire, true), kRtcpPlain);
  // Claiming E = 1 for the same bytes must fail authentication.
  std::vector<uint8_t> flipped = wire;
  flipped[flipped.size() - 4] |= 0x80;
  SrtpSession in2 = Make(SrtpProfile::kAeadAes128Gcm, kKey128, Direction::kInbound);
  Unprotect(in2, flipped, true, SrtpResult::kAuthFailed);
}

TEST(Rfc7714Test, Section17_4SrtcpAes256GcmUnencryptedReceive) {
  const std::vector<uint8_t> wire =
      Hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
          "deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb feee5a97 8fab4393"
          "ed2615fe 000005d4");
  SrtpSession in = Make(SrtpProfile::kAeadAes256Gcm, kKey256, Direction::kInbound);
  EXPECT_EQ(Unprotect(in, wire, true), kRtcpPlain);
}

// libsrtp's own known answer (test/srtp_driver.c, srtp_validate): AES_CM_128_HMAC_SHA1_80 with
// master key E1F9.../salt 0EC6... (the RFC 3711 B.3 master), SSRC 0xcafebabe, seq 0x1234.
TEST(LibsrtpVectorTest, AesCm128HmacSha1_80Rtp) {
  const std::vector<uint8_t> plain =
      Hex("800f1234 decafbad cafebabe abababab abababab abababab"
          "abababab");
  const std::vector<uint8_t> wire =
      Hex("800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215"
          "949d2402 b78d6acc 99ea179b 8dbb");
  absl::StatusOr<SrtpSessionKeys> keys =
      DeriveSessionKeys(SrtpProfile::kAes128CmHmacSha1_80, Hex("e1f97a0d3e018be0d64fa32c06de4139"),
                        Hex("0ec675ad498afeebb6960b3aabe6"));
  ASSERT_TRUE(keys.ok());
  absl::StatusOr<SrtpSession> out = SrtpSession::Create(*keys, Direction::kOutbound);
  absl::StatusOr<SrtpSession> in = SrtpSession::Create(*keys, Direction::kInbound);
  ASSERT_TRUE(out.ok() && in.ok());
  EXPECT_EQ(Protect(*out, plain, false), wire);
  EXPECT_EQ(Unprotect(*in, wire, false), plain);
}

// The fuzz seeds are packets libsrtp2 protected (gen_srtp_corpus.cc) with the DTLS client's write
// keys for keying material 00 01 02 ...: the DTLS server's inbound session must accept every one.
TEST(LibsrtpVectorTest, FuzzSeedCorpusAuthenticates) {
  const SrtpProfile profiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                  SrtpProfile::kAes128CmHmacSha1_80};
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator("corpus_srtp_unprotect")) {
    std::ifstream f(entry.path(), std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                               std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 1u);
    const SrtpProfile profile = profiles[bytes[0] & 3];
    const bool rtcp = (bytes[0] & 4) != 0;
    std::vector<uint8_t> material(KeyingMaterialSize(profile));
    for (size_t i = 0; i < material.size(); ++i) material[i] = static_cast<uint8_t>(i);
    auto sessions = CreateSrtpSessions(profile, material, SrtpRole::kServer);
    ASSERT_TRUE(sessions.ok());
    std::vector<uint8_t> packet(bytes.begin() + 1, bytes.end());
    Unprotect(sessions->inbound, packet, rtcp);
    ++checked;
  }
  EXPECT_EQ(checked, 18);
}

}  // namespace
}  // namespace sfu::srtp
