#include "core/rtp/rtp_packet.h"

#include "core/common/byte_reader.h"

namespace sfu::rtp {
namespace {

constexpr uint8_t kVersion = 2;
constexpr uint8_t kPaddingBit = 0x20;
constexpr uint8_t kExtensionBit = 0x10;
constexpr uint8_t kCsrcCountMask = 0x0F;
constexpr uint8_t kMarkerBit = 0x80;
constexpr uint8_t kPayloadTypeMask = 0x7F;

bool FitsOneByteForm(absl::Span<const RtpExtensionElement> extensions) {
  for (const RtpExtensionElement& e : extensions) {
    if (e.id < 1 || e.id > kOneByteMaxId || e.data.empty() || e.data.size() > kOneByteMaxDataSize) {
      return false;
    }
  }
  return true;
}

}  // namespace

uint32_t RtpPacketView::csrc(size_t i) const {
  if (i >= csrc_count()) return 0;
  ByteReader r(csrcs.subspan(i * 4, 4));
  uint32_t v = 0;
  return r.ReadU32(&v) ? v : 0;
}

std::optional<absl::Span<const uint8_t>> RtpPacketView::FindExtension(uint8_t id) const {
  RtpExtensionIterator it = extensions();
  RtpExtensionElement e;
  while (it.Next(&e)) {
    if (e.id == id) return e.data;
  }
  return std::nullopt;
}

bool ParseRtpPacket(absl::Span<const uint8_t> packet, RtpPacketView* out) {
  RtpPacketView& v = *out;
  ByteReader r(packet);
  uint8_t b0 = 0, b1 = 0;
  if (!r.ReadU8(&b0) || !r.ReadU8(&b1) || !r.ReadU16(&v.sequence_number) ||
      !r.ReadU32(&v.timestamp) || !r.ReadU32(&v.ssrc)) {
    return false;
  }
  if ((b0 >> 6) != kVersion) return false;
  v.marker = (b1 & kMarkerBit) != 0;
  v.payload_type = b1 & kPayloadTypeMask;
  const size_t csrc_count = b0 & kCsrcCountMask;
  if (!r.ReadSpan(csrc_count * 4, &v.csrcs)) return false;
  v.has_extension = (b0 & kExtensionBit) != 0;
  v.extension_profile = 0;
  v.extension_data = {};
  if (v.has_extension) {
    uint16_t length_words = 0;
    if (!r.ReadU16(&v.extension_profile) || !r.ReadU16(&length_words) ||
        !r.ReadSpan(size_t{length_words} * 4, &v.extension_data)) {
      return false;
    }
  }
  v.header_size = r.position();
  const absl::Span<const uint8_t> rest = r.ReadRemaining();
  v.padding_size = 0;
  if ((b0 & kPaddingBit) != 0) {
    if (rest.empty()) return false;
    ByteReader last(rest.subspan(rest.size() - 1));
    if (!last.ReadU8(&v.padding_size)) return false;
    if (v.padding_size == 0 || v.padding_size > rest.size()) return false;
  }
  v.payload = rest.first(rest.size() - v.padding_size);
  return true;
}

std::optional<RtpPacketView> ParseRtpPacket(absl::Span<const uint8_t> packet) {
  std::optional<RtpPacketView> view(std::in_place);
  if (!ParseRtpPacket(packet, &*view)) view.reset();
  return view;  // one named object on every path: returned in place, not copied
}

bool WriteRtpPacket(const RtpPacketSpec& spec, ByteWriter* w) {
  if (spec.payload_type > kPayloadTypeMask || spec.csrcs.size() > kRtpMaxCsrcs) return false;
  const bool has_extension = !spec.extensions.empty();
  const bool one_byte = FitsOneByteForm(spec.extensions);
  size_t extension_bytes = 0;
  for (const RtpExtensionElement& e : spec.extensions) {
    if (e.id == 0 || e.data.size() > 255) return false;
    extension_bytes += (one_byte ? 1 : 2) + e.data.size();
  }
  const size_t extension_padding = (4 - extension_bytes % 4) % 4;
  const size_t extension_words = (extension_bytes + extension_padding) / 4;
  if (extension_words > 0xFFFF) return false;

  const uint8_t b0 = static_cast<uint8_t>((kVersion << 6) | (spec.padding_size ? kPaddingBit : 0) |
                                          (has_extension ? kExtensionBit : 0) | spec.csrcs.size());
  const uint8_t b1 = static_cast<uint8_t>((spec.marker ? kMarkerBit : 0) | spec.payload_type);
  w->WriteU8(b0);
  w->WriteU8(b1);
  w->WriteU16(spec.sequence_number);
  w->WriteU32(spec.timestamp);
  w->WriteU32(spec.ssrc);
  for (uint32_t csrc : spec.csrcs) w->WriteU32(csrc);
  if (has_extension) {
    w->WriteU16(one_byte ? kOneByteExtensionProfile
                         : static_cast<uint16_t>(kTwoByteExtensionProfile |
                                                 (spec.two_byte_appbits & 0x0F)));
    w->WriteU16(static_cast<uint16_t>(extension_words));
    for (const RtpExtensionElement& e : spec.extensions) {
      if (one_byte) {
        w->WriteU8(static_cast<uint8_t>((e.id << 4) | (e.data.size() - 1)));
      } else {
        w->WriteU8(e.id);
        w->WriteU8(static_cast<uint8_t>(e.data.size()));
      }
      w->WriteBytes(e.data);
    }
    w->WriteZeros(extension_padding);
  }
  w->WriteBytes(spec.payload);
  if (spec.padding_size > 0) {
    w->WriteZeros(spec.padding_size - 1u);
    w->WriteU8(spec.padding_size);
  }
  return w->ok();
}

}  // namespace sfu::rtp
