#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sfu::daemon {

// What a WHIP/WHEP PATCH body (application/trickle-ice-sdpfrag, RFC 8840 §9) says, as far as an
// ICE-lite server needs to know: whether it carries new ICE credentials (an ICE restart, RFC 9725
// §4.3.2) and how many candidates. Candidates themselves are not kept: an ICE-lite agent learns
// the peer's addresses from the checks it receives (RFC 8445 §2.5).
struct TrickleFragment {
  std::string ice_ufrag;  // empty when absent
  std::string ice_pwd;
  size_t candidates = 0;
  bool end_of_candidates = false;
};

// Parses the fragment: lines `a=ice-ufrag:`, `a=ice-pwd:`, `a=ice-options:`, `a=group:`,
// `m=`, `a=mid:`, `a=candidate:`, `a=end-of-candidates` (RFC 8840 §9 grammar); "\r\n" or "\n".
// Anything else, or a line over 1024 bytes, or more than 1024 lines, is InvalidArgument with a
// one-line reason naming the line. Reads only within `text`; allocates at most the two strings.
absl::StatusOr<TrickleFragment> ParseTrickleFragment(std::string_view text);

}  // namespace sfu::daemon
