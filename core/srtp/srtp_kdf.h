#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/srtp/srtp_profile.h"

namespace sfu::srtp {

// Key-derivation labels, RFC 3711 §4.3.1 (and §4.3.2 for SRTCP).
enum class SrtpKdfLabel : uint8_t {
  kRtpEncryption = 0x00,
  kRtpAuthentication = 0x01,
  kRtpSalt = 0x02,
  kRtcpEncryption = 0x03,
  kRtcpAuthentication = 0x04,
  kRtcpSalt = 0x05,
};

// The session keys of one direction (one DTLS write side), derived once when a session is keyed.
// Only the first ProfileParams(profile) sizes of each array are meaningful.
struct SrtpSessionKeys {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::array<uint8_t, 32> rtp_key{};
  std::array<uint8_t, 14> rtp_salt{};
  std::array<uint8_t, 20> rtp_auth_key{};
  std::array<uint8_t, 32> rtcp_key{};
  std::array<uint8_t, 14> rtcp_salt{};
  std::array<uint8_t, 20> rtcp_auth_key{};

  absl::Span<const uint8_t> rtp_key_view() const {
    return absl::MakeConstSpan(rtp_key).first(ProfileParams(profile).master_key_size);
  }
  absl::Span<const uint8_t> rtcp_key_view() const {
    return absl::MakeConstSpan(rtcp_key).first(ProfileParams(profile).master_key_size);
  }
};

// The AES-CM PRF of RFC 3711 §4.3.3 with key_derivation_rate 0 (so r = 0, §4.3.1): fills `out`
// with the keystream of AES-CM keyed by `master_key` (16 or 32 bytes: AES-128 or, per RFC 6188
// §7.1, AES-256) at IV = (master_salt XOR (label << 48)) << 16. `master_salt` is 14 bytes (AES-CM
// profiles) or 12 bytes (AEAD profiles, RFC 7714 §11), a 12-byte salt being the high 96 bits of
// the 112-bit field with the low 16 bits zero, as libsrtp2 and other implementations read it.
absl::Status SrtpKdf(absl::Span<const uint8_t> master_key, absl::Span<const uint8_t> master_salt,
                     SrtpKdfLabel label, absl::Span<uint8_t> out);

// All six session keys of one direction. RFC 7714 §11: AEAD_AES_128_GCM uses the AES_128_CM PRF
// and AEAD_AES_256_GCM the AES_256_CM PRF (RFC 6188), deriving a session key of the master key's
// size and a 96-bit session salt; no authentication key.
absl::StatusOr<SrtpSessionKeys> DeriveSessionKeys(SrtpProfile profile,
                                                  absl::Span<const uint8_t> master_key,
                                                  absl::Span<const uint8_t> master_salt);

}  // namespace sfu::srtp
