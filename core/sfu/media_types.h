#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sfu::sfu {

// Identifiers the shard hands to the Router. They are small integers chosen by the caller (the
// ShardEngine); the Router never invents PeerIds or RoomIds. TrackIds are the Router's own.
using PeerId = uint32_t;
using RoomId = uint32_t;
using TrackId = uint32_t;
inline constexpr TrackId kNoTrack = 0xFFFFFFFF;

enum class MediaKind : uint8_t { kAudio, kVideo };

// The codecs the forwarding path knows by name: keyframe detection and payload-type matching
// depend on them. Everything else is kOther and matched by name only for PT rewriting.
enum class Codec : uint8_t { kOpus, kVp8, kVp9, kH264, kAv1, kOther };

// "VP8" -> kVp8, case-insensitive, as SDP rtpmap encoding names are (RFC 4566 §6).
Codec CodecFromName(std::string_view encoding_name);
// ASCII case-insensitive equality (SDP encoding names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Header-extension URIs the Router interprets (RFC 8285 maps them to per-session ids).
inline constexpr std::string_view kUriMid = "urn:ietf:params:rtp-hdrext:sdes:mid";  // RFC 8843
inline constexpr std::string_view kUriRid =
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";  // RFC 8852
inline constexpr std::string_view kUriRepairedRid =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";  // RFC 8852
inline constexpr std::string_view kUriTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

// One negotiated payload type (rtpmap) and, if negotiated, its RFC 4588 RTX partner (apt=pt).
struct CodecConfig {
  uint8_t pt = 0;
  std::string name;  // rtpmap encoding name: "opus", "VP8", "H264", ...
  uint32_t clock_rate = 90000;
  uint8_t rtx_pt = 0;  // 0: no RTX for this codec
  // Publisher tracks: the sender accepts Generic NACK for this codec (a=rtcp-fb nack, RFC 4585
  // §4.2), so sfud may ask it to retransmit. Without it sfud sends no NACKs for the codec.
  bool nack = true;
};

// One negotiated header extension (a=extmap).
struct ExtensionConfig {
  uint8_t id = 0;
  std::string uri;
};

// One RTP stream of a published track: the single stream of a non-simulcast track, or one
// simulcast encoding. Either the SSRCs are known from the SDP (a=ssrc, a=ssrc-group:FID), or only
// the rid is (a=simulcast/a=rid) and the SSRCs are learned from the first packets carrying the
// RID / repaired-RID header extensions (RFC 8852).
struct LayerConfig {
  std::string rid;        // empty when the track is not simulcast
  uint32_t ssrc = 0;      // 0: learn it from the RID extension
  uint32_t rtx_ssrc = 0;  // 0: none, or learn it from the repaired-RID extension
};

// A published m= section. `layers` are ordered from the lowest quality to the highest (the caller
// orders a=simulcast rids that way); a non-simulcast track has exactly one layer.
struct TrackConfig {
  std::string mid;
  MediaKind kind = MediaKind::kVideo;
  std::vector<CodecConfig> codecs;
  std::vector<ExtensionConfig> extensions;
  std::vector<LayerConfig> layers;
};

struct PublisherConfig {
  RoomId room = 0;
  std::vector<TrackConfig> tracks;
  // The sender SSRC of the RTCP feedback sfud sends this publisher (RR, NACK, PLI, FIR).
  uint32_t feedback_ssrc = 1;
};

// A subscribed m= section ("slot"): what the subscriber negotiated and the SSRCs sfud announced
// to it. A slot binds to one publisher track of the same kind in the room.
struct SlotConfig {
  std::string mid;
  MediaKind kind = MediaKind::kVideo;
  std::vector<CodecConfig> codecs;  // the subscriber's PTs (and RTX PTs) per codec
  std::vector<ExtensionConfig> extensions;
  uint32_t ssrc = 0;      // sfud's outgoing SSRC for this slot
  uint32_t rtx_ssrc = 0;  // 0: the subscriber negotiated no RTX
};

// Which simulcast layer a subscriber gets unless told otherwise.
enum class LayerPreference : uint8_t { kHighest, kLowest };

struct SubscriberConfig {
  RoomId room = 0;
  std::vector<SlotConfig> slots;
  LayerPreference layer_preference = LayerPreference::kHighest;
};

}  // namespace sfu::sfu
