#pragma once

// Builders shared by the Router tests: a publisher and subscribers with known PTs, extension ids
// and SSRCs, RTP packets built with core/rtp's writer, and helpers to read the outputs back.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/byte_writer.h"
#include "core/rtp/rtp_packet.h"
#include "core/sfu/router.h"

namespace sfu::sfu::router_testing {

inline constexpr std::string_view kUriAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kUriAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

inline constexpr RoomId kRoom = 7;
inline constexpr PeerId kPublisher = 1;
// Publisher side: VP8 PT 96 (RTX 97), opus PT 111, abs-send-time id 3, MID id 4, transport-cc
// id 5, audio level id 1.
inline constexpr uint8_t kPubVp8 = 96;
inline constexpr uint8_t kPubRtx = 97;
inline constexpr uint8_t kPubOpus = 111;
inline constexpr uint8_t kPubAbsSendTimeId = 3;
inline constexpr uint8_t kPubMidId = 4;
inline constexpr uint8_t kPubTwccId = 5;
inline constexpr uint8_t kPubAudioLevelId = 1;
inline constexpr uint32_t kVideoSsrc = 0x11111111;
inline constexpr uint32_t kVideoRtxSsrc = 0x22222222;
inline constexpr uint32_t kAudioSsrc = 0x33333333;
// Subscriber side: VP8 PT 100 (RTX 101), opus PT 109, abs-send-time id 7, audio level id 2.
inline constexpr uint8_t kSubVp8 = 100;
inline constexpr uint8_t kSubRtx = 101;
inline constexpr uint8_t kSubOpus = 109;
inline constexpr uint8_t kSubAbsSendTimeId = 7;
inline constexpr uint8_t kSubAudioLevelId = 2;
inline uint32_t SubVideoSsrc(PeerId p) { return 0x50000000 + p; }
inline uint32_t SubVideoRtxSsrc(PeerId p) { return 0x60000000 + p; }
inline uint32_t SubAudioSsrc(PeerId p) { return 0x70000000 + p; }

inline TrackConfig VideoTrack(std::vector<LayerConfig> layers) {
  TrackConfig t;
  t.mid = "1";
  t.kind = MediaKind::kVideo;
  t.codecs = {CodecConfig{kPubVp8, "VP8", 90000, kPubRtx}};
  t.extensions = {{kPubAbsSendTimeId, std::string(kUriAbsSendTime)},
                  {kPubMidId, std::string(kUriMid)},
                  {kPubTwccId, std::string(kUriTransportCc)}};
  t.layers = std::move(layers);
  return t;
}

inline PublisherConfig AvPublisher() {
  PublisherConfig c;
  c.room = kRoom;
  c.feedback_ssrc = 1;
  TrackConfig audio;
  audio.mid = "0";
  audio.kind = MediaKind::kAudio;
  audio.codecs = {CodecConfig{kPubOpus, "opus", 48000, 0}};
  audio.extensions = {{kPubAudioLevelId, std::string(kUriAudioLevel)},
                      {kPubMidId, std::string(kUriMid)}};
  audio.layers = {LayerConfig{"", kAudioSsrc, 0}};
  c.tracks.push_back(audio);
  c.tracks.push_back(VideoTrack({LayerConfig{"", kVideoSsrc, kVideoRtxSsrc}}));
  return c;
}

inline SubscriberConfig AvSubscriber(PeerId p, bool rtx = true) {
  SubscriberConfig c;
  c.room = kRoom;
  SlotConfig audio;
  audio.mid = "0";
  audio.kind = MediaKind::kAudio;
  audio.codecs = {CodecConfig{kSubOpus, "OPUS", 48000, 0}};
  audio.extensions = {{kSubAudioLevelId, std::string(kUriAudioLevel)}};
  audio.ssrc = SubAudioSsrc(p);
  SlotConfig video;
  video.mid = "1";
  video.kind = MediaKind::kVideo;
  video.codecs = {CodecConfig{kSubVp8, "vp8", 90000, static_cast<uint8_t>(rtx ? kSubRtx : 0)}};
  video.extensions = {{kSubAbsSendTimeId, std::string(kUriAbsSendTime)}};
  video.ssrc = SubVideoSsrc(p);
  video.rtx_ssrc = rtx ? SubVideoRtxSsrc(p) : 0;
  c.slots = {audio, video};
  return c;
}

// VP8 payloads (RFC 7741): a keyframe start, an interframe start, a continuation.
inline std::vector<uint8_t> Vp8Key(uint8_t fill = 0xAB) {
  return {0x10, 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, fill, fill};
}
inline std::vector<uint8_t> Vp8Delta(uint8_t fill = 0xCD) { return {0x10, 0x31, 0x42, fill, fill}; }

struct Pkt {
  uint32_t ssrc = kVideoSsrc;
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint8_t pt = kPubVp8;
  bool marker = false;
  std::vector<uint8_t> payload = Vp8Delta();
  bool with_extensions = true;
  uint8_t padding = 0;
  // Extra one-byte extension elements (RID, repaired RID, ...), written after the default ones.
  std::vector<std::pair<uint8_t, std::string>> extra;
};

inline std::vector<uint8_t> Build(const Pkt& p) {
  std::vector<uint8_t> buf(1600);
  ByteWriter w(absl::MakeSpan(buf));
  static const uint8_t kAbs[3] = {0x01, 0x02, 0x03};
  static const uint8_t kMid[1] = {'1'};
  static const uint8_t kTwcc[2] = {0x00, 0x2a};
  std::vector<rtp::RtpExtensionElement> exts = {{kPubAbsSendTimeId, absl::MakeConstSpan(kAbs)},
                                                {kPubMidId, absl::MakeConstSpan(kMid)},
                                                {kPubTwccId, absl::MakeConstSpan(kTwcc)}};
  for (const auto& [id, value] : p.extra) {
    exts.push_back({id, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()),
                                                  value.size())});
  }
  rtp::RtpPacketSpec spec;
  spec.marker = p.marker;
  spec.payload_type = p.pt;
  spec.sequence_number = p.seq;
  spec.timestamp = p.ts;
  spec.ssrc = p.ssrc;
  if (p.with_extensions) spec.extensions = absl::MakeConstSpan(exts);
  spec.payload = p.payload;
  spec.padding_size = p.padding;
  if (!rtp::WriteRtpPacket(spec, &w)) return {};
  buf.resize(w.position());
  return buf;
}

// An RTX packet (RFC 4588 §4) for an original packet.
inline std::vector<uint8_t> BuildRtx(Pkt original, uint16_t rtx_seq) {
  std::vector<uint8_t> payload = {static_cast<uint8_t>(original.seq >> 8),
                                  static_cast<uint8_t>(original.seq)};
  payload.insert(payload.end(), original.payload.begin(), original.payload.end());
  original.payload = payload;
  original.seq = rtx_seq;
  original.ssrc = kVideoRtxSsrc;
  original.pt = kPubRtx;
  return Build(original);
}

struct Out {
  RouterOutput meta;
  std::vector<uint8_t> bytes;
};

inline std::vector<Out> Drain(OutputBatch* batch) {
  std::vector<Out> v;
  for (size_t i = 0; i < batch->size(); ++i) {
    const RouterOutput& o = (*batch)[i];
    auto b = batch->bytes(o);
    v.push_back(Out{o, std::vector<uint8_t>(b.begin(), b.end())});
  }
  batch->Clear();
  return v;
}

inline std::vector<Out> OfKind(const std::vector<Out>& v, OutputKind kind,
                               std::optional<PeerId> peer = std::nullopt) {
  std::vector<Out> r;
  for (const Out& o : v) {
    if (o.meta.kind == kind && (!peer || o.meta.peer == *peer)) r.push_back(o);
  }
  return r;
}

}  // namespace sfu::sfu::router_testing
