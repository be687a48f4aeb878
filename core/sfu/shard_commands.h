#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/dtls/dtls_types.h"
#include "core/sfu/media_types.h"

namespace sfu::sfu {

// What the control thread and a shard say to each other (DESIGN.md §2): plain values with no
// views or pointers into either side's memory, so they can be moved through a ring. Commands
// allocate (strings, vectors) on the control thread; the shard consumes them off the packet path.

enum class PeerRole : uint8_t { kPublisher, kSubscriber };

// Adds one WHIP (publisher) or WHEP (subscriber) session. Filled from the SDP exchange
// (core/sdp NegotiatedSession):
//   local_ufrag/local_pwd     the ICE credentials sfud wrote in its answer
//   remote_ufrag/remote_pwd   NegotiatedSession::remote_ice_ufrag / remote_ice_pwd
//   remote_fingerprint        crypto::ParseSdpFingerprint(NegotiatedSession::remote_fingerprint)
//   media                     per accepted m= section: PublisherConfig::tracks (mid, kind, codecs
//                             with rtx_pt, extmap ids, remote_sources ssrc/rtx_ssrc or remote_rids
//                             as layers) or SubscriberConfig::slots (mid, kind, the viewer's
//                             codecs/ext ids, local_track ssrc/rtx_ssrc sfud announced)
// `room` overrides the room field inside `media`.
struct AddPeer {
  PeerId peer = 0;
  RoomId room = 0;
  std::string local_ufrag;
  std::string local_pwd;
  std::string remote_ufrag;  // may be empty: then only the local half of USERNAME is checked
  std::optional<std::string> remote_pwd;
  std::array<uint8_t, 32> remote_fingerprint{};  // SHA-256 of the peer's DTLS certificate
  std::variant<PublisherConfig, SubscriberConfig> media;

  PeerRole role() const {
    return std::holds_alternative<PublisherConfig>(media) ? PeerRole::kPublisher
                                                          : PeerRole::kSubscriber;
  }
};

// Ends a session (WHIP/WHEP DELETE): close_notify is sent if DTLS is up.
struct RemovePeer {
  PeerId peer = 0;
};

// A room spanning shards (DESIGN.md §2). The control thread keeps a room on its home shard while
// it fits; when it places a subscriber of room R on another shard k it tells the home shard to
// hand R's publisher packets to k (StartHandOff), and tells k about every publisher of R
// (AddRemotePublisher) so k's Router binds its subscribers to those tracks and serves them from
// the hand-off. When the last subscriber of R leaves k it undoes both. The publisher's PeerId is
// reused on k (PeerIds are unique across shards). None of these produce events.

// To the home shard of `room`: hand every publisher packet of the room once to `shard`.
struct StartHandOff {
  RoomId room = 0;
  uint16_t shard = 0;
};
struct StopHandOff {
  RoomId room = 0;
  uint16_t shard = 0;
};

// To a non-home shard: `peer` publishes `media` in `room` on `home_shard`; its packets arrive
// through the hand-off and keyframe requests and NACKs for it go back to `home_shard`.
struct AddRemotePublisher {
  PeerId peer = 0;
  RoomId room = 0;
  uint16_t home_shard = 0;
  PublisherConfig media;
};
struct RemoveRemotePublisher {
  PeerId peer = 0;
};

using ShardCommand = std::variant<AddPeer, RemovePeer, StartHandOff, StopHandOff,
                                  AddRemotePublisher, RemoveRemotePublisher>;

// Why a peer left the shard. Every AddPeer, accepted or not, ends in exactly one PeerRemoved.
enum class RemoveReason : uint8_t {
  kDeleted,          // RemovePeer command
  kShutdown,         // ShardEngine::Shutdown
  kRejected,         // the AddPeer itself was refused (see PeerRemoved::detail)
  kConsentExpired,   // RFC 7675 §5.1: no valid check for the consent timeout
  kDtlsFailed,       // handshake failure (timeout, fingerprint mismatch, alert, ...)
  kDtlsClosed,       // the peer sent close_notify (RFC 5246 §7.2.1)
  kSrtpSetupFailed,  // the handshake's keying material could not key SRTP
};
std::string_view ToString(RemoveReason reason);

// DTLS is up and SRTP keyed: media flows from now on.
struct PeerConnected {
  PeerId peer = 0;
  dtls::SrtpProfile srtp_profile = dtls::SrtpProfile::kAeadAes128Gcm;
  dtls::CipherSuite cipher_suite = dtls::CipherSuite::kEcdheEcdsaAes128GcmSha256;
  std::optional<FiveTuple> selected_tuple;
  // From the peer's first DTLS datagram (its first ClientHello, before the cookie exchange) to
  // SRTP being keyed.
  Duration handshake_duration{0};
};

// The peer nominated a 5-tuple (USE-CANDIDATE, RFC 8445 §7.3.1.5): sfud sends to it from now on.
struct PeerIceSelected {
  PeerId peer = 0;
  FiveTuple tuple;
};

struct PeerRemoved {
  PeerId peer = 0;
  RemoveReason reason = RemoveReason::kDeleted;
  // For logs: the DTLS failure reason, or why an AddPeer was rejected. Static storage.
  const char* detail = "";
  std::optional<dtls::AlertDescription> alert_sent;
  std::optional<dtls::AlertDescription> alert_received;
};

using ShardEvent = std::variant<PeerConnected, PeerIceSelected, PeerRemoved>;

}  // namespace sfu::sfu
