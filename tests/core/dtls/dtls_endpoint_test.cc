#include "core/dtls/dtls_endpoint.h"

#include <chrono>
#include <tuple>
#include <vector>

#include "core/dtls/dtls_server_context.h"
#include "core/dtls/handshake_header.h"
#include "core/dtls/record_layer.h"
#include "gtest/gtest.h"
#include "tests/core/dtls/loopback_pair.h"

namespace sfu::dtls {
namespace {

using std::chrono::milliseconds;
using testing::LinkFaults;
using testing::LoopbackPair;
using testing::SplitRecords;

std::shared_ptr<const crypto::Certificate> MakeCert(const char* cn) {
  auto cert = crypto::Certificate::GenerateSelfSigned(cn, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok()) << cert.status();
  return std::make_shared<const crypto::Certificate>(std::move(*cert));
}

class DtlsEndpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    client_cert_ = MakeCert("client");
    server_cert_ = MakeCert("server");
  }
  DtlsConfig ClientConfig() const {
    DtlsConfig c;
    c.role = Role::kClient;
    c.expected_peer_fingerprint = server_cert_->fingerprint_sha256();
    return c;
  }
  DtlsConfig ServerConfig() const {
    DtlsConfig c;
    c.role = Role::kServer;
    return c;
  }
  static void ExpectKeysMatch(LoopbackPair& pair) {
    const DtlsEvent* c = pair.ClientConnected();
    const DtlsEvent* s = pair.ServerConnected();
    ASSERT_NE(c, nullptr);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(c->srtp.profile, s->srtp.profile);
    EXPECT_EQ(c->cipher_suite, s->cipher_suite);
    EXPECT_EQ(c->group, s->group);
    ASSERT_EQ(c->srtp.size(), s->srtp.size());
    EXPECT_TRUE(std::equal(c->srtp.material.begin(), c->srtp.material.begin() + c->srtp.size(),
                           s->srtp.material.begin()));
    EXPECT_EQ(std::vector<uint8_t>(c->srtp.local_key().begin(), c->srtp.local_key().end()),
              std::vector<uint8_t>(s->srtp.remote_key().begin(), s->srtp.remote_key().end()));
    EXPECT_EQ(std::vector<uint8_t>(c->srtp.remote_salt().begin(), c->srtp.remote_salt().end()),
              std::vector<uint8_t>(s->srtp.local_salt().begin(), s->srtp.local_salt().end()));
    EXPECT_EQ(c->peer_fingerprint, server_cert_->fingerprint_sha256());
    EXPECT_EQ(s->peer_fingerprint, client_cert_->fingerprint_sha256());
  }
  static std::shared_ptr<const crypto::Certificate> client_cert_;
  static std::shared_ptr<const crypto::Certificate> server_cert_;
};
std::shared_ptr<const crypto::Certificate> DtlsEndpointTest::client_cert_;
std::shared_ptr<const crypto::Certificate> DtlsEndpointTest::server_cert_;

class DtlsMatrixTest : public DtlsEndpointTest,
                       public ::testing::WithParamInterface<
                           std::tuple<CipherSuite, crypto::NamedGroup, SrtpProfile, size_t>> {};

TEST_P(DtlsMatrixTest, HandshakeAgreesOnKeys) {
  const auto [suite, group, profile, mtu] = GetParam();
  DtlsConfig client = ClientConfig();
  DtlsConfig server = ServerConfig();
  client.mtu = server.mtu = mtu;
  server.cipher_suites = {suite};
  server.groups = {group};
  server.srtp_profiles = {profile};
  LoopbackPair pair(client, server, client_cert_, server_cert_, 1);
  ASSERT_TRUE(pair.Run());
  ExpectKeysMatch(pair);
  const DtlsEvent* c = pair.ClientConnected();
  EXPECT_EQ(c->cipher_suite, suite);
  EXPECT_EQ(c->group, group);
  EXPECT_EQ(c->srtp.profile, profile);
  EXPECT_EQ(pair.hello_verify_requests, 1);
  EXPECT_EQ(pair.client().stats().retransmissions, 0u);
  // Both free their handshake state once the last flight has been polled; nothing is scheduled.
  EXPECT_FALSE(pair.client().holds_handshake_state());
  EXPECT_FALSE(pair.server()->holds_handshake_state());
  EXPECT_TRUE(pair.server()->connected());
  EXPECT_FALSE(pair.server()->NextTimeout());
  EXPECT_FALSE(pair.client().NextTimeout());
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, DtlsMatrixTest,
    ::testing::Combine(::testing::Values(CipherSuite::kEcdheEcdsaAes128GcmSha256,
                                         CipherSuite::kEcdheEcdsaAes256GcmSha384),
                       ::testing::Values(crypto::NamedGroup::kX25519,
                                         crypto::NamedGroup::kSecp256r1),
                       ::testing::Values(SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                         SrtpProfile::kAes128CmHmacSha1_80),
                       ::testing::Values(size_t{256}, size_t{1200})));

TEST_F(DtlsEndpointTest, DatagramsStayWithinMtu) {
  DtlsConfig client = ClientConfig(), server = ServerConfig();
  client.mtu = server.mtu = 256;
  LoopbackPair pair(client, server, client_cert_, server_cert_, 2);
  size_t largest = 0, count = 0;
  pair.to_client_hook = [&](std::vector<uint8_t>& d) {
    largest = std::max(largest, d.size());
    ++count;
    return true;
  };
  pair.to_server_hook = pair.to_client_hook;
  ASSERT_TRUE(pair.Run());
  EXPECT_LE(largest, 256u);
  EXPECT_GT(count, 6u);  // the flights really were fragmented
}

TEST_F(DtlsEndpointTest, ServerPrefersAes128GcmX25519AndGcmProfile) {
  DtlsConfig client = ClientConfig();
  // The client lists everything in another order, as Chromium does.
  client.srtp_profiles = {SrtpProfile::kAes128CmHmacSha1_80, SrtpProfile::kAeadAes256Gcm,
                          SrtpProfile::kAeadAes128Gcm};
  client.cipher_suites = {CipherSuite::kEcdheEcdsaAes256GcmSha384,
                          CipherSuite::kEcdheEcdsaAes128GcmSha256};
  client.groups = {crypto::NamedGroup::kSecp256r1, crypto::NamedGroup::kX25519};
  LoopbackPair pair(client, ServerConfig(), client_cert_, server_cert_, 3);
  ASSERT_TRUE(pair.Run());
  const DtlsEvent* s = pair.ServerConnected();
  EXPECT_EQ(s->cipher_suite, CipherSuite::kEcdheEcdsaAes128GcmSha256);
  EXPECT_EQ(s->group, crypto::NamedGroup::kX25519);
  EXPECT_EQ(s->srtp.profile, SrtpProfile::kAeadAes128Gcm);
}

TEST_F(DtlsEndpointTest, SurvivesLossDuplicationAndReordering) {
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    DtlsConfig client = ClientConfig(), server = ServerConfig();
    client.mtu = server.mtu = seed % 2 ? 256 : 1200;
    client.max_retransmissions = server.max_retransmissions = 20;
    LinkFaults faults;
    faults.loss_percent = 20;
    faults.duplicate_percent = 15;
    faults.reorder_percent = 25;
    LoopbackPair pair(client, server, client_cert_, server_cert_, seed, faults);
    ASSERT_TRUE(pair.Run(20000)) << "seed " << seed;
    ExpectKeysMatch(pair);
  }
}

TEST_F(DtlsEndpointTest, SecondHalfOfEachFlightFirst) {
  DtlsConfig client = ClientConfig(), server = ServerConfig();
  client.mtu = server.mtu = 256;
  LinkFaults faults;
  faults.reverse_bursts = true;
  LoopbackPair pair(client, server, client_cert_, server_cert_, 4, faults);
  ASSERT_TRUE(pair.Run());
  ExpectKeysMatch(pair);
  // The client's Finished (epoch 1) arrived before the ClientKeyExchange that yields its keys.
  EXPECT_GT(pair.server()->stats().early_records_buffered, 0u);
  EXPECT_EQ(pair.server()->stats().retransmissions, 0u);
}

TEST_F(DtlsEndpointTest, FirstFlightWithDtls10RecordVersion) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 5);
  pair.to_server_hook = [](std::vector<uint8_t>& d) {
    // Firefox: 0xFEFF on epoch-0 records.
    std::vector<uint8_t> out;
    for (auto& record : SplitRecords(d)) {
      if (record[3] == 0 && record[4] == 0) {
        record[1] = 0xFE;
        record[2] = 0xFF;
      }
      out.insert(out.end(), record.begin(), record.end());
    }
    d = out;
    return true;
  };
  ASSERT_TRUE(pair.Run());
  ExpectKeysMatch(pair);
}

TEST_F(DtlsEndpointTest, FinishedBeforeChangeCipherSpec) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 6);
  int swapped = 0;
  auto swap_ccs = [&](std::vector<uint8_t>& d) {
    auto records = SplitRecords(d);
    for (size_t i = 0; i + 1 < records.size(); ++i) {
      if (records[i][0] == 20) {
        std::swap(records[i], records[i + 1]);
        ++swapped;
        break;
      }
    }
    d.clear();
    for (auto& r : records) d.insert(d.end(), r.begin(), r.end());
    return true;
  };
  pair.to_server_hook = swap_ccs;
  pair.to_client_hook = swap_ccs;
  ASSERT_TRUE(pair.Run());
  EXPECT_EQ(swapped, 2);
  ExpectKeysMatch(pair);
}

TEST_F(DtlsEndpointTest, RetransmissionScheduleDoublesToCapThenTimesOut) {
  SeededRandom random(7);
  DtlsConfig config = ClientConfig();
  config.initial_retransmit_timeout = milliseconds(100);
  config.max_retransmit_timeout = milliseconds(1000);
  config.max_retransmissions = 6;
  auto client = *DtlsEndpoint::CreateClient(config, client_cert_, random);
  const Instant t0 = Instant::FromNanos(0) + std::chrono::seconds(10);
  client->Start(t0);
  ASSERT_TRUE(client->PollTransmit());
  const std::vector<int> expected_ms = {100, 300, 700, 1500, 2500, 3500, 4500};
  std::vector<int> actual_ms;
  for (int i = 0; i < 10 && client->NextTimeout(); ++i) {
    const Instant deadline = *client->NextTimeout();
    actual_ms.push_back(static_cast<int>((deadline - t0) / milliseconds(1)));
    client->HandleTimeout(deadline - milliseconds(1));  // early: nothing happens
    EXPECT_FALSE(client->PollTransmit());
    client->HandleTimeout(deadline);
    if (client->failed()) break;
    EXPECT_TRUE(client->PollTransmit());  // the ClientHello again
    EXPECT_FALSE(client->PollTransmit());
  }
  EXPECT_EQ(actual_ms, expected_ms);
  EXPECT_EQ(client->stats().retransmissions, 6u);
  auto event = client->PollEvent();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DtlsEvent::Kind::kFailed);
  EXPECT_EQ(event->reason, "timeout");
  EXPECT_FALSE(client->PollEvent());
  EXPECT_FALSE(client->NextTimeout());
}

TEST_F(DtlsEndpointTest, FingerprintMismatchIsBadCertificate) {
  DtlsConfig server = ServerConfig();
  // The client expects a fingerprint that cannot match the server's certificate.
  DtlsConfig wrong = ClientConfig();
  wrong.expected_peer_fingerprint = client_cert_->fingerprint_sha256();  // not the server's
  LoopbackPair pair2(wrong, server, client_cert_, server_cert_, 8);
  EXPECT_FALSE(pair2.Run());
  ASSERT_FALSE(pair2.client_events().empty());
  const DtlsEvent& e = pair2.client_events().back();
  EXPECT_EQ(e.kind, DtlsEvent::Kind::kFailed);
  EXPECT_EQ(e.alert_sent, AlertDescription::kBadCertificate);
  EXPECT_EQ(e.reason, "fingerprint mismatch");
  ASSERT_FALSE(pair2.server_events().empty());
  EXPECT_EQ(pair2.server_events().back().alert_received, AlertDescription::kBadCertificate);
  EXPECT_EQ(pair2.server_events().size(), 1u);  // reported exactly once
}

TEST_F(DtlsEndpointTest, TamperedRecordIsDroppedSilentlyThenRetransmitted) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 9);
  bool tampered = false;
  pair.to_server_hook = [&](std::vector<uint8_t>& d) {
    if (tampered) return true;
    size_t offset = 0;
    for (auto& record : SplitRecords(d)) {
      if (record[3] == 0 && record[4] == 1) {  // epoch 1: the Finished
        d[offset + record.size() - 1] ^= 0x80;
        tampered = true;
        break;
      }
      offset += record.size();
    }
    return true;
  };
  ASSERT_TRUE(pair.Run());
  EXPECT_TRUE(tampered);
  EXPECT_EQ(pair.server()->stats().drop_decrypt_failed, 1u);
  EXPECT_GE(pair.client().stats().retransmissions, 1u);
  ExpectKeysMatch(pair);
}

// RFC 6347 §4.2.4: the server's final flight is lost; the client repeats flight 5 on its timer
// and the server, which has already dropped its handshake state, rebuilds flight 6.
TEST_F(DtlsEndpointTest, LostFinalFlightIsRebuiltAfterHandshakeStateIsGone) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 14);
  int dropped = 0;
  pair.to_client_hook = [&](std::vector<uint8_t>& d) {
    for (const auto& record : SplitRecords(d)) {
      if (record[3] == 0 && record[4] == 1 && dropped < 2) {
        ++dropped;  // flight 6, and its first rebuilt copy
        return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(pair.Run());
  EXPECT_EQ(dropped, 2);
  EXPECT_EQ(pair.server()->stats().retransmissions_on_duplicate, 2u);
  EXPECT_GE(pair.client().stats().retransmissions, 2u);
  EXPECT_FALSE(pair.server()->holds_handshake_state());
  ExpectKeysMatch(pair);
}

TEST_F(DtlsEndpointTest, FinalFlightNotRebuiltAfterGrace) {
  DtlsConfig server = ServerConfig();
  server.final_flight_grace = milliseconds(150);
  LoopbackPair pair(ClientConfig(), server, client_cert_, server_cert_, 15);
  pair.to_client_hook = [&](std::vector<uint8_t>& d) {
    for (const auto& record : SplitRecords(d)) {
      if (record[3] == 0 && record[4] == 1) return false;  // every flight 6
    }
    return true;
  };
  EXPECT_FALSE(pair.Run());
  EXPECT_TRUE(pair.server()->connected());
  // Answered within the grace period (client retransmits at +100 ms), not after (+300 ms ...).
  EXPECT_EQ(pair.server()->stats().retransmissions_on_duplicate, 1u);
  ASSERT_FALSE(pair.client_events().empty());
  EXPECT_EQ(pair.client_events().back().reason, "timeout");
}

TEST_F(DtlsEndpointTest, NoCommonSrtpProfileFailsWithHandshakeFailure) {
  DtlsConfig client = ClientConfig(), server = ServerConfig();
  client.srtp_profiles = {SrtpProfile::kAes128CmHmacSha1_80};
  server.srtp_profiles = {SrtpProfile::kAeadAes128Gcm};
  LoopbackPair pair(client, server, client_cert_, server_cert_, 10);
  EXPECT_FALSE(pair.Run());
  ASSERT_EQ(pair.server_events().size(), 1u);
  EXPECT_EQ(pair.server_events()[0].alert_sent, AlertDescription::kHandshakeFailure);
  EXPECT_EQ(pair.server_events()[0].reason, "no common srtp profile");
  ASSERT_EQ(pair.client_events().size(), 1u);
  EXPECT_EQ(pair.client_events()[0].alert_received, AlertDescription::kHandshakeFailure);
}

TEST_F(DtlsEndpointTest, NoCommonSuiteOrGroup) {
  DtlsConfig client = ClientConfig(), server = ServerConfig();
  client.cipher_suites = {CipherSuite::kEcdheEcdsaAes256GcmSha384};
  server.cipher_suites = {CipherSuite::kEcdheEcdsaAes128GcmSha256};
  LoopbackPair pair(client, server, client_cert_, server_cert_, 11);
  EXPECT_FALSE(pair.Run());
  ASSERT_EQ(pair.server_events().size(), 1u);
  EXPECT_EQ(pair.server_events()[0].reason, "no common cipher suite");
}

TEST_F(DtlsEndpointTest, CloseSendsCloseNotify) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 12);
  ASSERT_TRUE(pair.Run());
  pair.client().Close(pair.now());
  auto alert = pair.client().PollTransmit();
  ASSERT_TRUE(alert);
  pair.server()->HandleDatagram(pair.now(), *alert);
  auto closed = pair.server()->PollEvent();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->kind, DtlsEvent::Kind::kClosed);
  EXPECT_EQ(closed->alert_received, AlertDescription::kCloseNotify);
  EXPECT_TRUE(pair.server()->closed());
  auto client_event = pair.client().PollEvent();
  ASSERT_TRUE(client_event);
  EXPECT_EQ(client_event->kind, DtlsEvent::Kind::kClosed);
  // Nothing more after closing.
  pair.server()->HandleDatagram(pair.now(), *alert);
  EXPECT_FALSE(pair.server()->PollEvent());
}

TEST_F(DtlsEndpointTest, ApplicationDataAndReplayAfterHandshake) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 13);
  std::vector<std::vector<uint8_t>> client_datagrams;
  pair.to_server_hook = [&](std::vector<uint8_t>& d) {
    client_datagrams.push_back(d);
    return true;
  };
  ASSERT_TRUE(pair.Run());
  // Replaying the client's last flight (which carries an epoch-1 Finished) is refused by the
  // replay window and triggers at most one resend of flight 6.
  const auto& last = client_datagrams.back();
  const uint64_t replays_before = pair.server()->stats().drop_replay;
  pair.server()->HandleDatagram(pair.now() + milliseconds(500), last);
  EXPECT_EQ(pair.server()->stats().drop_replay, replays_before + 1);
  EXPECT_TRUE(pair.server()->connected());
}

// RFC 6347 §4.1.2.6 for epoch 0: a datagram the network duplicated during the handshake is
// dropped by the window, not treated as the peer retransmitting its flight.
TEST_F(DtlsEndpointTest, DuplicatedEpoch0DatagramIsDroppedAsReplay) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 21);
  std::vector<uint8_t> copy;
  pair.to_server_hook = [&](std::vector<uint8_t>& d) {
    // The client's second flight (after the cookie exchange) reaches the server endpoint; keep
    // the first datagram of the Certificate flight to deliver it again afterwards.
    if (pair.server() != nullptr && copy.empty() && pair.hello_verify_requests > 0) copy = d;
    return true;
  };
  ASSERT_TRUE(pair.Run());
  ASSERT_FALSE(copy.empty());
  const DtlsStats before = pair.server()->stats();
  pair.server()->HandleDatagram(pair.now() + milliseconds(1), copy);
  EXPECT_EQ(pair.server()->stats().drop_replay, before.drop_replay + 1);
  EXPECT_EQ(pair.server()->stats().retransmissions, before.retransmissions);
  EXPECT_TRUE(pair.server()->connected());
}

// A spoofed epoch-0 record with a far-future sequence number must not lock the real client out:
// the handshake still completes.
TEST_F(DtlsEndpointTest, SpoofedFarFutureEpoch0RecordDoesNotBlockHandshake) {
  LoopbackPair pair(ClientConfig(), ServerConfig(), client_cert_, server_cert_, 22);
  bool injected = false;
  pair.to_server_hook = [&](std::vector<uint8_t>&) {
    if (!injected && pair.server() != nullptr) {
      injected = true;
      // An alert-free, unparseable handshake record at epoch 0, sequence number 2^47.
      const std::vector<uint8_t> forged = {22,   0xfe, 0xfd, 0x00, 0x00, 0x80, 0x00,
                                           0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff};
      pair.server()->HandleDatagram(pair.now(), forged);
    }
    return true;
  };
  ASSERT_TRUE(pair.Run());
  EXPECT_TRUE(injected);
  ExpectKeysMatch(pair);
}

// Robustness: one datagram of a real handshake, in either direction, gets bytes flipped,
// truncated or extended. Neither side may crash (the sanitizer build checks memory safety), each
// reports at most one terminal event, and the run ends.
TEST_F(DtlsEndpointTest, MutatedDatagramsNeverCrash) {
  int connected = 0, failed = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SeededRandom mutation(seed * 31);
    const int target = static_cast<int>(mutation.Next() % 8);
    const bool to_server = mutation.Next() % 2 == 0;
    int index = 0;
    LoopbackPair::Hook hook = [&](std::vector<uint8_t>& d) {
      if (index++ != target || d.empty()) return true;
      switch (mutation.Next() % 4) {
        case 0:
        case 1:
          for (int i = 0; i < 1 + static_cast<int>(mutation.Next() % 4); ++i) {
            d[mutation.Next() % d.size()] ^= static_cast<uint8_t>(1 + mutation.Next() % 255);
          }
          break;
        case 2:
          d.resize(mutation.Next() % d.size());
          break;
        default:
          for (int i = 0; i < 40; ++i) d.push_back(static_cast<uint8_t>(mutation.Next()));
          break;
      }
      return true;
    };
    DtlsConfig client = ClientConfig(), server = ServerConfig();
    client.mtu = server.mtu = seed % 3 == 0 ? 256 : 1200;
    LoopbackPair pair(client, server, client_cert_, server_cert_, seed);
    if (to_server) {
      pair.to_server_hook = hook;
    } else {
      pair.to_client_hook = hook;
    }
    const bool ok = pair.Run(3000);
    ok ? ++connected : ++failed;
    for (auto* events : {&pair.client_events(), &pair.server_events()}) {
      int terminal = 0;
      for (const auto& e : *events) terminal += e.kind != DtlsEvent::Kind::kConnected;
      EXPECT_LE(terminal, 1) << "seed " << seed;
    }
    if (ok) ExpectKeysMatch(pair);
  }
  // Most mutations are dropped and repaired by retransmission; some are fatal by design.
  EXPECT_GT(connected, 150);
}

}  // namespace
}  // namespace sfu::dtls
