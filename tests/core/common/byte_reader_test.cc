#include "core/common/byte_reader.h"

#include <array>
#include <cstdint>

#include "gtest/gtest.h"

namespace sfu {
namespace {

TEST(ByteReaderTest, ReadsBigEndianFieldsOfEveryWidth) {
  const std::array<uint8_t, 23> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                         0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
                                         0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17};
  ByteReader r(bytes);
  uint8_t u8;
  uint16_t u16;
  uint32_t u24, u32;
  uint64_t u48;
  ASSERT_TRUE(r.ReadU8(&u8));
  ASSERT_TRUE(r.ReadU16(&u16));
  ASSERT_TRUE(r.ReadU24(&u24));
  ASSERT_TRUE(r.ReadU32(&u32));
  ASSERT_TRUE(r.ReadU48(&u48));
  EXPECT_EQ(u8, 0x01);
  EXPECT_EQ(u16, 0x0203);
  EXPECT_EQ(u24, 0x040506u);
  EXPECT_EQ(u32, 0x0708090au);
  EXPECT_EQ(u48, 0x0b0c0d0e0f10ull);
  uint64_t u64;
  ASSERT_FALSE(r.ReadU64(&u64));  // 7 bytes left
  EXPECT_FALSE(r.ok());
}

TEST(ByteReaderTest, FailureIsStickyAndMovesToTheEnd) {
  const std::array<uint8_t, 3> bytes = {1, 2, 3};
  ByteReader r(bytes);
  uint32_t v;
  EXPECT_FALSE(r.ReadU32(&v));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.Remaining(), 0u);
  uint8_t b;
  EXPECT_FALSE(r.ReadU8(&b));  // would have fit before the failure
  EXPECT_FALSE(r.Skip(0));
}

TEST(ByteReaderTest, SpansAreViewsIntoTheInput) {
  const std::array<uint8_t, 5> bytes = {9, 8, 7, 6, 5};
  ByteReader r(bytes);
  absl::Span<const uint8_t> s;
  ASSERT_TRUE(r.Skip(1));
  ASSERT_TRUE(r.ReadSpan(3, &s));
  EXPECT_EQ(s.data(), bytes.data() + 1);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(r.Remaining(), 1u);
  EXPECT_EQ(r.ReadRemaining().data(), bytes.data() + 4);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.ok());
}

TEST(ByteReaderTest, PrefixedBlocksAreBoundedByTheirLength) {
  // u16 length 3, then 3 bytes, then a trailing byte outside the block.
  const std::array<uint8_t, 6> bytes = {0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd};
  ByteReader r(bytes);
  ByteReader block;
  ASSERT_TRUE(r.ReadPrefixed16(&block));
  EXPECT_EQ(block.Remaining(), 3u);
  uint32_t too_wide;
  EXPECT_FALSE(block.ReadU32(&too_wide));  // the block ends before the outer buffer does
  uint8_t last;
  ASSERT_TRUE(r.ReadU8(&last));
  EXPECT_EQ(last, 0xdd);
}

TEST(ByteReaderTest, LengthThatLiesFails) {
  const std::array<uint8_t, 4> bytes = {0xff, 0x01, 0x02, 0x03};  // claims 255 bytes
  ByteReader r(bytes);
  ByteReader block;
  EXPECT_FALSE(r.ReadPrefixed8(&block));
  EXPECT_FALSE(r.ok());
}

TEST(ByteReaderTest, PeekDoesNotAdvanceOrFail) {
  const std::array<uint8_t, 2> bytes = {0x12, 0x34};
  ByteReader r(bytes);
  uint16_t v;
  uint32_t w;
  ASSERT_TRUE(r.PeekU16(&v));
  EXPECT_EQ(v, 0x1234);
  EXPECT_FALSE(r.PeekU32(&w));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.Remaining(), 2u);
}

TEST(ByteReaderTest, ReadBytesCopies) {
  const std::array<uint8_t, 4> bytes = {1, 2, 3, 4};
  ByteReader r(bytes);
  std::array<uint8_t, 3> out{};
  ASSERT_TRUE(r.ReadBytes(absl::MakeSpan(out)));
  EXPECT_EQ(out, (std::array<uint8_t, 3>{1, 2, 3}));
  std::array<uint8_t, 2> too_many{};
  EXPECT_FALSE(r.ReadBytes(absl::MakeSpan(too_many)));
}

TEST(ByteReaderTest, EmptyInput) {
  ByteReader r;
  uint8_t b;
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.Skip(0));
  EXPECT_FALSE(r.ReadU8(&b));
}

}  // namespace
}  // namespace sfu
