#include "core/rtp/rtp_extension.h"

namespace sfu::rtp {

bool RtpExtensionIterator::Next(RtpExtensionElement* out) {
  if (done_ || form_ == RtpExtensionForm::kOther) return false;
  while (!reader_.empty()) {
    const size_t at = reader_.position();
    uint8_t first = 0;
    if (!reader_.ReadU8(&first)) break;
    // Padding (RFC 8285 §4.1): a zero byte. In the one-byte form any byte with id 0 is taken as a
    // single padding byte, since id 0 "MUST NOT be used" for an element (§4.2).
    if (first == 0 || (form_ == RtpExtensionForm::kOneByte && (first >> 4) == 0)) continue;
    uint8_t id = 0;
    size_t length = 0;
    if (form_ == RtpExtensionForm::kOneByte) {
      id = first >> 4;
      // RFC 8285 §4.2: id 15 is reserved; its length is ignored and parsing of the whole block
      // stops there. Not an error.
      if (id == kOneByteStopId) break;
      length = static_cast<size_t>(first & 0x0F) + 1;
    } else {
      id = first;
      uint8_t len8 = 0;
      if (!reader_.ReadU8(&len8)) {
        malformed_ = true;
        break;
      }
      length = len8;
    }
    absl::Span<const uint8_t> data;
    if (!reader_.ReadSpan(length, &data)) {
      malformed_ = true;
      break;
    }
    element_offset_ = at;
    out->id = id;
    out->data = data;
    return true;
  }
  done_ = true;
  return false;
}

}  // namespace sfu::rtp
