// Fuzzes ParseSdpFingerprint (the value of an SDP a=fingerprint line from a WHIP/WHEP offer) and
// checks that whatever it accepts formats back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = sfu::crypto::ParseSdpFingerprint(text);
  if (!parsed.ok()) return 0;
  auto again = sfu::crypto::ParseSdpFingerprint(sfu::crypto::FormatSdpFingerprint(*parsed));
  if (!again.ok() || *again != *parsed) std::abort();
  return 0;
}
