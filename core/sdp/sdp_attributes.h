#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/sdp/sdp_parser.h"
#include "core/sdp/session_description.h"

// Value parsers for the individual SDP attributes, used by SdpParser. Each takes the text after
// "a=name:" and returns false on malformed input (the caller turns that into a line-numbered
// error); none throws or allocates beyond the strings it stores.
namespace sfu::sdp::internal {

// Digits only (no sign, no spaces), value <= max. std::from_chars rejects overflow.
template <typename T>
bool ParseUint(std::string_view s, T max, T* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v > static_cast<uint64_t>(max)) {
    return false;
  }
  *out = static_cast<T>(v);
  return true;
}

// Debian's abseil has its own absl::string_view (not std::string_view): these helpers keep the
// std::string_view API of this module working with absl's string functions.
inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Splits on `sep`, keeping empty pieces.
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on single or repeated spaces, dropping empty pieces.
std::vector<std::string_view> SplitSpaces(std::string_view s);
// Strips leading and trailing spaces and tabs.
std::string_view Trim(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Non-empty, at most limits.max_token_bytes, no whitespace.
bool IsToken(std::string_view s, const SdpLimits& limits);

bool ParsePayloadType(std::string_view s, uint8_t* pt);
bool ParseRtpMap(std::string_view v, const SdpLimits& limits, RtpMap* out);
bool ParseFormatParameters(std::string_view v, const SdpLimits& limits,
                           std::vector<FormatParameter>* out);
bool ParseFmtp(std::string_view v, const SdpLimits& limits, Fmtp* out);
bool ParseRtcpFb(std::string_view v, const SdpLimits& limits, RtcpFb* out);
bool ParseExtMap(std::string_view v, const SdpLimits& limits, ExtMap* out);
bool ParseSsrc(std::string_view v, const SdpLimits& limits, SsrcAttribute* out);
bool ParseSsrcGroup(std::string_view v, const SdpLimits& limits, SsrcGroup* out);
bool ParseRid(std::string_view v, const SdpLimits& limits, Rid* out);
bool ParseSimulcast(std::string_view v, const SdpLimits& limits, Simulcast* out);
bool ParseMsid(std::string_view v, const SdpLimits& limits, Msid* out);
bool ParseCandidate(std::string_view v, const SdpLimits& limits, Candidate* out);
bool ParseFingerprint(std::string_view v, Fingerprint* out);
bool ParseGroup(std::string_view v, const SdpLimits& limits, Group* out);
// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4..256, pwd 22..256 chars.
bool ParseIceUfrag(std::string_view v, std::string* out);
bool ParseIcePwd(std::string_view v, std::string* out);
bool ParseIceOptions(std::string_view v, const SdpLimits& limits, std::vector<std::string>* out);

}  // namespace sfu::sdp::internal
