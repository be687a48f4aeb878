#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/five_tuple.h"
#include "core/sdp/session_description.h"

namespace sfu::sdp {

// What sfud is willing to negotiate, and the local transport it answers with. Built by the control
// thread once per session (the ICE credentials and candidate ports differ per peer/shard) from
// process-wide defaults; AnswerBuilder reads it and never keeps references into it.

// Publisher: the peer sends media to sfud (WHIP). Viewer: sfud sends media to the peer (WHEP).
enum class Role : uint8_t { kPublisher, kViewer };

// A codec sfud accepts, in preference order within its kind. `fmtp` holds the parameters that
// must match the offer's (packetization-mode and the H.264 profile of profile-level-id, VP9
// profile-id, AV1 profile); other offered parameters are echoed back unchanged.
struct LocalCodec {
  MediaKind kind = MediaKind::kAudio;
  std::string name;  // matched case-insensitively (RFC 4855 §3)
  uint32_t clock_rate = 0;
  uint16_t channels = 0;  // 0: not given (1 for audio)
  std::vector<FormatParameter> fmtp;
  bool rtx = false;  // accept the offer's RFC 4588 rtx payload type bound to it (apt=)
};

// An RTCP feedback mechanism sfud handles (RFC 4585 §4.2 type + subtype).
struct LocalRtcpFb {
  std::string type;
  std::string subtype;
};

// An RTP header extension sfud understands for one media kind (RFC 8285).
struct LocalHeaderExtension {
  MediaKind kind = MediaKind::kAudio;
  std::string uri;
};

// One stream sfud sends to a viewer: announced with a=msid and a=ssrc (RFC 8830, RFC 5576).
struct LocalTrack {
  MediaKind kind = MediaKind::kAudio;
  std::string stream_id;
  std::string track_id;
  std::string cname;
  uint32_t ssrc = 0;
  std::optional<uint32_t> rtx_ssrc;
};

inline constexpr char kUriMid[] = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr char kUriAudioLevel[] = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr char kUriAbsSendTime[] =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr char kUriTransportCc[] =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr char kUriRid[] = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr char kUriRepairedRid[] = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr char kUriAbsCaptureTime[] =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

// opus/48000/2; VP8, H.264 (constrained baseline 42e01f, packetization-mode 1), VP9 profile 0 and
// AV1 profile 0, each video codec with RTX.
std::vector<LocalCodec> DefaultCodecs();
// nack, nack pli, ccm fir, goog-remb. Not transport-cc: sfud sends no transport feedback.
std::vector<LocalRtcpFb> DefaultRtcpFeedback();
// mid, ssrc-audio-level (audio), abs-send-time, rid and repaired-rid (video); abs-capture-time
// only when asked for. Not transport-wide-cc, for the same reason.
std::vector<LocalHeaderExtension> DefaultHeaderExtensions(bool abs_capture_time = false);

struct AnswerConfig {
  Role role = Role::kPublisher;
  // Our ICE-lite credentials (RFC 8839 §5.4) and DTLS certificate fingerprint, "sha-256 AB:CD:..".
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint;
  // One host candidate per listening address (v4 or v6), in priority order. At least one.
  std::vector<SocketAddress> candidates;
  // o= line of the answer (RFC 8866 §5.2); the caller picks the id (no randomness in here).
  uint64_t session_id = 0;
  uint64_t session_version = 1;
  std::vector<LocalCodec> codecs = DefaultCodecs();
  std::vector<LocalRtcpFb> rtcp_feedback = DefaultRtcpFeedback();
  std::vector<LocalHeaderExtension> header_extensions = DefaultHeaderExtensions();
  // Viewer only: streams to announce, assigned in order to the offer's sections of their kind.
  std::vector<LocalTrack> tracks;
  // Publisher only: accept RFC 8853 simulcast (answer a=simulcast:recv with the offered rids).
  bool accept_simulcast = true;
};

}  // namespace sfu::sdp
