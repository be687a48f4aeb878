// libFuzzer target: arbitrary text through SdpParser, SdpWriter and AnswerBuilder. Besides "no
// crash, no leak, bounded memory", it checks two invariants of our own: whatever the parser accepts
// the writer reproduces in a form the parser accepts again, and every answer we build parses.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/sdp/sdp_answer.h"
#include "core/sdp/sdp_parser.h"
#include "core/sdp/sdp_writer.h"

namespace {

sfu::sdp::AnswerConfig MakeConfig(bool viewer) {
  sfu::sdp::AnswerConfig c;
  c.role = viewer ? sfu::sdp::Role::kViewer : sfu::sdp::Role::kPublisher;
  c.ice_ufrag = "fuzz";
  c.ice_pwd = "0123456789abcdefghijklmnop";
  c.fingerprint =
      "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
      "01:23:45:67:89";
  c.candidates.push_back(sfu::SocketAddress{*sfu::IpAddress::Parse("127.0.0.1"), 40000});
  c.tracks.push_back({sfu::sdp::MediaKind::kAudio, "s", "a", "c", 1, {}});
  c.tracks.push_back({sfu::sdp::MediaKind::kVideo, "s", "v", "c", 2, 3});
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sfu::sdp::AnswerBuilder publisher(MakeConfig(false));
  static const sfu::sdp::AnswerBuilder viewer(MakeConfig(true));
  const sfu::sdp::SdpParser parser;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto offer = parser.Parse(text);
  if (!offer.ok()) return 0;
  if (!parser.Parse(sfu::sdp::SdpWriter::Write(*offer)).ok()) std::abort();
  for (const sfu::sdp::AnswerBuilder* builder : {&publisher, &viewer}) {
    auto answer = builder->Build(*offer);
    if (answer.ok() && !parser.Parse(answer->sdp).ok()) std::abort();
  }
  return 0;
}
