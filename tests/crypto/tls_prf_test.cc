#include "crypto/tls_prf.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <vector>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Hex;
using testing::ToHex;

// The TLS 1.2 PRF vectors posted to the IETF TLS list
// (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html), used by many TLS stacks.
constexpr char kSecret256[] = "9bbe436ba940f017b17652849a71db35";
constexpr char kSeed256[] = "a0ba9f936cda311827a6f796ffd5198c";
constexpr char kOut256[] =
    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
    "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
    "87347b66";
constexpr char kSecret384[] = "b80b733d6ceefcdc71566ea48e5567df";
constexpr char kSeed384[] = "cd665cf6a8447dd6ff8b27555edb7465";
constexpr char kOut384[] =
    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
    "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
    "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
    "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
    "91c8f3a26854308d5eaa3be85e0990703d73e56f";
constexpr char kLabel[] = "test label";

TEST(TlsPrfTest, PublishedSha256Vector) {
  std::vector<uint8_t> out(100);
  ASSERT_TRUE(
      TlsPrf(HashAlgorithm::kSha256, Hex(kSecret256), kLabel, {Hex(kSeed256)}, absl::MakeSpan(out))
          .ok());
  EXPECT_EQ(ToHex(out), kOut256);
}

TEST(TlsPrfTest, PublishedSha384Vector) {
  std::vector<uint8_t> out(148);
  ASSERT_TRUE(
      TlsPrf(HashAlgorithm::kSha384, Hex(kSecret384), kLabel, {Hex(kSeed384)}, absl::MakeSpan(out))
          .ok());
  EXPECT_EQ(ToHex(out), kOut384);
}

TEST(TlsPrfTest, SeedPartsAreConcatenated) {
  const std::vector<uint8_t> seed = Hex(kSeed256);
  auto s = absl::MakeConstSpan(seed);
  std::vector<uint8_t> out(100);
  ASSERT_TRUE(TlsPrf(HashAlgorithm::kSha256, Hex(kSecret256), kLabel,
                     {s.subspan(0, 3), {}, s.subspan(3, 10), s.subspan(13)}, absl::MakeSpan(out))
                  .ok());
  EXPECT_EQ(ToHex(out), kOut256);
}

TEST(TlsPrfTest, ShortOutputIsAPrefix) {
  // RFC 5246 §5 computes as many P_hash blocks as needed and truncates; e.g. verify_data is 12.
  std::vector<uint8_t> out(12);
  ASSERT_TRUE(
      TlsPrf(HashAlgorithm::kSha384, Hex(kSecret384), kLabel, {Hex(kSeed384)}, absl::MakeSpan(out))
          .ok());
  EXPECT_EQ(ToHex(out), std::string(kOut384).substr(0, 24));
}

TEST(TlsPrfTest, EmptyOutputIsOk) {
  EXPECT_TRUE(TlsPrf(HashAlgorithm::kSha256, Hex(kSecret256), kLabel, {Hex(kSeed256)}, {}).ok());
}

TEST(TlsPrfTest, RejectsSha1) {
  std::vector<uint8_t> out(12);
  EXPECT_FALSE(
      TlsPrf(HashAlgorithm::kSha1, Hex(kSecret256), kLabel, {Hex(kSeed256)}, absl::MakeSpan(out))
          .ok());
}

// Cross-check of a longer, handshake-shaped derivation (48-byte secret, two 32-byte randoms,
// 72-byte key block) against OpenSSL's TLS1-PRF driven directly, so a wrapper bug in parameter
// ordering would show even outside the published vectors' shape.
TEST(TlsPrfTest, MatchesOpenSslKdfForKeyBlockShape) {
  std::vector<uint8_t> secret(48), client_random(32), server_random(32);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 7 + 1);
  for (size_t i = 0; i < 32; ++i) {
    client_random[i] = static_cast<uint8_t>(0xa0 + i);
    server_random[i] = static_cast<uint8_t>(0x10 + 3 * i);
  }
  const char label[] = "key expansion";
  std::vector<uint8_t> ours(72);
  ASSERT_TRUE(TlsPrf(HashAlgorithm::kSha256, secret, label, {server_random, client_random},
                     absl::MakeSpan(ours))
                  .ok());

  std::vector<uint8_t> seed(label, label + sizeof(label) - 1);
  seed.insert(seed.end(), server_random.begin(), server_random.end());
  seed.insert(seed.end(), client_random.begin(), client_random.end());
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr);
  ASSERT_NE(kdf, nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  ASSERT_NE(ctx, nullptr);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret.data(), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.data(), seed.size()),
      OSSL_PARAM_construct_end(),
  };
  std::vector<uint8_t> theirs(72);
  EXPECT_EQ(EVP_KDF_derive(ctx, theirs.data(), theirs.size(), params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  EXPECT_EQ(ToHex(ours), ToHex(theirs));
}

}  // namespace
}  // namespace sfu::crypto
