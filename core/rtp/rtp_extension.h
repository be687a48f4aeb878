#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"

namespace sfu::rtp {

// RFC 8285 §4.2: the "defined by profile" value announcing one-byte extension elements.
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
// RFC 8285 §4.3: 0x100 in the top 12 bits announces two-byte elements; the low 4 bits are
// "appbits", application data the SFU passes through untouched.
inline constexpr uint16_t kTwoByteExtensionProfileMask = 0xFFF0;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;
// One-byte form limits (RFC 8285 §4.2): ids 1-14, data 1-16 bytes; id 15 ends parsing.
inline constexpr uint8_t kOneByteMaxId = 14;
inline constexpr uint8_t kOneByteStopId = 15;
inline constexpr size_t kOneByteMaxDataSize = 16;

enum class RtpExtensionForm : uint8_t { kOneByte, kTwoByte, kOther };

constexpr RtpExtensionForm ExtensionFormOf(uint16_t profile) {
  if (profile == kOneByteExtensionProfile) return RtpExtensionForm::kOneByte;
  if ((profile & kTwoByteExtensionProfileMask) == kTwoByteExtensionProfile) {
    return RtpExtensionForm::kTwoByte;
  }
  return RtpExtensionForm::kOther;
}

// One header-extension element. `data` is a view into the packet (see RtpPacketView for its
// lifetime); both the id and the data are what the sender wrote, unvalidated.
struct RtpExtensionElement {
  uint8_t id = 0;
  absl::Span<const uint8_t> data;
};

// Walks the elements of an RFC 8285 header-extension block. Padding bytes (0) between elements are
// skipped; in the one-byte form id 15 ends the walk (RFC 8285 §4.2). An element whose length runs
// past the block stops the walk and sets malformed(). Blocks of other profiles (RFC 3550 §5.3.1
// extensions that are not RFC 8285) yield no elements. Each step consumes at least one byte, so a
// walk is bounded by the block size. Thread-compatible; cheap to copy; views into the block.
class RtpExtensionIterator {
 public:
  RtpExtensionIterator() = default;
  RtpExtensionIterator(uint16_t profile, absl::Span<const uint8_t> block)
      : form_(ExtensionFormOf(profile)), reader_(block) {}

  // The next element; false at the end of the block, at id 15, or when malformed.
  bool Next(RtpExtensionElement* out);
  bool malformed() const { return malformed_; }
  // Offset, within the block, of the first header byte of the element Next last returned (what an
  // in-place rewriter patches).
  size_t element_offset() const { return element_offset_; }
  RtpExtensionForm form() const { return form_; }

 private:
  RtpExtensionForm form_ = RtpExtensionForm::kOther;
  ByteReader reader_;
  bool done_ = false;
  bool malformed_ = false;
  size_t element_offset_ = 0;
};

}  // namespace sfu::rtp
