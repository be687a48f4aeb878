#include "core/dtls/fragment_buffer.h"

#include <numeric>
#include <vector>

#include "gtest/gtest.h"

namespace sfu::dtls {
namespace {

std::vector<uint8_t> Body(size_t n) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), 1);
  return v;
}

HandshakeFragment Frag(const std::vector<uint8_t>& body, uint16_t seq, uint32_t offset,
                       uint32_t length, uint8_t type = 11) {
  HandshakeFragment f;
  f.type = type;
  f.length = static_cast<uint32_t>(body.size());
  f.message_seq = seq;
  f.fragment_offset = offset;
  f.fragment_length = length;
  f.body = absl::MakeConstSpan(body).subspan(offset, length);
  return f;
}

TEST(FragmentBufferTest, AnyOrderWithOverlapsAndDuplicates) {
  const auto body = Body(1000);
  FragmentBuffer fb(64 * 1024, 64);
  EXPECT_EQ(fb.Insert(Frag(body, 0, 600, 400), 0), FragmentBuffer::Result::kBuffered);
  EXPECT_FALSE(fb.Pop());
  EXPECT_EQ(fb.Insert(Frag(body, 0, 100, 550), 0), FragmentBuffer::Result::kBuffered);
  EXPECT_EQ(fb.Insert(Frag(body, 0, 100, 550), 0), FragmentBuffer::Result::kBuffered);
  EXPECT_FALSE(fb.Pop());
  EXPECT_EQ(fb.Insert(Frag(body, 0, 0, 150), 0), FragmentBuffer::Result::kBuffered);
  auto m = fb.Pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, body);
  EXPECT_EQ(m->type, HandshakeType::kCertificate);
  EXPECT_EQ(fb.next_seq(), 1);
  EXPECT_EQ(fb.buffered_bytes(), 0u);
  EXPECT_EQ(fb.buffered_fragments(), 0u);
  EXPECT_EQ(fb.Insert(Frag(body, 0, 0, 1000), 0), FragmentBuffer::Result::kOld);
}

TEST(FragmentBufferTest, LaterMessagesWaitForEarlierOnes) {
  const auto a = Body(10), b = Body(20);
  FragmentBuffer fb(64 * 1024, 64);
  fb.set_next_seq(3);
  EXPECT_EQ(fb.Insert(Frag(b, 4, 0, 20, 12), 0), FragmentBuffer::Result::kBuffered);
  EXPECT_FALSE(fb.Pop());
  EXPECT_EQ(fb.Insert(Frag(a, 3, 0, 10, 11), 0), FragmentBuffer::Result::kBuffered);
  auto m3 = fb.Pop();
  auto m4 = fb.Pop();
  ASSERT_TRUE(m3 && m4);
  EXPECT_EQ(m3->message_seq, 3);
  EXPECT_EQ(m4->message_seq, 4);
  EXPECT_FALSE(fb.Pop());
  EXPECT_EQ(fb.Insert(Frag(a, 4 + FragmentBuffer::kWindow + 1, 0, 10), 0),
            FragmentBuffer::Result::kTooFarAhead);
}

TEST(FragmentBufferTest, InconsistentFragmentsDropped) {
  const auto body = Body(100);
  FragmentBuffer fb(64 * 1024, 64);
  ASSERT_EQ(fb.Insert(Frag(body, 0, 0, 50), 0), FragmentBuffer::Result::kBuffered);
  auto other_type = Frag(body, 0, 50, 50, 12);
  EXPECT_EQ(fb.Insert(other_type, 0), FragmentBuffer::Result::kInconsistent);
  auto other_length = Frag(body, 0, 50, 40);
  other_length.length = 90;
  EXPECT_EQ(fb.Insert(other_length, 0), FragmentBuffer::Result::kInconsistent);
  EXPECT_EQ(fb.Insert(Frag(body, 0, 50, 50), 1), FragmentBuffer::Result::kInconsistent);
  auto past_end = Frag(body, 0, 50, 50);
  past_end.fragment_offset = 60;
  EXPECT_EQ(fb.Insert(past_end, 0), FragmentBuffer::Result::kTooLong);
  EXPECT_FALSE(fb.Pop());
}

TEST(FragmentBufferTest, ByteAndFragmentCaps) {
  const auto big = Body(5000);
  FragmentBuffer small_bytes(4096, 64);
  EXPECT_EQ(small_bytes.Insert(Frag(big, 0, 0, 100), 0), FragmentBuffer::Result::kTooLong);
  const auto a = Body(3000), b = Body(3000);
  FragmentBuffer two(4096, 64);
  EXPECT_EQ(two.Insert(Frag(a, 0, 0, 10), 0), FragmentBuffer::Result::kBuffered);
  EXPECT_EQ(two.Insert(Frag(b, 1, 0, 10), 0), FragmentBuffer::Result::kBufferFull);

  // Scattered one-byte slivers exhaust the fragment cap; contiguous ones merge and do not.
  const auto body = Body(200);
  FragmentBuffer fb(64 * 1024, 4);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(fb.Insert(Frag(body, 0, i * 10, 1), 0), FragmentBuffer::Result::kBuffered);
  }
  EXPECT_EQ(fb.Insert(Frag(body, 0, 100, 1), 0), FragmentBuffer::Result::kBufferFull);
  EXPECT_EQ(fb.Insert(Frag(body, 0, 1, 9), 0), FragmentBuffer::Result::kBuffered);  // merges
  EXPECT_EQ(fb.buffered_fragments(), 3u);
  EXPECT_EQ(fb.Insert(Frag(body, 0, 0, 200), 0), FragmentBuffer::Result::kBuffered);
  auto m = fb.Pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, body);
}

TEST(FragmentBufferTest, EmptyMessage) {
  std::vector<uint8_t> empty;
  FragmentBuffer fb(1024, 4);
  EXPECT_EQ(fb.Insert(Frag(empty, 0, 0, 0, 14), 0), FragmentBuffer::Result::kBuffered);
  auto m = fb.Pop();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->body.empty());
  EXPECT_EQ(m->type, HandshakeType::kServerHelloDone);
}

TEST(HandshakeHeaderTest, FragmentPastDeclaredLengthRejected) {
  const std::vector<uint8_t> bytes = {11, 0, 0, 10, 0, 0, 0, 0, 8, 0, 0, 4, 1, 2, 3, 4};
  ByteReader r(bytes);
  HandshakeFragment f;
  EXPECT_EQ(ParseHandshakeFragment(r, &f), FragmentParse::kPastLength);
  const std::vector<uint8_t> ok = {11, 0, 0, 10, 0, 0, 0, 0, 6, 0, 0, 4, 1, 2, 3, 4};
  ByteReader r2(ok);
  ASSERT_EQ(ParseHandshakeFragment(r2, &f), FragmentParse::kOk);
  EXPECT_EQ(f.fragment_offset, 6u);
  EXPECT_FALSE(f.is_whole());
}

}  // namespace
}  // namespace sfu::dtls
