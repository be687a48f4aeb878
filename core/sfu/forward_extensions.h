#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "core/rtp/rtp_extension.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/rtp_rewrite.h"

namespace sfu::sfu {

// The header-extension elements of one packet, located once per packet so that each subscriber's
// copy is remapped with a few byte stores instead of a fresh walk and validation
// (RemapRtpExtensionIds does both per call). Same result as RemapRtpExtensionIds for maps whose
// targets fit the block's form: a mapped element gets its new id, a dropped one (mapped to 0)
// becomes padding (RFC 8285 §4.1), other profiles are left alone. A block with more elements than
// fit here falls back to RemapRtpExtensionIds. Thread-compatible; a value, valid for copies of the
// packet it was scanned from (and RTX copies, whose header bytes are the same).
class ExtensionLayout {
 public:
  static constexpr size_t kMaxElements = 24;

  // False if the packet's RFC 8285 block is malformed (the packet must not be forwarded).
  bool Scan(const rtp::RtpPacketView& view, absl::Span<const uint8_t> packet);
  // Remaps a copy of the scanned packet in place. False only on the fallback path's failure.
  bool Apply(absl::Span<uint8_t> copy, const rtp::RtpExtensionIdMap& map) const;

 private:
  struct Element {
    uint16_t offset;  // of the element's first header byte, from the start of the packet
    uint8_t id;
    uint8_t data_size;  // 0-255
  };
  rtp::RtpExtensionForm form_ = rtp::RtpExtensionForm::kOther;
  bool fallback_ = false;
  size_t count_ = 0;
  std::array<Element, kMaxElements> elements_;
};

}  // namespace sfu::sfu
