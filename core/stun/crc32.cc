#include "core/stun/crc32.h"

#include <array>

namespace sfu::stun {
namespace {

// The 256-entry table for the reflected polynomial, computed at compile time so there is no
// initialisation order or thread-safety question at run time.
constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

uint32_t Crc32Update(uint32_t state, absl::Span<const uint8_t> data) {
  for (uint8_t b : data) state = kTable[(state ^ b) & 0xFFu] ^ (state >> 8);
  return state;
}

}  // namespace sfu::stun
