#include "bench/loadgen/signaling_sdp.h"

#include "absl/strings/str_cat.h"
#include "core/sdp/sdp_parser.h"
#include "crypto/certificate.h"

namespace sfu::loadgen {
namespace {

void AppendSection(std::string& sdp, const OfferSpec& spec, bool audio, const char* mid) {
  const std::string ip = spec.candidate.ip.ToString();
  const char* ip_type = spec.candidate.ip.is_v6() ? "IP6" : "IP4";
  absl::StrAppend(&sdp, "m=", audio ? "audio" : "video", " ", spec.candidate.port,
                  " UDP/TLS/RTP/SAVPF ", audio ? "111" : "96", "\r\n");
  absl::StrAppend(&sdp, "c=IN ", ip_type, " ", ip, "\r\n");
  absl::StrAppend(&sdp, "a=rtcp:9 IN IP4 0.0.0.0\r\n");
  // RFC 8839 §5.1 host candidate; RFC 8445 §5.1.2.1 priority for type preference 126.
  absl::StrAppend(&sdp, "a=candidate:1 1 udp 2122260223 ", ip, " ", spec.candidate.port,
                  " typ host generation 0\r\n");
  absl::StrAppend(&sdp, "a=ice-ufrag:", spec.ice_ufrag, "\r\n");
  absl::StrAppend(&sdp, "a=ice-pwd:", spec.ice_pwd, "\r\n");
  absl::StrAppend(&sdp, "a=ice-options:trickle\r\n");
  absl::StrAppend(&sdp, "a=fingerprint:", spec.fingerprint, "\r\n");
  absl::StrAppend(&sdp, "a=setup:actpass\r\n");
  absl::StrAppend(&sdp, "a=mid:", mid, "\r\n");
  absl::StrAppend(&sdp, spec.publisher ? "a=sendonly\r\n" : "a=recvonly\r\n");
  if (spec.publisher) {
    absl::StrAppend(&sdp, "a=msid:", spec.stream_id, " ", spec.stream_id, audio ? "-a" : "-v",
                    "\r\n");
  }
  absl::StrAppend(&sdp, "a=rtcp-mux\r\n");
  absl::StrAppend(&sdp, "a=rtcp-rsize\r\n");
  if (audio) {
    absl::StrAppend(&sdp, "a=rtpmap:111 opus/48000/2\r\n");
    absl::StrAppend(&sdp, "a=fmtp:111 minptime=10;useinbandfec=1\r\n");
  } else {
    // NACK and PLI/FIR feedback (RFC 4585 §4.2, RFC 5104 §7.1), no RTX: retransmissions reuse
    // the media SSRC, which keeps a subscriber's accounting to one sequence space.
    absl::StrAppend(&sdp, "a=rtpmap:96 VP8/90000\r\n");
    absl::StrAppend(&sdp, "a=rtcp-fb:96 ccm fir\r\n");
    absl::StrAppend(&sdp, "a=rtcp-fb:96 nack\r\n");
    absl::StrAppend(&sdp, "a=rtcp-fb:96 nack pli\r\n");
  }
  if (spec.publisher) {
    const uint32_t ssrc = audio ? spec.audio_ssrc : spec.video_ssrc;
    absl::StrAppend(&sdp, "a=ssrc:", ssrc, " cname:", spec.cname, "\r\n");
    absl::StrAppend(&sdp, "a=ssrc:", ssrc, " msid:", spec.stream_id, " ", spec.stream_id,
                    audio ? "-a" : "-v", "\r\n");
  }
}

}  // namespace

std::string BuildOffer(const OfferSpec& spec) {
  std::string sdp;
  absl::StrAppend(&sdp, "v=0\r\n");
  absl::StrAppend(&sdp, "o=- ", spec.session_id, " 2 IN IP4 127.0.0.1\r\n");
  absl::StrAppend(&sdp, "s=-\r\n");
  absl::StrAppend(&sdp, "t=0 0\r\n");
  std::string bundle = "a=group:BUNDLE";
  if (spec.audio) absl::StrAppend(&bundle, " 0");
  if (spec.video) absl::StrAppend(&bundle, spec.audio ? " 1" : " 0");
  absl::StrAppend(&sdp, bundle, "\r\n");
  absl::StrAppend(&sdp, "a=extmap-allow-mixed\r\n");
  absl::StrAppend(&sdp, "a=msid-semantic: WMS", spec.publisher ? " " + spec.stream_id : "", "\r\n");
  if (spec.audio) AppendSection(sdp, spec, true, "0");
  if (spec.video) AppendSection(sdp, spec, false, spec.audio ? "1" : "0");
  return sdp;
}

absl::StatusOr<AnswerInfo> ParseAnswer(std::string_view text) {
  absl::StatusOr<sdp::SessionDescription> parsed = sdp::SdpParser().Parse(text);
  if (!parsed.ok()) return parsed.status();
  const sdp::SessionDescription& answer = *parsed;
  AnswerInfo info;
  bool have_candidate = false;
  for (const sdp::MediaSection& m : answer.media) {
    const bool accepted = !m.IsRejected() && !m.payload_types.empty();
    if (!accepted) continue;
    if (info.ice_ufrag.empty()) {
      info.ice_ufrag = std::string(answer.IceUfrag(m));
      info.ice_pwd = std::string(answer.IcePwd(m));
      for (const sdp::Fingerprint& f : answer.Fingerprints(m)) {
        if (f.hash_function != "sha-256") continue;
        absl::StatusOr<std::array<uint8_t, 32>> fp =
            crypto::ParseSdpFingerprint(absl::StrCat(f.hash_function, " ", f.value));
        if (!fp.ok()) return fp.status();
        info.fingerprint = *fp;
      }
    }
    for (const sdp::Candidate& c : m.candidates) {
      if (have_candidate || (c.transport != "udp" && c.transport != "UDP")) continue;
      std::optional<IpAddress> ip = IpAddress::Parse(c.address);
      if (!ip.has_value()) continue;
      info.candidate = SocketAddress{*ip, c.port};
      have_candidate = true;
    }
    uint32_t ssrc = m.ssrcs.empty() ? 0 : m.ssrcs.front().ssrc;
    // With an FID group (RFC 5576 §4.2, RTX) the first SSRC of the group is the media one.
    for (const sdp::SsrcGroup& g : m.ssrc_groups) {
      if (g.semantics == "FID" && !g.ssrcs.empty()) ssrc = g.ssrcs.front();
    }
    if (m.kind == sdp::MediaKind::kAudio && !info.audio_accepted) {
      info.audio_accepted = true;
      info.audio_pt = m.payload_types.front();
      info.audio_ssrc = ssrc;
    } else if (m.kind == sdp::MediaKind::kVideo && !info.video_accepted) {
      info.video_accepted = true;
      info.video_pt = m.payload_types.front();
      info.video_ssrc = ssrc;
    }
  }
  if (info.ice_ufrag.empty() || info.ice_pwd.empty()) {
    return absl::InvalidArgumentError("answer has no accepted section with ICE credentials");
  }
  if (info.fingerprint == std::array<uint8_t, 32>{}) {
    return absl::InvalidArgumentError("answer has no sha-256 fingerprint");
  }
  if (!have_candidate) return absl::InvalidArgumentError("answer has no UDP candidate");
  return info;
}

}  // namespace sfu::loadgen
