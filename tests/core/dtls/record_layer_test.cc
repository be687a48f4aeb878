#include "core/dtls/record_layer.h"

#include <array>
#include <vector>

#include "core/dtls/replay_window.h"
#include "gtest/gtest.h"

namespace sfu::dtls {
namespace {

TEST(ReplayWindowTest, FreshDuplicateAndTooOld) {
  ReplayWindow w;
  EXPECT_TRUE(w.IsFresh(0));
  w.Accept(0);
  EXPECT_FALSE(w.IsFresh(0));
  w.Accept(100);
  EXPECT_FALSE(w.IsFresh(100));
  // The window holds 100-63 .. 100: 37 is the oldest acceptable, 36 is too old.
  EXPECT_TRUE(w.IsFresh(37));
  EXPECT_FALSE(w.IsFresh(36));
  EXPECT_TRUE(w.IsFresh(99));
  w.Accept(99);
  EXPECT_FALSE(w.IsFresh(99));
  w.Accept(37);
  EXPECT_FALSE(w.IsFresh(37));
  EXPECT_TRUE(w.IsFresh(38));
}

TEST(ReplayWindowTest, ShiftKeepsBitsInsideWindow) {
  ReplayWindow w;
  for (uint64_t s = 1; s <= 64; ++s) w.Accept(s);
  for (uint64_t s = 1; s <= 64; ++s) EXPECT_FALSE(w.IsFresh(s)) << s;
  w.Accept(70);  // shift by 6: 7..64 still remembered, 1..6 now too old
  for (uint64_t s = 1; s <= 6; ++s) EXPECT_FALSE(w.IsFresh(s)) << s;
  for (uint64_t s = 7; s <= 64; ++s) EXPECT_FALSE(w.IsFresh(s)) << s;
  for (uint64_t s = 65; s <= 69; ++s) EXPECT_TRUE(w.IsFresh(s)) << s;
}

TEST(ReplayWindowTest, FarFutureJumpClearsWindow) {
  ReplayWindow w;
  w.Accept(5);
  w.Accept(kMaxSequenceNumber);
  EXPECT_FALSE(w.IsFresh(5));
  EXPECT_FALSE(w.IsFresh(kMaxSequenceNumber));
  EXPECT_TRUE(w.IsFresh(kMaxSequenceNumber - 1));
  EXPECT_TRUE(w.IsFresh(kMaxSequenceNumber - 63));
  EXPECT_FALSE(w.IsFresh(kMaxSequenceNumber - 64));
}

TEST(RecordParseTest, SeveralRecordsPerDatagram) {
  const std::vector<uint8_t> datagram = {
      22, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 7, 0, 2, 0xAA, 0xBB,  // handshake, DTLS 1.0 version
      21, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0xCC};       // alert, epoch 1, seq 256
  ByteReader r(datagram);
  Record a, b;
  ASSERT_EQ(ParseRecord(r, &a), RecordParse::kOk);
  ASSERT_EQ(ParseRecord(r, &b), RecordParse::kOk);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(a.content_type, 22);
  EXPECT_EQ(a.version, kDtls10Version);
  EXPECT_EQ(a.sequence_number, 7u);
  EXPECT_EQ(a.fragment.size(), 2u);
  EXPECT_EQ(b.epoch, 1);
  EXPECT_EQ(b.sequence_number, 256u);
  EXPECT_EQ(b.fragment[0], 0xCC);
}

TEST(RecordParseTest, TruncatedAndTooLong) {
  std::vector<uint8_t> truncated = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2};
  ByteReader r1(truncated);
  Record rec;
  EXPECT_EQ(ParseRecord(r1, &rec), RecordParse::kMalformed);
  std::vector<uint8_t> too_long = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  too_long.resize(13 + 0xFFFF);
  ByteReader r2(too_long);
  EXPECT_EQ(ParseRecord(r2, &rec), RecordParse::kTooLong);
  std::vector<uint8_t> header_only = {22, 0xFE, 0xFD, 0, 0};
  ByteReader r3(header_only);
  EXPECT_EQ(ParseRecord(r3, &rec), RecordParse::kMalformed);
}

class RecordProtectionTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RecordProtectionTest, SealOpenRoundTripAndTamper) {
  std::vector<uint8_t> key(GetParam(), 0x11);
  const std::array<uint8_t, 4> iv = {1, 2, 3, 4};
  auto sealer = RecordProtection::Create(key, iv);
  auto opener = RecordProtection::Create(key, iv);
  ASSERT_TRUE(sealer.ok() && opener.ok());
  const std::vector<uint8_t> plaintext = {20, 0, 0, 12, 0, 5, 0, 0, 0, 0, 0, 12, 9, 9};
  std::array<uint8_t, 256> buf;
  ByteWriter w(absl::MakeSpan(buf));
  ASSERT_TRUE(sealer->Seal(ContentType::kHandshake, kDtls12Version, 1, 42, plaintext, w));
  EXPECT_EQ(w.position(), kRecordHeaderSize + plaintext.size() + RecordProtection::kOverhead);
  // Explicit nonce = epoch | seq.
  EXPECT_EQ(buf[13], 0);
  EXPECT_EQ(buf[14], 1);
  EXPECT_EQ(buf[20], 42);

  ByteReader r(w.written());
  Record record;
  ASSERT_EQ(ParseRecord(r, &record), RecordParse::kOk);
  std::array<uint8_t, 256> scratch;
  absl::Span<const uint8_t> out;
  ASSERT_TRUE(opener->Open(record, absl::MakeSpan(scratch), &out));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), plaintext);

  // Any bit flipped — ciphertext, tag, or a header field in the AAD — fails authentication.
  for (size_t i : {size_t{1}, size_t{4}, size_t{10}, size_t{25}, w.position() - 1}) {
    std::vector<uint8_t> bad(w.written().begin(), w.written().end());
    bad[i] ^= 0x01;
    ByteReader br(bad);
    Record tampered;
    ASSERT_EQ(ParseRecord(br, &tampered), RecordParse::kOk);
    EXPECT_FALSE(opener->Open(tampered, absl::MakeSpan(scratch), &out)) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Aes128And256, RecordProtectionTest, ::testing::Values(16, 32));

TEST(RecordProtectionTest, ShortRecordRejected) {
  std::vector<uint8_t> key(16, 1);
  auto p = RecordProtection::Create(key, std::array<uint8_t, 4>{});
  ASSERT_TRUE(p.ok());
  std::array<uint8_t, 10> frag{};
  Record record;
  record.fragment = frag;
  std::array<uint8_t, 64> scratch;
  absl::Span<const uint8_t> out;
  EXPECT_FALSE(p->Open(record, absl::MakeSpan(scratch), &out));
}

}  // namespace
}  // namespace sfu::dtls
