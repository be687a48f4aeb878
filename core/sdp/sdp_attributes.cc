#include "core/sdp/sdp_attributes.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sfu::sdp::internal {
namespace {

bool IsIceChar(char c) { return absl::ascii_isalnum(c) || c == '+' || c == '/'; }

bool IsIceToken(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    if (!IsIceChar(c)) return false;
  }
  return true;
}

// RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_").
bool IsRidId(std::string_view s, const SdpLimits& limits) {
  if (s.empty() || s.size() > limits.max_token_bytes) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool IsHexPairList(std::string_view s) {
  // RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX); lowercase tolerated.
  if (s.empty() || s.size() > 3 * 64) return false;
  size_t i = 0;
  while (true) {
    if (i + 2 > s.size() || !absl::ascii_isxdigit(s[i]) || !absl::ascii_isxdigit(s[i + 1])) {
      return false;
    }
    i += 2;
    if (i == s.size()) return true;
    if (s[i] != ':') return false;
    ++i;
  }
}

}  // namespace

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::string_view piece : Split(s, ' ')) {
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(Absl(a), Absl(b));
}

bool IsToken(std::string_view s, const SdpLimits& limits) {
  if (s.empty() || s.size() > limits.max_token_bytes) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t') return false;
  }
  return true;
}

bool ParsePayloadType(std::string_view s, uint8_t* pt) {
  // RFC 3551 §3: payload types are 7 bits.
  return ParseUint<uint8_t>(s, 127, pt);
}

// RFC 8866 §6.6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
bool ParseRtpMap(std::string_view v, const SdpLimits& limits, RtpMap* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.size() != 2 || !ParsePayloadType(parts[0], &out->pt)) return false;
  std::vector<std::string_view> enc = Split(parts[1], '/');
  if (enc.size() < 2 || enc.size() > 3 || !IsToken(enc[0], limits)) return false;
  out->encoding = std::string(enc[0]);
  if (!ParseUint<uint32_t>(enc[1], UINT32_MAX, &out->clock_rate) || out->clock_rate == 0) {
    return false;
  }
  out->channels = 0;
  if (enc.size() == 3 &&
      (!ParseUint<uint16_t>(enc[2], 255, &out->channels) || out->channels == 0)) {
    return false;
  }
  return true;
}

bool ParseFormatParameters(std::string_view v, const SdpLimits& limits,
                           std::vector<FormatParameter>* out) {
  for (std::string_view piece : Split(v, ';')) {
    piece = Trim(piece);
    if (piece.empty()) continue;
    if (out->size() >= 64 || piece.size() > limits.max_line_bytes) return false;
    FormatParameter p;
    size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      p.value = std::string(piece);
    } else {
      std::string_view key = Trim(piece.substr(0, eq));
      if (!IsToken(key, limits)) return false;
      p.key = std::string(key);
      p.value = std::string(Trim(piece.substr(eq + 1)));
    }
    out->push_back(std::move(p));
  }
  return true;
}

// RFC 8866 §6.15: a=fmtp:<format> <format specific parameters>
bool ParseFmtp(std::string_view v, const SdpLimits& limits, Fmtp* out) {
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos || !ParsePayloadType(v.substr(0, sp), &out->pt)) return false;
  std::string_view rest = Trim(v.substr(sp + 1));
  if (rest.empty()) return false;
  out->params.clear();
  return ParseFormatParameters(rest, limits, &out->params);
}

// RFC 4585 §4.2: a=rtcp-fb:<pt or *> <type> [<subtype and parameters>]
bool ParseRtcpFb(std::string_view v, const SdpLimits& limits, RtcpFb* out) {
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view pt = v.substr(0, sp);
  if (pt == "*") {
    out->pt.reset();
  } else {
    uint8_t value = 0;
    if (!ParsePayloadType(pt, &value)) return false;
    out->pt = value;
  }
  std::string_view rest = Trim(v.substr(sp + 1));
  size_t sp2 = rest.find(' ');
  std::string_view type = rest.substr(0, sp2);
  if (!IsToken(type, limits)) return false;
  out->type = std::string(type);
  out->subtype =
      sp2 == std::string_view::npos ? std::string() : std::string(Trim(rest.substr(sp2 + 1)));
  return true;
}

// RFC 8285 §8: a=extmap:<value>["/"<direction>] <URI> <extensionattributes>
bool ParseExtMap(std::string_view v, const SdpLimits& limits, ExtMap* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.size() < 2) return false;
  std::string_view id = parts[0];
  out->direction.reset();
  size_t slash = id.find('/');
  if (slash != std::string_view::npos) {
    out->direction = ParseDirection(id.substr(slash + 1));
    if (!out->direction) return false;
    id = id.substr(0, slash);
  }
  // One-byte ids are 1..14, two-byte 1..255 (RFC 8285 §4.2, §4.3).
  if (!ParseUint<uint16_t>(id, 255, &out->id) || out->id == 0) return false;
  if (!IsToken(parts[1], limits)) return false;
  out->uri = std::string(parts[1]);
  out->attributes.clear();
  for (size_t i = 2; i < parts.size(); ++i) {
    if (!out->attributes.empty()) out->attributes += ' ';
    out->attributes.append(parts[i]);
  }
  return true;
}

// RFC 5576 §4.1: a=ssrc:<ssrc-id> <attribute>[:<value>]
bool ParseSsrc(std::string_view v, const SdpLimits& limits, SsrcAttribute* out) {
  size_t sp = v.find(' ');
  if (sp == std::string_view::npos ||
      !ParseUint<uint32_t>(v.substr(0, sp), UINT32_MAX, &out->ssrc)) {
    return false;
  }
  std::string_view rest = v.substr(sp + 1);
  size_t colon = rest.find(':');
  std::string_view name = rest.substr(0, colon);
  if (!IsToken(name, limits)) return false;
  out->attribute = std::string(name);
  out->value =
      colon == std::string_view::npos ? std::string() : std::string(rest.substr(colon + 1));
  return out->value.size() <= limits.max_line_bytes;
}

// RFC 5576 §4.2: a=ssrc-group:<semantics> *(SP <ssrc-id>)
bool ParseSsrcGroup(std::string_view v, const SdpLimits& limits, SsrcGroup* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.empty() || !IsToken(parts[0], limits) || parts.size() > 65) return false;
  out->semantics = std::string(parts[0]);
  out->ssrcs.clear();
  for (size_t i = 1; i < parts.size(); ++i) {
    uint32_t ssrc = 0;
    if (!ParseUint<uint32_t>(parts[i], UINT32_MAX, &ssrc)) return false;
    out->ssrcs.push_back(ssrc);
  }
  return true;
}

// RFC 8851 §10: a=rid:<rid-id> SP <"send"/"recv"> [SP <rid-pt-param-list / rid-param-list>]
bool ParseRid(std::string_view v, const SdpLimits& limits, Rid* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.size() < 2 || parts.size() > 3 || !IsRidId(parts[0], limits)) return false;
  out->id = std::string(parts[0]);
  if (parts[1] == "send") {
    out->direction = RidDirection::kSend;
  } else if (parts[1] == "recv") {
    out->direction = RidDirection::kRecv;
  } else {
    return false;
  }
  out->pts.clear();
  out->params.clear();
  if (parts.size() < 3) return true;
  std::vector<FormatParameter> params;
  if (!ParseFormatParameters(parts[2], limits, &params)) return false;
  for (FormatParameter& p : params) {
    if (p.key == "pt") {
      for (std::string_view pt : Split(p.value, ',')) {
        uint8_t value = 0;
        if (!ParsePayloadType(pt, &value) || out->pts.size() >= 128) return false;
        out->pts.push_back(value);
      }
    } else {
      if (p.key.empty()) return false;
      out->params.push_back(std::move(p));
    }
  }
  return true;
}

namespace {

// sc-str-list = sc-alt-list *(";" sc-alt-list); sc-alt-list = sc-id *("," sc-id);
// sc-id = ["~"] rid-id (RFC 8853 §5.1).
bool ParseSimulcastList(std::string_view s, const SdpLimits& limits,
                        std::vector<std::vector<SimulcastRid>>* out) {
  if (s.empty()) return false;
  for (std::string_view alt_list : Split(s, ';')) {
    if (out->size() >= 16) return false;
    std::vector<SimulcastRid> alternatives;
    for (std::string_view id : Split(alt_list, ',')) {
      SimulcastRid rid;
      if (!id.empty() && id.front() == '~') {
        rid.paused = true;
        id.remove_prefix(1);
      }
      if (!IsRidId(id, limits) || alternatives.size() >= 16) return false;
      rid.rid = std::string(id);
      alternatives.push_back(std::move(rid));
    }
    out->push_back(std::move(alternatives));
  }
  return true;
}

}  // namespace

// RFC 8853 §5.1: a=simulcast:<send|recv> <list> [SP <recv|send> <list>]
bool ParseSimulcast(std::string_view v, const SdpLimits& limits, Simulcast* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.size() != 2 && parts.size() != 4) return false;
  out->send.clear();
  out->recv.clear();
  bool saw_send = false;
  bool saw_recv = false;
  for (size_t i = 0; i < parts.size(); i += 2) {
    if (parts[i] == "send" && !saw_send) {
      saw_send = true;
      if (!ParseSimulcastList(parts[i + 1], limits, &out->send)) return false;
    } else if (parts[i] == "recv" && !saw_recv) {
      saw_recv = true;
      if (!ParseSimulcastList(parts[i + 1], limits, &out->recv)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// RFC 8830 §2: a=msid:<stream id> [<track id>]
bool ParseMsid(std::string_view v, const SdpLimits& limits, Msid* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.empty() || parts.size() > 2 || !IsToken(parts[0], limits)) return false;
  out->stream_id = std::string(parts[0]);
  out->track_id.clear();
  if (parts.size() == 2) {
    if (!IsToken(parts[1], limits)) return false;
    out->track_id = std::string(parts[1]);
  }
  return true;
}

// RFC 8839 §5.1: a=candidate:<foundation> <component-id> <transport> <priority>
//   <connection-address> <port> typ <cand-type> [raddr <addr>] [rport <port>]
//   *(SP <extension-att-name> SP <extension-att-value>)
bool ParseCandidate(std::string_view v, const SdpLimits& limits, Candidate* out) {
  std::vector<std::string_view> p = SplitSpaces(v);
  if (p.size() < 8 || p.size() % 2 != 0 || p.size() > 64) return false;
  // foundation = 1*32 ice-char
  if (!IsIceToken(p[0], 1, 32)) return false;
  out->foundation = std::string(p[0]);
  // component-id = 1*3DIGIT (RFC 8839 §5.1 allows 1..256).
  if (!ParseUint<uint16_t>(p[1], 256, &out->component) || out->component == 0) return false;
  if (!IsToken(p[2], limits)) return false;
  out->transport = std::string(p[2]);
  if (!ParseUint<uint32_t>(p[3], UINT32_MAX, &out->priority)) return false;
  if (!IsToken(p[4], limits)) return false;
  out->address = std::string(p[4]);
  if (!ParseUint<uint16_t>(p[5], UINT16_MAX, &out->port)) return false;
  if (p[6] != "typ" || !IsToken(p[7], limits)) return false;
  out->type = std::string(p[7]);
  out->related_address.clear();
  out->related_port.reset();
  out->extensions.clear();
  for (size_t i = 8; i + 1 < p.size(); i += 2) {
    if (!IsToken(p[i], limits) || !IsToken(p[i + 1], limits)) return false;
    if (p[i] == "raddr") {
      out->related_address = std::string(p[i + 1]);
    } else if (p[i] == "rport") {
      uint16_t port = 0;
      if (!ParseUint<uint16_t>(p[i + 1], UINT16_MAX, &port)) return false;
      out->related_port = port;
    } else {
      out->extensions.emplace_back(std::string(p[i]), std::string(p[i + 1]));
    }
  }
  return true;
}

// RFC 8122 §5: a=fingerprint:<hash-func> SP <fingerprint>
bool ParseFingerprint(std::string_view v, Fingerprint* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 16) return false;
  for (char c : parts[0]) {
    if (!absl::ascii_isalnum(c) && c != '-') return false;
  }
  if (!IsHexPairList(parts[1])) return false;
  out->hash_function = absl::AsciiStrToLower(Absl(parts[0]));
  out->value = std::string(parts[1]);
  return true;
}

// RFC 5888 §5: a=group:<semantics> *(SP <identification-tag>)
bool ParseGroup(std::string_view v, const SdpLimits& limits, Group* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.empty() || !IsToken(parts[0], limits) || parts.size() > limits.max_media_sections + 1) {
    return false;
  }
  out->semantics = std::string(parts[0]);
  out->mids.clear();
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!IsToken(parts[i], limits)) return false;
    out->mids.emplace_back(parts[i]);
  }
  return true;
}

bool ParseIceUfrag(std::string_view v, std::string* out) {
  if (!IsIceToken(v, 4, 256)) return false;
  *out = std::string(v);
  return true;
}

bool ParseIcePwd(std::string_view v, std::string* out) {
  if (!IsIceToken(v, 22, 256)) return false;
  *out = std::string(v);
  return true;
}

bool ParseIceOptions(std::string_view v, const SdpLimits& limits, std::vector<std::string>* out) {
  std::vector<std::string_view> parts = SplitSpaces(v);
  if (parts.empty() || parts.size() > 16) return false;
  out->clear();
  for (std::string_view p : parts) {
    if (!IsToken(p, limits)) return false;
    out->emplace_back(p);
  }
  return true;
}

}  // namespace sfu::sdp::internal
