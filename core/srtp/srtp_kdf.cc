#include "core/srtp/srtp_kdf.h"

#include <algorithm>
#include <cstring>

#include "crypto/aes_ctr.h"

namespace sfu::srtp {

absl::Status SrtpKdf(absl::Span<const uint8_t> master_key, absl::Span<const uint8_t> master_salt,
                     SrtpKdfLabel label, absl::Span<uint8_t> out) {
  if (master_key.size() != 16 && master_key.size() != 32) {
    return absl::InvalidArgumentError("SRTP KDF: master key must be 16 or 32 bytes");
  }
  if (master_salt.size() != 14 && master_salt.size() != 12) {
    return absl::InvalidArgumentError("SRTP KDF: master salt must be 14 or 12 bytes");
  }
  absl::StatusOr<crypto::AesCtr> prf = crypto::AesCtr::Create(master_key);
  if (!prf.ok()) return prf.status();
  // RFC 3711 §4.3.1: key_id = label || r (r = 0 with kdr 0) is 56 bits, aligned to the low end of
  // the 112-bit salt, so the label lands on octet 7; the IV is x * 2^16 (two zero octets).
  std::array<uint8_t, crypto::AesCtr::kBlockSize> iv{};
  std::copy(master_salt.begin(), master_salt.end(), iv.begin());
  iv[7] ^= static_cast<uint8_t>(label);
  std::fill(out.begin(), out.end(), 0);
  if (!prf->Crypt(iv, out)) return absl::InternalError("SRTP KDF: AES-CM keystream failed");
  return absl::OkStatus();
}

absl::StatusOr<SrtpSessionKeys> DeriveSessionKeys(SrtpProfile profile,
                                                  absl::Span<const uint8_t> master_key,
                                                  absl::Span<const uint8_t> master_salt) {
  const SrtpProfileParams p = ProfileParams(profile);
  if (p.master_key_size == 0) return absl::InvalidArgumentError("unknown SRTP profile");
  if (master_key.size() != p.master_key_size || master_salt.size() != p.master_salt_size) {
    return absl::InvalidArgumentError("SRTP master key or salt has the wrong size for the profile");
  }
  SrtpSessionKeys keys;
  keys.profile = profile;
  struct Job {
    SrtpKdfLabel label;
    absl::Span<uint8_t> out;
  };
  const Job jobs[] = {
      {SrtpKdfLabel::kRtpEncryption, absl::MakeSpan(keys.rtp_key).first(p.master_key_size)},
      {SrtpKdfLabel::kRtpSalt, absl::MakeSpan(keys.rtp_salt).first(p.session_salt_size)},
      {SrtpKdfLabel::kRtpAuthentication, absl::MakeSpan(keys.rtp_auth_key).first(p.auth_key_size)},
      {SrtpKdfLabel::kRtcpEncryption, absl::MakeSpan(keys.rtcp_key).first(p.master_key_size)},
      {SrtpKdfLabel::kRtcpSalt, absl::MakeSpan(keys.rtcp_salt).first(p.session_salt_size)},
      {SrtpKdfLabel::kRtcpAuthentication,
       absl::MakeSpan(keys.rtcp_auth_key).first(p.auth_key_size)},
  };
  for (const Job& job : jobs) {
    if (job.out.empty()) continue;
    absl::Status s = SrtpKdf(master_key, master_salt, job.label, job.out);
    if (!s.ok()) return s;
  }
  return keys;
}

}  // namespace sfu::srtp
