// Differential tests: GcmBatch (each implementation this CPU supports, the EVP fallback included)
// against OpenSSL's EVP AES-GCM driven directly, on random keys (AES-128 and AES-256), IVs, AAD
// and payload lengths, unaligned buffers and mixed batches; every opened packet must match, and
// every tampered one must be refused with its ciphertext left in place.
//
// Size: by default about 130k packets per implementation (seal + open each; ~400k over the three
// paths), a few seconds in a release build, ~30 s under ASan. SFUD_GCM_TEST_SCALE=N multiplies the
// random part by N (N=10: ~1M packets per path).
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "core/common/random.h"
#include "crypto/vaes/gcm_batch.h"
#include "crypto/vaes/gcm_key.h"
#include "gtest/gtest.h"
#include "tests/crypto/vaes/gcm_test_util.h"

namespace sfu::crypto {
namespace {

int Scale() {
  const char* s = std::getenv("SFUD_GCM_TEST_SCALE");
  const int n = s != nullptr ? std::atoi(s) : 1;
  return std::clamp(n, 1, 1000);
}

// A key as the reference sees it: raw EVP, keyed once, independent of GcmKey's own context.
class RefKey {
 public:
  explicit RefKey(std::vector<uint8_t> key) : key_(std::move(key)), ctx_(EVP_CIPHER_CTX_new()) {
    const EVP_CIPHER* c = key_.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    ok_ = ctx_ != nullptr && EVP_EncryptInit_ex(ctx_.get(), c, nullptr, key_.data(), nullptr) == 1;
  }
  // Seals `in` into `out` (same length) and `tag`.
  bool Seal(const uint8_t* iv, absl::Span<const uint8_t> aad, absl::Span<const uint8_t> in,
            uint8_t* out, uint8_t* tag) {
    int n = 0;
    EVP_CIPHER_CTX* c = ctx_.get();
    return ok_ && EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_EncryptUpdate(c, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1 &&
           EVP_EncryptUpdate(c, out, &n, in.data(), static_cast<int>(in.size())) == 1 &&
           EVP_EncryptFinal_ex(c, out + in.size(), &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
  }
  const std::vector<uint8_t>& key() const { return key_; }

 private:
  struct Free {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
  };
  std::vector<uint8_t> key_;
  std::unique_ptr<EVP_CIPHER_CTX, Free> ctx_;
  bool ok_ = false;
};

struct KeyPair {
  RefKey ref;
  GcmKey key;
};

KeyPair MakeKey(SeededRandom& rng, size_t size) {
  std::vector<uint8_t> k(size);
  rng.Fill(absl::MakeSpan(k));
  absl::StatusOr<GcmKey> key = GcmKey::Create(k);
  EXPECT_TRUE(key.ok());
  return KeyPair{RefKey(k), std::move(*key)};
}

// One packet of a test batch, with everything it needs stored inline: the buffers live in
// `arena` at an arbitrary (unaligned) offset so the kernels see every alignment.
struct Case {
  size_t key_index = 0;
  uint8_t iv[12] = {};
  std::vector<uint8_t> aad;
  std::vector<uint8_t> plaintext;
  std::vector<uint8_t> ref_ciphertext;
  uint8_t ref_tag[16] = {};
  size_t offset = 0;  // of the data in the arena
  uint8_t tag[16] = {};
};

class GcmBatchDiffTest : public ::testing::TestWithParam<GcmImpl> {
 protected:
  void SetUp() override {
    if (!GcmBatch::Supported(GetParam()))
      GTEST_SKIP() << "CPU lacks " << GcmBatch::ImplName(GetParam());
    batch_.emplace(*GcmBatch::Create(GetParam()));
  }

  // Seals `cases` as one batch and checks against the reference; then opens them (after
  // tampering with those whose `tamper` bit is set) and checks the outcome. Returns false on the
  // first mismatch so a broken kernel does not print a million failures.
  bool RunBatch(std::vector<KeyPair>& keys, std::vector<Case>& cases, SeededRandom& rng,
                const std::vector<bool>& tamper) {
    size_t total = 0;
    for (Case& c : cases) {
      c.offset = total + (rng.Next() % 64);
      total = c.offset + c.plaintext.size();
    }
    std::vector<uint8_t> arena(total + 1);
    std::vector<GcmPacket> packets;
    packets.reserve(cases.size());
    for (Case& c : cases) {
      std::copy(c.plaintext.begin(), c.plaintext.end(), arena.begin() + c.offset);
      c.ref_ciphertext.resize(c.plaintext.size());
      EXPECT_TRUE(
          keys[c.key_index].ref.Seal(c.iv, c.aad, c.plaintext, c.ref_ciphertext.data(), c.ref_tag));
      packets.push_back({&keys[c.key_index].key, c.iv, c.aad,
                         absl::MakeSpan(arena.data() + c.offset, c.plaintext.size()), c.tag});
    }
    batch_->Seal(absl::MakeSpan(packets));
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      const bool same =
          packets[i].ok &&
          std::equal(c.ref_ciphertext.begin(), c.ref_ciphertext.end(), arena.begin() + c.offset) &&
          std::equal(c.tag, c.tag + 16, c.ref_tag);
      if (!same) {
        ADD_FAILURE() << "seal mismatch: key " << keys[c.key_index].ref.key().size() * 8
                      << " bits, aad " << c.aad.size() << ", data " << c.plaintext.size()
                      << ", packet " << i << " of " << cases.size();
        return false;
      }
    }
    // Tamper: flip one bit of the tag, the AAD or the ciphertext.
    for (size_t i = 0; i < cases.size(); ++i) {
      if (!tamper[i]) continue;
      Case& c = cases[i];
      const size_t bits = (16 + c.aad.size() + c.plaintext.size()) * 8;
      const size_t bit = rng.Next() % bits;
      const uint8_t mask = static_cast<uint8_t>(1u << (bit % 8));
      size_t byte = bit / 8;
      if (byte < 16) {
        c.tag[byte] ^= mask;
      } else if ((byte -= 16) < c.aad.size()) {
        c.aad[byte] ^= mask;
      } else {
        byte -= c.aad.size();
        arena[c.offset + byte] ^= mask;
        c.ref_ciphertext[byte] ^= mask;
      }
    }
    const std::vector<uint8_t> before_open = arena;
    const size_t opened = batch_->Open(absl::MakeSpan(packets));
    size_t expected_open = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      expected_open += tamper[i] ? 0 : 1;
      const std::vector<uint8_t>& want = tamper[i] ? c.ref_ciphertext : c.plaintext;
      const bool good = packets[i].ok == !tamper[i] &&
                        std::equal(want.begin(), want.end(), arena.begin() + c.offset);
      if (!good) {
        ADD_FAILURE() << "open mismatch (tampered=" << tamper[i] << ", ok=" << packets[i].ok
                      << "): aad " << c.aad.size() << ", data " << c.plaintext.size();
        return false;
      }
    }
    // Bytes between packets are never touched.
    std::vector<bool> inside(arena.size());
    for (const Case& c : cases) {
      std::fill(inside.begin() + c.offset, inside.begin() + c.offset + c.plaintext.size(), true);
    }
    for (size_t i = 0; i < arena.size(); ++i) {
      if (!inside[i] && arena[i] != before_open[i]) {
        ADD_FAILURE() << "byte " << i << " outside every packet changed";
        return false;
      }
    }
    EXPECT_EQ(opened, expected_open);
    return opened == expected_open;
  }

  std::optional<GcmBatch> batch_;
};

Case RandomCase(SeededRandom& rng, size_t key_index, size_t aad_len, size_t data_len) {
  Case c;
  c.key_index = key_index;
  rng.Fill(absl::MakeSpan(c.iv));
  c.aad.resize(aad_len);
  rng.Fill(absl::MakeSpan(c.aad));
  c.plaintext.resize(data_len);
  rng.Fill(absl::MakeSpan(c.plaintext));
  return c;
}

// Every payload length 0..300 against several AAD lengths, both key sizes; one batch per AAD
// length (301 packets), none tampered, then the same batch with every other packet tampered.
TEST_P(GcmBatchDiffTest, EveryLengthUpTo300) {
  SeededRandom rng(7714);
  for (size_t key_size : {16u, 32u}) {
    std::vector<KeyPair> keys;
    for (int i = 0; i < 5; ++i) keys.push_back(MakeKey(rng, key_size));
    for (size_t aad_len : {0u, 1u, 12u, 15u, 16u, 17u, 20u, 31u, 48u, 64u, 72u, 77u, 200u, 300u}) {
      SCOPED_TRACE(::testing::Message() << "key " << key_size << " aad " << aad_len);
      std::vector<Case> cases;
      for (size_t len = 0; len <= 300; ++len) {
        cases.push_back(RandomCase(rng, len % keys.size(), aad_len, len));
      }
      ASSERT_TRUE(RunBatch(keys, cases, rng, std::vector<bool>(cases.size(), false)));
      std::vector<bool> tamper(cases.size());
      for (size_t i = 0; i < tamper.size(); i += 2) tamper[i] = true;
      ASSERT_TRUE(RunBatch(keys, cases, rng, tamper));
    }
  }
}

// Random batches of 1..33 packets mixing AES-128 and AES-256 keys (several packets may share a
// key), payloads 0..1500 (sometimes 1500..9000), AAD 0..72 (sometimes up to 600), a quarter
// tampered.
TEST_P(GcmBatchDiffTest, RandomBatches) {
  SeededRandom rng(0x5fd0 + static_cast<int>(GetParam()));
  const int batches = 6000 * Scale();
  std::vector<KeyPair> keys;
  size_t packets = 0;
  for (int b = 0; b < batches; ++b) {
    if (b % 256 == 0) {
      keys.clear();
      for (int i = 0; i < 16; ++i) keys.push_back(MakeKey(rng, rng.Next() % 2 ? 16 : 32));
    }
    const size_t n = 1 + rng.Next() % 33;
    std::vector<Case> cases;
    std::vector<bool> tamper;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t r = rng.Next();
      size_t aad_len = (r & 3) == 0 ? 12 : (r >> 2) % 73;
      if ((r >> 10) % 64 == 0) aad_len = (r >> 16) % 600;
      size_t data_len = (r >> 20) % 1501;
      if ((r >> 32) % 128 == 0) data_len = 1500 + (r >> 40) % 7500;
      cases.push_back(RandomCase(rng, rng.Next() % keys.size(), aad_len, data_len));
      tamper.push_back(rng.Next() % 4 == 0);
    }
    packets += n;
    ASSERT_TRUE(RunBatch(keys, cases, rng, tamper)) << "batch " << b;
  }
  RecordProperty("packets", static_cast<int>(packets));
}

// Every single-bit change of tag, AAD or ciphertext is refused, and the ciphertext is restored.
TEST_P(GcmBatchDiffTest, EveryBitFlipIsRejected) {
  SeededRandom rng(4106);
  for (size_t key_size : {16u, 32u}) {
    std::vector<KeyPair> keys;
    keys.push_back(MakeKey(rng, key_size));
    for (size_t data_len : {0u, 1u, 15u, 16u, 17u, 63u, 64u, 65u, 130u}) {
      for (size_t aad_len : {0u, 12u, 20u}) {
        const Case base = RandomCase(rng, 0, aad_len, data_len);
        const size_t bits = (16 + aad_len + data_len) * 8;
        std::vector<Case> cases(bits, base);
        ASSERT_TRUE(RunBatch(keys, cases, rng, std::vector<bool>(bits, false)));
        // RunBatch picks a random bit per tampered packet; to cover every bit, tamper by hand.
        std::vector<GcmPacket> packets;
        std::vector<std::vector<uint8_t>> datas(bits);
        for (size_t bit = 0; bit < bits; ++bit) {
          Case& c = cases[bit];
          datas[bit] = c.ref_ciphertext;
          std::copy(c.ref_tag, c.ref_tag + 16, c.tag);
          const uint8_t mask = static_cast<uint8_t>(1u << (bit % 8));
          size_t byte = bit / 8;
          if (byte < 16) {
            c.tag[byte] ^= mask;
          } else if ((byte -= 16) < aad_len) {
            c.aad[byte] ^= mask;
          } else {
            datas[bit][byte - aad_len] ^= mask;
          }
          packets.push_back({&keys[0].key, c.iv, c.aad, absl::MakeSpan(datas[bit]), c.tag});
        }
        ASSERT_EQ(batch_->Open(absl::MakeSpan(packets)), 0u)
            << "key " << key_size << " data " << data_len << " aad " << aad_len;
        for (size_t bit = 0; bit < bits; ++bit) {
          ASSERT_FALSE(packets[bit].ok) << bit;
          std::vector<uint8_t> want = cases[bit].ref_ciphertext;
          const size_t byte = bit / 8;
          if (byte >= 16 + aad_len)
            want[byte - 16 - aad_len] ^= static_cast<uint8_t>(1u << (bit % 8));
          ASSERT_EQ(datas[bit], want) << bit;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Impls, GcmBatchDiffTest, ::testing::ValuesIn(testing::AllImpls()),
                         [](const auto& info) { return testing::ImplTestName(info.param); });

}  // namespace
}  // namespace sfu::crypto
