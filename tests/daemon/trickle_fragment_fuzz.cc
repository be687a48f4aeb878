// Fuzzes the WHIP/WHEP PATCH body parser: arbitrary bytes must parse or fail cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/trickle_fragment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = sfu::daemon::ParseTrickleFragment(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (result.ok()) {
    // Credentials that parsed are bounded ice-chars.
    if (result->ice_ufrag.size() > 256 || result->ice_pwd.size() > 256) __builtin_trap();
  }
  return 0;
}
