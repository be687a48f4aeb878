#include "core/sdp/sdp_parser.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/sdp/sdp_attributes.h"

namespace sfu::sdp {
namespace {

using internal::IsToken;
using internal::ParseUint;
using internal::SplitSpaces;

constexpr size_t kQuotedLineBytes = 40;

// One line with its 1-based number, for error messages.
struct Line {
  size_t number = 0;
  std::string_view text;
};

absl::Status LineError(const Line& line, std::string_view what) {
  std::string_view start = line.text.substr(0, kQuotedLineBytes);
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line.number, ": ", internal::Absl(what), " \"",
                   absl::CHexEscape(internal::Absl(start)),
                   line.text.size() > kQuotedLineBytes ? "...\"" : "\""));
}

// Builds a SessionDescription line by line. One instance per Parse call.
class DocumentParser {
 public:
  explicit DocumentParser(const SdpLimits& limits) : limits_(limits) {}

  absl::StatusOr<SessionDescription> Run(std::string_view text);

 private:
  absl::Status HandleLine(const Line& line);
  absl::Status HandleSessionLine(const Line& line, char type, std::string_view value);
  absl::Status HandleMediaLine(const Line& line);
  absl::Status HandleAttribute(const Line& line, std::string_view name, std::string_view value,
                               bool has_value);
  absl::Status HandleMediaAttribute(const Line& line, MediaSection& m, std::string_view name,
                                    std::string_view value, bool has_value);
  absl::Status CheckRequired(const Line& line) const;

  const SdpLimits& limits_;
  SessionDescription sd_;
  bool saw_version_ = false;
  bool saw_origin_ = false;
  bool saw_name_ = false;
  bool saw_time_ = false;
  size_t attributes_in_block_ = 0;
};

absl::StatusOr<SessionDescription> DocumentParser::Run(std::string_view text) {
  if (text.size() > limits_.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("SDP too large: ", text.size(), " bytes, limit ", limits_.max_bytes));
  }
  size_t number = 0;
  Line last;
  std::string_view rest = text;
  bool done = false;
  while (!done) {
    size_t newline = rest.find('\n');
    std::string_view raw = rest.substr(0, newline);
    if (newline == std::string_view::npos) {
      done = true;
    } else {
      rest.remove_prefix(newline + 1);
    }
    ++number;
    Line line{number, raw};
    if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
    if (number > limits_.max_lines) return LineError(line, "too many lines");
    // A final newline leaves one empty piece; blank lines elsewhere are tolerated too.
    if (line.text.empty()) continue;
    SFU_RETURN_IF_ERROR(HandleLine(line));
    last = line;
  }
  if (!saw_version_) return absl::InvalidArgumentError("line 1: empty SDP, expected v=0");
  SFU_RETURN_IF_ERROR(CheckRequired(last));
  return std::move(sd_);
}

absl::Status DocumentParser::CheckRequired(const Line& line) const {
  // RFC 8866 §5: v=, o=, s= and t= are required and precede the first m=.
  if (!saw_origin_) return LineError(line, "missing o= line before");
  if (!saw_name_) return LineError(line, "missing s= line before");
  if (!saw_time_) return LineError(line, "missing t= line before");
  return absl::OkStatus();
}

absl::Status DocumentParser::HandleLine(const Line& line) {
  if (line.text.size() > limits_.max_line_bytes) return LineError(line, "line too long");
  for (char c : line.text) {
    // RFC 8866 §5: text fields never hold NUL, CR or LF; other controls only in odd encodings.
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      return LineError(line, "control character in");
    }
  }
  if (line.text.size() < 2 || line.text[1] != '=' || line.text[0] < 'a' || line.text[0] > 'z') {
    return LineError(line, "expected <type>=<value> in");
  }
  const char type = line.text[0];
  const std::string_view value = line.text.substr(2);
  if (!saw_version_) {
    if (type != 'v' || value != "0") return LineError(line, "expected v=0 first, got");
    saw_version_ = true;
    return absl::OkStatus();
  }
  if (type == 'm') return HandleMediaLine(line);
  if (sd_.media.empty()) return HandleSessionLine(line, type, value);

  MediaSection& m = sd_.media.back();
  switch (type) {
    case 'c': {
      std::vector<std::string_view> p = SplitSpaces(value);
      if (p.size() != 3 || !IsToken(p[0], limits_) || !IsToken(p[1], limits_) ||
          !IsToken(p[2], limits_) || m.connection) {
        return LineError(line, "bad c=");
      }
      m.connection = Connection{std::string(p[0]), std::string(p[1]), std::string(p[2])};
      return absl::OkStatus();
    }
    case 'a': {
      if (++attributes_in_block_ > limits_.max_attributes_per_section) {
        return LineError(line, "too many attributes in media section at");
      }
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::string_view v =
          colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
      if (name.empty()) return LineError(line, "empty attribute name");
      return HandleMediaAttribute(line, m, name, v, colon != std::string_view::npos);
    }
    case 'i':
    case 'b':
    case 'k':
      return absl::OkStatus();  // media title, bandwidth, key: not used by sfud
    default:
      return LineError(line, "session-level line inside media section");
  }
}

absl::Status DocumentParser::HandleSessionLine(const Line& line, char type,
                                               std::string_view value) {
  switch (type) {
    case 'v':
      return LineError(line, "duplicate v=");
    case 'o': {
      // RFC 8866 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
      std::vector<std::string_view> p = SplitSpaces(value);
      if (saw_origin_ || p.size() != 6) return LineError(line, "bad o=");
      for (std::string_view token : p) {
        if (!IsToken(token, limits_)) return LineError(line, "bad o=");
      }
      uint64_t ignored = 0;
      if (!ParseUint<uint64_t>(p[1], UINT64_MAX, &ignored) ||
          !ParseUint<uint64_t>(p[2], UINT64_MAX, &ignored)) {
        return LineError(line, "bad o= session id or version");
      }
      sd_.origin = Origin{std::string(p[0]), std::string(p[1]), std::string(p[2]),
                          std::string(p[3]), std::string(p[4]), std::string(p[5])};
      saw_origin_ = true;
      return absl::OkStatus();
    }
    case 's':
      if (saw_name_ || value.size() > limits_.max_token_bytes) return LineError(line, "bad s=");
      sd_.session_name = std::string(value);
      saw_name_ = true;
      return absl::OkStatus();
    case 't': {
      std::vector<std::string_view> p = SplitSpaces(value);
      if (p.size() != 2 || !ParseUint<uint64_t>(p[0], UINT64_MAX, &sd_.start_time) ||
          !ParseUint<uint64_t>(p[1], UINT64_MAX, &sd_.stop_time)) {
        return LineError(line, "bad t=");
      }
      saw_time_ = true;
      return absl::OkStatus();
    }
    case 'c': {
      std::vector<std::string_view> p = SplitSpaces(value);
      if (p.size() != 3 || !IsToken(p[0], limits_) || !IsToken(p[1], limits_) ||
          !IsToken(p[2], limits_) || sd_.connection) {
        return LineError(line, "bad c=");
      }
      sd_.connection = Connection{std::string(p[0]), std::string(p[1]), std::string(p[2])};
      return absl::OkStatus();
    }
    case 'a': {
      if (++attributes_in_block_ > limits_.max_attributes_per_section) {
        return LineError(line, "too many session attributes at");
      }
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::string_view v =
          colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
      if (name.empty()) return LineError(line, "empty attribute name");
      return HandleAttribute(line, name, v, colon != std::string_view::npos);
    }
    case 'i':
    case 'u':
    case 'e':
    case 'p':
    case 'b':
    case 'r':
    case 'z':
    case 'k':
      return absl::OkStatus();  // informational / timing lines sfud does not use
    default:
      // RFC 8866 §5: a type letter we do not understand makes the description unusable.
      return LineError(line, "unknown line type");
  }
}

// RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
absl::Status DocumentParser::HandleMediaLine(const Line& line) {
  SFU_RETURN_IF_ERROR(CheckRequired(line));
  if (sd_.media.size() >= limits_.max_media_sections) {
    return LineError(line, "too many media sections at");
  }
  std::vector<std::string_view> p = SplitSpaces(line.text.substr(2));
  if (p.size() < 4) return LineError(line, "bad m=");
  MediaSection m;
  if (!IsToken(p[0], limits_)) return LineError(line, "bad m= media");
  m.media = std::string(p[0]);
  if (m.media == "audio") {
    m.kind = MediaKind::kAudio;
  } else if (m.media == "video") {
    m.kind = MediaKind::kVideo;
  } else if (m.media == "application") {
    m.kind = MediaKind::kApplication;
  }
  std::string_view port = p[1];
  size_t slash = port.find('/');
  if (slash != std::string_view::npos) {
    uint16_t count = 0;
    if (!ParseUint<uint16_t>(port.substr(slash + 1), UINT16_MAX, &count)) {
      return LineError(line, "bad m= port");
    }
    m.port_count = count;
    port = port.substr(0, slash);
  }
  if (!ParseUint<uint16_t>(port, UINT16_MAX, &m.port)) return LineError(line, "bad m= port");
  if (!IsToken(p[2], limits_)) return LineError(line, "bad m= proto");
  m.proto = std::string(p[2]);
  if (p.size() - 3 > 128) return LineError(line, "too many formats in m=");
  for (size_t i = 3; i < p.size(); ++i) {
    if (!IsToken(p[i], limits_)) return LineError(line, "bad m= format");
    m.formats.emplace_back(p[i]);
    if (m.IsRtp()) {
      uint8_t pt = 0;
      if (!internal::ParsePayloadType(p[i], &pt)) return LineError(line, "bad payload type in m=");
      m.payload_types.push_back(pt);
    }
  }
  sd_.media.push_back(std::move(m));
  attributes_in_block_ = 0;
  return absl::OkStatus();
}

// Attributes that may appear at session level (RFC 8829 §5.8 lists the ones JSEP uses there).
absl::Status DocumentParser::HandleAttribute(const Line& line, std::string_view name,
                                             std::string_view value, bool has_value) {
  if (name == "group") {
    Group g;
    if (!internal::ParseGroup(value, limits_, &g) || sd_.groups.size() >= 16) {
      return LineError(line, "bad group");
    }
    sd_.groups.push_back(std::move(g));
  } else if (name == "msid-semantic") {
    std::vector<std::string_view> p = SplitSpaces(value);
    if (p.empty() || p.size() > 65) return LineError(line, "bad msid-semantic");
    for (std::string_view token : p) {
      if (!IsToken(token, limits_)) return LineError(line, "bad msid-semantic");
    }
    sd_.msid_semantic = std::string(p[0]);
    sd_.msid_semantic_ids.assign(p.begin() + 1, p.end());
  } else if (name == "ice-lite") {
    sd_.ice_lite = true;
  } else if (name == "ice-ufrag") {
    if (!internal::ParseIceUfrag(value, &sd_.ice_ufrag)) return LineError(line, "bad ice-ufrag");
  } else if (name == "ice-pwd") {
    if (!internal::ParseIcePwd(value, &sd_.ice_pwd)) return LineError(line, "bad ice-pwd");
  } else if (name == "ice-options") {
    if (!internal::ParseIceOptions(value, limits_, &sd_.ice_options)) {
      return LineError(line, "bad ice-options");
    }
  } else if (name == "fingerprint") {
    Fingerprint f;
    if (!internal::ParseFingerprint(value, &f) || sd_.fingerprints.size() >= 8) {
      return LineError(line, "bad fingerprint");
    }
    sd_.fingerprints.push_back(std::move(f));
  } else if (name == "setup") {
    sd_.setup = ParseSetup(value);
    if (!sd_.setup) return LineError(line, "bad setup");
  } else if (name == "extmap-allow-mixed") {
    sd_.extmap_allow_mixed = true;
  } else if (name == "extmap") {
    ExtMap e;
    if (!internal::ParseExtMap(value, limits_, &e)) return LineError(line, "bad extmap");
    sd_.extmaps.push_back(std::move(e));
  } else if (auto dir = ParseDirection(name); dir && !has_value) {
    sd_.direction = dir;
  } else {
    sd_.other_attributes.push_back(Attribute{std::string(name), std::string(value), has_value});
  }
  return absl::OkStatus();
}

absl::Status DocumentParser::HandleMediaAttribute(const Line& line, MediaSection& m,
                                                  std::string_view name, std::string_view value,
                                                  bool has_value) {
  if (name == "mid") {
    if (!IsToken(value, limits_) || !m.mid.empty()) return LineError(line, "bad mid");
    m.mid = std::string(value);
  } else if (name == "rtpmap") {
    RtpMap r;
    if (!internal::ParseRtpMap(value, limits_, &r)) return LineError(line, "bad rtpmap");
    m.rtpmaps.push_back(std::move(r));
  } else if (name == "fmtp") {
    Fmtp f;
    if (!internal::ParseFmtp(value, limits_, &f)) return LineError(line, "bad fmtp");
    m.fmtps.push_back(std::move(f));
  } else if (name == "rtcp-fb") {
    RtcpFb fb;
    if (!internal::ParseRtcpFb(value, limits_, &fb)) return LineError(line, "bad rtcp-fb");
    m.rtcp_fbs.push_back(std::move(fb));
  } else if (name == "extmap") {
    ExtMap e;
    if (!internal::ParseExtMap(value, limits_, &e)) return LineError(line, "bad extmap");
    m.extmaps.push_back(std::move(e));
  } else if (name == "ssrc") {
    SsrcAttribute s;
    if (!internal::ParseSsrc(value, limits_, &s)) return LineError(line, "bad ssrc");
    m.ssrcs.push_back(std::move(s));
  } else if (name == "ssrc-group") {
    SsrcGroup g;
    if (!internal::ParseSsrcGroup(value, limits_, &g)) return LineError(line, "bad ssrc-group");
    m.ssrc_groups.push_back(std::move(g));
  } else if (name == "rid") {
    Rid r;
    if (!internal::ParseRid(value, limits_, &r)) return LineError(line, "bad rid");
    m.rids.push_back(std::move(r));
  } else if (name == "simulcast") {
    Simulcast s;
    if (!internal::ParseSimulcast(value, limits_, &s) || m.simulcast) {
      return LineError(line, "bad simulcast");
    }
    m.simulcast = std::move(s);
  } else if (name == "msid") {
    Msid id;
    if (!internal::ParseMsid(value, limits_, &id)) return LineError(line, "bad msid");
    m.msids.push_back(std::move(id));
  } else if (name == "candidate") {
    Candidate c;
    if (!internal::ParseCandidate(value, limits_, &c)) return LineError(line, "bad candidate");
    if (m.candidates.size() >= limits_.max_candidates_per_section) {
      return LineError(line, "too many candidates at");
    }
    m.candidates.push_back(std::move(c));
  } else if (name == "end-of-candidates") {
    m.end_of_candidates = true;
  } else if (name == "ice-ufrag") {
    if (!internal::ParseIceUfrag(value, &m.ice_ufrag)) return LineError(line, "bad ice-ufrag");
  } else if (name == "ice-pwd") {
    if (!internal::ParseIcePwd(value, &m.ice_pwd)) return LineError(line, "bad ice-pwd");
  } else if (name == "ice-options") {
    if (!internal::ParseIceOptions(value, limits_, &m.ice_options)) {
      return LineError(line, "bad ice-options");
    }
  } else if (name == "fingerprint") {
    Fingerprint f;
    if (!internal::ParseFingerprint(value, &f) || m.fingerprints.size() >= 8) {
      return LineError(line, "bad fingerprint");
    }
    m.fingerprints.push_back(std::move(f));
  } else if (name == "setup") {
    m.setup = ParseSetup(value);
    if (!m.setup) return LineError(line, "bad setup");
  } else if (name == "rtcp-mux") {
    m.rtcp_mux = true;
  } else if (name == "rtcp-mux-only") {
    m.rtcp_mux_only = true;
  } else if (name == "rtcp-rsize") {
    m.rtcp_rsize = true;
  } else if (name == "bundle-only") {
    m.bundle_only = true;
  } else if (name == "extmap-allow-mixed") {
    m.extmap_allow_mixed = true;
  } else if (name == "sctp-port") {
    uint16_t port = 0;
    if (!ParseUint<uint16_t>(value, UINT16_MAX, &port)) return LineError(line, "bad sctp-port");
    m.sctp_port = port;
  } else if (name == "max-message-size") {
    uint32_t size = 0;
    if (!ParseUint<uint32_t>(value, UINT32_MAX, &size)) {
      return LineError(line, "bad max-message-size");
    }
    m.max_message_size = size;
  } else if (name == "sctpmap") {
    m.sctpmap = std::string(value);
  } else if (auto dir = ParseDirection(name); dir && !has_value) {
    m.direction = dir;
  } else {
    m.other_attributes.push_back(Attribute{std::string(name), std::string(value), has_value});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SessionDescription> SdpParser::Parse(std::string_view text) const {
  DocumentParser parser(limits_);
  return parser.Run(text);
}

}  // namespace sfu::sdp
