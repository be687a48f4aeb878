#pragma once

#include <string_view>

#include "core/sdp/answer_config.h"
#include "core/sdp/negotiated.h"
#include "core/sdp/session_description.h"

// The per-m= section half of AnswerBuilder: what to accept from one offered RTP section. Pure
// functions of (offer, config); used only by sdp_answer.cc.
namespace sfu::sdp::internal {

// Picks, in the config's preference order, one offered payload type per local codec of the
// section's kind, with its RTX payload type and intersected rtcp-fb. Empty: nothing in common.
std::vector<NegotiatedCodec> SelectCodecs(const MediaSection& offered, const AnswerConfig& config);

// Offered extmaps (session-level ones included, RFC 8285 §5) whose URI sfud supports for the
// section's kind, keeping the offerer's ids.
std::vector<ExtMap> SelectExtensions(const SessionDescription& offer, const MediaSection& offered,
                                     const AnswerConfig& config);

// Writes rtpmap/fmtp/rtcp-fb lines for `codecs` into `answer` and the m= format list.
void AddCodecs(const std::vector<NegotiatedCodec>& codecs, MediaSection& answer);

// RFC 8853 §5.3: for a publisher, answers a=simulcast:send / a=rid send with recv, keeping the
// rids that are defined and whose pt restrictions still name an accepted payload type.
void AnswerRids(const MediaSection& offered, const std::vector<NegotiatedCodec>& codecs,
                bool accept_simulcast, MediaSection& answer, NegotiatedMedia& negotiated);

// The offerer's a=ssrc sources, with RTX partners from FID groups (RFC 5576 §4.2, RFC 4588 §8).
void CollectRemoteSources(const MediaSection& offered, NegotiatedMedia& negotiated);

}  // namespace sfu::sdp::internal
