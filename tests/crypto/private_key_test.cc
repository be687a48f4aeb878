#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/certificate.h"
#include "tests/crypto/test_util.h"

namespace sfu::crypto {
namespace {

using testing::Bytes;
using testing::Hex;
using testing::RunCommand;
using testing::ScratchDir;
using testing::WriteFile;

TEST(PrivateKeyTest, SignThenVerify) {
  auto key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string message = "client_random || server_random || ServerECDHParams";
  auto sig = key->SignSha256(Bytes(message));
  ASSERT_TRUE(sig.ok()) << sig.status();
  // A DER ECDSA-Sig-Value for P-256: SEQUENCE of two INTEGERs, at most 72 bytes.
  ASSERT_GE(sig->size(), 8u);
  EXPECT_LE(sig->size(), 72u);
  EXPECT_EQ((*sig)[0], 0x30);
  EXPECT_TRUE(VerifyEcdsaSha256(key->pkey(), Bytes(message), *sig));

  // A changed message or signature fails.
  std::string other = message;
  other[0] ^= 1;
  EXPECT_FALSE(VerifyEcdsaSha256(key->pkey(), Bytes(other), *sig));
  for (size_t i : {size_t{5}, sig->size() / 2, sig->size() - 1}) {
    std::vector<uint8_t> bad = *sig;
    bad[i] ^= 0x01;
    EXPECT_FALSE(VerifyEcdsaSha256(key->pkey(), Bytes(message), bad)) << i;
  }
  EXPECT_FALSE(VerifyEcdsaSha256(key->pkey(), Bytes(message), {}));
  EXPECT_FALSE(VerifyEcdsaSha256(nullptr, Bytes(message), *sig));

  // Another key does not verify it.
  auto other_key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(other_key.ok());
  EXPECT_FALSE(VerifyEcdsaSha256(other_key->pkey(), Bytes(message), *sig));
}

TEST(PrivateKeyTest, ConcurrentSigningWithOneKey) {
  // certificate.h promises SignSha256 may run on several threads at once (one certificate serves
  // every shard). Bounded: 4 threads x 25 signatures.
  auto key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string msg = "thread " + std::to_string(t) + " message " + std::to_string(i);
        auto sig = key->SignSha256(Bytes(msg));
        if (sig.ok() && VerifyEcdsaSha256(key->pkey(), Bytes(msg), *sig)) ++verified;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(verified.load(), 100);
}

TEST(PrivateKeyTest, SignaturesAreRandomized) {
  auto key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  auto a = key->SignSha256(Bytes("m"));
  auto b = key->SignSha256(Bytes("m"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

// RFC 6979 Appendix A.2.5: the P-256 key and its SHA-256 signature of "sample". The signature is
// published, so verifying it checks our verifier against an outside answer.
TEST(EcdsaVerifyTest, Rfc6979P256Sha256Sample) {
  const std::vector<uint8_t> point =
      Hex("04"
          "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
          "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
  const std::vector<uint8_t> r =
      Hex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
  const std::vector<uint8_t> s =
      Hex("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  EVP_PKEY* pub = testing::P256PublicKey(point);
  ASSERT_NE(pub, nullptr);
  const std::vector<uint8_t> der = testing::EcdsaDer(r, s);
  EXPECT_TRUE(VerifyEcdsaSha256(pub, Bytes("sample"), der));
  EXPECT_FALSE(VerifyEcdsaSha256(pub, Bytes("samplf"), der));
  EXPECT_FALSE(VerifyEcdsaSha256(pub, Bytes("test"), der));
  // A.2.5's signature of "test" (with its own k) verifies for "test".
  const std::vector<uint8_t> der_test =
      testing::EcdsaDer(Hex("F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367"),
                        Hex("019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"));
  EXPECT_TRUE(VerifyEcdsaSha256(pub, Bytes("test"), der_test));
  // r and s swapped is not a signature.
  EXPECT_FALSE(VerifyEcdsaSha256(pub, Bytes("sample"), testing::EcdsaDer(s, r)));
  // Trailing garbage after the DER SEQUENCE is rejected (OpenSSL re-encodes and compares).
  std::vector<uint8_t> padded = der;
  padded.push_back(0);
  EXPECT_FALSE(VerifyEcdsaSha256(pub, Bytes("sample"), padded));
  EVP_PKEY_free(pub);
}

TEST(PrivateKeyTest, PemRoundTrip) {
  auto key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  const std::string pem = key->ToPem();
  ASSERT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto loaded = PrivateKey::FromPem(pem);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(EVP_PKEY_eq(key->pkey(), loaded->pkey()), 1);
  // What one signs, the other's public half verifies.
  auto sig = loaded->SignSha256(Bytes("hello"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifyEcdsaSha256(key->pkey(), Bytes("hello"), *sig));
}

TEST(PrivateKeyTest, SignatureVerifiesWithOpenSslCli) {
  ScratchDir dir;
  auto key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  const std::string message = "signed by sfud, checked by openssl dgst";
  auto sig = key->SignSha256(Bytes(message));
  ASSERT_TRUE(sig.ok());
  WriteFile(dir.Path("key.pem"), key->ToPem());
  WriteFile(dir.Path("msg"), message);
  WriteFile(dir.Path("sig"), std::string(sig->begin(), sig->end()));
  ASSERT_TRUE(RunCommand("openssl pkey -in " + dir.Path("key.pem") + " -pubout -out " +
                         dir.Path("pub.pem")));
  auto out = RunCommand("openssl dgst -sha256 -verify " + dir.Path("pub.pem") + " -signature " +
                        dir.Path("sig") + " " + dir.Path("msg"));
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("Verified OK"), std::string::npos) << *out;
}

TEST(PrivateKeyTest, FromPemRejectsOtherKeyTypesAndGarbage) {
  ScratchDir dir;
  ASSERT_TRUE(RunCommand("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out " +
                         dir.Path("p384.pem")));
  ASSERT_TRUE(RunCommand("openssl genpkey -algorithm ED25519 -out " + dir.Path("ed.pem")));
  ASSERT_TRUE(
      RunCommand("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
                 "-aes-128-cbc -pass pass:secret -out " +
                 dir.Path("encrypted.pem")));
  EXPECT_FALSE(PrivateKey::FromPem(testing::ReadFile(dir.Path("p384.pem"))).ok());
  EXPECT_FALSE(PrivateKey::FromPem(testing::ReadFile(dir.Path("ed.pem"))).ok());
  // Encrypted keys fail (without prompting for a password).
  EXPECT_FALSE(PrivateKey::FromPem(testing::ReadFile(dir.Path("encrypted.pem"))).ok());
  EXPECT_FALSE(PrivateKey::FromPem("").ok());
  EXPECT_FALSE(
      PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
}

TEST(PrivateKeyTest, LoadsKeyMadeByOpenSslCli) {
  ScratchDir dir;
  // Both the PKCS#8 and the traditional "EC PRIVATE KEY" forms.
  ASSERT_TRUE(RunCommand("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                         dir.Path("pkcs8.pem")));
  ASSERT_TRUE(RunCommand("openssl ec -in " + dir.Path("pkcs8.pem") + " -out " +
                         dir.Path("sec1.pem") + " 2>/dev/null"));
  auto a = PrivateKey::FromPem(testing::ReadFile(dir.Path("pkcs8.pem")));
  auto b = PrivateKey::FromPem(testing::ReadFile(dir.Path("sec1.pem")));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(EVP_PKEY_eq(a->pkey(), b->pkey()), 1);
}

}  // namespace
}  // namespace sfu::crypto
