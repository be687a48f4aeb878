#include "core/common/byte_writer.h"

#include <cstring>

namespace sfu {

bool ByteWriter::WriteBytes(absl::Span<const uint8_t> bytes) {
  if (!Fits(bytes.size())) return false;
  if (!bytes.empty()) std::memcpy(buf_.data() + pos_, bytes.data(), bytes.size());
  pos_ += bytes.size();
  return true;
}

bool ByteWriter::WriteZeros(size_t n) {
  if (!Fits(n)) return false;
  if (n != 0) std::memset(buf_.data() + pos_, 0, n);
  pos_ += n;
  return true;
}

absl::Span<uint8_t> ByteWriter::Reserve(size_t n) {
  if (!Fits(n)) return {};
  absl::Span<uint8_t> out = buf_.subspan(pos_, n);
  pos_ += n;
  return out;
}

bool ByteWriter::PatchUInt(size_t at, size_t v, size_t n) {
  const bool fits_width = n >= sizeof(size_t) || v < (size_t{1} << (8 * n));
  if (failed_ || at > pos_ || n > pos_ - at || !fits_width) {
    failed_ = true;
    return false;
  }
  for (size_t i = 0; i < n; ++i) buf_[at + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  return true;
}

}  // namespace sfu
