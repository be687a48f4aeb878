// Interop with libsrtp2 (Debian's, an independent implementation) for every profile, keyed from a
// real DTLS-SRTP handshake between two OpenSSL libssl endpoints: packets protected by sfud must
// unprotect in libsrtp2 and the reverse, byte for byte identical to what libsrtp2 produces with the
// same keys, for RTP across a sequence-number wrap (ROC 0 → 1) with CSRCs and a one-byte header
// extension, and for SRTCP.
#include <srtp2/srtp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/srtp/srtp_keying.h"
#include "core/srtp/srtp_session.h"
#include "gtest/gtest.h"
#include "tests/core/srtp/dtls_srtp_handshake.h"

namespace sfu::srtp {
namespace {

constexpr SrtpProfile kProfiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                     SrtpProfile::kAes128CmHmacSha1_80};

const char* OpenSslName(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmHmacSha1_80:
      return "SRTP_AES128_CM_SHA1_80";
    case SrtpProfile::kAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "SRTP_AEAD_AES_256_GCM";
  }
  return "";
}

// One libsrtp2 session (one direction, any SSRC), keyed with master key || master salt.
class Libsrtp {
 public:
  Libsrtp(SrtpProfile profile, const SrtpMasterKey& master, bool inbound,
          bool encrypt_rtcp = true) {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    EXPECT_TRUE(initialised);
    key_salt_.assign(master.key.begin(), master.key.end());
    key_salt_.insert(key_salt_.end(), master.salt.begin(), master.salt.end());
    srtp_policy_t policy{};
    switch (profile) {
      case SrtpProfile::kAes128CmHmacSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case SrtpProfile::kAeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
      case SrtpProfile::kAeadAes256Gcm:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
    }
    // Authentication-only SRTCP: the sender clears E and sends the RTCP in the clear.
    if (!encrypt_rtcp) policy.rtcp.sec_serv = sec_serv_auth;
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key_salt_.data();
    policy.window_size = 1024;
    policy.allow_repeat_tx = 0;
    status_ = srtp_create(&session_, &policy);
  }
  ~Libsrtp() {
    if (status_ == srtp_err_status_ok) srtp_dealloc(session_);
  }
  srtp_err_status_t status() const { return status_; }

  // Protects in place; returns the libsrtp status.
  srtp_err_status_t Protect(std::vector<uint8_t>* p, bool rtcp) {
    int len = static_cast<int>(p->size());
    p->resize(p->size() + SRTP_MAX_TRAILER_LEN);
    const srtp_err_status_t s = rtcp ? srtp_protect_rtcp(session_, p->data(), &len)
                                     : srtp_protect(session_, p->data(), &len);
    p->resize(s == srtp_err_status_ok ? len : 0);
    return s;
  }
  srtp_err_status_t Unprotect(std::vector<uint8_t>* p, bool rtcp) {
    int len = static_cast<int>(p->size());
    const srtp_err_status_t s = rtcp ? srtp_unprotect_rtcp(session_, p->data(), &len)
                                     : srtp_unprotect(session_, p->data(), &len);
    if (s == srtp_err_status_ok) p->resize(len);
    return s;
  }

 private:
  std::vector<uint8_t> key_salt_;
  srtp_t session_ = nullptr;
  srtp_err_status_t status_ = srtp_err_status_fail;
};

// RTP, alternating a plain 12-byte header with one carrying 2 CSRCs and a one-byte-header
// extension (0xBEDE, RFC 8285); payload sizes vary up to a 1200-byte packet.
std::vector<uint8_t> Rtp(uint32_t ssrc, uint16_t seq, size_t payload, bool extended) {
  std::vector<uint8_t> p = {static_cast<uint8_t>(extended ? 0x92 : 0x80),
                            111,
                            static_cast<uint8_t>(seq >> 8),
                            static_cast<uint8_t>(seq),
                            0x12,
                            0x34,
                            0x56,
                            0x78,
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  if (extended) {
    const uint8_t more[] = {0xca, 0xfe, 0x00, 0x01, 0xca, 0xfe, 0x00, 0x02, 0xbe, 0xde,
                            0x00, 0x02, 0x22, 0x01, 0x02, 0x03, 0x40, 0x77, 0x00, 0x00};
    p.insert(p.end(), std::begin(more), std::end(more));
  }
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(i * 31 + seq));
  return p;
}

std::vector<uint8_t> Rtcp(uint32_t ssrc, int n) {
  // Sender report (RFC 3550 §6.4.1) with no report blocks, then an SDES-less padding of n words
  // in an APP packet to vary sizes: keep it a valid compound packet.
  std::vector<uint8_t> p = {0x80,
                            200,
                            0x00,
                            0x06,
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  for (int i = 0; i < 20; ++i) p.push_back(static_cast<uint8_t>(i + n));
  p.insert(p.end(), {0x80, 204, 0x00, static_cast<uint8_t>(2 + n), static_cast<uint8_t>(ssrc >> 24),
                     static_cast<uint8_t>(ssrc >> 16), static_cast<uint8_t>(ssrc >> 8),
                     static_cast<uint8_t>(ssrc), 'S', 'F', 'U', 'D'});
  for (int i = 0; i < 4 * n; ++i) p.push_back(static_cast<uint8_t>(0xa0 + i));
  return p;
}

class LibsrtpInteropTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(LibsrtpInteropTest, DtlsKeyedPacketsFlowBothWaysInBothRoles) {
  const SrtpProfile profile = GetParam();
  const testing::DtlsSrtpResult dtls =
      testing::RunDtlsSrtpHandshake(OpenSslName(profile), KeyingMaterialSize(profile));
  ASSERT_TRUE(dtls.ok) << dtls.error;
  ASSERT_EQ(dtls.client_profile_id, static_cast<unsigned long>(profile));
  ASSERT_EQ(dtls.server_profile_id, static_cast<unsigned long>(profile));
  ASSERT_EQ(dtls.client_material, dtls.server_material);

  for (SrtpRole sfud_role : {SrtpRole::kServer, SrtpRole::kClient}) {
    SCOPED_TRACE(sfud_role == SrtpRole::kServer ? "sfud is the DTLS server"
                                                : "sfud is the DTLS client");
    const SrtpRole peer_role =
        sfud_role == SrtpRole::kServer ? SrtpRole::kClient : SrtpRole::kServer;
    // Each side keys from its own export, as a real deployment does.
    const std::vector<uint8_t>& sfud_material =
        sfud_role == SrtpRole::kServer ? dtls.server_material : dtls.client_material;
    const std::vector<uint8_t>& peer_material =
        sfud_role == SrtpRole::kServer ? dtls.client_material : dtls.server_material;
    absl::StatusOr<SrtpSessionPair> sfud = CreateSrtpSessions(profile, sfud_material, sfud_role);
    ASSERT_TRUE(sfud.ok()) << sfud.status();
    absl::StatusOr<SrtpMasterKeys> peer = SplitKeyingMaterial(profile, peer_material, peer_role);
    ASSERT_TRUE(peer.ok());
    Libsrtp lib_tx(profile, peer->local, /*inbound=*/false);
    Libsrtp lib_rx(profile, peer->remote, /*inbound=*/true);
    // libsrtp2 keyed with sfud's write key: sfud's output must equal its output byte for byte.
    Libsrtp mirror(profile, peer->remote, /*inbound=*/false);
    ASSERT_EQ(lib_tx.status(), srtp_err_status_ok) << "libsrtp2 lacks " << ProfileName(profile);
    ASSERT_EQ(lib_rx.status(), srtp_err_status_ok);
    ASSERT_EQ(mirror.status(), srtp_err_status_ok);

    constexpr uint32_t kSsrc = 0x5eed1234;
    std::vector<uint8_t> first_from_lib;
    uint16_t seq = 65530;  // ROC 0 → 1 after six packets
    for (int i = 0; i < 12; ++i, ++seq) {
      const size_t payload = i == 11 ? 1200 - 32 : 1 + (97 * i) % 1100;
      const std::vector<uint8_t> plain = Rtp(kSsrc, seq, payload, i % 2 == 1);
      // libsrtp2 → sfud
      std::vector<uint8_t> wire = plain;
      ASSERT_EQ(lib_tx.Protect(&wire, false), srtp_err_status_ok);
      if (i == 0) first_from_lib = wire;
      std::vector<uint8_t> buf = wire;
      size_t out_len = 0;
      ASSERT_EQ(sfud->inbound.UnprotectRtp(absl::MakeSpan(buf), buf.size(), &out_len),
                SrtpResult::kOk)
          << "seq " << seq;
      buf.resize(out_len);
      EXPECT_EQ(buf, plain) << "seq " << seq;
      // sfud → libsrtp2, and equal to libsrtp2's own output under sfud's key.
      std::vector<uint8_t> ours = plain;
      ours.resize(plain.size() + kMaxSrtpTrailer);
      ASSERT_EQ(sfud->outbound.ProtectRtp(absl::MakeSpan(ours), plain.size(), &out_len),
                SrtpResult::kOk);
      ours.resize(out_len);
      std::vector<uint8_t> theirs = plain;
      ASSERT_EQ(mirror.Protect(&theirs, false), srtp_err_status_ok);
      EXPECT_EQ(ours, theirs) << "seq " << seq;
      ASSERT_EQ(lib_rx.Unprotect(&ours, false), srtp_err_status_ok) << "seq " << seq;
      EXPECT_EQ(ours, plain) << "seq " << seq;
    }
    // Replay of a libsrtp2 packet: dropped and counted.
    size_t out_len = 0;
    EXPECT_EQ(
        sfud->inbound.UnprotectRtp(absl::MakeSpan(first_from_lib), first_from_lib.size(), &out_len),
        SrtpResult::kReplay);
    EXPECT_EQ(sfud->inbound.stats().dropped(SrtpResult::kReplay), 1u);
    EXPECT_EQ(sfud->inbound.stats().rtp_unprotected, 12u);

    // SRTCP both ways. Align sfud's first SRTCP index with libsrtp2's for the byte comparison.
    for (int n = 0; n < 6; ++n) {
      const std::vector<uint8_t> plain = Rtcp(kSsrc, n);
      std::vector<uint8_t> wire = plain;
      ASSERT_EQ(lib_tx.Protect(&wire, true), srtp_err_status_ok);
      std::vector<uint8_t> buf = wire;
      ASSERT_EQ(sfud->inbound.UnprotectRtcp(absl::MakeSpan(buf), buf.size(), &out_len),
                SrtpResult::kOk)
          << n;
      buf.resize(out_len);
      EXPECT_EQ(buf, plain);
      EXPECT_EQ(sfud->inbound.UnprotectRtcp(absl::MakeSpan(wire), wire.size(), &out_len),
                SrtpResult::kReplay);

      std::vector<uint8_t> theirs = plain;
      ASSERT_EQ(mirror.Protect(&theirs, true), srtp_err_status_ok);
      if (n == 0) {
        // E|index is the last word for AEAD (RFC 7714 §9), before the 10-byte tag for AES-CM.
        const size_t at = ProfileParams(profile).aead ? theirs.size() - 4 : theirs.size() - 14;
        const uint32_t e_index = (uint32_t{theirs[at]} << 24) | (theirs[at + 1] << 16) |
                                 (theirs[at + 2] << 8) | theirs[at + 3];
        EXPECT_NE(e_index & 0x80000000u, 0u);  // libsrtp2 encrypts SRTCP too
        ASSERT_TRUE(sfud->outbound.SetNextSrtcpIndex(kSsrc, e_index & 0x7fffffff));
      }
      std::vector<uint8_t> ours = plain;
      ours.resize(plain.size() + kMaxSrtcpTrailer);
      ASSERT_EQ(sfud->outbound.ProtectRtcp(absl::MakeSpan(ours), plain.size(), &out_len),
                SrtpResult::kOk);
      ours.resize(out_len);
      EXPECT_EQ(ours, theirs) << n;
      ASSERT_EQ(lib_rx.Unprotect(&ours, true), srtp_err_status_ok) << n;
      EXPECT_EQ(ours, plain);
    }

    // A single flipped bit in sfud's output is refused by libsrtp2, and the reverse.
    std::vector<uint8_t> plain = Rtp(kSsrc, 6, 100, true);
    std::vector<uint8_t> ours = plain;
    ours.resize(plain.size() + kMaxSrtpTrailer);
    ASSERT_EQ(sfud->outbound.ProtectRtp(absl::MakeSpan(ours), plain.size(), &out_len),
              SrtpResult::kOk);
    ours.resize(out_len);
    ours[40] ^= 0x04;
    EXPECT_EQ(lib_rx.Unprotect(&ours, false), srtp_err_status_auth_fail);
    std::vector<uint8_t> wire = plain;
    ASSERT_EQ(lib_tx.Protect(&wire, false), srtp_err_status_ok);
    wire[wire.size() - 1] ^= 0x80;
    EXPECT_EQ(sfud->inbound.UnprotectRtp(absl::MakeSpan(wire), wire.size(), &out_len),
              SrtpResult::kAuthFailed);
  }
}

// RFC 3711 §3.4 / RFC 7714 §9.2: SRTCP with E = 0 (authenticated, not encrypted) from libsrtp2
// is accepted, and still authenticated.
TEST_P(LibsrtpInteropTest, UnencryptedSrtcpFromLibsrtpIsAccepted) {
  const SrtpProfile profile = GetParam();
  std::vector<uint8_t> material(KeyingMaterialSize(profile));
  for (size_t i = 0; i < material.size(); ++i) material[i] = static_cast<uint8_t>(0x40 + i);
  absl::StatusOr<SrtpSessionPair> sfud = CreateSrtpSessions(profile, material, SrtpRole::kServer);
  ASSERT_TRUE(sfud.ok());
  absl::StatusOr<SrtpMasterKeys> peer = SplitKeyingMaterial(profile, material, SrtpRole::kClient);
  ASSERT_TRUE(peer.ok());
  Libsrtp lib_tx(profile, peer->local, /*inbound=*/false, /*encrypt_rtcp=*/false);
  ASSERT_EQ(lib_tx.status(), srtp_err_status_ok);
  for (int n = 0; n < 3; ++n) {
    const std::vector<uint8_t> plain = Rtcp(0x777, n);
    std::vector<uint8_t> wire = plain;
    ASSERT_EQ(lib_tx.Protect(&wire, true), srtp_err_status_ok);
    // Sent in the clear with E = 0.
    EXPECT_TRUE(std::equal(plain.begin(), plain.end(), wire.begin()));
    const size_t at = ProfileParams(profile).aead ? wire.size() - 4 : wire.size() - 14;
    EXPECT_EQ(wire[at] & 0x80, 0);
    std::vector<uint8_t> bad = wire;
    bad[12] ^= 1;
    size_t out_len = 0;
    EXPECT_EQ(sfud->inbound.UnprotectRtcp(absl::MakeSpan(bad), bad.size(), &out_len),
              SrtpResult::kAuthFailed);
    ASSERT_EQ(sfud->inbound.UnprotectRtcp(absl::MakeSpan(wire), wire.size(), &out_len),
              SrtpResult::kOk);
    wire.resize(out_len);
    EXPECT_EQ(wire, plain);
  }
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, LibsrtpInteropTest, ::testing::ValuesIn(kProfiles),
                         [](const ::testing::TestParamInfo<SrtpProfile>& info) {
                           return std::string(ProfileName(info.param));
                         });

}  // namespace
}  // namespace sfu::srtp
