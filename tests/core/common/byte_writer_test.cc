#include "core/common/byte_writer.h"

#include <array>
#include <cstdint>

#include "gtest/gtest.h"

namespace sfu {
namespace {

TEST(ByteWriterTest, WritesBigEndian) {
  std::array<uint8_t, 16> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(w.WriteU8(0x01));
  ASSERT_TRUE(w.WriteU16(0x0203));
  ASSERT_TRUE(w.WriteU24(0x040506));
  ASSERT_TRUE(w.WriteU32(0x0708090a));
  ASSERT_TRUE(w.WriteU48(0x0b0c0d0e0f10));
  EXPECT_EQ(w.position(), 16u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(buf[i], i + 1);
}

TEST(ByteWriterTest, FailsInsteadOfGrowingAndStaysFailed) {
  std::array<uint8_t, 3> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(w.WriteU16(0xaaaa));
  EXPECT_FALSE(w.WriteU16(0xbbbb));  // one byte left
  EXPECT_FALSE(w.ok());
  EXPECT_FALSE(w.WriteU8(0xcc));  // would fit, but the writer has failed
  EXPECT_EQ(w.position(), 2u);
  EXPECT_EQ(buf[2], 0);  // nothing partial written
}

TEST(ByteWriterTest, PatchesLengthPrefix) {
  std::array<uint8_t, 8> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  size_t at = w.position();
  ASSERT_TRUE(w.WriteU16(0));
  const std::array<uint8_t, 3> body = {7, 8, 9};
  ASSERT_TRUE(w.WriteBytes(body));
  ASSERT_TRUE(w.PatchU16(at, w.position() - at - 2));
  EXPECT_EQ(buf[0], 0);
  EXPECT_EQ(buf[1], 3);
  EXPECT_TRUE(w.ok());
}

TEST(ByteWriterTest, PatchRejectsValuesWiderThanTheField) {
  std::array<uint8_t, 4> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(w.WriteU8(0));
  EXPECT_FALSE(w.PatchU8(0, 256));
  EXPECT_FALSE(w.ok());
}

TEST(ByteWriterTest, PatchRejectsUnwrittenRange) {
  std::array<uint8_t, 4> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(w.WriteU8(0));
  EXPECT_FALSE(w.PatchU16(0, 1));  // only one byte written
}

TEST(ByteWriterTest, ReserveReturnsWritableView) {
  std::array<uint8_t, 4> buf{};
  ByteWriter w(absl::MakeSpan(buf));
  absl::Span<uint8_t> r = w.Reserve(3);
  ASSERT_EQ(r.size(), 3u);
  r[2] = 0x42;
  EXPECT_EQ(buf[2], 0x42);
  EXPECT_TRUE(w.Reserve(2).empty());
  EXPECT_FALSE(w.ok());
}

TEST(ByteWriterTest, WrittenViewAndZeros) {
  std::array<uint8_t, 4> buf = {9, 9, 9, 9};
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(w.WriteZeros(3));
  EXPECT_EQ(w.written().size(), 3u);
  EXPECT_EQ(buf, (std::array<uint8_t, 4>{0, 0, 0, 9}));
  EXPECT_EQ(w.Remaining(), 1u);
}

}  // namespace
}  // namespace sfu
