// Known-answer tests for GcmBatch on every implementation this CPU supports: the AES-GCM test cases
// of McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (the NIST submission; cases 1-4
// AES-128 and 13-16 AES-256, 96-bit IV) and the SRTP packets of RFC 7714 §16. Plus the API's
// behaviour on rejected and invalid packets, and implementation selection.
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "crypto/vaes/cpu_features.h"
#include "crypto/vaes/gcm_batch.h"
#include "crypto/vaes/gcm_key.h"
#include "gtest/gtest.h"
#include "tests/crypto/vaes/gcm_test_util.h"

namespace sfu::crypto {
namespace {

using testing::Hex;

struct Vector {
  const char* name;
  const char* key;
  const char* iv;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

constexpr char kTc3Plain[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr char kTc4Plain[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
constexpr char kSrtpPlain[] =
    "47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
constexpr char kSrtpHeader[] = "8040f17b8041f8d35501a0b2";

const Vector kVectors[] = {
    // McGrew-Viega test cases 1-4 (AES-128).
    {"tc1", "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"tc2", "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"tc3", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "", kTc3Plain,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"tc4", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", kTc4Plain,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    // McGrew-Viega test cases 13-16 (AES-256).
    {"tc13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"tc14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"tc15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "", kTc3Plain,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"tc16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", kTc4Plain,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    // RFC 7714 §16.1.1 / §16.2.1: the RTP header is the AAD, the payload is encrypted. The IV
    // 51753c65...8414 is the salt XOR (0x0000 || SSRC 5501a0b2 || ROC 0 || SEQ f17b), §8.1.
    {"rfc7714_16_1_1", "000102030405060708090a0b0c0d0e0f", "51753c6580c2726f20718414", kSrtpHeader,
     kSrtpPlain, "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833",
     "899d7f27beb16a9152cf765ee4390cce"},
    {"rfc7714_16_2_1", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "51753c6580c2726f20718414", kSrtpHeader, kSrtpPlain,
     "32b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b",
     "7aa3db36dfffd6b0f9bb7878d7a76c13"},
    // RFC 7714 §16.1.3: tagging only (the whole packet as AAD, empty plaintext).
    {"rfc7714_16_1_3", "000102030405060708090a0b0c0d0e0f", "51753c6580c2726f20718414",
     "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e2070617274"
     "65732074726573",
     "", "", "22493f82d2bce397e9d79e3b19aa4216"},
};

class GcmBatchKatTest : public ::testing::TestWithParam<GcmImpl> {
 protected:
  void SetUp() override {
    if (!GcmBatch::Supported(GetParam()))
      GTEST_SKIP() << "CPU lacks " << GcmBatch::ImplName(GetParam());
    absl::StatusOr<GcmBatch> batch = GcmBatch::Create(GetParam());
    ASSERT_TRUE(batch.ok()) << batch.status();
    batch_.emplace(*batch);
  }
  std::optional<GcmBatch> batch_;
};

TEST_P(GcmBatchKatTest, SealsAndOpensEveryVector) {
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(v.name);
    absl::StatusOr<GcmKey> key = GcmKey::Create(Hex(v.key));
    ASSERT_TRUE(key.ok()) << key.status();
    const std::vector<uint8_t> iv = Hex(v.iv);
    const std::vector<uint8_t> aad = Hex(v.aad);
    std::vector<uint8_t> data = Hex(v.plaintext);
    std::vector<uint8_t> tag(16);
    GcmPacket p{&*key, iv.data(), aad, absl::MakeSpan(data), tag.data()};
    batch_->Seal(absl::MakeSpan(&p, 1));
    EXPECT_TRUE(p.ok);
    EXPECT_EQ(data, Hex(v.ciphertext));
    EXPECT_EQ(tag, Hex(v.tag));

    p.ok = false;
    EXPECT_EQ(batch_->Open(absl::MakeSpan(&p, 1)), 1u);
    EXPECT_TRUE(p.ok);
    EXPECT_EQ(data, Hex(v.plaintext));
  }
}

TEST_P(GcmBatchKatTest, AllVectorsInOneBatch) {
  std::vector<GcmKey> keys;
  std::vector<std::vector<uint8_t>> ivs, aads, datas, tags;
  for (const Vector& v : kVectors) {
    keys.push_back(*GcmKey::Create(Hex(v.key)));
    ivs.push_back(Hex(v.iv));
    aads.push_back(Hex(v.aad));
    datas.push_back(Hex(v.plaintext));
    tags.emplace_back(16);
  }
  std::vector<GcmPacket> packets;
  for (size_t i = 0; i < keys.size(); ++i) {
    packets.push_back({&keys[i], ivs[i].data(), aads[i], absl::MakeSpan(datas[i]), tags[i].data()});
  }
  batch_->Seal(absl::MakeSpan(packets));
  for (size_t i = 0; i < packets.size(); ++i) {
    SCOPED_TRACE(kVectors[i].name);
    EXPECT_TRUE(packets[i].ok);
    EXPECT_EQ(datas[i], Hex(kVectors[i].ciphertext));
    EXPECT_EQ(tags[i], Hex(kVectors[i].tag));
  }
  tags[3][15] ^= 0x80;  // tc4 forged
  EXPECT_EQ(batch_->Open(absl::MakeSpan(packets)), packets.size() - 1);
  for (size_t i = 0; i < packets.size(); ++i) {
    SCOPED_TRACE(kVectors[i].name);
    EXPECT_EQ(packets[i].ok, i != 3);
    // The forged packet keeps its ciphertext; the others are plaintext again.
    EXPECT_EQ(datas[i], Hex(i == 3 ? kVectors[i].ciphertext : kVectors[i].plaintext));
  }
}

TEST_P(GcmBatchKatTest, RejectedOpenLeavesCiphertext) {
  const Vector& v = kVectors[2];  // tc3
  GcmKey key = *GcmKey::Create(Hex(v.key));
  const std::vector<uint8_t> iv = Hex(v.iv);
  std::vector<uint8_t> iv_wrong = iv;
  iv_wrong[11] ^= 1;
  const std::vector<uint8_t> aad_wrong = Hex("00");
  std::vector<uint8_t> tag = Hex(v.tag);
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    std::vector<uint8_t> data = Hex(v.ciphertext);
    GcmPacket p{&key, variant == 0 ? iv_wrong.data() : iv.data(),
                variant == 1 ? absl::Span<const uint8_t>(aad_wrong) : absl::Span<const uint8_t>(),
                absl::MakeSpan(data), tag.data()};
    if (variant == 2) data[63] ^= 0x01;
    EXPECT_EQ(batch_->Open(absl::MakeSpan(&p, 1)), 0u);
    EXPECT_FALSE(p.ok);
    std::vector<uint8_t> expected = Hex(v.ciphertext);
    if (variant == 2) expected[63] ^= 0x01;
    EXPECT_EQ(data, expected);
  }
}

TEST_P(GcmBatchKatTest, InvalidPacketsAreRefusedUntouched) {
  GcmKey key = *GcmKey::Create(Hex(kVectors[2].key));
  const std::vector<uint8_t> iv(12);
  std::vector<uint8_t> data = Hex(kTc3Plain);
  std::vector<uint8_t> tag(16, 0xaa);
  GcmPacket packets[3] = {
      {nullptr, iv.data(), {}, absl::MakeSpan(data), tag.data()},
      {&key, nullptr, {}, absl::MakeSpan(data), tag.data()},
      {&key, iv.data(), {}, absl::MakeSpan(data), nullptr},
  };
  for (GcmPacket& p : packets) p.ok = true;
  batch_->Seal(absl::MakeSpan(packets));
  for (const GcmPacket& p : packets) EXPECT_FALSE(p.ok);
  EXPECT_EQ(batch_->Open(absl::MakeSpan(packets)), 0u);
  for (const GcmPacket& p : packets) EXPECT_FALSE(p.ok);
  EXPECT_EQ(data, Hex(kTc3Plain));
  EXPECT_EQ(tag, std::vector<uint8_t>(16, 0xaa));
  batch_->Seal({});
  EXPECT_EQ(batch_->Open({}), 0u);
}

TEST_P(GcmBatchKatTest, ReportsItsName) {
  EXPECT_STREQ(batch_->impl_name(), GcmBatch::ImplName(GetParam()));
  EXPECT_EQ(batch_->impl(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Impls, GcmBatchKatTest, ::testing::ValuesIn(testing::AllImpls()),
                         [](const auto& info) { return testing::ImplTestName(info.param); });

TEST(GcmKeyTest, RejectsOtherKeySizes) {
  EXPECT_FALSE(GcmKey::Create(std::vector<uint8_t>(24)).ok());
  EXPECT_FALSE(GcmKey::Create(std::vector<uint8_t>(0)).ok());
  EXPECT_FALSE(GcmKey::Create(std::vector<uint8_t>(17)).ok());
  EXPECT_EQ(GcmKey::Create(std::vector<uint8_t>(32))->key_size(), 32u);
}

TEST(GcmKeyTest, MovedKeyStillWorks) {
  GcmKey a = *GcmKey::Create(Hex(kVectors[2].key));
  GcmKey b = std::move(a);
  std::vector<GcmKey> keys;
  keys.push_back(std::move(b));
  const std::vector<uint8_t> iv = Hex(kVectors[2].iv);
  std::vector<uint8_t> data = Hex(kTc3Plain);
  std::vector<uint8_t> tag(16);
  GcmPacket p{&keys[0], iv.data(), {}, absl::MakeSpan(data), tag.data()};
  GcmBatch::Create()->Seal(absl::MakeSpan(&p, 1));
  EXPECT_EQ(tag, Hex(kVectors[2].tag));
}

TEST(GcmBatchSelectTest, ParsesNames) {
  EXPECT_EQ(*GcmBatch::ParseImpl("evp"), GcmImpl::kEvp);
  EXPECT_EQ(*GcmBatch::ParseImpl("vaes256"), GcmImpl::kVaes256);
  EXPECT_EQ(*GcmBatch::ParseImpl("vaes512"), GcmImpl::kVaes512);
  EXPECT_EQ(*GcmBatch::ParseImpl("auto"), GcmImpl::kAuto);
  EXPECT_FALSE(GcmBatch::ParseImpl("aesni").ok());
  EXPECT_FALSE(GcmBatch::ParseImpl("").ok());
}

TEST(GcmBatchSelectTest, AutoPicksTheBestSupported) {
  const GcmCpuFeatures f = DetectGcmCpuFeatures();
  EXPECT_TRUE(!f.vaes512 || f.vaes256);  // 512 implies 256
  const GcmImpl best = GcmBatch::Best();
  EXPECT_EQ(best, f.vaes512 ? GcmImpl::kVaes512 : f.vaes256 ? GcmImpl::kVaes256 : GcmImpl::kEvp);
  EXPECT_TRUE(GcmBatch::Supported(GcmImpl::kEvp));
  EXPECT_EQ(GcmBatch::Supported(GcmImpl::kVaes512), f.vaes512);
}

TEST(GcmBatchSelectTest, EnvironmentForcesTheImplementation) {
  const char* saved = std::getenv("SFUD_GCM_IMPL");
  const std::string restore = saved ? saved : "";
  ASSERT_EQ(setenv("SFUD_GCM_IMPL", "evp", 1), 0);
  EXPECT_EQ(GcmBatch::Create()->impl(), GcmImpl::kEvp);
  EXPECT_STREQ(GcmBatch::Create()->impl_name(), "evp");
  // An explicit request wins over the environment.
  EXPECT_EQ(GcmBatch::Create(GcmImpl::kEvp)->impl(), GcmImpl::kEvp);
  ASSERT_EQ(setenv("SFUD_GCM_IMPL", "bogus", 1), 0);
  EXPECT_FALSE(GcmBatch::Create().ok());
  ASSERT_EQ(setenv("SFUD_GCM_IMPL", "auto", 1), 0);
  EXPECT_EQ(GcmBatch::Create()->impl(), GcmBatch::Best());
  if (GcmBatch::Supported(GcmImpl::kVaes256)) {
    ASSERT_EQ(setenv("SFUD_GCM_IMPL", "vaes256", 1), 0);
    EXPECT_EQ(GcmBatch::Create()->impl(), GcmImpl::kVaes256);
  }
  if (!GcmBatch::Supported(GcmImpl::kVaes512)) {
    EXPECT_FALSE(GcmBatch::Create(GcmImpl::kVaes512).ok());
  }
  if (saved) {
    setenv("SFUD_GCM_IMPL", restore.c_str(), 1);
  } else {
    unsetenv("SFUD_GCM_IMPL");
  }
}

}  // namespace
}  // namespace sfu::crypto
