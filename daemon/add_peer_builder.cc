#include "daemon/add_peer_builder.h"

#include <algorithm>

#include "core/common/status_macros.h"
#include "crypto/certificate.h"

namespace sfu::daemon {
namespace {

std::optional<sfu::MediaKind> ToSfuKind(sdp::MediaKind kind) {
  switch (kind) {
    case sdp::MediaKind::kAudio:
      return sfu::MediaKind::kAudio;
    case sdp::MediaKind::kVideo:
      return sfu::MediaKind::kVideo;
    default:
      return std::nullopt;
  }
}

std::vector<sfu::CodecConfig> Codecs(const sdp::NegotiatedMedia& m) {
  std::vector<sfu::CodecConfig> out;
  for (const sdp::NegotiatedCodec& c : m.codecs) {
    // Plain "a=rtcp-fb:<pt> nack" (RFC 4585 §4.2); "nack pli" is a keyframe request, not NACK.
    const bool nack =
        std::any_of(c.rtcp_feedback.begin(), c.rtcp_feedback.end(),
                    [](const sdp::RtcpFb& fb) { return fb.type == "nack" && fb.subtype.empty(); });
    out.push_back(sfu::CodecConfig{c.pt, c.name, c.clock_rate, c.rtx_pt.value_or(0), nack});
  }
  return out;
}

std::vector<sfu::ExtensionConfig> Extensions(const sdp::NegotiatedMedia& m) {
  std::vector<sfu::ExtensionConfig> out;
  for (const sdp::NegotiatedExtension& e : m.extensions) out.push_back({e.id, e.uri});
  return out;
}

std::vector<sfu::LayerConfig> Layers(const sdp::NegotiatedMedia& m) {
  std::vector<sfu::LayerConfig> out;
  if (!m.remote_rids.empty()) {
    // RFC 8853: SSRCs of rid-identified streams are learnt from the RID header extensions.
    for (const sdp::SimulcastRid& rid : m.remote_rids) out.push_back({rid.rid, 0, 0});
  } else {
    for (const sdp::RemoteSource& s : m.remote_sources) {
      out.push_back({"", s.ssrc, s.rtx_ssrc.value_or(0)});
    }
  }
  if (out.empty()) out.push_back({});  // no a=ssrc: learnt from the first packets (MID)
  return out;
}

}  // namespace

absl::StatusOr<sfu::AddPeer> BuildAddPeer(const sdp::NegotiatedSession& negotiated,
                                          const PeerIdentity& identity) {
  sfu::AddPeer command;
  command.peer = identity.peer;
  command.room = identity.room;
  command.local_ufrag = identity.local_ufrag;
  command.local_pwd = identity.local_pwd;
  command.remote_ufrag = negotiated.remote_ice_ufrag;
  if (!negotiated.remote_ice_pwd.empty()) command.remote_pwd = negotiated.remote_ice_pwd;
  SFU_ASSIGN_OR_RETURN(command.remote_fingerprint,
                       crypto::ParseSdpFingerprint(negotiated.remote_fingerprint));

  if (negotiated.role == sdp::Role::kPublisher) {
    sfu::PublisherConfig publisher;
    publisher.room = identity.room;
    publisher.feedback_ssrc = identity.feedback_ssrc;
    for (const sdp::NegotiatedMedia& m : negotiated.media) {
      std::optional<sfu::MediaKind> kind = ToSfuKind(m.kind);
      if (!m.accepted || !kind) continue;
      publisher.tracks.push_back(
          sfu::TrackConfig{m.mid, *kind, Codecs(m), Extensions(m), Layers(m)});
    }
    if (publisher.tracks.empty()) {
      return absl::InvalidArgumentError("offer has no accepted audio or video section");
    }
    command.media = std::move(publisher);
  } else {
    sfu::SubscriberConfig subscriber;
    subscriber.room = identity.room;
    for (const sdp::NegotiatedMedia& m : negotiated.media) {
      std::optional<sfu::MediaKind> kind = ToSfuKind(m.kind);
      if (!m.accepted || !kind || !m.local_track) continue;
      sfu::SlotConfig slot{m.mid, *kind, Codecs(m), Extensions(m), m.local_track->ssrc, 0};
      bool rtx = false;
      for (const sdp::NegotiatedCodec& c : m.codecs) rtx = rtx || c.rtx_pt.has_value();
      if (rtx) slot.rtx_ssrc = m.local_track->rtx_ssrc.value_or(0);
      subscriber.slots.push_back(std::move(slot));
    }
    if (subscriber.slots.empty()) {
      return absl::InvalidArgumentError("offer has no accepted audio or video section");
    }
    command.media = std::move(subscriber);
  }
  return command;
}

}  // namespace sfu::daemon
