// Our DTLS engine against OpenSSL libssl (DTLS 1.2) in the same process: libssl's datagrams go
// through a datagram-preserving in-memory BIO, the test pumps them to our endpoint and back, and
// the SRTP keys each side exports must be byte-equal (SSL_export_keying_material is the
// independent reference). Both roles, every suite x group x profile, MTU 256 and 1200, seeded
// loss/duplication/reordering, a fragmented ClientHello, refusals.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"
#include "core/dtls/key_schedule.h"
#include "core/dtls/record_layer.h"
#include "gtest/gtest.h"

namespace sfu::dtls {
namespace {

using Datagram = std::vector<uint8_t>;

// ---- A BIO that keeps datagram boundaries: each write is one datagram, each read returns one.
struct DgramQueues {
  std::deque<Datagram> inbound;   // to libssl
  std::deque<Datagram> outbound;  // from libssl
};

int DgramWrite(BIO* bio, const char* data, int len) {
  auto* q = static_cast<DgramQueues*>(BIO_get_data(bio));
  q->outbound.emplace_back(data, data + len);
  return len;
}

int DgramRead(BIO* bio, char* out, int len) {
  auto* q = static_cast<DgramQueues*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (q->inbound.empty()) {
    BIO_set_retry_read(bio);
    return -1;
  }
  Datagram d = std::move(q->inbound.front());
  q->inbound.pop_front();
  const int n = std::min<int>(len, static_cast<int>(d.size()));
  std::copy(d.begin(), d.begin() + n, out);
  return n;
}

long DgramCtrl(BIO*, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    default:
      return 0;
  }
}

int DgramCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* DgramMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "dgram-queue");
    BIO_meth_set_write(m, DgramWrite);
    BIO_meth_set_read(m, DgramRead);
    BIO_meth_set_ctrl(m, DgramCtrl);
    BIO_meth_set_create(m, DgramCreate);
    return m;
  }();
  return method;
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

std::shared_ptr<const crypto::Certificate> MakeCert(const char* cn) {
  auto cert = crypto::Certificate::GenerateSelfSigned(cn, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok());
  return std::make_shared<const crypto::Certificate>(std::move(*cert));
}

int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }  // self-signed, as in WebRTC

int GenerateCookie(SSL*, unsigned char* cookie, unsigned int* len) {
  for (int i = 0; i < 16; ++i) cookie[i] = static_cast<unsigned char>(0xC0 + i);
  *len = 16;
  return 1;
}

int VerifyCookie(SSL*, const unsigned char* cookie, unsigned int len) {
  if (len != 16) return 0;
  for (unsigned i = 0; i < 16; ++i) {
    if (cookie[i] != 0xC0 + i) return 0;
  }
  return 1;
}

// libssl's DTLS timer reads the real clock (OpenSSL 3.0 has no injectable clock) and treats less
// than 15 ms left as expired. A 40 ms timer doubling to 80 ms keeps libssl from retransmitting
// while the pump is busy; when the pump is idle and libssl must retransmit,
// OpenSslPeer::Timeout() waits out what is left of that timer.
unsigned int ShortTimer(SSL*, unsigned int previous_us) {
  return previous_us == 0 ? 40000 : std::min(previous_us * 2, 80000u);
}

const char* SrtpName(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "SRTP_AEAD_AES_256_GCM";
    case SrtpProfile::kAes128CmHmacSha1_80:
      return "SRTP_AES128_CM_SHA1_80";
  }
  return "";
}

struct OpenSslOptions {
  bool server = false;
  std::string ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
  std::string groups = "X25519:P-256";
  std::string srtp = "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80";
  long mtu = 1200;
  bool certificate = true;  // false: a client that answers CertificateRequest with no certificate
};

// One libssl DTLS 1.2 endpoint with its datagram queues and the alerts it received.
class OpenSslPeer {
 public:
  OpenSslPeer(const OpenSslOptions& o, const crypto::Certificate& cert) {
    ctx_.reset(SSL_CTX_new(o.server ? DTLS_server_method() : DTLS_client_method()));
    SSL_CTX_set_min_proto_version(ctx_.get(), DTLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx_.get(), DTLS1_2_VERSION);
    std::string cert_pem = cert.ToPem();
    std::string key_pem = cert.key().ToPem();
    BIO* cbio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    BIO* kbio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    X509* x509 = PEM_read_bio_X509(cbio, nullptr, nullptr, nullptr);
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(kbio, nullptr, nullptr, nullptr);
    if (o.certificate) {
      EXPECT_EQ(SSL_CTX_use_certificate(ctx_.get(), x509), 1);
      EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx_.get(), pkey), 1);
    }
    X509_free(x509);
    EVP_PKEY_free(pkey);
    BIO_free(cbio);
    BIO_free(kbio);
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       AcceptAnyCertificate);
    EXPECT_EQ(SSL_CTX_set_cipher_list(ctx_.get(), o.ciphers.c_str()), 1);
    EXPECT_EQ(SSL_CTX_set1_groups_list(ctx_.get(), o.groups.c_str()), 1);
    EXPECT_EQ(SSL_CTX_set_tlsext_use_srtp(ctx_.get(), o.srtp.c_str()), 0);  // 0 = success
    SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
    if (o.server) {
      SSL_CTX_set_options(ctx_.get(), SSL_OP_COOKIE_EXCHANGE);
      SSL_CTX_set_cookie_generate_cb(ctx_.get(), GenerateCookie);
      SSL_CTX_set_cookie_verify_cb(ctx_.get(), VerifyCookie);
    }
    ssl_.reset(SSL_new(ctx_.get()));
    BIO* bio = BIO_new(DgramMethod());
    BIO_set_data(bio, &queues_);
    SSL_set_bio(ssl_.get(), bio, bio);
    EXPECT_EQ(DTLS_set_link_mtu(ssl_.get(), o.mtu), 1);
    DTLS_set_timer_cb(ssl_.get(), ShortTimer);
    SSL_set_app_data(ssl_.get(), this);
    SSL_set_info_callback(ssl_.get(), [](const SSL* s, int where, int ret) {
      if (where & SSL_CB_READ_ALERT) {
        static_cast<OpenSslPeer*>(SSL_get_app_data(s))->alerts_received.push_back(ret);
      }
    });
    if (o.server) {
      SSL_set_accept_state(ssl_.get());
    } else {
      SSL_set_connect_state(ssl_.get());
    }
  }

  // Runs the handshake (or reads application data once it is done).
  void Drive() {
    ERR_clear_error();
    if (!SSL_is_init_finished(ssl_.get()) || SSL_renegotiate_pending(ssl_.get())) {
      const int r = SSL_do_handshake(ssl_.get());
      if (r <= 0) {
        const int err = SSL_get_error(ssl_.get(), r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) failed = true;
      }
    } else {
      char buf[2048];
      const int r = SSL_read(ssl_.get(), buf, sizeof buf);
      if (r <= 0) {
        const int err = SSL_get_error(ssl_.get(), r);
        if (err == SSL_ERROR_ZERO_RETURN) closed = true;
        if (err == SSL_ERROR_SSL) failed = true;
      }
    }
  }
  // Fires libssl's retransmission timer if one is running (waiting at most 80 ms for it).
  // Returns how long it waited.
  Duration Timeout() {
    timeval tv{};
    if (DTLSv1_get_timeout(ssl_.get(), &tv) != 1) return Duration(0);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline =
        start + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    while (std::chrono::steady_clock::now() < deadline) {
    }
    if (DTLSv1_handle_timeout(ssl_.get()) < 0) failed = true;
    return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
  }
  bool connected() const { return SSL_is_init_finished(ssl_.get()) && !failed; }
  SSL* ssl() { return ssl_.get(); }
  DgramQueues& queues() { return queues_; }

  std::vector<uint8_t> Export(size_t len) {
    std::vector<uint8_t> out(len);
    const std::string label = "EXTRACTOR-dtls_srtp";
    EXPECT_EQ(SSL_export_keying_material(ssl_.get(), out.data(), len, label.data(), label.size(),
                                         nullptr, 0, 0),
              1);
    return out;
  }

  bool failed = false;
  bool closed = false;
  std::vector<int> alerts_received;  // (level << 8) | description

 private:
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  DgramQueues queues_;
};

struct Faults {
  int loss_percent = 0;
  int duplicate_percent = 0;
  int reorder_percent = 0;
};

// Pumps libssl against our endpoint (client) or our server context + endpoint (server).
class InteropPump {
 public:
  InteropPump(OpenSslPeer& peer, uint64_t seed, Faults faults)
      : peer_(peer), link_(seed), faults_(faults) {}

  void SetOurClient(DtlsEndpoint* client) { ours_ = client; }
  void SetOurServerContext(DtlsServerContext* context) { context_ = context; }
  DtlsEndpoint* ours() { return ours_ ? ours_ : owned_server_.get(); }
  std::vector<DtlsEvent>& events() { return events_; }
  Instant now() const { return now_; }
  std::vector<Datagram>& sent_by_openssl() { return sent_by_openssl_; }
  int hello_verify_requests = 0;

  void Start() {
    if (ours_) {
      ours_->Start(now_);
      DrainOurs();
    } else {
      peer_.Drive();
      DrainPeer();
    }
  }

  // True when both sides connected.
  bool Run(int max_steps = 4000) {
    for (int step = 0; step < max_steps; ++step) {
      PollEvents();
      const bool ours_done =
          ours() && (ours()->connected() || ours()->failed() || ours()->closed());
      if (to_peer_.empty() && to_ours_.empty()) {
        if (ours_done && (peer_.connected() || peer_.failed)) break;
        if (ours_done && ours()->failed()) break;
        if (peer_.failed && (!ours() || ours_done)) break;
        // Idle: libssl's timer first (it runs on the real clock, so jumping our simulated clock
        // ahead must not outrun it), then ours by simulated time.
        if (!peer_.connected() && !peer_.failed) {
          const auto waited = peer_.Timeout();
          // Our simulated clock moves as much as libssl's real one did.
          now_ += waited;
          DrainPeer();
          if (ours() && ours()->NextTimeout() && *ours()->NextTimeout() <= now_) {
            ours()->HandleTimeout(now_);
            DrainOurs();
          }
          if (!to_ours_.empty() || !to_peer_.empty()) continue;
        }
        std::optional<Instant> next = ours() ? ours()->NextTimeout() : std::nullopt;
        if (next) {
          now_ = std::max(now_, *next);
          ours()->HandleTimeout(now_);
          DrainOurs();
        }
        if (to_peer_.empty() && to_ours_.empty() && !next) break;
        continue;
      }
      if (!to_peer_.empty()) {
        Datagram d = std::move(to_peer_.front());
        to_peer_.pop_front();
        peer_.queues().inbound.push_back(std::move(d));
        peer_.Drive();
        DrainPeer();
      }
      if (!to_ours_.empty()) {
        Datagram d = std::move(to_ours_.front());
        to_ours_.pop_front();
        DeliverToOurs(d);
      }
    }
    PollEvents();
    return ours() && ours()->connected() && peer_.connected();
  }

  void DrainOurs() {
    if (!ours()) return;
    while (auto d = ours()->PollTransmit()) {
      Impair(Datagram(d->begin(), d->end()), to_peer_);
    }
  }
  void PollEvents() {
    if (!ours()) return;
    while (auto e = ours()->PollEvent()) events_.push_back(std::move(*e));
  }

 private:
  void DrainPeer() {
    auto& out = peer_.queues().outbound;
    while (!out.empty()) {
      sent_by_openssl_.push_back(out.front());
      Impair(std::move(out.front()), to_ours_);
      out.pop_front();
    }
  }
  void Impair(Datagram d, std::deque<Datagram>& queue) {
    if (&queue == &to_ours_ && from_peer_hook) from_peer_hook(d);
    if (static_cast<int>(link_.Next() % 100) < faults_.loss_percent) return;
    queue.push_back(d);
    if (static_cast<int>(link_.Next() % 100) < faults_.duplicate_percent) queue.push_back(d);
    if (queue.size() >= 2 && static_cast<int>(link_.Next() % 100) < faults_.reorder_percent) {
      std::swap(queue[queue.size() - 1], queue[queue.size() - 2]);
    }
  }
  void DeliverToOurs(const Datagram& d) {
    if (ours()) {
      ours()->HandleDatagram(now_, d);
    } else {
      const SocketAddress from{IpAddress::V4({127, 0, 0, 1}), 50000};
      auto r = context_->HandleInitialDatagram(now_, from, d, expected_fingerprint);
      if (r.kind == DtlsServerContext::Result::Kind::kSendHelloVerifyRequest) {
        ++hello_verify_requests;
        Impair(Datagram(r.datagram.begin(), r.datagram.end()), to_peer_);
      } else if (r.kind == DtlsServerContext::Result::Kind::kNewEndpoint) {
        owned_server_ = std::move(r.endpoint);
      }
    }
    DrainOurs();
  }

 public:
  std::optional<std::array<uint8_t, 32>> expected_fingerprint;
  std::function<void(Datagram&)> from_peer_hook;  // may rewrite what libssl sends us

 private:
  OpenSslPeer& peer_;
  SeededRandom link_;
  Faults faults_;
  DtlsEndpoint* ours_ = nullptr;
  DtlsServerContext* context_ = nullptr;
  std::unique_ptr<DtlsEndpoint> owned_server_;
  std::deque<Datagram> to_peer_, to_ours_;
  std::vector<DtlsEvent> events_;
  std::vector<Datagram> sent_by_openssl_;
  Instant now_ = Instant::FromNanos(1'000'000'000);
};

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
