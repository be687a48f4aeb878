#include "core/sdp/session_description.h"

#include "core/sdp/sdp_attributes.h"

namespace sfu::sdp {

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kSendRecv:
      return "sendrecv";
    case Direction::kSendOnly:
      return "sendonly";
    case Direction::kRecvOnly:
      return "recvonly";
    case Direction::kInactive:
      return "inactive";
  }
  return "inactive";
}

std::optional<Direction> ParseDirection(std::string_view name) {
  if (name == "sendrecv") return Direction::kSendRecv;
  if (name == "sendonly") return Direction::kSendOnly;
  if (name == "recvonly") return Direction::kRecvOnly;
  if (name == "inactive") return Direction::kInactive;
  return std::nullopt;
}

Direction Reversed(Direction d) {
  switch (d) {
    case Direction::kSendOnly:
      return Direction::kRecvOnly;
    case Direction::kRecvOnly:
      return Direction::kSendOnly;
    default:
      return d;
  }
}

std::string_view SetupName(Setup s) {
  switch (s) {
    case Setup::kActPass:
      return "actpass";
    case Setup::kActive:
      return "active";
    case Setup::kPassive:
      return "passive";
    case Setup::kHoldConn:
      return "holdconn";
  }
  return "holdconn";
}

std::optional<Setup> ParseSetup(std::string_view name) {
  if (name == "actpass") return Setup::kActPass;
  if (name == "active") return Setup::kActive;
  if (name == "passive") return Setup::kPassive;
  if (name == "holdconn") return Setup::kHoldConn;
  return std::nullopt;
}

std::optional<std::string_view> Fmtp::Get(std::string_view key) const {
  for (const FormatParameter& p : params) {
    if (!p.key.empty() && internal::EqualsIgnoreCase(p.key, key)) return std::string_view(p.value);
  }
  return std::nullopt;
}

bool MediaSection::IsRtp() const { return proto.find("RTP/") != std::string::npos; }

const RtpMap* MediaSection::FindRtpMap(uint8_t pt) const {
  for (const RtpMap& r : rtpmaps) {
    if (r.pt == pt) return &r;
  }
  return nullptr;
}

const Fmtp* MediaSection::FindFmtp(uint8_t pt) const {
  for (const Fmtp& f : fmtps) {
    if (f.pt == pt) return &f;
  }
  return nullptr;
}

const Group* SessionDescription::BundleGroup() const {
  for (const Group& g : groups) {
    if (g.semantics == "BUNDLE") return &g;
  }
  return nullptr;
}

std::string_view SessionDescription::IceUfrag(const MediaSection& m) const {
  return m.ice_ufrag.empty() ? std::string_view(ice_ufrag) : std::string_view(m.ice_ufrag);
}

std::string_view SessionDescription::IcePwd(const MediaSection& m) const {
  return m.ice_pwd.empty() ? std::string_view(ice_pwd) : std::string_view(m.ice_pwd);
}

const std::vector<Fingerprint>& SessionDescription::Fingerprints(const MediaSection& m) const {
  return m.fingerprints.empty() ? fingerprints : m.fingerprints;
}

std::optional<Setup> SessionDescription::SetupOf(const MediaSection& m) const {
  return m.setup ? m.setup : setup;
}

Direction SessionDescription::DirectionOf(const MediaSection& m) const {
  if (m.direction) return *m.direction;
  if (direction) return *direction;
  return Direction::kSendRecv;
}

}  // namespace sfu::sdp
