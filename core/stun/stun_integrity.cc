#include "core/stun/stun_integrity.h"

#include <array>

#include "core/common/byte_writer.h"
#include "core/stun/crc32.h"

namespace sfu::stun {

bool VerifyMessageIntegrity(const StunMessage& message, crypto::Hmac& hmac) {
  if (!message.integrity_offset.has_value() || message.integrity.size() != kMessageIntegritySize ||
      hmac.algorithm() != crypto::HashAlgorithm::kSha1 || message.raw.size() < kHeaderSize) {
    return false;
  }
  const size_t offset = *message.integrity_offset;
  // The header as the sender saw it when it computed the MAC: length ending right after the
  // MESSAGE-INTEGRITY attribute (4-byte attribute header + 20-byte value).
  std::array<uint8_t, kHeaderSize> header;
  ByteWriter w(absl::MakeSpan(header));
  w.WriteBytes(message.raw.first(kHeaderSize));
  w.PatchU16(2, offset - kHeaderSize + 4 + kMessageIntegritySize);
  if (!w.ok() || offset < kHeaderSize || offset > message.raw.size()) return false;

  std::array<uint8_t, crypto::kMaxDigestSize> mac;
  if (!hmac.Compute(
          {absl::MakeConstSpan(header), message.raw.subspan(kHeaderSize, offset - kHeaderSize)},
          absl::MakeSpan(mac))) {
    return false;
  }
  // Constant time: the comparison must not tell an attacker how many leading bytes matched.
  uint8_t diff = 0;
  for (size_t i = 0; i < kMessageIntegritySize; ++i) diff |= mac[i] ^ message.integrity[i];
  return diff == 0;
}

bool VerifyFingerprint(const StunMessage& message) {
  if (!message.fingerprint_offset.has_value()) return false;
  const size_t offset = *message.fingerprint_offset;
  if (offset > message.raw.size()) return false;
  return (Crc32(message.raw.first(offset)) ^ kFingerprintXor) == message.fingerprint;
}

}  // namespace sfu::stun
