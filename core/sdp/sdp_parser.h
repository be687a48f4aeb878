#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/sdp/session_description.h"

namespace sfu::sdp {

// Hard caps on what one SDP document may make us allocate. An offer arrives from an untrusted HTTP
// client; anything past a cap is an error, never a larger allocation. Defaults are several times
// what Chromium 156 sends (about 6 KiB, 170 lines, 2 sections, 2 candidates per section).
struct SdpLimits {
  size_t max_bytes = 64 * 1024;
  size_t max_lines = 4096;
  size_t max_line_bytes = 2048;
  size_t max_media_sections = 64;
  size_t max_candidates_per_section = 64;
  // a= lines in one section (or at session level): bounds every per-section list.
  size_t max_attributes_per_section = 1024;
  // Identifiers: mid, rid, ufrag, pwd, msid ids, candidate foundation and address, cname, ...
  size_t max_token_bytes = 256;
};

// Parses SDP text (RFC 8866) into a SessionDescription. Accepts "\r\n" and "\n" line endings.
// Malformed input yields absl::InvalidArgumentError naming the 1-based line number and the start of
// the line, e.g. `line 7: bad rtpmap "a=rtpmap:abc"`. Unknown attributes are kept in
// other_attributes, never an error. Stateless apart from its limits; any thread may call Parse.
class SdpParser {
 public:
  explicit SdpParser(SdpLimits limits = {}) : limits_(limits) {}

  absl::StatusOr<SessionDescription> Parse(std::string_view text) const;

  const SdpLimits& limits() const { return limits_; }

 private:
  SdpLimits limits_;
};

}  // namespace sfu::sdp
