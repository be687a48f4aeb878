#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "core/common/five_tuple.h"
#include "core/sdp/answer_config.h"

namespace sfu::sdp::testing {

// Reads tests/core/sdp/fixtures/<name> (real captured offers, see fixtures/README.md).
inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SDP_FIXTURE_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline constexpr char kLocalUfrag[] = "sfud";
inline constexpr char kLocalPwd[] = "0123456789abcdefghijklmnop";
inline constexpr char kLocalFingerprint[] =
    "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
    "23:45:67:89";

inline AnswerConfig PublisherConfig() {
  AnswerConfig c;
  c.role = Role::kPublisher;
  c.ice_ufrag = kLocalUfrag;
  c.ice_pwd = kLocalPwd;
  c.fingerprint = kLocalFingerprint;
  c.candidates.push_back(SocketAddress{*IpAddress::Parse("127.0.0.1"), 40000});
  c.candidates.push_back(SocketAddress{*IpAddress::Parse("::1"), 40000});
  c.session_id = 1234567890123;
  return c;
}

inline AnswerConfig ViewerConfig() {
  AnswerConfig c = PublisherConfig();
  c.role = Role::kViewer;
  c.tracks.push_back(LocalTrack{MediaKind::kAudio, "room-1", "audio-1", "sfud-cname", 1111, {}});
  c.tracks.push_back(LocalTrack{MediaKind::kVideo, "room-1", "video-1", "sfud-cname", 2222, 3333});
  return c;
}

}  // namespace sfu::sdp::testing
