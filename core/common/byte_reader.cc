#include "core/common/byte_reader.h"

#include <cstring>

namespace sfu {

bool ByteReader::ReadBytes(absl::Span<uint8_t> out) {
  absl::Span<const uint8_t> in;
  if (!ReadSpan(out.size(), &in)) return false;
  if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
  return true;
}

bool ByteReader::ReadPrefixed8(ByteReader* out) {
  uint8_t n = 0;
  return ReadU8(&n) && Sub(n, out);
}

bool ByteReader::ReadPrefixed16(ByteReader* out) {
  uint16_t n = 0;
  return ReadU16(&n) && Sub(n, out);
}

bool ByteReader::ReadPrefixed24(ByteReader* out) {
  uint32_t n = 0;
  return ReadU24(&n) && Sub(n, out);
}

}  // namespace sfu
