#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sfu {

// A bounds-checked, big-endian cursor over untrusted bytes (network order, as every protocol sfud
// speaks). Reads never copy: ReadSpan/Sub return views into the underlying buffer, valid as long as
// that buffer is. Failure is sticky: a read that does not fit moves the cursor to the end and marks
// the reader failed, so every later read fails too and a parser can check ok() once at the end.
// Thread-compatible; cheap to copy (two pointers and a flag).
class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(absl::Span<const uint8_t> data) : data_(data) {}

  [[nodiscard]] bool ReadU8(uint8_t* out) { return ReadUInt(1, out); }
  [[nodiscard]] bool ReadU16(uint16_t* out) { return ReadUInt(2, out); }
  [[nodiscard]] bool ReadU24(uint32_t* out) { return ReadUInt(3, out); }
  [[nodiscard]] bool ReadU32(uint32_t* out) { return ReadUInt(4, out); }
  [[nodiscard]] bool ReadU48(uint64_t* out) { return ReadUInt(6, out); }
  [[nodiscard]] bool ReadU64(uint64_t* out) { return ReadUInt(8, out); }

  // A view of the next `n` bytes.
  [[nodiscard]] bool ReadSpan(size_t n, absl::Span<const uint8_t>* out) {
    if (!Fits(n)) return false;
    *out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  // Copies the next out.size() bytes into `out` (for fixed-size fields such as randoms).
  [[nodiscard]] bool ReadBytes(absl::Span<uint8_t> out);
  // A reader over the next `n` bytes (a length-prefixed block); this reader moves past them.
  [[nodiscard]] bool Sub(size_t n, ByteReader* out) {
    absl::Span<const uint8_t> block;
    if (!ReadSpan(n, &block)) return false;
    *out = ByteReader(block);
    return true;
  }
  // Length-prefixed blocks as TLS writes them: an 8-, 16- or 24-bit length, then that many bytes.
  [[nodiscard]] bool ReadPrefixed8(ByteReader* out);
  [[nodiscard]] bool ReadPrefixed16(ByteReader* out);
  [[nodiscard]] bool ReadPrefixed24(ByteReader* out);

  [[nodiscard]] bool PeekU8(uint8_t* out) const { return PeekUInt(1, out); }
  [[nodiscard]] bool PeekU16(uint16_t* out) const { return PeekUInt(2, out); }
  [[nodiscard]] bool PeekU32(uint32_t* out) const { return PeekUInt(4, out); }

  [[nodiscard]] bool Skip(size_t n) {
    if (!Fits(n)) return false;
    pos_ += n;
    return true;
  }
  // Everything not yet read, as a view; the reader moves to the end.
  absl::Span<const uint8_t> ReadRemaining() {
    absl::Span<const uint8_t> rest = data_.subspan(pos_);
    pos_ = data_.size();
    return rest;
  }

  size_t Remaining() const { return data_.size() - pos_; }
  bool empty() const { return Remaining() == 0; }
  size_t position() const { return pos_; }
  bool ok() const { return !failed_; }
  // The whole buffer this reader walks, including what has been read.
  absl::Span<const uint8_t> data() const { return data_; }
  absl::Span<const uint8_t> remaining_view() const { return data_.subspan(pos_); }

 private:
  bool Fits(size_t n) {
    if (failed_ || n > data_.size() - pos_) {
      failed_ = true;
      pos_ = data_.size();
      return false;
    }
    return true;
  }
  template <typename T>
  bool PeekUInt(size_t n, T* out) const {
    if (failed_ || n > data_.size() - pos_) return false;
    T v = 0;
    for (size_t i = 0; i < n; ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
    *out = v;
    return true;
  }
  template <typename T>
  bool ReadUInt(size_t n, T* out) {
    if (!Fits(n)) return false;
    PeekUInt(n, out);
    pos_ += n;
    return true;
  }

  absl::Span<const uint8_t> data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace sfu
