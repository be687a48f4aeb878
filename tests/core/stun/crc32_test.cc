#include "core/stun/crc32.h"

#include <string_view>

#include "gtest/gtest.h"

namespace sfu::stun {
namespace {

absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// The CRC-32 (ISO-HDLC) check value from the CRC catalogue: crc("123456789") = 0xCBF43926.
TEST(Crc32Test, CatalogueCheckValue) { EXPECT_EQ(Crc32(Bytes("123456789")), 0xCBF43926u); }

TEST(Crc32Test, EmptyIsZero) { EXPECT_EQ(Crc32({}), 0u); }

// zlib.crc32(b"The quick brown fox jumps over the lazy dog") == 0x414FA339 (Python's zlib).
TEST(Crc32Test, MatchesZlib) {
  EXPECT_EQ(Crc32(Bytes("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

TEST(Crc32Test, IncrementalEqualsOneShot) {
  const std::string_view text = "The quick brown fox jumps over the lazy dog";
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t state = Crc32Update(kCrc32Init, Bytes(text.substr(0, split)));
    state = Crc32Update(state, Bytes(text.substr(split)));
    EXPECT_EQ(Crc32Finish(state), Crc32(Bytes(text))) << split;
  }
}

}  // namespace
}  // namespace sfu::stun
