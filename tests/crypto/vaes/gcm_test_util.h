#pragma once

// Helpers shared by the crypto/vaes tests: hex decoding and the list of implementations this
// machine can run (every test runs on each, so the EVP fallback is exercised next to the kernels).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/vaes/gcm_batch.h"

namespace sfu::crypto::testing {

inline std::vector<uint8_t> Hex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

inline std::vector<GcmImpl> AllImpls() {
  return {GcmImpl::kEvp, GcmImpl::kVaes256, GcmImpl::kVaes512};
}

inline std::string ImplTestName(GcmImpl impl) { return GcmBatch::ImplName(impl); }

}  // namespace sfu::crypto::testing
