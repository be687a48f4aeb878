#include "crypto/ecdhe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Hex;
using testing::ToHex;

TEST(EcdheX25519Test, Rfc7748Section52Vectors) {
  struct V {
    const char* scalar;
    const char* u;
    const char* out;
  };
  const V vectors[] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      // The second vector's u has its top bit set, which X25519 must mask (RFC 7748 §5).
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
      // The iterated test's first step: k = u = 9.
      {"0900000000000000000000000000000000000000000000000000000000000000",
       "0900000000000000000000000000000000000000000000000000000000000000",
       "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"},
  };
  for (const V& v : vectors) {
    SCOPED_TRACE(v.out);
    auto key = EcdheKey::FromX25519Private(Hex(v.scalar));
    ASSERT_TRUE(key.ok()) << key.status();
    auto secret = key->DeriveSharedSecret(Hex(v.u));
    ASSERT_TRUE(secret.ok()) << secret.status();
    EXPECT_EQ(ToHex(*secret), v.out);
  }
}

TEST(EcdheX25519Test, Rfc7748Section61DiffieHellman) {
  auto alice = EcdheKey::FromX25519Private(
      Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = EcdheKey::FromX25519Private(
      Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(alice->group(), NamedGroup::kX25519);
  EXPECT_EQ(ToHex(alice->public_key()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(ToHex(bob->public_key()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const char kShared[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  auto ab = alice->DeriveSharedSecret(bob->public_key());
  auto ba = bob->DeriveSharedSecret(alice->public_key());
  ASSERT_TRUE(ab.ok()) << ab.status();
  ASSERT_TRUE(ba.ok()) << ba.status();
  EXPECT_EQ(ToHex(*ab), kShared);
  EXPECT_EQ(ToHex(*ba), kShared);
}

TEST(EcdheX25519Test, GeneratedKeysAgree) {
  auto a = EcdheKey::Generate(NamedGroup::kX25519);
  auto b = EcdheKey::Generate(NamedGroup::kX25519);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->public_key().size(), 32u);
  EXPECT_NE(ToHex(a->public_key()), ToHex(b->public_key()));
  auto ab = a->DeriveSharedSecret(b->public_key());
  auto ba = b->DeriveSharedSecret(a->public_key());
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(ab->size(), 32u);
  EXPECT_EQ(*ab, *ba);
}

TEST(EcdheX25519Test, RejectsLowOrderPointsAndBadLengths) {
  auto key = EcdheKey::Generate(NamedGroup::kX25519);
  ASSERT_TRUE(key.ok());
  // u = 0 and u = 1 are small-order points: every scalar maps them to the all-zero output that
  // RFC 7748 §6.1 says to reject.
  std::vector<uint8_t> zero(32, 0);
  std::vector<uint8_t> one(32, 0);
  one[0] = 1;
  EXPECT_FALSE(key->DeriveSharedSecret(zero).ok());
  EXPECT_FALSE(key->DeriveSharedSecret(one).ok());
  EXPECT_FALSE(key->DeriveSharedSecret(std::vector<uint8_t>(31, 9)).ok());
  EXPECT_FALSE(key->DeriveSharedSecret(std::vector<uint8_t>(33, 9)).ok());
  EXPECT_FALSE(key->DeriveSharedSecret({}).ok());
  EXPECT_FALSE(EcdheKey::FromX25519Private(std::vector<uint8_t>(31, 1)).ok());
}

TEST(EcdheP256Test, GeneratedKeysAgree) {
  auto a = EcdheKey::Generate(NamedGroup::kSecp256r1);
  auto b = EcdheKey::Generate(NamedGroup::kSecp256r1);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->group(), NamedGroup::kSecp256r1);
  ASSERT_EQ(a->public_key().size(), 65u);
  EXPECT_EQ(a->public_key()[0], 0x04);
  auto ab = a->DeriveSharedSecret(b->public_key());
  auto ba = b->DeriveSharedSecret(a->public_key());
  ASSERT_TRUE(ab.ok()) << ab.status();
  ASSERT_TRUE(ba.ok()) << ba.status();
  EXPECT_EQ(ab->size(), 32u);
  EXPECT_EQ(*ab, *ba);
}

TEST(EcdheP256Test, RejectsMalformedPeerPoints) {
  auto a = EcdheKey::Generate(NamedGroup::kSecp256r1);
  auto b = EcdheKey::Generate(NamedGroup::kSecp256r1);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<uint8_t> good(b->public_key().begin(), b->public_key().end());

  // A flipped byte in Y (or X) moves the point off the curve.
  for (size_t index : {1u, 20u, 33u, 64u}) {
    SCOPED_TRACE(index);
    std::vector<uint8_t> bad = good;
    bad[index] ^= 0x01;
    EXPECT_FALSE(a->DeriveSharedSecret(bad).ok());
  }
  // Wrong lengths.
  EXPECT_FALSE(a->DeriveSharedSecret(absl::MakeConstSpan(good).first(64)).ok());
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_FALSE(a->DeriveSharedSecret(longer).ok());
  EXPECT_FALSE(a->DeriveSharedSecret({}).ok());
  // Compressed form (0x02/0x03 || X), which TLS 1.2 peers must not send (RFC 8422 §5.1.2).
  std::vector<uint8_t> compressed(good.begin(), good.begin() + 33);
  compressed[0] = 0x02 | (good[64] & 1);
  EXPECT_FALSE(a->DeriveSharedSecret(compressed).ok());
  // The same 65 bytes with a compressed or hybrid tag.
  for (uint8_t tag : {0x00, 0x02, 0x03, 0x06, 0x07}) {
    std::vector<uint8_t> bad = good;
    bad[0] = tag;
    EXPECT_FALSE(a->DeriveSharedSecret(bad).ok());
  }
  // The point at infinity's encoding and an all-zero point.
  EXPECT_FALSE(a->DeriveSharedSecret(std::vector<uint8_t>{0x00}).ok());
  std::vector<uint8_t> zeros(65, 0);
  zeros[0] = 0x04;
  EXPECT_FALSE(a->DeriveSharedSecret(zeros).ok());
  // Coordinates >= p: X = p (the field prime), which some decoders reduce silently.
  std::vector<uint8_t> big =
      Hex("04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
          "0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_FALSE(a->DeriveSharedSecret(big).ok());
  // The key still works with the genuine point.
  EXPECT_TRUE(a->DeriveSharedSecret(good).ok());
}

TEST(EcdheP256Test, RejectsX25519SizedPeer) {
  auto a = EcdheKey::Generate(NamedGroup::kSecp256r1);
  auto x = EcdheKey::Generate(NamedGroup::kX25519);
  ASSERT_TRUE(a.ok() && x.ok());
  EXPECT_FALSE(a->DeriveSharedSecret(x->public_key()).ok());
  EXPECT_FALSE(x->DeriveSharedSecret(a->public_key()).ok());
}

TEST(EcdheP256Test, ConcurrentDerivationsShareTheParameterTemplate) {
  // Peer keys on every shard are built from one process-wide P-256 template; use it from several
  // threads at once. Bounded: 4 threads x 10 handshakes.
  std::atomic<int> agreed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto a = EcdheKey::Generate(NamedGroup::kSecp256r1);
        auto b = EcdheKey::Generate(NamedGroup::kSecp256r1);
        if (!a.ok() || !b.ok()) continue;
        auto ab = a->DeriveSharedSecret(b->public_key());
        auto ba = b->DeriveSharedSecret(a->public_key());
        if (ab.ok() && ba.ok() && *ab == *ba) ++agreed;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(agreed.load(), 40);
}

TEST(EcdheTest, UnknownGroupIsRejected) {
  EXPECT_FALSE(EcdheKey::Generate(static_cast<NamedGroup>(24)).ok());
}

}  // namespace
}  // namespace sfu::crypto
