#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfu::sdp {

// The parsed form of one SDP document (RFC 8866) with the WebRTC attributes sfud needs (JSEP,
// RFC 8829). SDP is a control-plane document handled once per session on the control thread, so
// every field owns its string. The same struct describes offers we parse and answers we build;
// SdpWriter turns it back into text. Plain value type: copyable, no invariants beyond the parser's
// limits (SdpLimits), not thread-safe to mutate concurrently.

enum class Direction : uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };
std::string_view DirectionName(Direction d);
std::optional<Direction> ParseDirection(std::string_view name);
// The direction the other side of an offer/answer sees (RFC 3264 §6.1): sendonly <-> recvonly.
Direction Reversed(Direction d);

// RFC 4145 §4.
enum class Setup : uint8_t { kActPass, kActive, kPassive, kHoldConn };
std::string_view SetupName(Setup s);
std::optional<Setup> ParseSetup(std::string_view name);

enum class MediaKind : uint8_t { kAudio, kVideo, kApplication, kOther };

// o= (RFC 8866 §5.2). Session id and version are digit strings: they may exceed 64 bits in theory.
struct Origin {
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
};

// c= (RFC 8866 §5.7).
struct Connection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
};

// a=group (RFC 5888), e.g. BUNDLE (RFC 8843).
struct Group {
  std::string semantics;
  std::vector<std::string> mids;
};

// a=fingerprint (RFC 8122 §5): hash function lowercased, value as sent (hex pairs with colons).
struct Fingerprint {
  std::string hash_function;
  std::string value;
};

// a=rtpmap (RFC 8866 §6.6). channels == 0 means "not given".
struct RtpMap {
  uint8_t pt = 0;
  std::string encoding;
  uint32_t clock_rate = 0;
  uint16_t channels = 0;
};

// One ';'-separated piece of an a=fmtp or a=rid parameter list. Pieces that are not key=value
// (RED's "111/111", telephone-event's "0-15") have an empty key and the piece in `value`.
struct FormatParameter {
  std::string key;
  std::string value;
};

// a=fmtp (RFC 8866 §6.15).
struct Fmtp {
  uint8_t pt = 0;
  std::vector<FormatParameter> params;

  // Value of `key` (case-insensitive, as codec parameter names are), or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
};

// a=rtcp-fb (RFC 4585 §4.2). pt == nullopt is the "*" wildcard. subtype is everything after the
// type ("pli", "fir", "" for plain "nack"/"transport-cc").
struct RtcpFb {
  std::optional<uint8_t> pt;
  std::string type;
  std::string subtype;
};

// a=extmap (RFC 8285 §8). `attributes` holds extension attributes after the URI, if any.
struct ExtMap {
  uint16_t id = 0;
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;
};

// a=ssrc (RFC 5576 §4.1): one "attribute[:value]" of one source.
struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string attribute;
  std::string value;
};

// a=ssrc-group (RFC 5576 §4.2), e.g. FID (RTX) or SIM.
struct SsrcGroup {
  std::string semantics;
  std::vector<uint32_t> ssrcs;
};

enum class RidDirection : uint8_t { kSend, kRecv };

// a=rid (RFC 8851 §10). The "pt=" restriction is split out; other restrictions stay in `params`.
struct Rid {
  std::string id;
  RidDirection direction = RidDirection::kSend;
  std::vector<uint8_t> pts;
  std::vector<FormatParameter> params;
};

// One entry of an a=simulcast alternative list (RFC 8853 §5.1); `paused` is the "~" prefix.
struct SimulcastRid {
  std::string rid;
  bool paused = false;
};

// a=simulcast (RFC 8853 §5.1): each stream is a list of alternative rids.
struct Simulcast {
  std::vector<std::vector<SimulcastRid>> send;
  std::vector<std::vector<SimulcastRid>> recv;
};

// a=msid (RFC 8830 §2).
struct Msid {
  std::string stream_id;
  std::string track_id;
};

// a=candidate (RFC 8839 §5.1). Extension attributes (generation, network-id, ufrag, tcptype...)
// are kept in order as key/value pairs.
struct Candidate {
  std::string foundation;
  uint16_t component = 1;
  std::string transport;
  uint32_t priority = 0;
  std::string address;
  uint16_t port = 0;
  std::string type;
  std::string related_address;
  std::optional<uint16_t> related_port;
  std::vector<std::pair<std::string, std::string>> extensions;
};

// An attribute sfud does not model, kept so nothing is silently lost. `value` is empty and
// has_value false for property attributes ("a=foo").
struct Attribute {
  std::string name;
  std::string value;
  bool has_value = false;
};

// One m= section and its attributes (RFC 8866 §5.14).
struct MediaSection {
  MediaKind kind = MediaKind::kOther;
  std::string media;  // "audio", "video", "application", ...
  uint16_t port = 0;
  std::optional<uint16_t> port_count;
  std::string proto;
  std::vector<std::string> formats;    // as on the m= line
  std::vector<uint8_t> payload_types;  // the same, parsed, for RTP protos only
  std::optional<Connection> connection;

  std::string mid;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<Setup> setup;
  std::optional<Direction> direction;
  bool rtcp_mux = false;
  bool rtcp_mux_only = false;
  bool rtcp_rsize = false;
  bool bundle_only = false;
  bool extmap_allow_mixed = false;
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  std::vector<RtcpFb> rtcp_fbs;
  std::vector<ExtMap> extmaps;
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::vector<Msid> msids;
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
  std::optional<uint16_t> sctp_port;
  std::optional<uint32_t> max_message_size;
  std::string sctpmap;
  std::vector<Attribute> other_attributes;

  bool IsRtp() const;
  // True for a port-0 section that is not kept alive by a=bundle-only (RFC 8843 §6).
  bool IsRejected() const { return port == 0 && !bundle_only; }
  const RtpMap* FindRtpMap(uint8_t pt) const;
  const Fmtp* FindFmtp(uint8_t pt) const;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  uint64_t start_time = 0;
  uint64_t stop_time = 0;
  std::optional<Connection> connection;
  std::vector<Group> groups;
  std::string msid_semantic;  // e.g. "WMS"
  std::vector<std::string> msid_semantic_ids;
  bool ice_lite = false;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<Setup> setup;
  std::optional<Direction> direction;
  bool extmap_allow_mixed = false;
  std::vector<ExtMap> extmaps;
  std::vector<Attribute> other_attributes;
  std::vector<MediaSection> media;

  // The first a=group:BUNDLE, or null.
  const Group* BundleGroup() const;
  // Media-level value if present, else session-level (RFC 8839 §5.4, RFC 8122 §5, RFC 4145).
  std::string_view IceUfrag(const MediaSection& m) const;
  std::string_view IcePwd(const MediaSection& m) const;
  const std::vector<Fingerprint>& Fingerprints(const MediaSection& m) const;
  std::optional<Setup> SetupOf(const MediaSection& m) const;
  // Media, then session, then sendrecv (RFC 8866 §6.7).
  Direction DirectionOf(const MediaSection& m) const;
};

}  // namespace sfu::sdp
