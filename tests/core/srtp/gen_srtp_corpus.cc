// Writes the seed corpus of srtp_unprotect_fuzz.cc: real SRTP and SRTCP packets protected by
// libsrtp2 with the DTLS client's write keys for keying material 00 01 02 ... (what the fuzz
// target's inbound session expects), for every profile, each prefixed by the target's selector
// byte. Run: srtp_gen_corpus tests/core/srtp/corpus_srtp_unprotect
#include <srtp2/srtp.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/srtp/srtp_keying.h"

using sfu::srtp::SrtpProfile;

int main(int argc, char** argv) {
  if (argc != 2 || srtp_init() != srtp_err_status_ok) return 1;
  const std::string dir = argv[1];
  const SrtpProfile profiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                  SrtpProfile::kAes128CmHmacSha1_80};
  for (int pi = 0; pi < 3; ++pi) {
    const SrtpProfile profile = profiles[pi];
    std::vector<uint8_t> material(sfu::srtp::KeyingMaterialSize(profile));
    for (size_t i = 0; i < material.size(); ++i) material[i] = static_cast<uint8_t>(i);
    auto keys = sfu::srtp::SplitKeyingMaterial(profile, material, sfu::srtp::SrtpRole::kClient);
    if (!keys.ok()) return 1;
    std::vector<uint8_t> key_salt(keys->local.key.begin(), keys->local.key.end());
    key_salt.insert(key_salt.end(), keys->local.salt.begin(), keys->local.salt.end());
    srtp_policy_t policy{};
    if (pi == 0) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else if (pi == 1) {
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = ssrc_any_outbound;
    policy.key = key_salt.data();
    policy.window_size = 1024;
    srtp_t session;
    if (srtp_create(&session, &policy) != srtp_err_status_ok) return 1;
    for (int n = 0; n < 3; ++n) {
      // RTP: plain header; CSRC + one-byte extension; near-wrap sequence number.
      uint8_t pkt[256] = {0x80, 96,   0xff, static_cast<uint8_t>(0xfe + n), 0, 0, 0x10, 0, 0xde,
                          0xad, 0xbe, 0xef};
      int len = 12;
      if (n == 1) {
        pkt[0] = 0x91;
        const uint8_t more[] = {0x01, 0x02, 0x03, 0x04, 0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0, 0};
        for (uint8_t b : more) pkt[len++] = b;
      }
      for (int i = 0; i < 20 + 30 * n; ++i) pkt[len++] = static_cast<uint8_t>(i);
      if (srtp_protect(session, pkt, &len) != srtp_err_status_ok) return 1;
      std::string path =
          dir + "/" + std::string(sfu::srtp::ProfileName(profile)) + "_rtp_" + std::to_string(n);
      FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr) return 1;
      const uint8_t selector = static_cast<uint8_t>(pi);
      std::fwrite(&selector, 1, 1, f);
      std::fwrite(pkt, 1, len, f);
      std::fclose(f);
      // RTCP: receiver report with one block, then a PLI (RFC 4585) for variety.
      uint8_t rtcp[256] = {0x81, 201, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef};
      int rlen = 8;
      for (int i = 0; i < 24; ++i) rtcp[rlen++] = static_cast<uint8_t>(i + n);
      if (n == 2) {
        const uint8_t pli[] = {0x81, 206,  0x00, 0x02, 0xde, 0xad,
                               0xbe, 0xef, 0x12, 0x34, 0x56, 0x78};
        for (uint8_t b : pli) rtcp[rlen++] = b;
      }
      if (srtp_protect_rtcp(session, rtcp, &rlen) != srtp_err_status_ok) return 1;
      path =
          dir + "/" + std::string(sfu::srtp::ProfileName(profile)) + "_rtcp_" + std::to_string(n);
      f = std::fopen(path.c_str(), "wb");
      if (f == nullptr) return 1;
      const uint8_t rtcp_selector = static_cast<uint8_t>(pi | 4);
      std::fwrite(&rtcp_selector, 1, 1, f);
      std::fwrite(rtcp, 1, rlen, f);
      std::fclose(f);
    }
    srtp_dealloc(session);
  }
  return 0;
}
