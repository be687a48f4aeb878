#pragma once

#include <string_view>

namespace sfu::daemon {

// The page GET / serves: publishes the camera and microphone to a room over WHIP and plays a
// room over WHEP, with plain RTCPeerConnection and fetch (no external scripts), from sfud's own
// origin. Compiled into the binary.
std::string_view DemoPageHtml();

}  // namespace sfu::daemon
