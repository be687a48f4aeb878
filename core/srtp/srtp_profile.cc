#include "core/srtp/srtp_profile.h"

namespace sfu::srtp {

std::string_view ProfileName(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAes128CmHmacSha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case SrtpProfile::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "AEAD_AES_256_GCM";
  }
  return "unknown";
}

}  // namespace sfu::srtp
