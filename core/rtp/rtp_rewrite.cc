#include "core/rtp/rtp_rewrite.h"

#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtp_extension.h"
#include "core/rtp/rtp_packet.h"

namespace sfu::rtp {
namespace {

constexpr size_t kSecondByteOffset = 1;
constexpr size_t kSequenceNumberOffset = 2;
constexpr size_t kTimestampOffset = 4;
constexpr size_t kSsrcOffset = 8;

bool IsRtpHeader(absl::Span<const uint8_t> packet) {
  ByteReader r(packet);
  uint8_t b0 = 0;
  return packet.size() >= kRtpFixedHeaderSize && r.ReadU8(&b0) && (b0 >> 6) == 2;
}

// Writes into `packet` at a fixed offset through a bounds-checked writer.
template <typename Fn>
bool WriteAt(absl::Span<uint8_t> packet, size_t offset, size_t size, Fn fn) {
  if (!IsRtpHeader(packet)) return false;
  ByteWriter w(packet.subspan(offset, size));
  fn(w);
  return w.ok();
}

uint8_t SecondByte(absl::Span<const uint8_t> packet) {
  ByteReader r(packet.subspan(kSecondByteOffset, 1));
  uint8_t b1 = 0;
  return r.ReadU8(&b1) ? b1 : 0;
}

}  // namespace

bool SetRtpSsrc(absl::Span<uint8_t> packet, uint32_t ssrc) {
  return WriteAt(packet, kSsrcOffset, 4, [&](ByteWriter& w) { w.WriteU32(ssrc); });
}

bool SetRtpSequenceNumber(absl::Span<uint8_t> packet, uint16_t sequence_number) {
  return WriteAt(packet, kSequenceNumberOffset, 2,
                 [&](ByteWriter& w) { w.WriteU16(sequence_number); });
}

bool SetRtpTimestamp(absl::Span<uint8_t> packet, uint32_t timestamp) {
  return WriteAt(packet, kTimestampOffset, 4, [&](ByteWriter& w) { w.WriteU32(timestamp); });
}

bool SetRtpPayloadType(absl::Span<uint8_t> packet, uint8_t payload_type) {
  if (payload_type > 0x7F) return false;
  return WriteAt(packet, kSecondByteOffset, 1, [&](ByteWriter& w) {
    w.WriteU8(static_cast<uint8_t>((SecondByte(packet) & 0x80) | payload_type));
  });
}

bool SetRtpMarker(absl::Span<uint8_t> packet, bool marker) {
  return WriteAt(packet, kSecondByteOffset, 1, [&](ByteWriter& w) {
    w.WriteU8(static_cast<uint8_t>((SecondByte(packet) & 0x7F) | (marker ? 0x80 : 0)));
  });
}

RtpExtensionIdMap RtpExtensionIdMap::Identity() {
  RtpExtensionIdMap m;
  for (size_t i = 0; i < m.to_.size(); ++i) m.to_[i] = static_cast<uint8_t>(i);
  return m;
}

RemapResult RemapRtpExtensionIds(absl::Span<uint8_t> packet, const RtpExtensionIdMap& map) {
  RtpPacketView view;
  if (!ParseRtpPacket(packet, &view)) return RemapResult::kMalformed;
  if (!view.has_extension) return RemapResult::kOk;
  const RtpExtensionForm form = ExtensionFormOf(view.extension_profile);
  if (form == RtpExtensionForm::kOther) return RemapResult::kOk;

  // Pass 1: validate, so a failure leaves the packet untouched.
  RtpExtensionIterator check = view.extensions();
  RtpExtensionElement e;
  while (check.Next(&e)) {
    if (form == RtpExtensionForm::kOneByte && map.Map(e.id) > kOneByteMaxId) {
      return RemapResult::kDoesNotFitForm;
    }
  }
  if (check.malformed()) return RemapResult::kMalformed;

  // Pass 2: patch. The block starts after the fixed header, the CSRCs and its own 4-byte header.
  const size_t block_offset = kRtpFixedHeaderSize + view.csrcs.size() + 4;
  absl::Span<uint8_t> block = packet.subspan(block_offset, view.extension_data.size());
  const size_t header_bytes = form == RtpExtensionForm::kOneByte ? 1 : 2;
  RtpExtensionIterator it = view.extensions();
  while (it.Next(&e)) {
    const uint8_t to = map.Map(e.id);
    ByteWriter w(block.subspan(it.element_offset(), header_bytes + e.data.size()));
    if (to == 0) {
      w.WriteZeros(header_bytes + e.data.size());  // becomes padding
    } else if (form == RtpExtensionForm::kOneByte) {
      w.WriteU8(static_cast<uint8_t>((to << 4) | (e.data.size() - 1)));
    } else {
      w.WriteU8(to);
    }
  }
  return RemapResult::kOk;
}

}  // namespace sfu::rtp
