#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/sdp/negotiated.h"
#include "core/sfu/shard_commands.h"

namespace sfu::daemon {

// Inputs to an AddPeer besides what the SDP exchange settled.
struct PeerIdentity {
  sfu::PeerId peer = 0;
  sfu::RoomId room = 0;
  std::string local_ufrag;
  std::string local_pwd;
  uint32_t feedback_ssrc = 1;  // publisher: sender SSRC of sfud's RTCP feedback
};

// Turns an answer's NegotiatedSession into the shard command (the mapping core/sfu's
// shard_commands.h documents): a publisher gets one TrackConfig per accepted audio/video section
// (simulcast rids as layers in offer order, else the announced SSRCs with their FID RTX
// partners, else one layer learnt from the first packets); a viewer gets one SlotConfig per
// accepted section with the SSRCs sfud announced. Fails (InvalidArgument) if the remote
// fingerprint is not a sha-256 one or nothing usable was accepted.
absl::StatusOr<sfu::AddPeer> BuildAddPeer(const sdp::NegotiatedSession& negotiated,
                                          const PeerIdentity& identity);

}  // namespace sfu::daemon
