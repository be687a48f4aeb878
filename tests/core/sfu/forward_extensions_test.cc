// ExtensionLayout must rewrite exactly as core/rtp's RemapRtpExtensionIds does.
#include "core/sfu/forward_extensions.h"

#include <cstdint>
#include <vector>

#include "core/common/byte_writer.h"
#include "core/common/random.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/rtp_rewrite.h"
#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

std::vector<uint8_t> PacketWith(const std::vector<rtp::RtpExtensionElement>& exts) {
  std::vector<uint8_t> buf(2048);
  ByteWriter w(absl::MakeSpan(buf));
  rtp::RtpPacketSpec spec;
  spec.payload_type = 96;
  spec.ssrc = 1;
  spec.extensions = exts;
  const uint8_t payload[] = {1, 2, 3};
  spec.payload = payload;
  EXPECT_TRUE(rtp::WriteRtpPacket(spec, &w));
  buf.resize(w.position());
  return buf;
}

TEST(ExtensionLayoutTest, MatchesRemapRtpExtensionIdsOnRandomBlocksAndMaps) {
  SeededRandom rng(7);
  std::vector<uint8_t> data(300);
  rng.Fill(absl::MakeSpan(data));
  for (int round = 0; round < 500; ++round) {
    const bool two_byte = round % 3 == 0;
    // Up to 30 elements, so the fallback path runs too.
    std::vector<rtp::RtpExtensionElement> exts;
    const int n = static_cast<int>(rng.Next() % 31);
    for (int i = 0; i < n; ++i) {
      const uint8_t id = static_cast<uint8_t>(1 + rng.Next() % (two_byte ? 200 : 14));
      const size_t size = two_byte ? rng.Next() % 20 : 1 + rng.Next() % 16;
      exts.push_back({id, absl::MakeConstSpan(data).subspan(rng.Next() % 100, size)});
    }
    if (two_byte && n > 0) exts[0].data = absl::MakeConstSpan(data).first(0);  // force two-byte
    const std::vector<uint8_t> original = PacketWith(exts);
    rtp::RtpExtensionIdMap map;
    for (int id = 1; id < 256; ++id) {
      if (rng.Next() % 3 != 0) map.Set(static_cast<uint8_t>(id), 1 + rng.Next() % 14);
    }
    std::vector<uint8_t> expected = original;
    ASSERT_EQ(rtp::RemapRtpExtensionIds(absl::MakeSpan(expected), map), rtp::RemapResult::kOk);
    auto view = rtp::ParseRtpPacket(original);
    ASSERT_TRUE(view.has_value());
    ExtensionLayout layout;
    ASSERT_TRUE(layout.Scan(*view, original));
    std::vector<uint8_t> copy = original;
    ASSERT_TRUE(layout.Apply(absl::MakeSpan(copy), map));
    EXPECT_EQ(copy, expected) << "round " << round;
  }
}

TEST(ExtensionLayoutTest, MalformedBlockIsRefused) {
  const rtp::RtpExtensionElement e{3, {}};
  const uint8_t one[] = {9};
  std::vector<uint8_t> p = PacketWith({{3, absl::MakeConstSpan(one)}});
  // The element header claims 16 bytes in a 4-byte block.
  auto view = rtp::ParseRtpPacket(p);
  ASSERT_TRUE(view.has_value());
  const size_t element_at = static_cast<size_t>(view->extension_data.data() - p.data());
  p[element_at] = 0x3F;
  view = rtp::ParseRtpPacket(p);
  ASSERT_TRUE(view.has_value());
  ExtensionLayout layout;
  EXPECT_FALSE(layout.Scan(*view, p));
  (void)e;
}

}  // namespace
}  // namespace sfu::sfu
