#include "core/dtls/handshake_messages.h"

#include <vector>

#include "gtest/gtest.h"

namespace sfu::dtls {
namespace {

// ClientHello body prefix: version, random, empty session_id, empty cookie, one suite, null
// compression; extensions appended by each test.
std::vector<uint8_t> HelloPrefix() {
  std::vector<uint8_t> b = {0xFE, 0xFD};
  b.resize(2 + 32, 0x5A);
  b.insert(b.end(), {0, 0, 0, 2, 0xC0, 0x2B, 1, 0});
  return b;
}

std::vector<uint8_t> WithExtensions(std::vector<uint8_t> body, const std::vector<uint8_t>& ext) {
  body.push_back(static_cast<uint8_t>(ext.size() >> 8));
  body.push_back(static_cast<uint8_t>(ext.size()));
  body.insert(body.end(), ext.begin(), ext.end());
  return body;
}

TEST(ClientHelloParseTest, ChromiumStyleExtensions) {
  // extended_master_secret, supported_versions offering DTLS 1.3 and 1.2 (ignored), groups
  // X25519MLKEM768/X25519/P-256, use_srtp CM_80/256 GCM/128 GCM with empty MKI, an unknown
  // (GREASE) extension, renegotiation_info (empty).
  const std::vector<uint8_t> ext = {
      0x00, 0x17, 0x00, 0x00,                                                        // EMS
      0x00, 0x2B, 0x00, 0x05, 0x04, 0xFE, 0xFC, 0xFE, 0xFD,                          // versions
      0x00, 0x0A, 0x00, 0x08, 0x00, 0x06, 0x11, 0xEC, 0x00, 0x1D, 0x00, 0x17,        // groups
      0x00, 0x0E, 0x00, 0x09, 0x00, 0x06, 0x00, 0x01, 0x00, 0x08, 0x00, 0x07, 0x00,  // use_srtp
      0x3A, 0x3A, 0x00, 0x01, 0x00,                                                  // GREASE
      0xFF, 0x01, 0x00, 0x01, 0x00};                                                 // reneg info
  const auto body = WithExtensions(HelloPrefix(), ext);
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(body, &hello));
  EXPECT_EQ(hello.client_version, 0xFEFD);
  EXPECT_TRUE(hello.extended_master_secret);
  EXPECT_TRUE(hello.renegotiation_info);
  EXPECT_TRUE(hello.renegotiation_info_data.empty());
  ASSERT_TRUE(hello.supported_groups);
  EXPECT_TRUE(hello.supported_groups->Contains(0x001D));
  EXPECT_TRUE(hello.supported_groups->Contains(0x0017));
  EXPECT_FALSE(hello.supported_groups->Contains(0x0018));
  ASSERT_TRUE(hello.srtp_profiles);
  EXPECT_EQ(hello.srtp_profiles->size(), 3u);
  EXPECT_EQ(hello.srtp_profiles->at(2), 0x0007);
  EXPECT_TRUE(hello.srtp_mki.empty());
  EXPECT_FALSE(hello.signature_algorithms);
  EXPECT_TRUE(hello.cipher_suites.Contains(0xC02B));
}

TEST(ClientHelloParseTest, RejectsMalformed) {
  ClientHello hello;
  // Duplicate extension (RFC 5246 §7.4.1.4).
  EXPECT_FALSE(ParseClientHello(
      WithExtensions(HelloPrefix(), {0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00}), &hello));
  // Extension length past the block.
  EXPECT_FALSE(ParseClientHello(WithExtensions(HelloPrefix(), {0x00, 0x17, 0x00, 0x05}), &hello));
  // Trailing bytes after the extensions block.
  auto trailing = WithExtensions(HelloPrefix(), {0x00, 0x17, 0x00, 0x00});
  trailing.push_back(0);
  EXPECT_FALSE(ParseClientHello(trailing, &hello));
  // Odd-length group list.
  EXPECT_FALSE(ParseClientHello(
      WithExtensions(HelloPrefix(), {0x00, 0x0A, 0x00, 0x03, 0x00, 0x01, 0x1D}), &hello));
  // EMS with a body.
  EXPECT_FALSE(
      ParseClientHello(WithExtensions(HelloPrefix(), {0x00, 0x17, 0x00, 0x01, 0x00}), &hello));
  // Truncated everywhere (except right before the optional extensions block): rejected, never
  // read past the end.
  const auto good = WithExtensions(HelloPrefix(), {0x00, 0x17, 0x00, 0x00});
  for (size_t n = 0; n < good.size(); ++n) {
    if (n == HelloPrefix().size()) continue;
    EXPECT_FALSE(ParseClientHello(absl::MakeConstSpan(good.data(), n), &hello)) << n;
  }
  EXPECT_TRUE(ParseClientHello(good, &hello));
  // No extensions at all is well-formed (and refused later for lack of EMS).
  ClientHello bare;
  ASSERT_TRUE(ParseClientHello(HelloPrefix(), &bare));
  EXPECT_FALSE(bare.extended_master_secret);
}

TEST(ClientHelloParseTest, WriterOutputParses) {
  std::array<uint8_t, 32> random{};
  random.fill(7);
  const std::vector<uint8_t> cookie(32, 9);
  const std::vector<CipherSuite> suites = {CipherSuite::kEcdheEcdsaAes128GcmSha256};
  const std::vector<crypto::NamedGroup> groups = {crypto::NamedGroup::kX25519};
  const std::vector<SrtpProfile> profiles = {SrtpProfile::kAeadAes128Gcm};
  std::array<uint8_t, 512> buf;
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteClientHello(w, {random, cookie, suites, groups, profiles}));
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(w.written(), &hello));
  EXPECT_EQ(std::vector<uint8_t>(hello.cookie.begin(), hello.cookie.end()), cookie);
  EXPECT_TRUE(hello.extended_master_secret);
  ASSERT_TRUE(hello.signature_algorithms);
  EXPECT_TRUE(hello.signature_algorithms->Contains(0x0403));
  ClientHelloPrefix prefix;
  ASSERT_TRUE(ParseClientHelloPrefix(w.written().subspan(0, 70), &prefix));
  EXPECT_EQ(prefix.cookie.size(), 32u);
}

TEST(ServerMessagesTest, ServerHelloRoundTrip) {
  std::array<uint8_t, 32> random{};
  std::array<uint8_t, 128> buf;
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(WriteServerHello(w, {random, CipherSuite::kEcdheEcdsaAes256GcmSha384,
                                   SrtpProfile::kAeadAes256Gcm, false, true}));
  ServerHello hello;
  ASSERT_TRUE(ParseServerHello(w.written(), &hello));
  EXPECT_EQ(hello.cipher_suite, 0xC02C);
  EXPECT_TRUE(hello.extended_master_secret);
  EXPECT_FALSE(hello.renegotiation_info);  // only echoed when the client offered it
  ASSERT_TRUE(hello.srtp_profiles);
  EXPECT_EQ(hello.srtp_profiles->at(0), 0x0008);
  ASSERT_TRUE(hello.ec_point_formats);
}

TEST(ServerMessagesTest, CertificateAndKeyExchange) {
  absl::Span<const uint8_t> leaf;
  const std::vector<uint8_t> empty_list = {0, 0, 0};
  ASSERT_TRUE(ParseCertificate(empty_list, &leaf));
  EXPECT_TRUE(leaf.empty());
  const std::vector<uint8_t> two = {0, 0, 10, 0, 0, 2, 0xAA, 0xBB, 0, 0, 2, 0xCC, 0xDD};
  ASSERT_TRUE(ParseCertificate(two, &leaf));
  EXPECT_EQ(leaf.size(), 2u);
  EXPECT_EQ(leaf[0], 0xAA);
  const std::vector<uint8_t> bad_inner = {0, 0, 5, 0, 0, 9, 0xAA, 0xBB};
  EXPECT_FALSE(ParseCertificate(bad_inner, &leaf));

  const std::vector<uint8_t> ske = {3, 0, 0x1D, 2, 0x11, 0x22, 0x04, 0x03, 0, 2, 0x30, 0x00};
  ServerKeyExchange parsed;
  ASSERT_TRUE(ParseServerKeyExchange(ske, &parsed));
  EXPECT_EQ(parsed.named_group, 0x1D);
  EXPECT_EQ(parsed.public_key.size(), 2u);
  EXPECT_EQ(parsed.params.size(), 6u);  // what the signature covers
  EXPECT_EQ(parsed.signature_scheme, 0x0403);
  const std::vector<uint8_t> explicit_curve = {1, 0, 0x1D, 2, 0x11, 0x22, 0x04, 0x03, 0, 0};
  EXPECT_FALSE(ParseServerKeyExchange(explicit_curve, &parsed));

  CertificateRequest request;
  const std::vector<uint8_t> cr = {2, 64, 1, 0, 2, 0x04, 0x03, 0, 0};
  ASSERT_TRUE(ParseCertificateRequest(cr, &request));
  EXPECT_TRUE(request.signature_algorithms.Contains(0x0403));
  HelloVerifyRequest hvr;
  const std::vector<uint8_t> hvr_bytes = {0xFE, 0xFF, 2, 1, 2};
  ASSERT_TRUE(ParseHelloVerifyRequest(hvr_bytes, &hvr));
  EXPECT_EQ(hvr.cookie.size(), 2u);
  const std::vector<uint8_t> hvr_short = {0xFE, 0xFF, 3, 1, 2};
  EXPECT_FALSE(ParseHelloVerifyRequest(hvr_short, &hvr));
}

}  // namespace
}  // namespace sfu::dtls
