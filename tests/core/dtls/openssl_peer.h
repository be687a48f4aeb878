#pragma once

// Test support for the OpenSSL interop tests: libssl (DTLS 1.2) behind a BIO that keeps datagram
// boundaries, and a pump that carries datagrams between it and our endpoint with seeded
// impairments. libssl's timer runs on the real clock (OpenSSL 3.0 has no injectable clock); the
// pump waits out libssl's short timer only when nothing else can happen, and moves our simulated
// clock by as much.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"
#include "gtest/gtest.h"

namespace sfu::dtls::testing {

using Datagram = std::vector<uint8_t>;

// ---- A BIO that keeps datagram boundaries: each write is one datagram, each read returns one.
struct DgramQueues {
  std::deque<Datagram> inbound;   // to libssl
  std::deque<Datagram> outbound;  // from libssl
};

inline int DgramWrite(BIO* bio, const char* data, int len) {
  auto* q = static_cast<DgramQueues*>(BIO_get_data(bio));
  q->outbound.emplace_back(data, data + len);
  return len;
}

inline int DgramRead(BIO* bio, char* out, int len) {
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

inline long DgramCtrl(BIO*, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    default:
      return 0;
  }
}

inline int DgramCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

inline BIO_METHOD* DgramMethod() {
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

inline std::shared_ptr<const crypto::Certificate> MakeCert(const char* cn) {
  auto cert = crypto::Certificate::GenerateSelfSigned(cn, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok());
  return std::make_shared<const crypto::Certificate>(std::move(*cert));
}

inline int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }  // self-signed, as in WebRTC

inline int GenerateCookie(SSL*, unsigned char* cookie, unsigned int* len) {
  for (int i = 0; i < 16; ++i) cookie[i] = static_cast<unsigned char>(0xC0 + i);
  *len = 16;
  return 1;
}

inline int VerifyCookie(SSL*, const unsigned char* cookie, unsigned int len) {
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
inline unsigned int ShortTimer(SSL*, unsigned int previous_us) {
  return previous_us == 0 ? 40000 : std::min(previous_us * 2, 80000u);
}

inline const char* SrtpName(SrtpProfile p) {
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
  bool cookie_exchange = true;  // server: send HelloVerifyRequest first
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
    if (o.server && o.cookie_exchange) {
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

}  // namespace sfu::dtls::testing
