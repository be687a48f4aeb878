#include "core/sdp/sdp_writer.h"

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/sdp/sdp_attributes.h"

namespace sfu::sdp {
namespace {

void Line(std::string& out, std::string_view a, std::string_view b = {}, std::string_view c = {},
          std::string_view d = {}) {
  out.append(a).append(b).append(c).append(d).append("\r\n");
}

std::string JoinParams(const std::vector<FormatParameter>& params) {
  return absl::StrJoin(params, ";", [](std::string* out, const FormatParameter& p) {
    if (p.key.empty()) {
      out->append(p.value);
    } else {
      absl::StrAppend(out, p.key, "=", p.value);
    }
  });
}

std::string JoinSimulcast(const std::vector<std::vector<SimulcastRid>>& streams) {
  return absl::StrJoin(streams, ";", [](std::string* out, const std::vector<SimulcastRid>& alts) {
    absl::StrAppend(out, absl::StrJoin(alts, ",", [](std::string* o, const SimulcastRid& r) {
                      absl::StrAppend(o, r.paused ? "~" : "", r.rid);
                    }));
  });
}

void WriteExtMap(std::string& out, const ExtMap& e) {
  absl::StrAppend(&out, "a=extmap:", e.id);
  if (e.direction) out.append("/").append(DirectionName(*e.direction));
  absl::StrAppend(&out, " ", e.uri);
  if (!e.attributes.empty()) absl::StrAppend(&out, " ", e.attributes);
  out.append("\r\n");
}

void WriteOther(std::string& out, const std::vector<Attribute>& attrs) {
  for (const Attribute& a : attrs) {
    if (a.has_value) {
      Line(out, "a=", a.name, ":", a.value);
    } else {
      Line(out, "a=", a.name);
    }
  }
}

void WriteTransport(std::string& out, std::string_view ufrag, std::string_view pwd,
                    const std::vector<std::string>& ice_options,
                    const std::vector<Fingerprint>& fingerprints, std::optional<Setup> setup) {
  if (!ufrag.empty()) Line(out, "a=ice-ufrag:", ufrag);
  if (!pwd.empty()) Line(out, "a=ice-pwd:", pwd);
  if (!ice_options.empty()) Line(out, "a=ice-options:", absl::StrJoin(ice_options, " "));
  for (const Fingerprint& f : fingerprints)
    Line(out, "a=fingerprint:", f.hash_function, " ", f.value);
  if (setup) Line(out, "a=setup:", SetupName(*setup));
}

void WriteCandidate(std::string& out, const Candidate& c) {
  absl::StrAppend(&out, "a=candidate:", c.foundation, " ", c.component, " ", c.transport, " ",
                  c.priority, " ", c.address, " ", c.port, " typ ", c.type);
  if (!c.related_address.empty()) absl::StrAppend(&out, " raddr ", c.related_address);
  if (c.related_port) absl::StrAppend(&out, " rport ", *c.related_port);
  for (const auto& [key, value] : c.extensions) absl::StrAppend(&out, " ", key, " ", value);
  out.append("\r\n");
}

void WriteMedia(std::string& out, const MediaSection& m) {
  absl::StrAppend(&out, "m=", m.media, " ", m.port);
  if (m.port_count) absl::StrAppend(&out, "/", *m.port_count);
  absl::StrAppend(&out, " ", m.proto, " ", absl::StrJoin(m.formats, " "), "\r\n");
  if (m.connection) {
    Line(out, "c=", absl::StrCat(m.connection->net_type, " ", m.connection->addr_type, " "),
         m.connection->address);
  }
  WriteTransport(out, m.ice_ufrag, m.ice_pwd, m.ice_options, m.fingerprints, m.setup);
  if (!m.mid.empty()) Line(out, "a=mid:", m.mid);
  if (m.bundle_only) Line(out, "a=bundle-only");
  if (m.extmap_allow_mixed) Line(out, "a=extmap-allow-mixed");
  for (const ExtMap& e : m.extmaps) WriteExtMap(out, e);
  if (m.direction) Line(out, "a=", DirectionName(*m.direction));
  for (const Msid& id : m.msids) {
    Line(out, "a=msid:", id.stream_id, id.track_id.empty() ? "" : " ", id.track_id);
  }
  if (m.rtcp_mux) Line(out, "a=rtcp-mux");
  if (m.rtcp_mux_only) Line(out, "a=rtcp-mux-only");
  if (m.rtcp_rsize) Line(out, "a=rtcp-rsize");
  for (const RtpMap& r : m.rtpmaps) {
    absl::StrAppend(&out, "a=rtpmap:", r.pt, " ", r.encoding, "/", r.clock_rate);
    if (r.channels != 0) absl::StrAppend(&out, "/", r.channels);
    out.append("\r\n");
    for (const RtcpFb& fb : m.rtcp_fbs) {
      if (fb.pt != r.pt) continue;
      Line(out, absl::StrCat("a=rtcp-fb:", r.pt, " "), fb.type, fb.subtype.empty() ? "" : " ",
           fb.subtype);
    }
    if (const Fmtp* f = m.FindFmtp(r.pt); f != nullptr && !f->params.empty()) {
      Line(out, absl::StrCat("a=fmtp:", r.pt, " "), JoinParams(f->params));
    }
  }
  // Feedback and fmtp lines for payload types without an rtpmap, and the "*" wildcard.
  for (const RtcpFb& fb : m.rtcp_fbs) {
    if (fb.pt && m.FindRtpMap(*fb.pt) != nullptr) continue;
    Line(out, absl::StrCat("a=rtcp-fb:", fb.pt ? absl::StrCat(*fb.pt) : "*", " "), fb.type,
         fb.subtype.empty() ? "" : " ", fb.subtype);
  }
  for (const Fmtp& f : m.fmtps) {
    if (m.FindRtpMap(f.pt) != nullptr || f.params.empty()) continue;
    Line(out, absl::StrCat("a=fmtp:", f.pt, " "), JoinParams(f.params));
  }
  if (m.sctp_port) Line(out, "a=sctp-port:", absl::StrCat(*m.sctp_port));
  if (m.max_message_size) Line(out, "a=max-message-size:", absl::StrCat(*m.max_message_size));
  if (!m.sctpmap.empty()) Line(out, "a=sctpmap:", m.sctpmap);
  for (const Rid& r : m.rids) {
    absl::StrAppend(&out, "a=rid:", r.id, r.direction == RidDirection::kSend ? " send" : " recv");
    std::vector<FormatParameter> params;
    if (!r.pts.empty()) params.push_back({"pt", absl::StrJoin(r.pts, ",")});
    params.insert(params.end(), r.params.begin(), r.params.end());
    if (!params.empty()) absl::StrAppend(&out, " ", JoinParams(params));
    out.append("\r\n");
  }
  if (m.simulcast) {
    std::vector<std::string> parts;
    if (!m.simulcast->send.empty()) parts.push_back("send " + JoinSimulcast(m.simulcast->send));
    if (!m.simulcast->recv.empty()) parts.push_back("recv " + JoinSimulcast(m.simulcast->recv));
    if (!parts.empty()) Line(out, "a=simulcast:", absl::StrJoin(parts, " "));
  }
  for (const SsrcGroup& g : m.ssrc_groups) {
    Line(out, "a=ssrc-group:", g.semantics, g.ssrcs.empty() ? "" : " ",
         absl::StrJoin(g.ssrcs, " "));
  }
  for (const SsrcAttribute& s : m.ssrcs) {
    Line(out, absl::StrCat("a=ssrc:", s.ssrc, " "), s.attribute, s.value.empty() ? "" : ":",
         s.value);
  }
  for (const Candidate& c : m.candidates) WriteCandidate(out, c);
  if (m.end_of_candidates) Line(out, "a=end-of-candidates");
  WriteOther(out, m.other_attributes);
}

}  // namespace

std::string SdpWriter::Write(const SessionDescription& sd) {
  std::string out;
  out.reserve(1024 + 1024 * sd.media.size());
  Line(out, "v=0");
  const Origin& o = sd.origin;
  Line(out, "o=",
       absl::StrCat(o.username, " ", o.session_id, " ", o.session_version, " ", o.net_type, " "),
       absl::StrCat(o.addr_type, " ", o.address));
  Line(out, "s=", sd.session_name.empty() ? "-" : sd.session_name);
  if (sd.connection) {
    Line(out, "c=", absl::StrCat(sd.connection->net_type, " ", sd.connection->addr_type, " "),
         sd.connection->address);
  }
  Line(out, "t=", absl::StrCat(sd.start_time, " ", sd.stop_time));
  if (sd.ice_lite) Line(out, "a=ice-lite");
  for (const Group& g : sd.groups) {
    Line(out, "a=group:", g.semantics, g.mids.empty() ? "" : " ", absl::StrJoin(g.mids, " "));
  }
  if (sd.extmap_allow_mixed) Line(out, "a=extmap-allow-mixed");
  if (!sd.msid_semantic.empty()) {
    Line(out, "a=msid-semantic: ", sd.msid_semantic, sd.msid_semantic_ids.empty() ? "" : " ",
         absl::StrJoin(sd.msid_semantic_ids, " "));
  }
  WriteTransport(out, sd.ice_ufrag, sd.ice_pwd, sd.ice_options, sd.fingerprints, sd.setup);
  if (sd.direction) Line(out, "a=", DirectionName(*sd.direction));
  for (const ExtMap& e : sd.extmaps) WriteExtMap(out, e);
  WriteOther(out, sd.other_attributes);
  for (const MediaSection& m : sd.media) WriteMedia(out, m);
  return out;
}

}  // namespace sfu::sdp
