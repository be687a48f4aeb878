#include "crypto/aes_ctr.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Hex;
using testing::ToHex;

// NIST SP 800-38A Appendix F.5: the initial counter block and plaintext shared by all CTR examples.
constexpr char kInitialCounter[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
constexpr char kPlaintext[] =
    "6bc1bee22e409f96e93d7e117393172a"
    "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef"
    "f69f2445df4f9b17ad2b417be66c3710";
// F.5.1 CTR-AES128.Encrypt.
constexpr char kKey128[] = "2b7e151628aed2a6abf7158809cf4f3c";
constexpr char kCiphertext128[] =
    "874d6191b620e3261bef6864990db6ce"
    "9806f66b7970fdff8617187bb9fffdff"
    "5ae4df3edbd5d35e5b4f09020db03eab"
    "1e031dda2fbe03d1792170a0f3009cee";
// F.5.5 CTR-AES256.Encrypt.
constexpr char kKey256[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
constexpr char kCiphertext256[] =
    "601ec313775789a5b7a7f504bbf3d228"
    "f443e3ca4d62b59aca84e990cacaf5c5"
    "2b0930daa23de94ce87017ba2d84988d"
    "dfc9c58db67aada613c2dd08457941a6";

TEST(AesCtrTest, Sp80038aF51Aes128) {
  auto ctr = AesCtr::Create(Hex(kKey128));
  ASSERT_TRUE(ctr.ok()) << ctr.status();
  std::vector<uint8_t> data = Hex(kPlaintext);
  ASSERT_TRUE(ctr->Crypt(Hex(kInitialCounter), absl::MakeSpan(data)));
  EXPECT_EQ(ToHex(data), kCiphertext128);
  // F.5.2: decryption is the same operation.
  ASSERT_TRUE(ctr->Crypt(Hex(kInitialCounter), absl::MakeSpan(data)));
  EXPECT_EQ(ToHex(data), kPlaintext);
}

TEST(AesCtrTest, Sp80038aF55Aes256) {
  auto ctr = AesCtr::Create(Hex(kKey256));
  ASSERT_TRUE(ctr.ok()) << ctr.status();
  std::vector<uint8_t> data = Hex(kPlaintext);
  ASSERT_TRUE(ctr->Crypt(Hex(kInitialCounter), absl::MakeSpan(data)));
  EXPECT_EQ(ToHex(data), kCiphertext256);
}

TEST(AesCtrTest, PartialBlockCallDoesNotShiftTheNextKeystream) {
  auto ctr = AesCtr::Create(Hex(kKey128));
  ASSERT_TRUE(ctr.ok());
  // Leave the context in the middle of a block, then start a new message: the new IV must
  // restart the keystream at its first byte.
  std::vector<uint8_t> scrap(5);
  ASSERT_TRUE(ctr->Crypt(Hex(kInitialCounter), absl::MakeSpan(scrap)));
  std::vector<uint8_t> data = Hex(kPlaintext);
  ASSERT_TRUE(ctr->Crypt(Hex(kInitialCounter), absl::MakeSpan(data)));
  EXPECT_EQ(ToHex(data), kCiphertext128);
}

TEST(AesCtrTest, UnalignedLength) {
  auto ctr = AesCtr::Create(Hex(kKey128));
  ASSERT_TRUE(ctr.ok());
  std::vector<uint8_t> data = Hex(kPlaintext);
  data.resize(37);
  ASSERT_TRUE(ctr->Crypt(Hex(kInitialCounter), absl::MakeSpan(data)));
  EXPECT_EQ(ToHex(data), std::string(kCiphertext128).substr(0, 74));
}

TEST(AesCtrTest, CounterCarriesAcrossAll128Bits) {
  // SP 800-38A's counter increments the whole block; RFC 3711's AES-CM is the same. The block
  // after ff..ff is 00..00, so keystream block 2 from ff..ff equals keystream block 1 from 00..00.
  auto ctr = AesCtr::Create(Hex(kKey128));
  ASSERT_TRUE(ctr.ok());
  std::vector<uint8_t> from_max(32, 0);
  ASSERT_TRUE(ctr->Crypt(std::vector<uint8_t>(16, 0xff), absl::MakeSpan(from_max)));
  std::vector<uint8_t> from_zero(16, 0);
  ASSERT_TRUE(ctr->Crypt(std::vector<uint8_t>(16, 0x00), absl::MakeSpan(from_zero)));
  EXPECT_EQ(ToHex(absl::MakeConstSpan(from_max).subspan(16)), ToHex(from_zero));
  // And a carry out of the low 32 bits reaches bit 32: ...00ffffffff is followed by ...0100000000.
  std::vector<uint8_t> iv = Hex("000000000000000000000000ffffffff");
  std::vector<uint8_t> next = Hex("00000000000000000000000100000000");
  std::vector<uint8_t> two(32, 0);
  ASSERT_TRUE(ctr->Crypt(iv, absl::MakeSpan(two)));
  std::vector<uint8_t> one(16, 0);
  ASSERT_TRUE(ctr->Crypt(next, absl::MakeSpan(one)));
  EXPECT_EQ(ToHex(absl::MakeConstSpan(two).subspan(16)), ToHex(one));
}

TEST(AesCtrTest, RejectsWrongSizes) {
  EXPECT_FALSE(AesCtr::Create(std::vector<uint8_t>(24)).ok());
  EXPECT_FALSE(AesCtr::Create(std::vector<uint8_t>(8)).ok());
  auto ctr = AesCtr::Create(Hex(kKey128));
  ASSERT_TRUE(ctr.ok());
  std::vector<uint8_t> data(16);
  EXPECT_FALSE(ctr->Crypt(std::vector<uint8_t>(12), absl::MakeSpan(data)));
  EXPECT_FALSE(ctr->Crypt(std::vector<uint8_t>(17), absl::MakeSpan(data)));
  EXPECT_TRUE(ctr->Crypt(std::vector<uint8_t>(16), {}));
}

}  // namespace
}  // namespace sfu::crypto
