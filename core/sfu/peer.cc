#include "core/sfu/peer.h"

#include <utility>

#include "core/common/status_macros.h"
#include "core/srtp/srtp_keying.h"

namespace sfu::sfu {

std::string_view ToString(PeerState state) {
  switch (state) {
    case PeerState::kNew:
      return "new";
    case PeerState::kIceConnected:
      return "ice_connected";
    case PeerState::kDtlsConnected:
      return "dtls_connected";
    case PeerState::kRemoved:
      return "removed";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Peer>> Peer::Create(const AddPeer& command, const Limits& limits,
                                                   Instant now) {
  stun::IceLiteConfig ice_config;
  ice_config.local_ufrag = command.local_ufrag;
  ice_config.local_pwd = command.local_pwd;
  ice_config.remote_ufrag = command.remote_ufrag;
  ice_config.remote_pwd = command.remote_pwd;
  ice_config.consent_timeout = limits.consent_timeout;
  ice_config.max_tuples = limits.max_ice_tuples;
  SFU_ASSIGN_OR_RETURN(stun::IceLiteAgent ice,
                       stun::IceLiteAgent::Create(std::move(ice_config), now));
  return std::unique_ptr<Peer>(new Peer(command, std::move(ice)));
}

Peer::Peer(const AddPeer& command, stun::IceLiteAgent ice)
    : id_(command.peer),
      room_(command.room),
      role_(command.role()),
      remote_fingerprint_(command.remote_fingerprint),
      ice_(std::move(ice)) {}

absl::Status Peer::KeySrtp(const dtls::SrtpKeyingMaterial& material,
                           const srtp::SrtpConfig& config) {
  // dtls::SrtpProfile and srtp::SrtpProfile share the use_srtp wire values (RFC 5764 §4.1.2).
  const auto profile = static_cast<srtp::SrtpProfile>(material.profile);
  const srtp::SrtpRole role =
      material.role == dtls::Role::kServer ? srtp::SrtpRole::kServer : srtp::SrtpRole::kClient;
  SFU_ASSIGN_OR_RETURN(
      srtp::SrtpSessionPair pair,
      srtp::CreateSrtpSessions(
          profile, absl::MakeConstSpan(material.material.data(), material.size()), role, config));
  srtp_in_.emplace(std::move(pair.inbound));
  srtp_out_.emplace(std::move(pair.outbound));
  return absl::OkStatus();
}

std::optional<Instant> Peer::NextTimeout() const {
  std::optional<Instant> deadline = ice_.NextTimeout();
  if (dtls_ != nullptr) {
    std::optional<Instant> dtls_deadline = dtls_->NextTimeout();
    if (dtls_deadline.has_value() && (!deadline.has_value() || *dtls_deadline < *deadline)) {
      deadline = dtls_deadline;
    }
  }
  return deadline;
}

}  // namespace sfu::sfu
