#include "core/sdp/sdp_answer.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/sdp/answer_media.h"
#include "core/sdp/sdp_attributes.h"
#include "core/sdp/sdp_writer.h"

namespace sfu::sdp {
namespace {

// RFC 8445 §5.1.2.1: type preference 126 for host, local preference falling with each address,
// component 1.
uint32_t HostPriority(size_t index) {
  const uint32_t local_pref = 65535 - static_cast<uint32_t>(std::min<size_t>(index, 65535));
  return (126u << 24) | (local_pref << 8) | (256 - 1);
}

absl::Status ValidateConfig(const AnswerConfig& c, Fingerprint* fingerprint) {
  std::string scratch;
  if (!internal::ParseIceUfrag(c.ice_ufrag, &scratch)) {
    return absl::InvalidArgumentError("answer config: bad local ice-ufrag");
  }
  if (!internal::ParseIcePwd(c.ice_pwd, &scratch)) {
    return absl::InvalidArgumentError("answer config: bad local ice-pwd");
  }
  if (!internal::ParseFingerprint(c.fingerprint, fingerprint) ||
      fingerprint->hash_function != "sha-256") {
    return absl::InvalidArgumentError("answer config: fingerprint must be \"sha-256 AB:..\"");
  }
  if (c.candidates.empty()) return absl::InvalidArgumentError("answer config: no candidates");
  for (const SocketAddress& a : c.candidates) {
    if (a.port == 0 || (!a.ip.is_v4() && !a.ip.is_v6())) {
      return absl::InvalidArgumentError("answer config: bad candidate address");
    }
  }
  return absl::OkStatus();
}

// Why an offered section is not accepted, or empty if it may be.
std::string_view RejectReason(const MediaSection& m, const Group* bundle) {
  if (m.IsRejected()) return "rejected by the offerer";
  if (m.kind != MediaKind::kAudio && m.kind != MediaKind::kVideo) return "unsupported media";
  // sfud speaks DTLS-SRTP over UDP only (RFC 5764); the 'F' variant carries RTCP feedback.
  if (m.proto != "UDP/TLS/RTP/SAVPF" && m.proto != "UDP/TLS/RTP/SAVP") return "unsupported proto";
  if (m.mid.empty()) return "no mid";
  // RFC 8843 §9.3 requires rtcp-mux in a BUNDLE group; sfud has no separate RTCP port anyway.
  if (!m.rtcp_mux) return "no rtcp-mux";
  if (bundle != nullptr &&
      std::find(bundle->mids.begin(), bundle->mids.end(), m.mid) == bundle->mids.end()) {
    return "outside the BUNDLE group";
  }
  return {};
}

absl::Status CheckTransport(const SessionDescription& offer, const MediaSection& m,
                            std::string* fingerprint) {
  if (offer.IceUfrag(m).empty() || offer.IcePwd(m).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("offer: no ICE credentials for mid ", m.mid));
  }
  // RFC 8842 §3: an offer's setup is actpass (or active); an absent one means active.
  std::optional<Setup> setup = offer.SetupOf(m);
  if (setup && *setup != Setup::kActPass && *setup != Setup::kActive) {
    return absl::InvalidArgumentError(
        absl::StrCat("offer: a=setup:", internal::Absl(SetupName(*setup)), " for mid ", m.mid,
                     " but sfud is always the DTLS server"));
  }
  for (const Fingerprint& f : offer.Fingerprints(m)) {
    if (f.hash_function == "sha-256") {
      *fingerprint = absl::StrCat(f.hash_function, " ", f.value);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("offer: no sha-256 fingerprint for mid ", m.mid));
}

Direction AnswerDirection(Role role, Direction offered, bool have_track) {
  const bool peer_sends = offered == Direction::kSendOnly || offered == Direction::kSendRecv;
  const bool peer_receives = offered == Direction::kRecvOnly || offered == Direction::kSendRecv;
  if (role == Role::kPublisher) return peer_sends ? Direction::kRecvOnly : Direction::kInactive;
  return peer_receives && have_track ? Direction::kSendOnly : Direction::kInactive;
}

}  // namespace

absl::StatusOr<SdpAnswer> AnswerBuilder::Build(const SessionDescription& offer) const {
  Fingerprint local_fingerprint;
  SFU_RETURN_IF_ERROR(ValidateConfig(config_, &local_fingerprint));

  for (size_t i = 0; i < offer.media.size(); ++i) {
    for (size_t j = i + 1; j < offer.media.size(); ++j) {
      if (!offer.media[i].mid.empty() && offer.media[i].mid == offer.media[j].mid) {
        return absl::InvalidArgumentError(
            absl::StrCat("offer: duplicate mid ", offer.media[i].mid));
      }
    }
  }

  const Group* bundle = offer.BundleGroup();
  const SocketAddress& primary = config_.candidates.front();
  SdpAnswer result;
  SessionDescription& answer = result.description;
  NegotiatedSession& negotiated = result.negotiated;
  negotiated.role = config_.role;
  answer.origin.session_id = absl::StrCat(config_.session_id);
  answer.origin.session_version = absl::StrCat(config_.session_version);
  answer.ice_lite = true;  // RFC 8445 §2.5
  if (offer.extmap_allow_mixed) {
    answer.extmap_allow_mixed = true;  // RFC 8285 §6
    negotiated.extmap_allow_mixed = true;
  }

  size_t next_track[2] = {0, 0};
  bool accepted_any = false;
  for (const MediaSection& m : offer.media) {
    NegotiatedMedia nm;
    nm.mid = m.mid;
    nm.kind = m.kind;
    MediaSection am;
    am.kind = m.kind;
    am.media = m.media;
    am.proto = m.proto;
    am.mid = m.mid;
    am.connection = Connection{};

    std::string_view reason = RejectReason(m, bundle);
    // Without BUNDLE sfud still has a single transport: only the first section can use it.
    if (reason.empty() && bundle == nullptr && accepted_any) reason = "no BUNDLE group";
    std::vector<NegotiatedCodec> codecs;
    if (reason.empty()) {
      codecs = internal::SelectCodecs(m, config_);
      if (codecs.empty()) reason = "no common codec";
    }
    if (!reason.empty()) {
      // RFC 8829 §5.3.1 / RFC 3264 §6: a rejected section keeps its place, with port 0.
      am.port = 0;
      am.formats = m.formats;
      answer.media.push_back(std::move(am));
      negotiated.media.push_back(std::move(nm));
      continue;
    }

    std::string remote_fingerprint;
    SFU_RETURN_IF_ERROR(CheckTransport(offer, m, &remote_fingerprint));
    if (!accepted_any) {
      negotiated.remote_ice_ufrag = std::string(offer.IceUfrag(m));
      negotiated.remote_ice_pwd = std::string(offer.IcePwd(m));
      negotiated.remote_fingerprint = remote_fingerprint;
    }
    accepted_any = true;
    nm.accepted = true;
    negotiated.bundle_mids.push_back(m.mid);

    // Transport: identical in every bundled section (RFC 8843 §7.3 leaves them equal anyway).
    am.port = primary.port;
    am.connection->addr_type = primary.ip.is_v6() ? "IP6" : "IP4";
    am.connection->address = primary.ip.ToString();
    am.ice_ufrag = config_.ice_ufrag;
    am.ice_pwd = config_.ice_pwd;
    am.fingerprints.push_back(local_fingerprint);
    am.setup = Setup::kPassive;
    for (size_t i = 0; i < config_.candidates.size(); ++i) {
      const SocketAddress& a = config_.candidates[i];
      Candidate c;
      c.foundation = absl::StrCat(i + 1);
      c.component = 1;
      c.transport = "udp";
      c.priority = HostPriority(i);
      c.address = a.ip.ToString();
      c.port = a.port;
      c.type = "host";
      am.candidates.push_back(std::move(c));
    }
    am.end_of_candidates = true;  // ICE-lite: the full list is known now (RFC 8840 §8.2)
    am.rtcp_mux = true;
    am.rtcp_rsize = m.rtcp_rsize;  // RFC 5506 §5: only if offered
    nm.rtcp_rsize = m.rtcp_rsize;

    internal::AddCodecs(codecs, am);
    am.extmaps = internal::SelectExtensions(offer, m, config_);
    for (const ExtMap& e : am.extmaps) {
      nm.extensions.push_back(NegotiatedExtension{static_cast<uint8_t>(e.id), e.uri});
    }

    const size_t kind_index = m.kind == MediaKind::kAudio ? 0 : 1;
    const LocalTrack* track = nullptr;
    if (config_.role == Role::kViewer) {
      for (size_t t = next_track[kind_index]; t < config_.tracks.size(); ++t) {
        if (config_.tracks[t].kind == m.kind) {
          track = &config_.tracks[t];
          next_track[kind_index] = t + 1;
          break;
        }
      }
    }
    Direction dir = AnswerDirection(config_.role, offer.DirectionOf(m), track != nullptr);
    am.direction = dir;
    nm.direction = dir;
    if (config_.role == Role::kPublisher) {
      internal::CollectRemoteSources(m, nm);
      if (dir == Direction::kRecvOnly) {
        internal::AnswerRids(m, codecs, config_.accept_simulcast, am, nm);
      }
    } else if (dir == Direction::kSendOnly) {
      // RFC 8830 §2 and RFC 5576 §4: announce the stream sfud sends, with its RTX partner.
      am.msids.push_back(Msid{track->stream_id, track->track_id});
      const bool rtx = std::any_of(codecs.begin(), codecs.end(),
                                   [](const NegotiatedCodec& c) { return c.rtx_pt.has_value(); });
      std::vector<uint32_t> ssrcs = {track->ssrc};
      if (rtx && track->rtx_ssrc) {
        ssrcs.push_back(*track->rtx_ssrc);
        am.ssrc_groups.push_back(SsrcGroup{"FID", ssrcs});
      }
      for (uint32_t ssrc : ssrcs) {
        am.ssrcs.push_back(SsrcAttribute{ssrc, "cname", track->cname});
        am.ssrcs.push_back(
            SsrcAttribute{ssrc, "msid", absl::StrCat(track->stream_id, " ", track->track_id)});
      }
      nm.local_track = *track;
      if (std::find(answer.msid_semantic_ids.begin(), answer.msid_semantic_ids.end(),
                    track->stream_id) == answer.msid_semantic_ids.end()) {
        answer.msid_semantic_ids.push_back(track->stream_id);
      }
    }
    nm.codecs = std::move(codecs);
    answer.media.push_back(std::move(am));
    negotiated.media.push_back(std::move(nm));
  }
  if (!accepted_any) {
    return absl::InvalidArgumentError("offer: no media section sfud can accept");
  }
  if (bundle != nullptr) answer.groups.push_back(Group{"BUNDLE", negotiated.bundle_mids});
  if (config_.role == Role::kViewer) answer.msid_semantic = "WMS";
  result.sdp = SdpWriter::Write(answer);
  return result;
}

}  // namespace sfu::sdp
