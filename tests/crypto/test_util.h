#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

namespace sfu::crypto::testing {

// Hex text (whitespace ignored, either case) to bytes, for writing published vectors as printed.
// Aborts on malformed text: a typo in a vector is a bug in the test itself.
std::vector<uint8_t> Hex(std::string_view text);
// Lowercase hex of `bytes`, so a failing comparison prints something readable.
std::string ToHex(absl::Span<const uint8_t> bytes);
// The bytes of an ASCII string.
inline absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace sfu::crypto::testing
