#include "core/sdp/answer_media.h"

#include <algorithm>
#include <string>

#include "core/sdp/codec_match.h"
#include "core/sdp/sdp_attributes.h"

namespace sfu::sdp::internal {
namespace {

bool Contains(const std::vector<uint8_t>& v, uint8_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool FeedbackSupported(const AnswerConfig& config, const RtcpFb& fb) {
  for (const LocalRtcpFb& local : config.rtcp_feedback) {
    if (local.type == fb.type && local.subtype == fb.subtype) return true;
  }
  return false;
}

std::vector<RtcpFb> SelectFeedback(const MediaSection& offered, uint8_t pt,
                                   const AnswerConfig& config) {
  std::vector<RtcpFb> out;
  for (const RtcpFb& fb : offered.rtcp_fbs) {
    if (fb.pt && *fb.pt != pt) continue;  // RFC 4585 §4.2: "*" applies to every payload type
    if (!FeedbackSupported(config, fb)) continue;
    bool dup = std::any_of(out.begin(), out.end(), [&](const RtcpFb& o) {
      return o.type == fb.type && o.subtype == fb.subtype;
    });
    if (!dup) out.push_back(RtcpFb{pt, fb.type, fb.subtype});
  }
  return out;
}

// RFC 4588 §8.6: the rtx payload type whose apt= names `pt`, at the same clock rate.
std::optional<uint8_t> FindRtx(const MediaSection& offered, const RtpMap& primary,
                               const std::vector<uint8_t>& taken) {
  for (uint8_t pt : offered.payload_types) {
    const RtpMap* map = offered.FindRtpMap(pt);
    if (map == nullptr || !EqualsIgnoreCase(map->encoding, "rtx") ||
        map->clock_rate != primary.clock_rate || Contains(taken, pt)) {
      continue;
    }
    const Fmtp* fmtp = offered.FindFmtp(pt);
    uint8_t apt = 0;
    if (fmtp == nullptr || !ParsePayloadType(fmtp->Get("apt").value_or(""), &apt)) continue;
    if (apt == primary.pt) return pt;
  }
  return std::nullopt;
}

}  // namespace

std::vector<NegotiatedCodec> SelectCodecs(const MediaSection& offered, const AnswerConfig& config) {
  std::vector<NegotiatedCodec> out;
  std::vector<uint8_t> taken;
  for (const LocalCodec& local : config.codecs) {
    if (local.kind != offered.kind) continue;
    for (uint8_t pt : offered.payload_types) {
      const RtpMap* map = offered.FindRtpMap(pt);
      if (map == nullptr || Contains(taken, pt)) continue;
      const Fmtp* fmtp = offered.FindFmtp(pt);
      if (!CodecMatches(local, *map, fmtp)) continue;
      NegotiatedCodec codec;
      codec.pt = pt;
      codec.name = map->encoding;
      codec.clock_rate = map->clock_rate;
      codec.channels = map->channels;
      // The offerer's parameters describe what it sends and can receive; echoing them accepts
      // exactly that stream (sfud forwards, it never transcodes).
      if (fmtp != nullptr) codec.fmtp = fmtp->params;
      codec.rtcp_feedback = SelectFeedback(offered, pt, config);
      taken.push_back(pt);
      if (local.rtx) {
        codec.rtx_pt = FindRtx(offered, *map, taken);
        if (codec.rtx_pt) taken.push_back(*codec.rtx_pt);
      }
      out.push_back(std::move(codec));
      break;  // one payload type per local codec keeps the data plane's tables small
    }
  }
  return out;
}

std::vector<ExtMap> SelectExtensions(const SessionDescription& offer, const MediaSection& offered,
                                     const AnswerConfig& config) {
  std::vector<ExtMap> out;
  auto consider = [&](const ExtMap& e) {
    bool supported = std::any_of(
        config.header_extensions.begin(), config.header_extensions.end(),
        [&](const LocalHeaderExtension& h) { return h.kind == offered.kind && h.uri == e.uri; });
    if (!supported) return;
    // One id per URI and one URI per id (RFC 8285 §5).
    for (const ExtMap& o : out) {
      if (o.id == e.id || o.uri == e.uri) return;
    }
    ExtMap answer;
    answer.id = e.id;
    answer.uri = e.uri;
    // RFC 8285 §8: the answer's direction is the mirror of the offer's.
    if (e.direction) answer.direction = Reversed(*e.direction);
    out.push_back(std::move(answer));
  };
  for (const ExtMap& e : offered.extmaps) consider(e);
  for (const ExtMap& e : offer.extmaps) consider(e);
  return out;
}

void AddCodecs(const std::vector<NegotiatedCodec>& codecs, MediaSection& answer) {
  for (const NegotiatedCodec& c : codecs) {
    answer.payload_types.push_back(c.pt);
    answer.rtpmaps.push_back(RtpMap{c.pt, c.name, c.clock_rate, c.channels});
    if (!c.fmtp.empty()) answer.fmtps.push_back(Fmtp{c.pt, c.fmtp});
    answer.rtcp_fbs.insert(answer.rtcp_fbs.end(), c.rtcp_feedback.begin(), c.rtcp_feedback.end());
  }
  for (const NegotiatedCodec& c : codecs) {
    if (!c.rtx_pt) continue;
    answer.payload_types.push_back(*c.rtx_pt);
    answer.rtpmaps.push_back(RtpMap{*c.rtx_pt, "rtx", c.clock_rate, 0});
    answer.fmtps.push_back(Fmtp{*c.rtx_pt, {{"apt", std::to_string(c.pt)}}});
  }
  for (uint8_t pt : answer.payload_types) answer.formats.push_back(std::to_string(pt));
}

void AnswerRids(const MediaSection& offered, const std::vector<NegotiatedCodec>& codecs,
                bool accept_simulcast, MediaSection& answer, NegotiatedMedia& negotiated) {
  std::vector<uint8_t> accepted_pts;
  for (const NegotiatedCodec& c : codecs) accepted_pts.push_back(c.pt);
  // rid id -> answer Rid, for the offered send rids we can receive.
  std::vector<Rid> usable;
  for (const Rid& r : offered.rids) {
    if (r.direction != RidDirection::kSend) continue;
    if (std::any_of(usable.begin(), usable.end(), [&](const Rid& u) { return u.id == r.id; })) {
      continue;
    }
    Rid answer_rid;
    answer_rid.id = r.id;
    answer_rid.direction = RidDirection::kRecv;
    answer_rid.params = r.params;
    for (uint8_t pt : r.pts) {
      if (Contains(accepted_pts, pt)) answer_rid.pts.push_back(pt);
    }
    // RFC 8851 §6: a rid restricted to payload types we all rejected cannot be received.
    if (!r.pts.empty() && answer_rid.pts.empty()) continue;
    usable.push_back(std::move(answer_rid));
  }
  auto is_usable = [&](std::string_view id) {
    return std::any_of(usable.begin(), usable.end(), [&](const Rid& u) { return u.id == id; });
  };
  std::vector<std::string_view> used;
  if (offered.simulcast && !offered.simulcast->send.empty() && accept_simulcast) {
    Simulcast sc;
    for (const std::vector<SimulcastRid>& alts : offered.simulcast->send) {
      std::vector<SimulcastRid> kept;
      for (const SimulcastRid& id : alts) {
        if (!is_usable(id.rid)) continue;
        kept.push_back(id);
        negotiated.remote_rids.push_back(id);
        used.push_back(id.rid);
      }
      if (!kept.empty()) sc.recv.push_back(std::move(kept));
    }
    if (!sc.recv.empty()) answer.simulcast = std::move(sc);
  } else if (!offered.simulcast && usable.size() == 1) {
    // A single rid without simulcast still names the stream (RFC 8851 §4).
    negotiated.remote_rids.push_back(SimulcastRid{usable[0].id, false});
    used.push_back(usable[0].id);
  }
  for (Rid& r : usable) {
    if (std::find(used.begin(), used.end(), r.id) != used.end())
      answer.rids.push_back(std::move(r));
  }
}

void CollectRemoteSources(const MediaSection& offered, NegotiatedMedia& negotiated) {
  std::vector<uint32_t> rtx_ssrcs;
  for (const SsrcGroup& g : offered.ssrc_groups) {
    negotiated.remote_ssrc_groups.push_back(g);
    if (g.semantics == "FID" && g.ssrcs.size() == 2) rtx_ssrcs.push_back(g.ssrcs[1]);
  }
  for (const SsrcAttribute& a : offered.ssrcs) {
    if (std::find(rtx_ssrcs.begin(), rtx_ssrcs.end(), a.ssrc) != rtx_ssrcs.end()) continue;
    auto it = std::find_if(negotiated.remote_sources.begin(), negotiated.remote_sources.end(),
                           [&](const RemoteSource& s) { return s.ssrc == a.ssrc; });
    if (it == negotiated.remote_sources.end()) {
      RemoteSource source;
      source.ssrc = a.ssrc;
      for (const SsrcGroup& g : offered.ssrc_groups) {
        if (g.semantics == "FID" && g.ssrcs.size() == 2 && g.ssrcs[0] == a.ssrc) {
          source.rtx_ssrc = g.ssrcs[1];
        }
      }
      negotiated.remote_sources.push_back(std::move(source));
      it = negotiated.remote_sources.end() - 1;
    }
    if (a.attribute == "cname") it->cname = a.value;
    if (a.attribute == "msid") it->msid = a.value;
  }
  if (!offered.msids.empty()) negotiated.remote_msid = offered.msids.front();
}

}  // namespace sfu::sdp::internal
