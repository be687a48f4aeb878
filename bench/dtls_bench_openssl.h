#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace sfu::bench {

struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// The baseline the DTLS engine is measured against: OpenSSL 3 libssl as both DTLS 1.2 client and
// server, in memory (one memory BIO per direction, flights copied between them as a socket would),
// configured like a WebRTC endpoint and like sfud: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, groups
// X25519 then P-256, use_srtp SRTP_AEAD_AES_128_GCM, MTU 1200, HelloVerifyRequest cookie exchange
// on the server (HMAC-SHA256 cookies), client certificate required (self-signed, accepted and then
// pinned by fingerprint, as WebRTC does), no session tickets or cache, extended master secret (on
// by default). Each side exports the 56-byte DTLS-SRTP keying material and computes the peer's
// certificate fingerprint, which sfud's Connected event also carries. Single-threaded.
class LibsslDtlsPair {
 public:
  // Generates two ECDSA P-256 self-signed certificates and both SSL_CTXs; nullptr on failure.
  static std::unique_ptr<LibsslDtlsPair> Create();

  // Runs one complete handshake between a fresh client and a fresh server SSL. On success returns
  // the established server SSL (with its BIOs; the client is freed) and fills `server_keys` with
  // the server's exported keying material; nullptr on failure. With `minimal_footprint`, the
  // server uses SSL_MODE_RELEASE_BUFFERS (frees idle record buffers) and its memory BIOs, grown
  // by the handshake, are swapped for empty ones: the least an established libssl connection
  // can occupy, so ratios against it are conservative.
  SslPtr Handshake(bool minimal_footprint, std::array<uint8_t, 56>* server_keys);

 private:
  LibsslDtlsPair() = default;
  SslCtxPtr client_ctx_;
  SslCtxPtr server_ctx_;
  std::vector<uint8_t> scratch_;
};

// The public-key work one DTLS 1.2 ECDHE_ECDSA handshake cannot avoid, done with bare libcrypto:
// per side one X25519 key generation and one shared-secret derivation from the peer's wire-encoded
// public value, and one ECDSA P-256/SHA-256 signature (ServerKeyExchange, CertificateVerify) and
// one verification of the peer's. RunHandshakeEquivalent() does both sides' share, so its rate is
// the ceiling of full handshakes per second per core.
class PublicKeyLimit {
 public:
  static std::unique_ptr<PublicKeyLimit> Create();
  // False on any OpenSSL failure (the benchmark then reports an error).
  bool RunHandshakeEquivalent();

 private:
  PublicKeyLimit() = default;
  PkeyPtr client_key_;
  PkeyPtr server_key_;
  std::vector<uint8_t> client_signature_;
  std::vector<uint8_t> server_signature_;
};

}  // namespace sfu::bench
