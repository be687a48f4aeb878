#include "crypto/random.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace sfu::crypto {
namespace {

TEST(SystemRandomTest, FillsAndDiffers) {
  SystemRandom random;
  RandomSource& source = random;  // Used through the interface, as engines do.
  std::vector<uint8_t> a(32, 0), b(32, 0);
  source.Fill(absl::MakeSpan(a));
  source.Fill(absl::MakeSpan(b));
  EXPECT_NE(a, b);
  EXPECT_NE(a, std::vector<uint8_t>(32, 0));
}

TEST(SystemRandomTest, EmptyAndOddSizes) {
  SystemRandom random;
  random.Fill({});
  std::set<std::vector<uint8_t>> seen;
  for (size_t n : {1u, 3u, 17u, 1000u}) {
    std::vector<uint8_t> buf(n + 2, 0xee);
    random.Fill(absl::MakeSpan(buf).subspan(1, n));
    // Only the requested range is written.
    EXPECT_EQ(buf.front(), 0xee);
    EXPECT_EQ(buf.back(), 0xee);
    seen.insert(buf);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(SystemRandomTest, BytesLookUniform) {
  // Loose sanity bound, not a statistical test: 64 KiB of output should use every byte value and
  // no value should dominate (expected count 256 per value).
  SystemRandom random;
  std::vector<uint8_t> buf(64 * 1024);
  random.Fill(absl::MakeSpan(buf));
  std::vector<int> counts(256, 0);
  for (uint8_t b : buf) ++counts[b];
  for (int c : counts) {
    EXPECT_GT(c, 128);
    EXPECT_LT(c, 400);
  }
}

}  // namespace
}  // namespace sfu::crypto
