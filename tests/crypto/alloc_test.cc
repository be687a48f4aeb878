// Checks the "no per-packet allocation" promise of the packet-path wrappers by counting every
// allocation OpenSSL makes. The counting functions must be installed before OpenSSL allocates
// anything, so they go in at static-initialisation time of this test binary.

#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <vector>

#include "crypto/aes_ctr.h"
#include "crypto/aes_gcm.h"

namespace sfu::crypto {
namespace {

std::atomic<long> g_openssl_allocations{0};

void* CountingMalloc(size_t n, const char*, int) {
  g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* CountingRealloc(void* p, size_t n, const char*, int) {
  g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void CountingFree(void* p, const char*, int) { std::free(p); }

const bool g_counting_installed =
    CRYPTO_set_mem_functions(CountingMalloc, CountingRealloc, CountingFree) == 1;

TEST(CryptoAllocationTest, SealOpenAndCryptDoNotAllocate) {
  ASSERT_TRUE(g_counting_installed) << "OpenSSL allocated before the counting hooks went in";
  auto gcm = AesGcm::Create(std::vector<uint8_t>(16, 7));
  auto ctr = AesCtr::Create(std::vector<uint8_t>(16, 9));
  ASSERT_TRUE(gcm.ok() && ctr.ok());
  std::vector<uint8_t> packet(1200, 0x5a), aad(12, 1), iv(12, 2), counter(16, 3);
  uint8_t tag[16];
  // Warm up once (first use may initialise per-thread state inside OpenSSL).
  ASSERT_TRUE(gcm->Seal(iv, aad, absl::MakeSpan(packet), tag));
  ASSERT_TRUE(gcm->Open(iv, aad, absl::MakeSpan(packet), tag));
  ASSERT_TRUE(ctr->Crypt(counter, absl::MakeSpan(packet)));

  const long before = g_openssl_allocations.load();
  for (int i = 0; i < 100; ++i) {
    iv[11] = static_cast<uint8_t>(i);
    ASSERT_TRUE(gcm->Seal(iv, aad, absl::MakeSpan(packet), tag));
    ASSERT_TRUE(gcm->Open(iv, aad, absl::MakeSpan(packet), tag));
    tag[0] ^= 1;  // Failure path too: a forged packet must not allocate either.
    ASSERT_FALSE(gcm->Open(iv, aad, absl::MakeSpan(packet), tag));
    ASSERT_TRUE(ctr->Crypt(counter, absl::MakeSpan(packet)));
  }
  EXPECT_EQ(g_openssl_allocations.load() - before, 0);
}

}  // namespace
}  // namespace sfu::crypto
