#pragma once

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/srtp/srtp_kdf.h"
#include "core/srtp/srtp_profile.h"

namespace sfu::srtp::testing {

// Hex digits to bytes; whitespace is ignored so vectors can be pasted as the RFCs print them.
inline std::vector<uint8_t> Hex(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) std::abort();  // odd digit count: a typo in a vector
  return out;
}

// Session keys given directly (the RFC packet vectors skip the KDF): the same key and salt for
// RTP and RTCP.
inline SrtpSessionKeys DirectKeys(SrtpProfile profile, const std::vector<uint8_t>& key,
                                  const std::vector<uint8_t>& salt,
                                  const std::vector<uint8_t>& auth_key = {}) {
  SrtpSessionKeys k;
  k.profile = profile;
  std::copy(key.begin(), key.end(), k.rtp_key.begin());
  std::copy(key.begin(), key.end(), k.rtcp_key.begin());
  std::copy(salt.begin(), salt.end(), k.rtp_salt.begin());
  std::copy(salt.begin(), salt.end(), k.rtcp_salt.begin());
  std::copy(auth_key.begin(), auth_key.end(), k.rtp_auth_key.begin());
  std::copy(auth_key.begin(), auth_key.end(), k.rtcp_auth_key.begin());
  return k;
}

}  // namespace sfu::srtp::testing
