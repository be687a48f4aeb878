// sdp_answer_tool [publisher|viewer] < offer.sdp > answer.sdp
// Answers a real offer with sfud's AnswerBuilder (fixed test credentials, host candidate
// 127.0.0.1:40000) so capture_chromium.py can hand the answer back to Chromium. A test helper,
// not part of the daemon: exit status 1 and the error on stderr if the offer is refused.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "core/sdp/sdp_answer.h"
#include "core/sdp/sdp_parser.h"

int main(int argc, char** argv) {
  using namespace sfu::sdp;
  const bool viewer = argc > 1 && std::string_view(argv[1]) == "viewer";
  std::string offer_text((std::istreambuf_iterator<char>(std::cin)),
                         std::istreambuf_iterator<char>());
  auto offer = SdpParser().Parse(offer_text);
  if (!offer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(offer.status().message()).c_str());
    return 1;
  }
  AnswerConfig config;
  config.role = viewer ? Role::kViewer : Role::kPublisher;
  config.ice_ufrag = "sfud";
  config.ice_pwd = "0123456789abcdefghijklmnop";
  config.fingerprint =
      "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
      "01:23:45:67:89";
  config.candidates.push_back(sfu::SocketAddress{*sfu::IpAddress::Parse("127.0.0.1"), 40000});
  config.session_id = 1;
  config.tracks.push_back({MediaKind::kAudio, "sfud", "audio0", "sfudcname", 1001, {}});
  config.tracks.push_back({MediaKind::kVideo, "sfud", "video0", "sfudcname", 2001, 2002});
  auto answer = AnswerBuilder(config).Build(*offer);
  if (!answer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(answer.status().message()).c_str());
    return 1;
  }
  std::fwrite(answer->sdp.data(), 1, answer->sdp.size(), stdout);
  return 0;
}
