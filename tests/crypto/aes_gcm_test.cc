#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Hex;
using testing::ToHex;

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B test cases (the vectors
// NIST SP 800-38D points to), 96-bit IVs only.
struct GcmVector {
  const char* name;
  const char* key;
  const char* iv;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

constexpr char kKey128[] = "feffe9928665731c6d6a8f9467308308";
constexpr char kKey256[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr char kIv[] = "cafebabefacedbaddecaf888";
constexpr char kAad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr char kP64[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr char kP60[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";

const GcmVector kVectors[] = {
    {"case1", "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"case2", "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"case3", kKey128, kIv, "", kP64,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"case4", kKey128, kIv, kAad, kP60,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"case13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"case15", kKey256, kIv, "", kP64,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"case16", kKey256, kIv, kAad, kP60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(AesGcmTest, SealMatchesGcmSpecVectors) {
  for (const GcmVector& v : kVectors) {
    SCOPED_TRACE(v.name);
    auto gcm = AesGcm::Create(Hex(v.key));
    ASSERT_TRUE(gcm.ok()) << gcm.status();
    EXPECT_EQ(gcm->key_size(), Hex(v.key).size());
    std::vector<uint8_t> data = Hex(v.plaintext);
    uint8_t tag[AesGcm::kTagSize];
    ASSERT_TRUE(gcm->Seal(Hex(v.iv), Hex(v.aad), absl::MakeSpan(data), tag));
    EXPECT_EQ(ToHex(data), v.ciphertext);
    EXPECT_EQ(ToHex(tag), v.tag);
  }
}

TEST(AesGcmTest, OpenMatchesGcmSpecVectors) {
  for (const GcmVector& v : kVectors) {
    SCOPED_TRACE(v.name);
    auto gcm = AesGcm::Create(Hex(v.key));
    ASSERT_TRUE(gcm.ok()) << gcm.status();
    std::vector<uint8_t> data = Hex(v.ciphertext);
    ASSERT_TRUE(gcm->Open(Hex(v.iv), Hex(v.aad), absl::MakeSpan(data), Hex(v.tag)));
    EXPECT_EQ(ToHex(data), v.plaintext);
  }
}

TEST(AesGcmTest, SameObjectSealsAndOpensAlternately) {
  const GcmVector& v = kVectors[7];  // case16: AES-256 with AAD
  auto gcm = AesGcm::Create(Hex(v.key));
  ASSERT_TRUE(gcm.ok());
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> data = Hex(v.plaintext);
    uint8_t tag[16];
    ASSERT_TRUE(gcm->Seal(Hex(v.iv), Hex(v.aad), absl::MakeSpan(data), tag));
    EXPECT_EQ(ToHex(data), v.ciphertext);
    EXPECT_EQ(ToHex(tag), v.tag);
    ASSERT_TRUE(gcm->Open(Hex(v.iv), Hex(v.aad), absl::MakeSpan(data), tag));
    EXPECT_EQ(ToHex(data), v.plaintext);
  }
}

TEST(AesGcmTest, OpenRejectsTamperedTagCiphertextAndAad) {
  const GcmVector& v = kVectors[3];  // case4: AES-128 with AAD
  auto gcm = AesGcm::Create(Hex(v.key));
  ASSERT_TRUE(gcm.ok());
  const std::vector<uint8_t> ct = Hex(v.ciphertext);
  const std::vector<uint8_t> aad = Hex(v.aad);
  const std::vector<uint8_t> tag = Hex(v.tag);

  std::vector<uint8_t> bad_tag = tag;
  bad_tag[15] ^= 0x01;
  std::vector<uint8_t> data = ct;
  EXPECT_FALSE(gcm->Open(Hex(v.iv), aad, absl::MakeSpan(data), bad_tag));

  data = ct;
  data[0] ^= 0x80;
  EXPECT_FALSE(gcm->Open(Hex(v.iv), aad, absl::MakeSpan(data), tag));

  std::vector<uint8_t> bad_aad = aad;
  bad_aad.back() ^= 0x01;
  data = ct;
  EXPECT_FALSE(gcm->Open(Hex(v.iv), bad_aad, absl::MakeSpan(data), tag));

  // Missing AAD entirely.
  data = ct;
  EXPECT_FALSE(gcm->Open(Hex(v.iv), {}, absl::MakeSpan(data), tag));

  // After all those failures the context still opens the genuine packet.
  data = ct;
  EXPECT_TRUE(gcm->Open(Hex(v.iv), aad, absl::MakeSpan(data), tag));
  EXPECT_EQ(ToHex(data), v.plaintext);
}

TEST(AesGcmTest, OpenRejectsTruncatedTag) {
  const GcmVector& v = kVectors[3];
  auto gcm = AesGcm::Create(Hex(v.key));
  ASSERT_TRUE(gcm.ok());
  std::vector<uint8_t> tag = Hex(v.tag);
  for (size_t len : {0u, 4u, 8u, 12u, 15u}) {
    SCOPED_TRACE(len);
    std::vector<uint8_t> data = Hex(v.ciphertext);
    EXPECT_FALSE(gcm->Open(Hex(v.iv), Hex(v.aad), absl::MakeSpan(data),
                           absl::MakeConstSpan(tag).first(len)));
  }
}

TEST(AesGcmTest, RejectsWrongSizes) {
  EXPECT_FALSE(AesGcm::Create(std::vector<uint8_t>(24)).ok());
  EXPECT_FALSE(AesGcm::Create(std::vector<uint8_t>(0)).ok());
  EXPECT_FALSE(AesGcm::Create(std::vector<uint8_t>(15)).ok());
  auto gcm = AesGcm::Create(std::vector<uint8_t>(16));
  ASSERT_TRUE(gcm.ok());
  std::vector<uint8_t> data(20);
  uint8_t tag[16];
  uint8_t big_tag[17];
  EXPECT_FALSE(gcm->Seal(std::vector<uint8_t>(8), {}, absl::MakeSpan(data), tag));
  EXPECT_FALSE(gcm->Seal(std::vector<uint8_t>(16), {}, absl::MakeSpan(data), tag));
  EXPECT_FALSE(
      gcm->Seal(std::vector<uint8_t>(12), {}, absl::MakeSpan(data), absl::MakeSpan(tag).first(15)));
  EXPECT_FALSE(gcm->Seal(std::vector<uint8_t>(12), {}, absl::MakeSpan(data), big_tag));
  EXPECT_FALSE(gcm->Open(std::vector<uint8_t>(11), {}, absl::MakeSpan(data), tag));
  EXPECT_FALSE(gcm->Open(std::vector<uint8_t>(12), {}, absl::MakeSpan(data), big_tag));
  // And a valid call still works afterwards.
  EXPECT_TRUE(gcm->Seal(std::vector<uint8_t>(12), {}, absl::MakeSpan(data), tag));
  EXPECT_TRUE(gcm->Open(std::vector<uint8_t>(12), {}, absl::MakeSpan(data), tag));
}

TEST(AesGcmTest, MoveAssignmentKeepsKey) {
  const GcmVector& v = kVectors[2];
  auto a = AesGcm::Create(Hex(v.key));
  auto b = AesGcm::Create(std::vector<uint8_t>(32));
  ASSERT_TRUE(a.ok() && b.ok());
  *b = *std::move(a);
  EXPECT_EQ(b->key_size(), 16u);
  std::vector<uint8_t> data = Hex(v.plaintext);
  uint8_t tag[16];
  ASSERT_TRUE(b->Seal(Hex(v.iv), {}, absl::MakeSpan(data), tag));
  EXPECT_EQ(ToHex(tag), v.tag);
}

}  // namespace
}  // namespace sfu::crypto
