// libFuzzer target: arbitrary bytes into SRTP and SRTCP unprotect for every profile.
// Input: byte 0 selects the profile (bits 0-1: AEAD_AES_128_GCM, AEAD_AES_256_GCM,
// AES_CM_128_HMAC_SHA1_80) and RTP or RTCP (bit 2); the rest is the packet. Keys are the DTLS
// server's inbound keys for keying material 00 01 02 ... (the seed corpus holds packets protected
// with them by libsrtp2, see gen_srtp_corpus.cc), so seeds reach past authentication.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/srtp/srtp_kdf.h"
#include "core/srtp/srtp_keying.h"
#include "core/srtp/srtp_session.h"

namespace {

using sfu::srtp::SrtpProfile;
using sfu::srtp::SrtpResult;

constexpr SrtpProfile kProfiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                     SrtpProfile::kAes128CmHmacSha1_80,
                                     SrtpProfile::kAeadAes128Gcm};

// The server's inbound session keys for material 00 01 02 ..., derived once per profile so each
// input pays only for keying its cipher contexts.
const sfu::srtp::SrtpSessionKeys& InboundKeys(int which) {
  static const std::array<sfu::srtp::SrtpSessionKeys, 4> keys = [] {
    std::array<sfu::srtp::SrtpSessionKeys, 4> k;
    for (int i = 0; i < 4; ++i) {
      const SrtpProfile profile = kProfiles[i];
      std::vector<uint8_t> material(sfu::srtp::KeyingMaterialSize(profile));
      for (size_t j = 0; j < material.size(); ++j) material[j] = static_cast<uint8_t>(j);
      auto master = sfu::srtp::SplitKeyingMaterial(profile, material, sfu::srtp::SrtpRole::kServer);
      if (!master.ok()) std::abort();
      auto derived = sfu::srtp::DeriveSessionKeys(profile, master->remote.key, master->remote.salt);
      if (!derived.ok()) std::abort();
      k[i] = *derived;
    }
    return k;
  }();
  return keys[which];
}

sfu::srtp::SrtpSession Inbound(int which) {
  auto s = sfu::srtp::SrtpSession::Create(InboundKeys(which),
                                          sfu::srtp::SrtpSession::Direction::kInbound,
                                          sfu::srtp::SrtpConfig{.max_ssrcs = 4});
  if (!s.ok()) std::abort();
  return *std::move(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int which = data[0] & 3;
  const bool rtcp = (data[0] & 4) != 0;
  sfu::srtp::SrtpSession in = Inbound(which);

  const std::vector<uint8_t> packet(data + 1, data + size);
  std::vector<uint8_t> buf = packet;
  size_t out_len = 0;
  auto unprotect = [&](std::vector<uint8_t>& b) {
    return rtcp ? in.UnprotectRtcp(absl::MakeSpan(b), b.size(), &out_len)
                : in.UnprotectRtp(absl::MakeSpan(b), b.size(), &out_len);
  };
  const SrtpResult first = unprotect(buf);
  if (first == SrtpResult::kOk && out_len > packet.size()) std::abort();
  // The same bytes a second time never pass: replay protection.
  buf = packet;
  if (first == SrtpResult::kOk && unprotect(buf) == SrtpResult::kOk) std::abort();
  // The same bytes through the batch path give the same verdict on a fresh session.
  sfu::srtp::SrtpSession fresh = Inbound(which);
  buf = packet;
  sfu::srtp::SrtpPacket one{buf.data(), buf.size(), buf.size(), SrtpResult::kOk};
  if (rtcp) {
    fresh.UnprotectRtcpBatch(absl::MakeSpan(&one, 1));
  } else {
    fresh.UnprotectRtpBatch(absl::MakeSpan(&one, 1));
  }
  if (one.result != first) std::abort();
  // Two copies in one burst (the AEAD path opens both in one GcmBatch call before updating the
  // replay window) give what two single calls give: the copy is refused if the first passed.
  sfu::srtp::SrtpSession twice = Inbound(which);
  std::vector<uint8_t> b0 = packet;
  std::vector<uint8_t> b1 = packet;
  sfu::srtp::SrtpPacket two[2] = {{b0.data(), b0.size(), b0.size(), SrtpResult::kOk},
                                  {b1.data(), b1.size(), b1.size(), SrtpResult::kOk}};
  if (rtcp) {
    twice.UnprotectRtcpBatch(absl::MakeSpan(two));
  } else {
    twice.UnprotectRtpBatch(absl::MakeSpan(two));
  }
  if (two[0].result != first) std::abort();
  if (first == SrtpResult::kOk && two[1].result == SrtpResult::kOk) std::abort();
  if (first != SrtpResult::kOk && two[1].result != first) std::abort();
  return 0;
}
