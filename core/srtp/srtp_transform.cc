// The per-packet cryptographic transforms of SrtpSession, once the packet index is known:
// AEAD AES-GCM (RFC 7714) and AES-CM + HMAC-SHA1 (RFC 3711).
#include <openssl/crypto.h>

#include <array>
#include <bit>
#include <cstring>

#include "core/srtp/srtp_index.h"
#include "core/srtp/srtp_session.h"
#include "core/srtp/srtp_wire.h"

namespace sfu::srtp {
namespace {

using internal::GcmIv;
using internal::kRtcpHeaderSize;
using internal::kSrtcpEncryptedFlag;
using internal::LoadBe64;
using internal::PutU32;
using internal::StoreBe64;

// One packet through GcmBatch: the single-packet calls take the same cipher path as bursts.
bool GcmSealOne(const crypto::GcmBatch& batch, crypto::GcmKey& key,
                const std::array<uint8_t, crypto::GcmBatch::kIvSize>& iv,
                absl::Span<const uint8_t> aad, absl::Span<uint8_t> data, uint8_t* tag) {
  crypto::GcmPacket p{&key, iv.data(), aad, data, tag};
  batch.Seal({&p, 1});
  return p.ok;
}
bool GcmOpenOne(const crypto::GcmBatch& batch, crypto::GcmKey& key,
                const std::array<uint8_t, crypto::GcmBatch::kIvSize>& iv,
                absl::Span<const uint8_t> aad, absl::Span<uint8_t> data, uint8_t* tag) {
  crypto::GcmPacket p{&key, iv.data(), aad, data, tag};
  return batch.Open({&p, 1}) == 1;
}

// RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), a 128-bit counter block.
std::array<uint8_t, crypto::AesCtr::kBlockSize> CmIv(const std::array<uint8_t, 14>& salt,
                                                     uint32_t ssrc, uint64_t index48) {
  std::array<uint8_t, crypto::AesCtr::kBlockSize> iv;
  // Octets 0-7: salt[0..3] || salt[4..7] ^ SSRC; octets 8-15: (salt[8..13] ^ index) || 00 00.
  StoreBe64(iv.data(), LoadBe64(&salt[0]) ^ ssrc);
  const uint64_t low_salt = (LoadBe64(&salt[6]) << 16);  // salt[8..13] || 00 00
  StoreBe64(iv.data() + 8, low_salt ^ (index48 << 16));
  return iv;
}

}  // namespace

// `packet` is header | payload | room for the tag.
bool SrtpSession::SealRtp(absl::Span<uint8_t> packet, size_t header_size, uint32_t ssrc,
                          uint64_t index) {
  const size_t body_end = packet.size() - tag_size_;
  absl::Span<uint8_t> body = packet.subspan(header_size, body_end - header_size);
  absl::Span<uint8_t> tag = packet.subspan(body_end);
  if (aead_) {
    // RFC 7714 §8.2: AAD is the whole header, CSRCs and extension included.
    return GcmSealOne(*gcm_batch_, *rtp_.gcm, GcmIv(rtp_.salt, ssrc, index),
                      packet.first(header_size), body, tag.data());
  }
  if (!rtp_.ctr->Crypt(CmIv(rtp_.salt, ssrc, index), body)) return false;
  // RFC 3711 §4.2: the tag covers header and encrypted payload followed by the 32-bit ROC.
  uint8_t roc[4];
  PutU32(roc, static_cast<uint32_t>(index >> 16));
  std::array<uint8_t, HmacSha1::kDigestSize> mac;
  rtp_.mac.Compute({packet.first(body_end), roc}, &mac);
  std::memcpy(tag.data(), mac.data(), tag.size());
  return true;
}

// `packet` is header | payload | tag; on success the payload is plaintext.
bool SrtpSession::OpenRtp(absl::Span<uint8_t> packet, size_t header_size, uint32_t ssrc,
                          uint64_t index) {
  const size_t body_end = packet.size() - tag_size_;
  absl::Span<uint8_t> body = packet.subspan(header_size, body_end - header_size);
  absl::Span<uint8_t> tag = packet.subspan(body_end);
  if (aead_) {
    return GcmOpenOne(*gcm_batch_, *rtp_.gcm, GcmIv(rtp_.salt, ssrc, index),
                      packet.first(header_size), body, tag.data());
  }
  uint8_t roc[4];
  PutU32(roc, static_cast<uint32_t>(index >> 16));
  std::array<uint8_t, HmacSha1::kDigestSize> mac;
  rtp_.mac.Compute({packet.first(body_end), roc}, &mac);
  if (CRYPTO_memcmp(mac.data(), tag.data(), tag.size()) != 0) return false;
  return rtp_.ctr->Crypt(CmIv(rtp_.salt, ssrc, index), body);
}

// `packet` is the RTCP compound packet followed by room for the SRTCP trailer. Always encrypts
// (E = 1); sfud never sends unencrypted SRTCP.
bool SrtpSession::SealRtcp(absl::Span<uint8_t> packet, uint32_t ssrc, uint32_t index) {
  const size_t body_end = packet.size() - tag_size_ - kSrtcpIndexSize;
  absl::Span<uint8_t> body = packet.subspan(kRtcpHeaderSize, body_end - kRtcpHeaderSize);
  const uint32_t e_index = kSrtcpEncryptedFlag | index;
  if (aead_) {
    // RFC 7714 §9: header | ciphertext | tag | E|index, AAD = header || E|index (§9.2).
    uint8_t* trailer = packet.data() + body_end + tag_size_;
    PutU32(trailer, e_index);
    uint8_t aad[kRtcpHeaderSize + kSrtcpIndexSize];
    std::memcpy(aad, packet.data(), kRtcpHeaderSize);
    PutU32(aad + kRtcpHeaderSize, e_index);
    return GcmSealOne(*gcm_batch_, *rtcp_.gcm, GcmIv(rtcp_.salt, ssrc, index), aad, body,
                      packet.data() + body_end);
  }
  // RFC 3711 §3.4: header | ciphertext | E|index | tag; the tag covers everything before it.
  if (!rtcp_.ctr->Crypt(CmIv(rtcp_.salt, ssrc, index), body)) return false;
  PutU32(packet.data() + body_end, e_index);
  std::array<uint8_t, HmacSha1::kDigestSize> mac;
  rtcp_.mac.Compute({packet.first(body_end + kSrtcpIndexSize)}, &mac);
  std::memcpy(packet.data() + body_end + kSrtcpIndexSize, mac.data(), tag_size_);
  return true;
}

// `packet` is a whole SRTCP packet; on success its first size - trailer bytes are plain RTCP.
bool SrtpSession::OpenRtcp(absl::Span<uint8_t> packet, uint32_t ssrc, uint32_t e_index) {
  const size_t body_end = packet.size() - tag_size_ - kSrtcpIndexSize;
  absl::Span<uint8_t> body = packet.subspan(kRtcpHeaderSize, body_end - kRtcpHeaderSize);
  const uint32_t index = e_index & kMaxSrtcpIndex;
  const bool encrypted = (e_index & kSrtcpEncryptedFlag) != 0;
  if (aead_) {
    const auto iv = GcmIv(rtcp_.salt, ssrc, index);
    uint8_t tag[crypto::GcmBatch::kTagSize];
    std::memcpy(tag, packet.data() + body_end, sizeof(tag));
    if (encrypted) {
      uint8_t aad[kRtcpHeaderSize + kSrtcpIndexSize];
      std::memcpy(aad, packet.data(), kRtcpHeaderSize);
      PutU32(aad + kRtcpHeaderSize, e_index);
      return GcmOpenOne(*gcm_batch_, *rtcp_.gcm, iv, aad, body, tag);
    }
    // RFC 7714 §9.2, E = 0: everything but the tag is AAD, in wire order with E|index last. The
    // tag is saved and E|index moved to where the tag began, so the AAD is contiguous in place.
    PutU32(packet.data() + body_end, e_index);
    return GcmOpenOne(*gcm_batch_, *rtcp_.gcm, iv, packet.first(body_end + kSrtcpIndexSize),
                      absl::Span<uint8_t>(), tag);
  }
  std::array<uint8_t, HmacSha1::kDigestSize> mac;
  rtcp_.mac.Compute({packet.first(body_end + kSrtcpIndexSize)}, &mac);
  if (CRYPTO_memcmp(mac.data(), packet.data() + body_end + kSrtcpIndexSize, tag_size_) != 0) {
    return false;
  }
  if (!encrypted) return true;
  return rtcp_.ctr->Crypt(CmIv(rtcp_.salt, ssrc, index), body);
}

}  // namespace sfu::srtp
