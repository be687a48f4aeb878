#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sdp/answer_config.h"
#include "core/sdp/session_description.h"

namespace sfu::sdp {

// What an offer/answer exchange settled, in the form the data plane needs: which payload types,
// header-extension ids and SSRCs/rids to expect per mid. Produced by AnswerBuilder on the control
// thread and copied into the shard's AddPeer command; a plain value with no views.

struct NegotiatedCodec {
  uint8_t pt = 0;  // the offerer's payload type number
  std::string name;
  uint32_t clock_rate = 0;
  uint16_t channels = 0;
  std::vector<FormatParameter> fmtp;
  std::optional<uint8_t> rtx_pt;  // RFC 4588 retransmission payload type (apt=pt)
  std::vector<RtcpFb> rtcp_feedback;
};

struct NegotiatedExtension {
  uint8_t id = 0;
  std::string uri;
};

// A source the offerer announced with a=ssrc (RFC 5576), with its RTX partner from an FID group.
struct RemoteSource {
  uint32_t ssrc = 0;
  std::string cname;
  std::string msid;
  std::optional<uint32_t> rtx_ssrc;
};

struct NegotiatedMedia {
  std::string mid;
  MediaKind kind = MediaKind::kOther;
  bool accepted = false;
  Direction direction = Direction::kInactive;  // as written in our answer
  bool rtcp_rsize = false;
  // Preference order: the first is the codec sfud prefers.
  std::vector<NegotiatedCodec> codecs;
  std::vector<NegotiatedExtension> extensions;
  // The offerer's streams: SSRCs (a=ssrc / a=ssrc-group) and simulcast rids (a=simulcast send).
  std::vector<RemoteSource> remote_sources;
  std::vector<SsrcGroup> remote_ssrc_groups;
  std::vector<SimulcastRid> remote_rids;
  std::optional<Msid> remote_msid;
  // Viewer: the stream sfud announced in this section.
  std::optional<LocalTrack> local_track;

  const NegotiatedCodec* FindCodec(uint8_t pt) const;
  // The extension id negotiated for `uri`, or nullopt.
  std::optional<uint8_t> ExtensionId(std::string_view uri) const;
};

struct NegotiatedSession {
  Role role = Role::kPublisher;
  // The offerer's ICE credentials (RFC 8839) and sha-256 certificate fingerprint (RFC 8122).
  std::string remote_ice_ufrag;
  std::string remote_ice_pwd;
  std::string remote_fingerprint;        // "sha-256 AB:CD:..."
  std::vector<std::string> bundle_mids;  // accepted mids; the first is the BUNDLE tag
  bool extmap_allow_mixed = false;       // RFC 8285 §6: one- and two-byte headers may mix
  // One entry per offered m= section, in offer order (rejected ones have accepted == false).
  std::vector<NegotiatedMedia> media;

  const NegotiatedMedia* FindMedia(std::string_view mid) const;
};

}  // namespace sfu::sdp
