#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Bytes;
using testing::Hex;
using testing::ToHex;

// FIPS 180-2 Appendix B (SHA-256) and Appendix D (SHA-384) example messages.
constexpr char kAbc[] = "abc";
constexpr char kTwoBlock256[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char kTwoBlock384[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rs"
    "mnopqrstnopqrstu";
constexpr char kSha256Abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kSha256TwoBlock[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr char kSha384Abc[] =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825"
    "a7";
constexpr char kSha384TwoBlock[] =
    "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa917460"
    "39";

TEST(HashTest, DigestSizes) {
  EXPECT_EQ(DigestSize(HashAlgorithm::kSha1), 20u);
  EXPECT_EQ(DigestSize(HashAlgorithm::kSha256), 32u);
  EXPECT_EQ(DigestSize(HashAlgorithm::kSha384), 48u);
  EXPECT_GE(kMaxDigestSize, DigestSize(HashAlgorithm::kSha384));
}

TEST(HashTest, Sha256Fips180Vectors) {
  EXPECT_EQ(ToHex(Sha256(Bytes(kAbc))), kSha256Abc);
  EXPECT_EQ(ToHex(Sha256(Bytes(kTwoBlock256))), kSha256TwoBlock);
}

TEST(HashTest, Sha384Fips180Vectors) {
  EXPECT_EQ(ToHex(Sha384(Bytes(kAbc))), kSha384Abc);
  EXPECT_EQ(ToHex(Sha384(Bytes(kTwoBlock384))), kSha384TwoBlock);
}

TEST(HashTest, Sha256OfEmptyInput) {
  // FIPS 180-2 has no empty-message example; this is the value NIST's SHAVS lists for Len = 0.
  EXPECT_EQ(ToHex(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HasherTest, IncrementalMatchesPublishedVector) {
  auto hasher = Hasher::Create(HashAlgorithm::kSha256);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  std::string msg = kTwoBlock256;
  hasher->Update(Bytes(msg.substr(0, 7)));
  hasher->Update(Bytes(msg.substr(7, 43)));
  hasher->Update(Bytes(msg.substr(50)));
  uint8_t out[kMaxDigestSize];
  ASSERT_EQ(hasher->Digest(out), 32u);
  EXPECT_EQ(ToHex(absl::MakeConstSpan(out, 32)), kSha256TwoBlock);
}

TEST(HasherTest, DigestMidStreamKeepsRunningState) {
  auto hasher = Hasher::Create(HashAlgorithm::kSha384);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  EXPECT_EQ(hasher->algorithm(), HashAlgorithm::kSha384);
  hasher->Update(Bytes(kAbc));
  uint8_t out[48];
  ASSERT_EQ(hasher->Digest(out), 48u);
  EXPECT_EQ(ToHex(out), kSha384Abc);
  // Digesting twice in a row gives the same value: the first Digest did not finalise the state.
  ASSERT_EQ(hasher->Digest(out), 48u);
  EXPECT_EQ(ToHex(out), kSha384Abc);

  // A transcript that reaches the two-block message with a digest taken part way through: the
  // final digest must still be the published one.
  auto transcript = Hasher::Create(HashAlgorithm::kSha384);
  ASSERT_TRUE(transcript.ok());
  std::string msg = kTwoBlock384;
  transcript->Update(Bytes(msg.substr(0, 40)));
  ASSERT_EQ(transcript->Digest(out), 48u);
  EXPECT_EQ(ToHex(out), ToHex(Sha384(Bytes(msg.substr(0, 40)))));
  transcript->Update(Bytes(msg.substr(40)));
  ASSERT_EQ(transcript->Digest(out), 48u);
  EXPECT_EQ(ToHex(out), kSha384TwoBlock);
}

TEST(HasherTest, Sha1Abc) {
  // FIPS 180-2 Appendix A.1.
  auto hasher = Hasher::Create(HashAlgorithm::kSha1);
  ASSERT_TRUE(hasher.ok());
  hasher->Update(Bytes(kAbc));
  uint8_t out[20];
  ASSERT_EQ(hasher->Digest(out), 20u);
  EXPECT_EQ(ToHex(out), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(HasherTest, DigestRejectsShortOutput) {
  auto hasher = Hasher::Create(HashAlgorithm::kSha256);
  ASSERT_TRUE(hasher.ok());
  uint8_t out[31];
  EXPECT_EQ(hasher->Digest(out), 0u);
}

TEST(HasherTest, MoveKeepsState) {
  auto hasher = Hasher::Create(HashAlgorithm::kSha256);
  ASSERT_TRUE(hasher.ok());
  hasher->Update(Bytes("a"));
  Hasher moved = *std::move(hasher);
  moved.Update(Bytes("bc"));
  uint8_t out[32];
  ASSERT_EQ(moved.Digest(out), 32u);
  EXPECT_EQ(ToHex(out), kSha256Abc);
}

}  // namespace
}  // namespace sfu::crypto
