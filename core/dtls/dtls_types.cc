#include "core/dtls/dtls_types.h"

namespace sfu::dtls {

size_t SrtpKeyingMaterial::KeySize(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes256Gcm ? 32 : 16;
}

size_t SrtpKeyingMaterial::SaltSize(SrtpProfile profile) {
  return profile == SrtpProfile::kAes128CmHmacSha1_80 ? 14 : 12;
}

// RFC 5764 §4.2: client_write_SRTP_master_key | server_write_SRTP_master_key |
// client_write_SRTP_master_salt | server_write_SRTP_master_salt.
absl::Span<const uint8_t> SrtpKeyingMaterial::client_key() const {
  return absl::MakeConstSpan(material.data(), key_size());
}
absl::Span<const uint8_t> SrtpKeyingMaterial::server_key() const {
  return absl::MakeConstSpan(material.data() + key_size(), key_size());
}
absl::Span<const uint8_t> SrtpKeyingMaterial::client_salt() const {
  return absl::MakeConstSpan(material.data() + 2 * key_size(), salt_size());
}
absl::Span<const uint8_t> SrtpKeyingMaterial::server_salt() const {
  return absl::MakeConstSpan(material.data() + 2 * key_size() + salt_size(), salt_size());
}
absl::Span<const uint8_t> SrtpKeyingMaterial::local_key() const {
  return role == Role::kClient ? client_key() : server_key();
}
absl::Span<const uint8_t> SrtpKeyingMaterial::local_salt() const {
  return role == Role::kClient ? client_salt() : server_salt();
}
absl::Span<const uint8_t> SrtpKeyingMaterial::remote_key() const {
  return role == Role::kClient ? server_key() : client_key();
}
absl::Span<const uint8_t> SrtpKeyingMaterial::remote_salt() const {
  return role == Role::kClient ? server_salt() : client_salt();
}

}  // namespace sfu::dtls
