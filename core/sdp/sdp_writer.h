#pragma once

#include <string>

#include "core/sdp/session_description.h"

namespace sfu::sdp {

// Serialises a SessionDescription to SDP text with "\r\n" line endings (RFC 8866 §5), in the order
// RFC 8866 requires for session lines and the order browsers use for media attributes (transport,
// mid, extmaps, direction, msid, rtcp, codecs, rid/simulcast, ssrcs, candidates). Whatever
// SdpParser accepts, SdpWriter reproduces with the same meaning. Stateless.
class SdpWriter {
 public:
  static std::string Write(const SessionDescription& sd);
};

}  // namespace sfu::sdp
