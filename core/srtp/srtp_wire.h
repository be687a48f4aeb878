#pragma once
// Wire helpers shared by srtp_session.cc, srtp_transform.cc and srtp_gcm_batch.cc: the header
// fields SRTP needs and the RFC 7714 IV. Internal to core/srtp.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/srtp/srtp_stats.h"
#include "crypto/vaes/gcm_batch.h"

namespace sfu::srtp::internal {

// RTCP header and sender SSRC, the part SRTCP leaves in the clear (RFC 3550 §6.4).
inline constexpr size_t kRtcpHeaderSize = 8;

// The fields of an RTP header SRTP needs (RFC 3550 §5.1), and its full length including CSRCs
// and the header extension (RFC 8285), which is what AEAD authenticates as AAD (RFC 7714 §8.2)
// and what AES-CM leaves unencrypted (RFC 3711 §3.1).
struct RtpFields {
  uint16_t seq = 0;
  uint32_t ssrc = 0;
  size_t header_size = 0;
};

inline SrtpResult ParseRtp(absl::Span<const uint8_t> packet, RtpFields* out) {
  ByteReader r(packet);
  uint8_t b0 = 0;
  if (!r.ReadU8(&b0) || !r.Skip(1) || !r.ReadU16(&out->seq) || !r.Skip(4) ||
      !r.ReadU32(&out->ssrc)) {
    return SrtpResult::kTooShort;
  }
  if ((b0 >> 6) != 2) return SrtpResult::kMalformedHeader;
  const size_t csrc_count = b0 & 0x0f;
  if (!r.Skip(4 * csrc_count)) return SrtpResult::kMalformedHeader;
  if ((b0 & 0x10) != 0) {
    uint16_t words = 0;
    if (!r.Skip(2) || !r.ReadU16(&words) || !r.Skip(4 * size_t{words})) {
      return SrtpResult::kMalformedHeader;
    }
  }
  out->header_size = r.position();
  return SrtpResult::kOk;
}

// The RTCP sender SSRC, after checking the version.
inline SrtpResult ParseRtcp(absl::Span<const uint8_t> packet, uint32_t* ssrc) {
  ByteReader r(packet);
  uint8_t b0 = 0;
  if (!r.ReadU8(&b0) || !r.Skip(3) || !r.ReadU32(ssrc)) return SrtpResult::kTooShort;
  if ((b0 >> 6) != 2) return SrtpResult::kMalformedHeader;
  return SrtpResult::kOk;
}

inline constexpr uint32_t kSrtcpEncryptedFlag = 0x80000000;

inline void PutU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Big-endian 64-bit load/store of our own (not wire) arrays; compiles to a MOVBE/BSWAP.
inline uint64_t LoadBe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}
inline void StoreBe64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// RFC 7714 §8.1 (SRTP) and §9.1 (SRTCP): IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, where for
// SRTCP the last six octets are 0x0000 || 0 || 31-bit index; both are `ssrc` then a 48-bit value.
inline std::array<uint8_t, crypto::GcmBatch::kIvSize> GcmIv(const std::array<uint8_t, 14>& salt,
                                                            uint32_t ssrc, uint64_t index48) {
  std::array<uint8_t, crypto::GcmBatch::kIvSize> iv;
  // Octets 0-3: 00 00 || SSRC[0..1]; octets 4-11: SSRC[2..3] || index48.
  const uint32_t head = (ssrc >> 16) ^ ((uint32_t{salt[0]} << 24) | (uint32_t{salt[1]} << 16) |
                                        (uint32_t{salt[2]} << 8) | salt[3]);
  PutU32(iv.data(), head);
  StoreBe64(iv.data() + 4, ((uint64_t{ssrc & 0xffff} << 48) | index48) ^ LoadBe64(&salt[4]));
  return iv;
}

}  // namespace sfu::srtp::internal
