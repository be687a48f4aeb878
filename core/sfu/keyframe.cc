#include "core/sfu/keyframe.h"

#include "core/common/byte_reader.h"

namespace sfu::sfu {
namespace {

constexpr uint8_t kH264NalIdr = 5;
constexpr uint8_t kH264NalSps = 7;
constexpr uint8_t kH264StapA = 24;
constexpr uint8_t kH264FuA = 28;

bool IsH264KeyNal(uint8_t nal_header) {
  const uint8_t type = nal_header & 0x1F;
  return type == kH264NalIdr || type == kH264NalSps;
}

}  // namespace

bool IsVp8KeyframeStart(absl::Span<const uint8_t> payload) {
  // RFC 7741 §4.2: X|R|N|S|R|PID(3), then optional I|L|T|K|RSV, PictureID (1-2 bytes),
  // TL0PICIDX, TID|Y|KEYIDX.
  ByteReader r(payload);
  uint8_t b0 = 0;
  if (!r.ReadU8(&b0)) return false;
  const bool x = b0 & 0x80;
  const bool s = b0 & 0x10;
  const uint8_t pid = b0 & 0x07;
  if (!s || pid != 0) return false;
  if (x) {
    uint8_t ext = 0;
    if (!r.ReadU8(&ext)) return false;
    if (ext & 0x80) {  // I: PictureID, 15 bits when its M bit is set
      uint8_t pic = 0;
      if (!r.ReadU8(&pic)) return false;
      if ((pic & 0x80) && !r.Skip(1)) return false;
    }
    if ((ext & 0x40) && !r.Skip(1)) return false;       // L: TL0PICIDX
    if ((ext & 0x30) != 0 && !r.Skip(1)) return false;  // T or K: TID|Y|KEYIDX
  }
  // RFC 7741 §4.3: the first byte of the VP8 payload header; bit 0 is P, 0 for a key frame.
  uint8_t header = 0;
  if (!r.ReadU8(&header)) return false;
  return (header & 0x01) == 0;
}

bool IsVp9KeyframeStart(absl::Span<const uint8_t> payload) {
  // RFC 9628 §4.2: I|P|L|F|B|E|V|Z.
  ByteReader r(payload);
  uint8_t b0 = 0;
  if (!r.ReadU8(&b0)) return false;
  const bool i = b0 & 0x80;
  const bool p = b0 & 0x40;
  const bool l = b0 & 0x20;
  const bool b = b0 & 0x08;
  if (p || !b) return false;
  if (i) {  // PictureID: 7 or 15 bits
    uint8_t pic = 0;
    if (!r.ReadU8(&pic)) return false;
    if ((pic & 0x80) && !r.Skip(1)) return false;
  }
  if (l) {  // TID(3)|U|SID(3)|D: the keyframe starts at spatial layer 0
    uint8_t layer = 0;
    if (!r.ReadU8(&layer)) return false;
    if (((layer >> 1) & 0x07) != 0) return false;
  }
  return true;
}

bool IsH264KeyframeStart(absl::Span<const uint8_t> payload) {
  ByteReader r(payload);
  uint8_t nal = 0;
  if (!r.ReadU8(&nal)) return false;
  const uint8_t type = nal & 0x1F;
  if (type >= 1 && type <= 23) return IsH264KeyNal(nal);  // RFC 6184 §5.6 single NAL unit
  if (type == kH264StapA) {                               // RFC 6184 §5.7.1
    // Bounded: every unit consumes at least its 2-byte size.
    while (r.Remaining() > 0) {
      uint16_t size = 0;
      ByteReader unit;
      if (!r.ReadU16(&size) || size == 0 || !r.Sub(size, &unit)) return false;
      uint8_t unit_nal = 0;
      if (unit.ReadU8(&unit_nal) && IsH264KeyNal(unit_nal)) return true;
    }
    return false;
  }
  if (type == kH264FuA) {  // RFC 6184 §5.8: FU header S|E|R|Type
    uint8_t fu = 0;
    if (!r.ReadU8(&fu)) return false;
    return (fu & 0x80) && IsH264KeyNal(fu);
  }
  return false;
}

bool IsAv1KeyframeStart(absl::Span<const uint8_t> payload) {
  // Aggregation header Z|Y|W(2)|N|-|-|-; N=1 starts a new coded video sequence.
  ByteReader r(payload);
  uint8_t aggregation = 0;
  if (!r.ReadU8(&aggregation)) return false;
  const bool z = aggregation & 0x80;
  const bool n = aggregation & 0x08;
  return n && !z;
}

bool IsKeyframeStart(Codec codec, absl::Span<const uint8_t> payload) {
  switch (codec) {
    case Codec::kVp8:
      return IsVp8KeyframeStart(payload);
    case Codec::kVp9:
      return IsVp9KeyframeStart(payload);
    case Codec::kH264:
      return IsH264KeyframeStart(payload);
    case Codec::kAv1:
      return IsAv1KeyframeStart(payload);
    case Codec::kOpus:
    case Codec::kOther:
      return false;
  }
  return false;
}

}  // namespace sfu::sfu
