#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/sdp/answer_config.h"
#include "core/sdp/session_description.h"

namespace sfu::sdp {

// H.264 profiles as RFC 6184 §8.1 classifies profile_idc + profile-iop; two offers of the same
// profile at different levels interoperate (level-asymmetry-allowed), different profiles do not.
enum class H264Profile : uint8_t {
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kExtended,
  kHigh,
  kConstrainedHigh,
  kOther,
};

// Parses the 6 hex digits of profile-level-id; nullopt if malformed.
std::optional<H264Profile> ParseH264Profile(std::string_view profile_level_id);

// True if the offered payload type (its rtpmap and fmtp) is the codec `local` describes:
// same name (case-insensitive), clock rate and channel count, and the same values of the
// parameters that change the bitstream format (H.264 packetization-mode and profile, VP9
// profile-id, AV1 profile; absent parameters take their RFC defaults).
bool CodecMatches(const LocalCodec& local, const RtpMap& offered, const Fmtp* offered_fmtp);

}  // namespace sfu::sdp
