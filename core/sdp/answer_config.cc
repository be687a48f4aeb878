#include "core/sdp/answer_config.h"

namespace sfu::sdp {

std::vector<LocalCodec> DefaultCodecs() {
  return {
      // RFC 7587 §7: opus is always announced as opus/48000/2.
      {MediaKind::kAudio, "opus", 48000, 2, {{"minptime", "10"}, {"useinbandfec", "1"}}, false},
      {MediaKind::kVideo, "VP8", 90000, 0, {}, true},
      // RFC 6184 §8.1: constrained baseline, level 3.1, non-interleaved mode.
      {MediaKind::kVideo,
       "H264",
       90000,
       0,
       {{"level-asymmetry-allowed", "1"},
        {"packetization-mode", "1"},
        {"profile-level-id", "42e01f"}},
       true},
      {MediaKind::kVideo, "VP9", 90000, 0, {{"profile-id", "0"}}, true},
      {MediaKind::kVideo, "AV1", 90000, 0, {{"profile", "0"}}, true},
  };
}

// No transport-cc (and no transport-wide-cc extension below): sfud sends no transport feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), and a Chromium publisher that
// negotiated it but never hears back pins its send-side estimate to the 30 kbps floor (measured:
// 320x240 at 9 fps, qualityLimitationReason "bandwidth"). Without it Chromium estimates from our
// receiver reports' loss and ramps up (976 kbps, 640x480 at 20 fps after 16 s).
std::vector<LocalRtcpFb> DefaultRtcpFeedback() {
  return {{"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}};
}

std::vector<LocalHeaderExtension> DefaultHeaderExtensions(bool abs_capture_time) {
  std::vector<LocalHeaderExtension> out = {
      {MediaKind::kAudio, kUriMid},         {MediaKind::kAudio, kUriAudioLevel},
      {MediaKind::kAudio, kUriAbsSendTime}, {MediaKind::kVideo, kUriMid},
      {MediaKind::kVideo, kUriAbsSendTime}, {MediaKind::kVideo, kUriRid},
      {MediaKind::kVideo, kUriRepairedRid},
  };
  if (abs_capture_time) {
    out.push_back({MediaKind::kAudio, kUriAbsCaptureTime});
    out.push_back({MediaKind::kVideo, kUriAbsCaptureTime});
  }
  return out;
}

}  // namespace sfu::sdp
