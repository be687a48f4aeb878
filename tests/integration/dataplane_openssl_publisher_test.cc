// A publisher whose DTLS and SRTP stacks are not sfud's: OpenSSL libssl (DTLS 1.2 client, use_srtp
// offering only SRTP_AEAD_AES_128_GCM, an ECDSA P-256 certificate) on a real UDP socket, keys from
// SSL_export_keying_material("EXTRACTOR-dtls_srtp") (RFC 5764 §4.2), media protected by libsrtp2.
// It does ICE with core/stun's builder first, like a browser. sfud's own simulated subscribers
// (tests/support) must receive its media with byte-identical payloads, and libsrtp2 must decrypt
// the SRTCP sfud sends back (keyframe requests). Real ShardLoops on loopback, both I/O backends,
// one and two shards (one room per shard).

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <srtp2/srtp.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/net/monotonic_clock.h"
#include "core/rtp/demux.h"
#include "gtest/gtest.h"
#include "tests/core/dtls/openssl_peer.h"
#include "tests/integration/dataplane_harness.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/udp_peer.h"

namespace sfu::net {
namespace {

namespace ss = ::sfu::sfu;
using test_support::MakeRtp;
using test_support::ParsedRtp;
using test_support::PliMediaSsrcs;
using test_support::PutU32;
using test_support::UdpPeer;

// RFC 5764 §4.2 layout for SRTP_AEAD_AES_128_GCM (RFC 7714 §12): 16-byte keys, 12-byte salts.
constexpr size_t kKeySize = 16;
constexpr size_t kSaltSize = 12;
constexpr unsigned long kSrtpAeadAes128GcmId = 0x0007;  // RFC 7714 §14.2

// One libsrtp2 session (one direction, any SSRC) keyed with master key || master salt.
class LibsrtpSession {
 public:
  LibsrtpSession(const std::vector<uint8_t>& key_salt, bool inbound) : key_salt_(key_salt) {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    EXPECT_TRUE(initialised);
    srtp_policy_t policy{};
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key_salt_.data();
    policy.window_size = 1024;
    status_ = srtp_create(&session_, &policy);
    EXPECT_EQ(status_, srtp_err_status_ok);
  }
  ~LibsrtpSession() {
    if (status_ == srtp_err_status_ok) srtp_dealloc(session_);
  }
  LibsrtpSession(const LibsrtpSession&) = delete;
  LibsrtpSession& operator=(const LibsrtpSession&) = delete;

  std::vector<uint8_t> ProtectRtp(std::vector<uint8_t> p) {
    int len = static_cast<int>(p.size());
    p.resize(p.size() + SRTP_MAX_TRAILER_LEN);
    EXPECT_EQ(srtp_protect(session_, p.data(), &len), srtp_err_status_ok);
    p.resize(len);
    return p;
  }
  std::vector<uint8_t> ProtectRtcp(std::vector<uint8_t> p) {
    int len = static_cast<int>(p.size());
    p.resize(p.size() + SRTP_MAX_TRAILER_LEN);
    EXPECT_EQ(srtp_protect_rtcp(session_, p.data(), &len), srtp_err_status_ok);
    p.resize(len);
    return p;
  }
  bool UnprotectRtcp(std::vector<uint8_t>* p) {
    int len = static_cast<int>(p->size());
    if (srtp_unprotect_rtcp(session_, p->data(), &len) != srtp_err_status_ok) return false;
    p->resize(len);
    return true;
  }

 private:
  std::vector<uint8_t> key_salt_;
  srtp_t session_ = nullptr;
  srtp_err_status_t status_ = srtp_err_status_fail;
};

// The OpenSSL publisher: a UdpPeer's socket and STUN builder (its own DTLS client is never
// started), libssl for DTLS, libsrtp2 for SRTP. Serviced by the fixture's loop.
class OpenSslPublisher {
 public:
  OpenSslPublisher(test_support::SimPeerConfig config, SocketAddress server)
      : udp_(std::move(config), server),
        certificate_(test_support::MakeCertificate("openssl-publisher")),
        ssl_(Options(), *certificate_) {}

  static dtls::testing::OpenSslOptions Options() {
    dtls::testing::OpenSslOptions o;
    o.server = false;
    o.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    o.groups = "X25519:P-256";  // P-256 too, or TLS 1.2 refuses the ECDSA P-256 certificate
    o.srtp = "SRTP_AEAD_AES_128_GCM";
    return o;
  }

  UdpPeer& udp() { return udp_; }
  dtls::testing::OpenSslPeer& ssl() { return ssl_; }
  int fd() const { return udp_.fd(); }
  const std::array<uint8_t, 32>& fingerprint() const { return certificate_->fingerprint_sha256(); }
  bool keyed() const { return outbound_ != nullptr; }

  // Receives, runs libssl (handshake, timers, close_notify), sends what it wrote.
  void Service() {
    uint8_t buffer[2048];
    for (int i = 0; i < 1024; ++i) {
      const ssize_t n = recv(udp_.fd(), buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      std::vector<uint8_t> datagram(buffer, buffer + n);
      switch (rtp::ClassifyDatagram(datagram)) {
        case rtp::PacketClass::kStun:
          ++stun_responses;
          break;
        case rtp::PacketClass::kDtls:
          ssl_.queues().inbound.push_back(std::move(datagram));
          ssl_.Drive();
          break;
        case rtp::PacketClass::kRtcp:
          if (inbound_ == nullptr) break;
          if (inbound_->UnprotectRtcp(&datagram)) {
            rtcp_plain.push_back(std::move(datagram));
          } else {
            ++rtcp_failed;
          }
          break;
        default:
          ++unexpected;
      }
    }
    if (started_) {
      // libssl's retransmission timer, only when it has run out (no busy wait here).
      timeval left{};
      if (DTLSv1_get_timeout(ssl_.ssl(), &left) == 1 && left.tv_sec == 0 && left.tv_usec == 0) {
        if (DTLSv1_handle_timeout(ssl_.ssl()) < 0) ssl_.failed = true;
      }
    }
    auto& out = ssl_.queues().outbound;
    while (!out.empty()) {
      udp_.Send(out.front());
      out.pop_front();
    }
    if (ssl_.connected() && outbound_ == nullptr) Key();
  }

  void StartDtls() {
    started_ = true;
    ssl_.Drive();
  }

  void SendRtp(const std::vector<uint8_t>& rtp) { udp_.Send(outbound_->ProtectRtp(rtp)); }

  int stun_responses = 0;
  int rtcp_failed = 0;
  int unexpected = 0;
  std::vector<std::vector<uint8_t>> rtcp_plain;  // sfud's SRTCP as libsrtp2 decrypted it

 private:
  // RFC 5764 §4.2: client_key | server_key | client_salt | server_salt; the client (this
  // publisher) writes with the client halves and reads with the server's.
  void Key() {
    const std::vector<uint8_t> m = ssl_.Export(2 * (kKeySize + kSaltSize));
    std::vector<uint8_t> client(m.begin(), m.begin() + kKeySize);
    client.insert(client.end(), m.begin() + 2 * kKeySize, m.begin() + 2 * kKeySize + kSaltSize);
    std::vector<uint8_t> server(m.begin() + kKeySize, m.begin() + 2 * kKeySize);
    server.insert(server.end(), m.begin() + 2 * kKeySize + kSaltSize, m.end());
    outbound_ = std::make_unique<LibsrtpSession>(client, /*inbound=*/false);
    inbound_ = std::make_unique<LibsrtpSession>(server, /*inbound=*/true);
  }

  UdpPeer udp_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  dtls::testing::OpenSslPeer ssl_;
  bool started_ = false;
  std::unique_ptr<LibsrtpSession> outbound_;
  std::unique_ptr<LibsrtpSession> inbound_;
};

// SHA-256 of the certificate libssl received from sfud (RFC 8122 §5 fingerprint).
std::array<uint8_t, 32> PeerCertificateDigest(SSL* ssl) {
  std::array<uint8_t, 32> digest{};
  X509* peer = SSL_get1_peer_certificate(ssl);
  EXPECT_NE(peer, nullptr);
  if (peer == nullptr) return digest;
  unsigned int len = 0;
  EXPECT_EQ(X509_digest(peer, EVP_sha256(), digest.data(), &len), 1);
  X509_free(peer);
  return digest;
}

using OpenSslPublisherTest = DataplaneFixture;

TEST_P(OpenSslPublisherTest, LibsslAndLibsrtpPublisherReachesSfudSubscribersByteIdentical) {
  constexpr int kSubscribers = 2;
  constexpr int kPackets = 20;
  std::vector<std::unique_ptr<OpenSslPublisher>> publishers;
  std::vector<std::vector<UdpPeer*>> subscribers(shard_count());
  std::vector<UdpPeer*> sfud_peers;
  for (int k = 0; k < shard_count(); ++k) {
    const ss::RoomId room = 300 + k;
    publishers.push_back(std::make_unique<OpenSslPublisher>(NextPeerConfig(), shard_address(k)));
    OpenSslPublisher* pub = publishers.back().get();
    AddService(pub->fd(), [pub](Instant) { pub->Service(); });
    ss::AddPeer add = pub->udp().sim().BaseCommand(room);
    add.remote_fingerprint = pub->fingerprint();  // libssl's certificate, not the SimPeer's
    add.media = OpusVp8Publisher(pub->udp().id());
    Post(k, std::move(add));
    for (int i = 0; i < kSubscribers; ++i) {
      UdpPeer& sub = NewPeer(k);
      AddSubscriber(k, sub.sim(), room);
      subscribers[k].push_back(&sub);
      sfud_peers.push_back(&sub);
    }
  }

  // ICE first (repeated until answered: the AddPeer may still be in the ring), then libssl's
  // ClientHello from the same 5-tuple.
  ASSERT_TRUE(RunUntil([&] {
    bool all = true;
    for (auto& pub : publishers) {
      if (pub->stun_responses == 0) {
        pub->udp().SendCheck();
        all = false;
      }
    }
    return all;
  })) << "sfud never answered the libssl publisher's check";
  for (auto& pub : publishers) pub->StartDtls();
  ASSERT_TRUE(ConnectPeers(sfud_peers));
  ASSERT_TRUE(RunUntil([&] {
    for (auto& pub : publishers) {
      if (!pub->keyed() || pub->ssl().failed) return false;
    }
    return EventsOf<ss::PeerConnected>().size() == sfud_peers.size() + publishers.size();
  })) << "the libssl handshake did not complete";

  for (auto& pub : publishers) {
    SSL* ssl = pub->ssl().ssl();
    const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl);
    ASSERT_NE(profile, nullptr);
    EXPECT_EQ(profile->id, kSrtpAeadAes128GcmId);
    EXPECT_EQ(SSL_version(ssl), DTLS1_2_VERSION);
    EXPECT_STREQ(SSL_get_cipher_name(ssl), "ECDHE-ECDSA-AES128-GCM-SHA256");
    EXPECT_EQ(PeerCertificateDigest(ssl), certificate_->fingerprint_sha256())
        << "libssl saw a certificate other than the one sfud's SDP fingerprint names";
    for (const ss::PeerConnected& c : EventsOf<ss::PeerConnected>()) {
      if (c.peer != pub->udp().id()) continue;
      EXPECT_EQ(c.srtp_profile, dtls::SrtpProfile::kAeadAes128Gcm);
      EXPECT_EQ(c.cipher_suite, dtls::CipherSuite::kEcdheEcdsaAes128GcmSha256);
    }
  }

  // Media protected by libsrtp2 with libssl's exported keys.
  std::vector<std::vector<uint8_t>> audio_payloads, video_payloads;
  for (int i = 0; i < kPackets; ++i) {
    std::vector<uint8_t> audio(50 + i % 5);
    for (size_t j = 0; j < audio.size(); ++j) audio[j] = static_cast<uint8_t>(i * 7 + j * 3);
    audio_payloads.push_back(audio);
    video_payloads.push_back(test_support::Vp8Payload(i == 0, static_cast<uint8_t>(i * 5), 400));
  }
  for (auto& pub : publishers) {
    for (int i = 0; i < kPackets; ++i) {
      pub->SendRtp(MakeRtp(kOpusPt, static_cast<uint16_t>(40000 + i), 960u * i, kPubAudioSsrc,
                           audio_payloads[i]));
      pub->SendRtp(MakeRtp(kVp8Pt, static_cast<uint16_t>(65530 + i), 3000u * i, kPubVideoSsrc,
                           video_payloads[i], true));  // crosses the 16-bit wrap (ROC 0 -> 1)
    }
  }
  ASSERT_TRUE(RunUntil([&] {
    for (UdpPeer* sub : sfud_peers) {
      if (sub->sim().rtp_received.size() < 2 * kPackets) return false;
    }
    return true;
  })) << "sfud's subscribers did not get the libsrtp2-protected media";
  for (UdpPeer* sub : sfud_peers) {
    std::vector<ParsedRtp> audio, video;
    for (ParsedRtp& p : sub->sim().TakeRtp())
      (p.ssrc == AudioSsrc(*sub) ? audio : video).push_back(p);
    ASSERT_EQ(audio.size(), static_cast<size_t>(kPackets));
    ASSERT_EQ(video.size(), static_cast<size_t>(kPackets));
    for (int i = 0; i < kPackets; ++i) {
      EXPECT_EQ(audio[i].pt, kSubOpusPt);
      EXPECT_EQ(audio[i].payload, audio_payloads[i]) << "audio " << i;
      EXPECT_EQ(video[i].ssrc, VideoSsrc(*sub));
      EXPECT_EQ(video[i].pt, kSubVp8Pt);
      EXPECT_EQ(video[i].payload, video_payloads[i]) << "video " << i;
      if (i > 0) {
        EXPECT_EQ(static_cast<uint16_t>(video[i].seq - video[i - 1].seq), 1);
      }
    }
  }

  // A viewer's PLI reaches the libssl publisher as SRTCP that libsrtp2 decrypts. Repeated every
  // 30 ms until it arrives: sfud forwards at most one per keyframe_request_interval (20 ms here).
  for (int k = 0; k < shard_count(); ++k) {
    OpenSslPublisher& pub = *publishers[k];
    UdpPeer& viewer = *subscribers[k].back();
    pub.rtcp_plain.clear();
    auto last = std::chrono::steady_clock::time_point{};
    ASSERT_TRUE(RunUntil([&] {
      if (!PliMediaSsrcs(pub.rtcp_plain).empty()) return true;
      if (std::chrono::steady_clock::now() - last >= std::chrono::milliseconds(30)) {
        std::vector<uint8_t> pli = {0x81, 206, 0, 2};
        PutU32(pli, 0x77000000 + viewer.id());
        PutU32(pli, VideoSsrc(viewer));
        viewer.SendRtcp(pli);
        last = std::chrono::steady_clock::now();
      }
      return false;
    })) << "no PLI reached the libssl publisher";
    EXPECT_EQ(PliMediaSsrcs(pub.rtcp_plain)[0], kPubVideoSsrc);
    EXPECT_EQ(pub.rtcp_failed, 0) << "libsrtp2 refused sfud's SRTCP";
    EXPECT_EQ(pub.unexpected, 0);
  }

  // Stop: libssl reads sfud's close_notify (SSL_read returns SSL_ERROR_ZERO_RETURN).
  StopShards();
  EXPECT_TRUE(RunUntil([&] {
    for (auto& pub : publishers) {
      if (!pub->ssl().closed) return false;
    }
    return true;
  })) << "libssl did not get close_notify";
  uint64_t rtp_in = 0, srtp_drops = 0;
  for (auto& loop : loops_) {
    rtp_in += loop->final_stats().rtp_in;
    srtp_drops += loop->final_stats().drop_srtp_auth + loop->final_stats().drop_srtp_malformed +
                  loop->final_stats().drop_srtp_replay + loop->final_stats().drop_srtp_other;
  }
  EXPECT_EQ(rtp_in, publishers.size() * 2 * kPackets);
  EXPECT_EQ(srtp_drops, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenSslPublisherTest, AllBackendsAndShardCounts(),
                         DataplaneParamName);

}  // namespace
}  // namespace sfu::net
