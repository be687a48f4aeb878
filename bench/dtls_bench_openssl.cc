// OpenSSL baselines for the DTLS handshake benchmarks (see dtls_bench_openssl.h).
#include "bench/dtls_bench_openssl.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include <cstring>
#include <string_view>

namespace sfu::bench {
namespace {

constexpr long kMtu = 1200;
constexpr int kMaxPumpRounds = 32;
constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

// A fixed cookie secret is enough here: the benchmark measures the cost of computing and checking
// the HMAC, as a production server does for every ClientHello (RFC 6347 §4.2.1).
constexpr uint8_t kCookieSecret[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                       12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                       23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
// Memory BIOs have no peer address; a real server binds the cookie to the client's IP and port.
constexpr uint8_t kClientAddress[6] = {127, 0, 0, 1, 0xc3, 0x50};

int GenerateCookie(SSL*, unsigned char* cookie, unsigned int* cookie_len) {
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), kCookieSecret, sizeof(kCookieSecret), kClientAddress,
           sizeof(kClientAddress), cookie, &len) == nullptr) {
    return 0;
  }
  *cookie_len = len;
  return 1;
}

int VerifyCookie(SSL* ssl, const unsigned char* cookie, unsigned int cookie_len) {
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (GenerateCookie(ssl, expected, &len) != 1) return 0;
  return cookie_len == len && CRYPTO_memcmp(cookie, expected, len) == 0 ? 1 : 0;
}

// WebRTC peers use self-signed certificates and pin them by the SDP fingerprint after the
// handshake, so chain verification is replaced by acceptance here.
int AcceptSelfSigned(int, X509_STORE_CTX*) { return 1; }

PkeyPtr GenerateP256() { return PkeyPtr(EVP_EC_gen("P-256")); }

X509Ptr SelfSign(EVP_PKEY* key, const char* common_name) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool ok = X509_set_version(cert.get(), 2) == 1 &&
                  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 0x5f0d) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400) != nullptr &&
                  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30 * 86400) != nullptr &&
                  X509_set_pubkey(cert.get(), key) == 1 &&
                  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>(common_name),
                                             -1, -1, 0) == 1 &&
                  X509_set_issuer_name(cert.get(), name) == 1 &&
                  X509_sign(cert.get(), key, EVP_sha256()) > 0;
  return ok ? std::move(cert) : nullptr;
}

SslCtxPtr MakeContext(bool server, const char* common_name) {
  SslCtxPtr ctx(SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method()));
  if (!ctx) return nullptr;
  PkeyPtr key = GenerateP256();
  if (!key) return nullptr;
  X509Ptr cert = SelfSign(key.get(), common_name);
  if (!cert) return nullptr;
  SSL_CTX* c = ctx.get();
  bool ok = SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_use_certificate(c, cert.get()) == 1 &&
            SSL_CTX_use_PrivateKey(c, key.get()) == 1 &&
            SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1 &&
            SSL_CTX_set1_groups_list(c, "X25519:P-256") == 1 &&
            SSL_CTX_set_tlsext_use_srtp(c, "SRTP_AEAD_AES_128_GCM") == 0;  // 0 is success
  if (!ok) return nullptr;
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, AcceptSelfSigned);
  if (server) {
    SSL_CTX_set_options(c, SSL_OP_COOKIE_EXCHANGE);
    SSL_CTX_set_cookie_generate_cb(c, GenerateCookie);
    SSL_CTX_set_cookie_verify_cb(c, VerifyCookie);
  }
  return ctx;
}

SslPtr MakeSsl(SSL_CTX* ctx, bool server) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) return nullptr;
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    return nullptr;
  }
  // An empty memory BIO must read as "try again" (as an idle socket), not as end of stream.
  BIO_set_mem_eof_return(rbio, -1);
  BIO_set_mem_eof_return(wbio, -1);
  SSL_set_bio(ssl.get(), rbio, wbio);
  SSL_set_mtu(ssl.get(), kMtu);
  if (server) {
    SSL_set_accept_state(ssl.get());
  } else {
    SSL_set_connect_state(ssl.get());
  }
  return ssl;
}

// Replaces the SSL's BIOs (which keep the capacity the handshake grew them to) with empty ones.
bool SwapInEmptyBios(SSL* ssl) {
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    return false;
  }
  BIO_set_mem_eof_return(rbio, -1);
  BIO_set_mem_eof_return(wbio, -1);
  SSL_set_bio(ssl, rbio, wbio);  // frees the old pair
  return true;
}

// Moves what `from` wrote into `to`'s read BIO, as the network would.
bool Transfer(SSL* from, SSL* to, std::vector<uint8_t>* scratch) {
  BIO* out = SSL_get_wbio(from);
  const size_t pending = BIO_ctrl_pending(out);
  if (pending == 0) return true;
  scratch->resize(pending);
  const int n = BIO_read(out, scratch->data(), static_cast<int>(pending));
  if (n <= 0) return false;
  return BIO_write(SSL_get_rbio(to), scratch->data(), n) == n;
}

bool StepHandshake(SSL* ssl) {
  if (SSL_is_init_finished(ssl)) return true;
  const int r = SSL_do_handshake(ssl);
  if (r == 1) return true;
  const int err = SSL_get_error(ssl, r);
  return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
}

// What a WebRTC endpoint takes from a finished handshake: the DTLS-SRTP keys (RFC 5764 §4.2) and
// the peer certificate's SHA-256 fingerprint to compare with the SDP.
bool Finish(SSL* ssl, std::array<uint8_t, 56>* keys) {
  if (SSL_get_selected_srtp_profile(ssl) == nullptr) return false;
  if (SSL_export_keying_material(ssl, keys->data(), keys->size(), kExporterLabel.data(),
                                 kExporterLabel.size(), nullptr, 0, 0) != 1) {
    return false;
  }
  X509* peer = SSL_get0_peer_certificate(ssl);
  unsigned char fingerprint[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  return peer != nullptr && X509_digest(peer, EVP_sha256(), fingerprint, &len) == 1 && len == 32;
}

bool DigestSign(EVP_PKEY* key, const uint8_t* msg, size_t len, std::vector<uint8_t>* sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, msg, len) != 1) {
    return false;
  }
  sig->resize(sig_len);
  if (EVP_DigestSign(ctx.get(), sig->data(), &sig_len, msg, len) != 1) return false;
  sig->resize(sig_len);
  return true;
}

bool DigestVerify(EVP_PKEY* key, const uint8_t* msg, size_t len, const std::vector<uint8_t>& sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg, len) == 1;
}

// X25519 key generation plus the wire encoding of the public value.
PkeyPtr GenerateX25519(std::array<uint8_t, 32>* public_value) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  size_t len = public_value->size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), public_value->data(), &len) != 1 ||
      len != public_value->size()) {
    return nullptr;
  }
  return key;
}

// Derivation from the peer's wire-encoded public value, as a handshake receives it.
bool DeriveX25519(EVP_PKEY* own, const std::array<uint8_t, 32>& peer_public,
                  std::array<uint8_t, 32>* secret) {
  PkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public.data(),
                                           peer_public.size()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new(own, nullptr));
  size_t len = secret->size();
  return peer && ctx && EVP_PKEY_derive_init(ctx.get()) == 1 &&
         EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1 &&
         EVP_PKEY_derive(ctx.get(), secret->data(), &len) == 1 && len == secret->size();
}

}  // namespace

std::unique_ptr<LibsslDtlsPair> LibsslDtlsPair::Create() {
  std::unique_ptr<LibsslDtlsPair> pair(new LibsslDtlsPair());
  pair->client_ctx_ = MakeContext(/*server=*/false, "libssl-client");
  pair->server_ctx_ = MakeContext(/*server=*/true, "libssl-server");
  if (!pair->client_ctx_ || !pair->server_ctx_) return nullptr;
  return pair;
}

SslPtr LibsslDtlsPair::Handshake(bool minimal_footprint, std::array<uint8_t, 56>* server_keys) {
  SslPtr client = MakeSsl(client_ctx_.get(), /*server=*/false);
  SslPtr server = MakeSsl(server_ctx_.get(), /*server=*/true);
  if (!client || !server) return nullptr;
  if (minimal_footprint) SSL_set_mode(server.get(), SSL_MODE_RELEASE_BUFFERS);
  for (int round = 0; round < kMaxPumpRounds; ++round) {
    if (!StepHandshake(client.get()) || !Transfer(client.get(), server.get(), &scratch_)) break;
    if (!StepHandshake(server.get()) || !Transfer(server.get(), client.get(), &scratch_)) break;
    if (SSL_is_init_finished(client.get()) && SSL_is_init_finished(server.get())) {
      std::array<uint8_t, 56> client_keys;
      if (!Finish(client.get(), &client_keys) || !Finish(server.get(), server_keys) ||
          client_keys != *server_keys) {
        return nullptr;
      }
      if (minimal_footprint && !SwapInEmptyBios(server.get())) return nullptr;
      return server;
    }
  }
  return nullptr;
}

std::unique_ptr<PublicKeyLimit> PublicKeyLimit::Create() {
  std::unique_ptr<PublicKeyLimit> limit(new PublicKeyLimit());
  limit->client_key_ = GenerateP256();
  limit->server_key_ = GenerateP256();
  if (!limit->client_key_ || !limit->server_key_) return nullptr;
  return limit;
}

bool PublicKeyLimit::RunHandshakeEquivalent() {
  // What is signed does not change the cost (it is hashed first); these stand in for the
  // ServerKeyExchange params and the CertificateVerify transcript.
  uint8_t server_params[32 + 32 + 4 + 32] = {};
  uint8_t transcript_stand_in[1024] = {};

  // Server: ephemeral key, signed ServerKeyExchange (RFC 8422 §5.4).
  std::array<uint8_t, 32> server_public;
  PkeyPtr server_kx = GenerateX25519(&server_public);
  if (!server_kx) return false;
  std::memcpy(server_params + 68, server_public.data(), server_public.size());
  if (!DigestSign(server_key_.get(), server_params, sizeof(server_params), &server_signature_)) {
    return false;
  }
  // Client: checks it, answers with its own share and a CertificateVerify (RFC 5246 §7.4.8).
  if (!DigestVerify(server_key_.get(), server_params, sizeof(server_params), server_signature_)) {
    return false;
  }
  std::array<uint8_t, 32> client_public, client_secret, server_secret;
  PkeyPtr client_kx = GenerateX25519(&client_public);
  if (!client_kx || !DeriveX25519(client_kx.get(), server_public, &client_secret) ||
      !DigestSign(client_key_.get(), transcript_stand_in, sizeof(transcript_stand_in),
                  &client_signature_)) {
    return false;
  }
  // Server: checks the CertificateVerify and derives the same premaster secret.
  return DigestVerify(client_key_.get(), transcript_stand_in, sizeof(transcript_stand_in),
                      client_signature_) &&
         DeriveX25519(server_kx.get(), client_public, &server_secret) &&
         client_secret == server_secret;
}

}  // namespace sfu::bench
