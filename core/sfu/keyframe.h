#pragma once

#include <cstdint>

#include "absl/types/span.h"
#include "core/sfu/media_types.h"

namespace sfu::sfu {

// Whether an RTP payload is the first packet of a keyframe, read from the codec's payload format
// (never the bitstream beyond the first bytes). The simulcast switch and a new subscriber's first
// packet wait for it. All input is untrusted and read through ByteReader; short or odd payloads
// are "not a keyframe start".
//
// - VP8 (RFC 7741 §4.2/§4.3): S=1 and PID=0 in the payload descriptor, then the P bit (inverse
//   key frame flag) of the VP8 payload header is 0.
// - VP9 (RFC 9628 §4.2): B=1 (start of frame) and P=0 (not inter-picture predicted), and, with
//   layer indices present, spatial layer 0; flexible (F=1) and non-flexible modes alike.
// - H264 (RFC 6184 §5.6-5.8): an IDR slice (NAL type 5) or an SPS (7) in a single NAL unit
//   packet, anywhere in a STAP-A, or starting an FU-A (S=1).
// - AV1 (AOM "RTP Payload Format for AV1" §4.4): best effort, the aggregation header's N bit,
//   which the sender sets on the first packet of a coded video sequence; a keyframe that does not
//   start a new sequence is not recognised.
// Other codecs (and audio) return false.
bool IsKeyframeStart(Codec codec, absl::Span<const uint8_t> payload);

bool IsVp8KeyframeStart(absl::Span<const uint8_t> payload);
bool IsVp9KeyframeStart(absl::Span<const uint8_t> payload);
bool IsH264KeyframeStart(absl::Span<const uint8_t> payload);
bool IsAv1KeyframeStart(absl::Span<const uint8_t> payload);

}  // namespace sfu::sfu
