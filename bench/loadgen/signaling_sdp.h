#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"

namespace sfu::loadgen {

// What goes into the SDP offer a simulated browser POSTs (RFC 8829 JSEP, as Chromium writes it):
// BUNDLE of an audio (Opus) and a video (VP8) section, rtcp-mux, setup:actpass, ICE credentials,
// the fingerprint of our DTLS certificate and our host candidate. A publisher's sections are
// sendonly with a=ssrc/msid (RFC 5576, RFC 8830); a subscriber's are recvonly.
struct OfferSpec {
  bool publisher = false;
  bool audio = true;
  bool video = true;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint;  // "sha-256 AB:CD:..."
  SocketAddress candidate;  // our socket's bound address
  uint32_t audio_ssrc = 0;
  uint32_t video_ssrc = 0;
  std::string stream_id;  // msid stream
  std::string cname;
  uint64_t session_id = 1;
};
std::string BuildOffer(const OfferSpec& spec);

// The parts of sfud's answer (RFC 8829 §5.3) a simulated peer needs.
struct AnswerInfo {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::array<uint8_t, 32> fingerprint{};
  SocketAddress candidate;  // the first UDP host candidate of the bundle
  bool audio_accepted = false;
  bool video_accepted = false;
  uint8_t audio_pt = 0;  // the answer's first format of each section
  uint8_t video_pt = 0;
  uint32_t audio_ssrc = 0;  // a=ssrc of a section sfud sends (subscriber), else 0
  uint32_t video_ssrc = 0;
};
// Parses the answer with core/sdp's SdpParser. Errors name what is missing.
absl::StatusOr<AnswerInfo> ParseAnswer(std::string_view sdp);

}  // namespace sfu::loadgen
