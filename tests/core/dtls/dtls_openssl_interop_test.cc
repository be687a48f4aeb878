// Our DTLS engine against OpenSSL libssl (DTLS 1.2) in the same process: libssl's datagrams go
// through a datagram-preserving in-memory BIO, the test pumps them to our endpoint and back, and
// the SRTP keys each side exports must be byte-equal (SSL_export_keying_material is the
// independent reference). Both roles, every suite x group x profile, MTU 256 and 1200, seeded
// loss/duplication/reordering, a fragmented ClientHello, refusals.

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <tuple>
#include <vector>

#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"
#include "core/dtls/key_schedule.h"
#include "core/dtls/record_layer.h"
#include "gtest/gtest.h"
#include "tests/core/dtls/openssl_peer.h"

namespace sfu::dtls {
namespace {

using testing::Datagram;
using testing::Faults;
using testing::InteropPump;
using testing::MakeCert;
using testing::OpenSslOptions;
using testing::OpenSslPeer;
using testing::SrtpName;

class OpenSslInteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ours_cert_ = MakeCert("sfud");
    theirs_cert_ = MakeCert("openssl");
  }
  static std::shared_ptr<const crypto::Certificate> ours_cert_;
  static std::shared_ptr<const crypto::Certificate> theirs_cert_;

  static void ExpectSameKeys(InteropPump& pump, OpenSslPeer& peer, SrtpProfile profile,
                             Role our_role) {
    const DtlsEvent* connected = nullptr;
    for (const auto& e : pump.events()) {
      if (e.kind == DtlsEvent::Kind::kConnected) connected = &e;
    }
    ASSERT_NE(connected, nullptr);
    EXPECT_EQ(connected->srtp.profile, profile);
    EXPECT_EQ(connected->srtp.role, our_role);
    const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(peer.ssl());
    ASSERT_NE(selected, nullptr);
    EXPECT_EQ(selected->id, static_cast<unsigned long>(profile));
    const auto theirs = peer.Export(connected->srtp.size());
    EXPECT_EQ(std::vector<uint8_t>(connected->srtp.material.begin(),
                                   connected->srtp.material.begin() + connected->srtp.size()),
              theirs);
    EXPECT_EQ(connected->peer_fingerprint, theirs_cert_->fingerprint_sha256());
  }
};
std::shared_ptr<const crypto::Certificate> OpenSslInteropTest::ours_cert_;
std::shared_ptr<const crypto::Certificate> OpenSslInteropTest::theirs_cert_;

using Combo = std::tuple<CipherSuite, crypto::NamedGroup, SrtpProfile, long>;

class OpenSslMatrixTest : public OpenSslInteropTest, public ::testing::WithParamInterface<Combo> {
 protected:
  DtlsConfig OurConfig(Role role) const {
    const auto [suite, group, profile, mtu] = GetParam();
    DtlsConfig c;
    c.role = role;
    c.mtu = static_cast<size_t>(mtu);
    c.cipher_suites = {suite};
    c.groups = {group};
    c.srtp_profiles = {profile};
    c.expected_peer_fingerprint = theirs_cert_->fingerprint_sha256();
    return c;
  }
  OpenSslOptions TheirOptions(bool server) const {
    const auto [suite, group, profile, mtu] = GetParam();
    OpenSslOptions o;
    o.server = server;
    o.mtu = mtu;
    // OpenSSL keeps P-256 in its groups so its ECDSA P-256 certificate stays usable.
    o.groups = group == crypto::NamedGroup::kX25519 ? "X25519:P-256" : "P-256";
    o.srtp = SrtpName(profile);
    o.ciphers = suite == CipherSuite::kEcdheEcdsaAes128GcmSha256 ? "ECDHE-ECDSA-AES128-GCM-SHA256"
                                                                 : "ECDHE-ECDSA-AES256-GCM-SHA384";
    return o;
  }
};

TEST_P(OpenSslMatrixTest, OurServerOpenSslClient) {
  const auto [suite, group, profile, mtu] = GetParam();
  SeededRandom random(1);
  DtlsServerContext context(OurConfig(Role::kServer), ours_cert_, random);
  OpenSslPeer peer(TheirOptions(false), *theirs_cert_);
  InteropPump pump(peer, 1, {});
  pump.SetOurServerContext(&context);
  pump.expected_fingerprint = theirs_cert_->fingerprint_sha256();
  pump.Start();
  ASSERT_TRUE(pump.Run()) << ERR_error_string(ERR_get_error(), nullptr);
  EXPECT_EQ(pump.hello_verify_requests, 1);
  ExpectSameKeys(pump, peer, profile, Role::kServer);
  EXPECT_EQ(pump.events()[0].cipher_suite, suite);
  EXPECT_EQ(pump.events()[0].group, group);
  for (const auto& d : pump.sent_by_openssl()) EXPECT_LE(d.size(), static_cast<size_t>(mtu));
}

TEST_P(OpenSslMatrixTest, OurClientOpenSslServer) {
  const auto [suite, group, profile, mtu] = GetParam();
  SeededRandom random(2);
  auto client = *DtlsEndpoint::CreateClient(OurConfig(Role::kClient), ours_cert_, random);
  OpenSslPeer peer(TheirOptions(true), *theirs_cert_);
  InteropPump pump(peer, 2, {});
  pump.SetOurClient(client.get());
  pump.Start();
  ASSERT_TRUE(pump.Run()) << ERR_error_string(ERR_get_error(), nullptr);
  ExpectSameKeys(pump, peer, profile, Role::kClient);
  EXPECT_EQ(pump.events()[0].cipher_suite, suite);
  EXPECT_EQ(pump.events()[0].group, group);
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, OpenSslMatrixTest,
    ::testing::Combine(::testing::Values(CipherSuite::kEcdheEcdsaAes128GcmSha256,
                                         CipherSuite::kEcdheEcdsaAes256GcmSha384),
                       ::testing::Values(crypto::NamedGroup::kX25519,
                                         crypto::NamedGroup::kSecp256r1),
                       ::testing::Values(SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                         SrtpProfile::kAes128CmHmacSha1_80),
                       ::testing::Values(256L, 1200L)));

TEST_F(OpenSslInteropTest, LossyLinkBothRoles) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Faults faults;
    faults.loss_percent = 15;
    faults.duplicate_percent = 10;
    faults.reorder_percent = 20;
    DtlsConfig config;
    config.mtu = seed % 2 ? 256 : 1200;
    config.max_retransmissions = 20;
    config.expected_peer_fingerprint = theirs_cert_->fingerprint_sha256();
    OpenSslOptions o;
    o.mtu = static_cast<long>(config.mtu);
    {
      SeededRandom random(seed);
      DtlsServerContext context(config, ours_cert_, random);
      OpenSslPeer peer(o, *theirs_cert_);
      InteropPump pump(peer, seed, faults);
      pump.SetOurServerContext(&context);
      pump.Start();
      ASSERT_TRUE(pump.Run(20000)) << "server seed " << seed;
      ExpectSameKeys(pump, peer, SrtpProfile::kAeadAes128Gcm, Role::kServer);
    }
    {
      SeededRandom random(seed);
      config.role = Role::kClient;
      auto client = *DtlsEndpoint::CreateClient(config, ours_cert_, random);
      o.server = true;
      OpenSslPeer peer(o, *theirs_cert_);
      InteropPump pump(peer, seed + 100, faults);
      pump.SetOurClient(client.get());
      pump.Start();
      ASSERT_TRUE(pump.Run(20000)) << "client seed " << seed;
      ExpectSameKeys(pump, peer, SrtpProfile::kAeadAes128Gcm, Role::kClient);
    }
  }
}

TEST_F(OpenSslInteropTest, FragmentedClientHelloFromOpenSsl) {
  // Like peers/openssl/frag_clienthello.sh: MTU 256 and inflated lists make libssl fragment its
  // ClientHello, as Chromium does with its 1413-byte one.
  OpenSslOptions o;
  o.mtu = 256;
  o.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ALL:@SECLEVEL=0";
  o.groups = "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096";
  o.srtp =
      "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_32";
  DtlsConfig config;
  config.expected_peer_fingerprint = theirs_cert_->fingerprint_sha256();
  SeededRandom random(3);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(o, *theirs_cert_);
  InteropPump pump(peer, 3, {});
  pump.SetOurServerContext(&context);
  pump.Start();
  ASSERT_TRUE(pump.Run());
  // The first ClientHello really came in several datagrams.
  ASSERT_GE(pump.sent_by_openssl().size(), 2u);
  EXPECT_GT(pump.ours()->stats().handshake_fragments_buffered, 1u);
  ExpectSameKeys(pump, peer, SrtpProfile::kAeadAes128Gcm, Role::kServer);
}

TEST_F(OpenSslInteropTest, OpenSslServerWithoutCommonProfileIsRefused) {
  // libssl completes without use_srtp when no profile matches; our client must refuse.
  OpenSslOptions o;
  o.server = true;
  o.srtp = "SRTP_AES128_CM_SHA1_32";
  DtlsConfig config;
  config.role = Role::kClient;
  SeededRandom random(4);
  auto client = *DtlsEndpoint::CreateClient(config, ours_cert_, random);
  OpenSslPeer peer(o, *theirs_cert_);
  InteropPump pump(peer, 4, {});
  pump.SetOurClient(client.get());
  pump.Start();
  EXPECT_FALSE(pump.Run());
  ASSERT_EQ(pump.events().size(), 1u);
  EXPECT_EQ(pump.events()[0].kind, DtlsEvent::Kind::kFailed);
  EXPECT_EQ(pump.events()[0].alert_sent, AlertDescription::kHandshakeFailure);
  EXPECT_EQ(pump.events()[0].reason, "no use_srtp");
  ASSERT_FALSE(peer.alerts_received.empty());
  EXPECT_EQ(peer.alerts_received.back() & 0xFF, 40);
}

TEST_F(OpenSslInteropTest, OpenSslClientWithoutCommonProfileIsRefused) {
  OpenSslOptions o;
  o.srtp = "SRTP_AES128_CM_SHA1_32";
  DtlsConfig config;
  SeededRandom random(5);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(o, *theirs_cert_);
  InteropPump pump(peer, 5, {});
  pump.SetOurServerContext(&context);
  pump.Start();
  EXPECT_FALSE(pump.Run());
  ASSERT_EQ(pump.events().size(), 1u);
  EXPECT_EQ(pump.events()[0].reason, "no common srtp profile");
  EXPECT_TRUE(peer.failed);
  ASSERT_FALSE(peer.alerts_received.empty());
  EXPECT_EQ(peer.alerts_received.back() & 0xFF, 40);
}

TEST_F(OpenSslInteropTest, FingerprintMismatchWithOpenSsl) {
  DtlsConfig config;
  config.expected_peer_fingerprint = ours_cert_->fingerprint_sha256();  // not OpenSSL's
  SeededRandom random(6);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(OpenSslOptions{}, *theirs_cert_);
  InteropPump pump(peer, 6, {});
  pump.SetOurServerContext(&context);
  pump.expected_fingerprint = config.expected_peer_fingerprint;
  pump.Start();
  EXPECT_FALSE(pump.Run());
  ASSERT_EQ(pump.events().size(), 1u);
  EXPECT_EQ(pump.events()[0].alert_sent, AlertDescription::kBadCertificate);
  EXPECT_EQ(pump.events()[0].reason, "fingerprint mismatch");
  ASSERT_FALSE(peer.alerts_received.empty());
  EXPECT_EQ(peer.alerts_received.back() & 0xFF, 42);
}

TEST_F(OpenSslInteropTest, RenegotiationIsRefusedWithWarning) {
  DtlsConfig config;
  SeededRandom random(7);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(OpenSslOptions{}, *theirs_cert_);
  InteropPump pump(peer, 7, {});
  pump.SetOurServerContext(&context);
  pump.Start();
  ASSERT_TRUE(pump.Run());
  const uint64_t alerts_before = pump.ours()->stats().alerts_sent;
  ASSERT_EQ(SSL_renegotiate(peer.ssl()), 1);
  peer.Drive();  // sends a ClientHello in epoch 1
  pump.Run(50);
  // One warning per renegotiation ClientHello (libssl may repeat it on its timer).
  EXPECT_GE(pump.ours()->stats().alerts_sent, alerts_before + 1);
  EXPECT_TRUE(pump.ours()->connected() || pump.ours()->failed());
  ASSERT_FALSE(peer.alerts_received.empty());
  EXPECT_EQ(peer.alerts_received.front(), (1 << 8) | 100);  // warning no_renegotiation
  // The keys stay those of the first handshake; our side does not start a new one.
  EXPECT_FALSE(pump.ours()->holds_handshake_state() &&
               pump.ours()->stats().handshake_messages_received > 4);
}

TEST_F(OpenSslInteropTest, OurClientWithoutHelloVerifyRequest) {
  // A server that skips the cookie exchange: the first ClientHello stays in the transcript.
  OpenSslOptions o;
  o.server = true;
  o.cookie_exchange = false;
  DtlsConfig config;
  config.role = Role::kClient;
  config.expected_peer_fingerprint = theirs_cert_->fingerprint_sha256();
  SeededRandom random(12);
  auto client = *DtlsEndpoint::CreateClient(config, ours_cert_, random);
  OpenSslPeer peer(o, *theirs_cert_);
  InteropPump pump(peer, 12, {});
  pump.SetOurClient(client.get());
  pump.Start();
  ASSERT_TRUE(pump.Run());
  ExpectSameKeys(pump, peer, SrtpProfile::kAeadAes128Gcm, Role::kClient);
}

TEST_F(OpenSslInteropTest, TamperedFinishedIsDecryptError) {
  // Re-encrypt libssl's Finished with one verify_data bit flipped, using keys derived from
  // libssl's own master secret: the record authenticates, the Finished does not verify.
  DtlsConfig config;
  SeededRandom random(9);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(OpenSslOptions{}, *theirs_cert_);
  InteropPump pump(peer, 9, {});
  pump.SetOurServerContext(&context);
  int tampered = 0;
  pump.from_peer_hook = [&](Datagram& d) {
    SSL_SESSION* session = SSL_get_session(peer.ssl());
    std::array<uint8_t, 48> master;
    std::array<uint8_t, 32> client_random, server_random;
    if (session == nullptr ||
        SSL_SESSION_get_master_key(session, master.data(), master.size()) != master.size()) {
      return;
    }
    SSL_get_client_random(peer.ssl(), client_random.data(), client_random.size());
    SSL_get_server_random(peer.ssl(), server_random.data(), server_random.size());
    KeyBlock keys;
    ASSERT_TRUE(ExpandKeys(CipherSuite::kEcdheEcdsaAes128GcmSha256, master, client_random,
                           server_random, &keys)
                    .ok());
    Datagram out;
    ByteReader r(d);
    while (!r.empty()) {
      const size_t start = r.position();
      Record record;
      ASSERT_EQ(ParseRecord(r, &record), RecordParse::kOk);
      if (record.epoch == 1 && record.content_type == 22) {
        auto opener = RecordProtection::Create(keys.client_key(), keys.client_write_iv);
        auto sealer = RecordProtection::Create(keys.client_key(), keys.client_write_iv);
        std::array<uint8_t, 256> scratch;
        absl::Span<const uint8_t> plaintext;
        ASSERT_TRUE(opener->Open(record, absl::MakeSpan(scratch), &plaintext));
        Datagram modified(plaintext.begin(), plaintext.end());
        modified.back() ^= 0x01;  // last verify_data byte
        std::array<uint8_t, 256> sealed;
        ByteWriter w(absl::MakeSpan(sealed));
        ASSERT_TRUE(sealer->Seal(ContentType::kHandshake, record.version, 1, record.sequence_number,
                                 modified, w));
        out.insert(out.end(), w.written().begin(), w.written().end());
        ++tampered;
      } else {
        out.insert(out.end(), d.begin() + static_cast<ptrdiff_t>(start),
                   d.begin() + static_cast<ptrdiff_t>(r.position()));
      }
    }
    d = out;
  };
  pump.Start();
  EXPECT_FALSE(pump.Run());
  EXPECT_EQ(tampered, 1);
  ASSERT_EQ(pump.events().size(), 1u);
  EXPECT_EQ(pump.events()[0].alert_sent, AlertDescription::kDecryptError);
  EXPECT_EQ(pump.events()[0].reason, "Finished mismatch");
  EXPECT_EQ(pump.ours()->stats().drop_decrypt_failed, 0u);
  ASSERT_FALSE(peer.alerts_received.empty());
  EXPECT_EQ(peer.alerts_received.back() & 0xFF, 51);
}

TEST_F(OpenSslInteropTest, ClientWithoutCertificateIsRefused) {
  OpenSslOptions o;
  o.certificate = false;
  DtlsConfig config;
  SeededRandom random(10);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(o, *theirs_cert_);
  InteropPump pump(peer, 10, {});
  pump.SetOurServerContext(&context);
  pump.Start();
  EXPECT_FALSE(pump.Run());
  ASSERT_EQ(pump.events().size(), 1u);
  EXPECT_EQ(pump.events()[0].alert_sent, AlertDescription::kHandshakeFailure);
  EXPECT_EQ(pump.events()[0].reason, "no certificate");
}

TEST_F(OpenSslInteropTest, ApplicationDataIsCountedAndDropped) {
  DtlsConfig config;
  SeededRandom random(11);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(OpenSslOptions{}, *theirs_cert_);
  InteropPump pump(peer, 11, {});
  pump.SetOurServerContext(&context);
  pump.Start();
  ASSERT_TRUE(pump.Run());
  ASSERT_EQ(SSL_write(peer.ssl(), "hello", 5), 5);
  ASSERT_EQ(peer.queues().outbound.size(), 1u);
  const Datagram d = peer.queues().outbound.front();
  pump.ours()->HandleDatagram(pump.now(), d);
  EXPECT_EQ(pump.ours()->stats().application_data_dropped, 1u);
  pump.ours()->HandleDatagram(pump.now(), d);  // the same record again: a replay
  EXPECT_EQ(pump.ours()->stats().application_data_dropped, 1u);
  EXPECT_EQ(pump.ours()->stats().drop_replay, 1u);
  EXPECT_TRUE(pump.ours()->connected());
}

TEST_F(OpenSslInteropTest, CloseNotifyBothWays) {
  DtlsConfig config;
  SeededRandom random(8);
  DtlsServerContext context(config, ours_cert_, random);
  OpenSslPeer peer(OpenSslOptions{}, *theirs_cert_);
  InteropPump pump(peer, 8, {});
  pump.SetOurServerContext(&context);
  pump.Start();
  ASSERT_TRUE(pump.Run());
  pump.ours()->Close(pump.now());
  auto alert = pump.ours()->PollTransmit();
  ASSERT_TRUE(alert);
  peer.queues().inbound.emplace_back(alert->begin(), alert->end());
  peer.Drive();
  EXPECT_TRUE(peer.closed);
  pump.PollEvents();
  ASSERT_EQ(pump.events().back().kind, DtlsEvent::Kind::kClosed);
}

}  // namespace
}  // namespace sfu::dtls
