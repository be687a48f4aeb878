#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sfu {

// Writes big-endian fields into a caller-owned buffer. It never grows or allocates: a write that
// does not fit fails, marks the writer failed (sticky) and writes nothing, so a builder can check
// ok() once at the end. Length prefixes are written as placeholders and patched afterwards:
//
//   size_t at = w.position();
//   w.WriteU16(0);                 // placeholder
//   ... body ...
//   w.PatchU16(at, w.position() - at - 2);
//
// Thread-compatible.
class ByteWriter {
 public:
  explicit ByteWriter(absl::Span<uint8_t> buffer) : buf_(buffer) {}

  bool WriteU8(uint8_t v) { return WriteUInt(v, 1); }
  bool WriteU16(uint16_t v) { return WriteUInt(v, 2); }
  bool WriteU24(uint32_t v) { return WriteUInt(v, 3); }
  bool WriteU32(uint32_t v) { return WriteUInt(v, 4); }
  bool WriteU48(uint64_t v) { return WriteUInt(v, 6); }
  bool WriteU64(uint64_t v) { return WriteUInt(v, 8); }
  bool WriteBytes(absl::Span<const uint8_t> bytes);
  bool WriteZeros(size_t n);
  // Reserves `n` bytes and returns a view of them for the caller to fill (e.g. a MAC computed
  // later). An empty span on failure.
  absl::Span<uint8_t> Reserve(size_t n);

  // Overwrite a field at an absolute offset already written (length prefixes). Fails (sticky) if
  // the field was not written yet or `v` does not fit in the field's width.
  bool PatchU8(size_t at, size_t v) { return PatchUInt(at, v, 1); }
  bool PatchU16(size_t at, size_t v) { return PatchUInt(at, v, 2); }
  bool PatchU24(size_t at, size_t v) { return PatchUInt(at, v, 3); }

  size_t position() const { return pos_; }
  size_t Remaining() const { return buf_.size() - pos_; }
  bool ok() const { return !failed_; }
  // What has been written so far.
  absl::Span<uint8_t> written() const { return buf_.subspan(0, pos_); }

 private:
  bool Fits(size_t n) {
    if (failed_ || n > buf_.size() - pos_) {
      failed_ = true;
      return false;
    }
    return true;
  }
  bool WriteUInt(uint64_t v, size_t n) {
    if (!Fits(n)) return false;
    for (size_t i = 0; i < n; ++i) buf_[pos_ + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
    pos_ += n;
    return true;
  }
  bool PatchUInt(size_t at, size_t v, size_t n);

  absl::Span<uint8_t> buf_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace sfu
