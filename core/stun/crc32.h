#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace sfu::stun {

// CRC-32 as used by STUN's FINGERPRINT (RFC 8489 §14.7, which points to ITU-T V.42 / ISO 3309):
// the reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF — the same CRC as
// zlib's crc32(). Table-driven, one byte per step; no allocation, no state beyond the argument.
//
// Incremental use: Crc32Finish(Crc32Update(Crc32Update(kCrc32Init, a), b)) == Crc32(a ++ b).
inline constexpr uint32_t kCrc32Init = 0xFFFFFFFFu;
uint32_t Crc32Update(uint32_t state, absl::Span<const uint8_t> data);
inline uint32_t Crc32Finish(uint32_t state) { return state ^ 0xFFFFFFFFu; }
inline uint32_t Crc32(absl::Span<const uint8_t> data) {
  return Crc32Finish(Crc32Update(kCrc32Init, data));
}

}  // namespace sfu::stun
