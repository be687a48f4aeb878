#include "core/sfu/forward_extensions.h"

#include <cstring>

namespace sfu::sfu {

bool ExtensionLayout::Scan(const rtp::RtpPacketView& view, absl::Span<const uint8_t> packet) {
  count_ = 0;
  fallback_ = false;
  form_ = view.has_extension ? rtp::ExtensionFormOf(view.extension_profile)
                             : rtp::RtpExtensionForm::kOther;
  if (form_ == rtp::RtpExtensionForm::kOther) return true;
  // The block is a view into `packet`, so its distance from the start is in range.
  const size_t block_offset = static_cast<size_t>(view.extension_data.data() - packet.data());
  rtp::RtpExtensionIterator it = view.extensions();
  rtp::RtpExtensionElement e;
  while (it.Next(&e)) {
    if (count_ == kMaxElements) {
      fallback_ = true;
      continue;  // keep walking to validate the rest
    }
    elements_[count_++] = Element{static_cast<uint16_t>(block_offset + it.element_offset()), e.id,
                                  static_cast<uint8_t>(e.data.size())};
  }
  return !it.malformed();
}

bool ExtensionLayout::Apply(absl::Span<uint8_t> copy, const rtp::RtpExtensionIdMap& map) const {
  if (fallback_) return rtp::RemapRtpExtensionIds(copy, map) == rtp::RemapResult::kOk;
  const bool one_byte = form_ == rtp::RtpExtensionForm::kOneByte;
  const size_t header_bytes = one_byte ? 1 : 2;
  for (size_t i = 0; i < count_; ++i) {
    const Element& e = elements_[i];
    const uint8_t to = map.Map(e.id);
    if (to == e.id) continue;
    // Offsets come from the validated walk of the same bytes; `copy` is our own buffer.
    absl::Span<uint8_t> element = copy.subspan(e.offset, header_bytes + e.data_size);
    if (to == 0) {
      std::memset(element.data(), 0, element.size());  // padding (RFC 8285 §4.1)
    } else if (one_byte) {
      element[0] = static_cast<uint8_t>((to << 4) | (e.data_size - 1));
    } else {
      element[0] = to;
    }
  }
  return true;
}

}  // namespace sfu::sfu
