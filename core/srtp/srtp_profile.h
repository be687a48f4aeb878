#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sfu::srtp {

// The SRTP protection profiles sfud negotiates through DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2).
// The values are the use_srtp profile identifiers on the wire, so the DTLS glue can cast.
enum class SrtpProfile : uint16_t {
  kAes128CmHmacSha1_80 = 0x0001,  // RFC 3711, RFC 5764 SRTP_AES128_CM_HMAC_SHA1_80
  kAeadAes128Gcm = 0x0007,        // RFC 7714 SRTP_AEAD_AES_128_GCM
  kAeadAes256Gcm = 0x0008,        // RFC 7714 SRTP_AEAD_AES_256_GCM
};

// Which DTLS role this endpoint played; it decides which half of the keying material is ours
// (RFC 5764 §4.2: the client writes with client_write_key, the server with server_write_key).
enum class SrtpRole : uint8_t { kClient, kServer };

// Fixed parameters of a profile (RFC 5764 §4.1.2, RFC 7714 §14.2).
struct SrtpProfileParams {
  size_t master_key_size;  // also the session encryption key size
  size_t master_salt_size;
  size_t session_salt_size;  // 14 for AES-CM (112 bits), 12 for GCM (96 bits)
  size_t auth_key_size;      // HMAC-SHA1 key; 0 for AEAD
  size_t tag_size;           // appended to SRTP and SRTCP packets
  bool aead;
};

constexpr SrtpProfileParams ProfileParams(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAes128CmHmacSha1_80:
      return {16, 14, 14, 20, 10, false};
    case SrtpProfile::kAeadAes128Gcm:
      return {16, 12, 12, 0, 16, true};
    case SrtpProfile::kAeadAes256Gcm:
      return {32, 12, 12, 0, 16, true};
  }
  return {0, 0, 0, 0, 0, false};
}

// Size of the DTLS exporter output the profile needs: 2 * (key + salt) (RFC 5764 §4.2):
// 60 for AES_CM_128_HMAC_SHA1_80, 56 for AEAD_AES_128_GCM, 88 for AEAD_AES_256_GCM.
constexpr size_t KeyingMaterialSize(SrtpProfile profile) {
  const SrtpProfileParams p = ProfileParams(profile);
  return 2 * (p.master_key_size + p.master_salt_size);
}

// Worst-case bytes that ProtectRtp / ProtectRtcp append; callers size their tailroom by these.
inline constexpr size_t kSrtcpIndexSize = 4;  // E flag + 31-bit SRTCP index
inline constexpr size_t kMaxSrtpTrailer = 16;
inline constexpr size_t kMaxSrtcpTrailer = 16 + kSrtcpIndexSize;

constexpr size_t RtpTrailerSize(SrtpProfile profile) { return ProfileParams(profile).tag_size; }
constexpr size_t RtcpTrailerSize(SrtpProfile profile) {
  return ProfileParams(profile).tag_size + kSrtcpIndexSize;
}

std::string_view ProfileName(SrtpProfile profile);

}  // namespace sfu::srtp
