#include "core/srtp/srtp_keying.h"

#include <openssl/crypto.h>

#include <utility>

#include "core/srtp/srtp_kdf.h"

namespace sfu::srtp {

absl::StatusOr<SrtpMasterKeys> SplitKeyingMaterial(SrtpProfile profile,
                                                   absl::Span<const uint8_t> material,
                                                   SrtpRole role) {
  const SrtpProfileParams p = ProfileParams(profile);
  if (p.master_key_size == 0) return absl::InvalidArgumentError("unknown SRTP profile");
  if (material.size() != KeyingMaterialSize(profile)) {
    return absl::InvalidArgumentError(
        "DTLS-SRTP keying material has the wrong size for the profile");
  }
  const size_t k = p.master_key_size;
  const size_t s = p.master_salt_size;
  const SrtpMasterKey client{material.subspan(0, k), material.subspan(2 * k, s)};
  const SrtpMasterKey server{material.subspan(k, k), material.subspan(2 * k + s, s)};
  if (role == SrtpRole::kClient) return SrtpMasterKeys{client, server};
  return SrtpMasterKeys{server, client};
}

namespace {

absl::StatusOr<SrtpSession> KeyOne(SrtpProfile profile, const SrtpMasterKey& master,
                                   SrtpSession::Direction direction, const SrtpConfig& config) {
  absl::StatusOr<SrtpSessionKeys> keys = DeriveSessionKeys(profile, master.key, master.salt);
  if (!keys.ok()) return keys.status();
  absl::StatusOr<SrtpSession> session = SrtpSession::Create(*keys, direction, config);
  // The session keeps only keyed cipher contexts; the derived key bytes go now.
  OPENSSL_cleanse(&*keys, sizeof(SrtpSessionKeys));
  return session;
}

}  // namespace

absl::StatusOr<SrtpSessionPair> CreateSrtpSessions(SrtpProfile profile,
                                                   absl::Span<const uint8_t> material,
                                                   SrtpRole role, const SrtpConfig& config) {
  absl::StatusOr<SrtpMasterKeys> master = SplitKeyingMaterial(profile, material, role);
  if (!master.ok()) return master.status();
  absl::StatusOr<SrtpSession> inbound =
      KeyOne(profile, master->remote, SrtpSession::Direction::kInbound, config);
  if (!inbound.ok()) return inbound.status();
  absl::StatusOr<SrtpSession> outbound =
      KeyOne(profile, master->local, SrtpSession::Direction::kOutbound, config);
  if (!outbound.ok()) return outbound.status();
  return SrtpSessionPair{*std::move(inbound), *std::move(outbound)};
}

}  // namespace sfu::srtp
