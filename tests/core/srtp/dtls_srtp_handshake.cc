#include "tests/core/srtp/dtls_srtp_handshake.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace sfu::srtp::testing {
namespace {

struct Free {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
  void operator()(SSL* p) const { SSL_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

std::string Err(const char* what) {
  std::string s = what;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    s += ": ";
    s += buf;
  }
  return s;
}

// A self-signed P-256 certificate, as WebRTC endpoints use.
bool MakeIdentity(Ptr<EVP_PKEY>* key, Ptr<X509>* cert) {
  key->reset(EVP_EC_gen("P-256"));
  cert->reset(X509_new());
  if (!*key || !*cert) return false;
  X509* x = cert->get();
  X509_NAME* name = X509_get_subject_name(x);
  return X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
         X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr &&
         X509_gmtime_adj(X509_getm_notAfter(x), 86400) != nullptr &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    reinterpret_cast<const unsigned char*>("sfud-srtp-test"), -1,
                                    -1, 0) == 1 &&
         X509_set_issuer_name(x, name) == 1 && X509_set_pubkey(x, key->get()) == 1 &&
         X509_sign(x, key->get(), EVP_sha256()) > 0;
}

Ptr<SSL_CTX> MakeCtx(const char* profile, std::string* error) {
  Ptr<SSL_CTX> ctx(SSL_CTX_new(DTLS_method()));
  Ptr<EVP_PKEY> key;
  Ptr<X509> cert;
  if (!ctx || !MakeIdentity(&key, &cert)) {
    *error = Err("ctx/identity");
    return nullptr;
  }
  // SSL_CTX_set_tlsext_use_srtp returns 0 on success.
  if (SSL_CTX_set_min_proto_version(ctx.get(), DTLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 ||
      SSL_CTX_set_tlsext_use_srtp(ctx.get(), profile) != 0) {
    *error = Err("ctx setup");
    return nullptr;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  return ctx;
}

// Moves everything `from` wrote into `to` as one datagram's worth of records.
void Pump(SSL* from, SSL* to) {
  BIO* out = SSL_get_wbio(from);
  BIO* in = SSL_get_rbio(to);
  char buf[4096];
  for (int guard = 0; guard < 64; ++guard) {
    const int n = BIO_read(out, buf, sizeof(buf));
    if (n <= 0) break;
    BIO_write(in, buf, n);
  }
}

bool Attach(SSL* ssl) {
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (rbio == nullptr || wbio == nullptr) return false;
  BIO_set_mem_eof_return(rbio, -1);  // empty means "try later", not EOF
  BIO_set_mem_eof_return(wbio, -1);
  SSL_set_bio(ssl, rbio, wbio);
  SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
  SSL_set_mtu(ssl, 1200);
  return true;
}

}  // namespace

DtlsSrtpResult RunDtlsSrtpHandshake(const char* openssl_profile_name, size_t material_size) {
  DtlsSrtpResult result;
  Ptr<SSL_CTX> cctx = MakeCtx(openssl_profile_name, &result.error);
  Ptr<SSL_CTX> sctx = MakeCtx(openssl_profile_name, &result.error);
  if (!cctx || !sctx) return result;
  Ptr<SSL> client(SSL_new(cctx.get()));
  Ptr<SSL> server(SSL_new(sctx.get()));
  if (!client || !server || !Attach(client.get()) || !Attach(server.get())) {
    result.error = Err("SSL_new");
    return result;
  }
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
    if (!client_done) client_done = SSL_do_handshake(client.get()) == 1;
    Pump(client.get(), server.get());
    if (!server_done) server_done = SSL_do_handshake(server.get()) == 1;
    Pump(server.get(), client.get());
  }
  if (!client_done || !server_done) {
    result.error = Err("handshake did not complete");
    return result;
  }
  const SRTP_PROTECTION_PROFILE* cp = SSL_get_selected_srtp_profile(client.get());
  const SRTP_PROTECTION_PROFILE* sp = SSL_get_selected_srtp_profile(server.get());
  if (cp == nullptr || sp == nullptr) {
    result.error = "no SRTP profile negotiated";
    return result;
  }
  result.client_profile_id = cp->id;
  result.server_profile_id = sp->id;
  static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 §4.2
  result.client_material.resize(material_size);
  result.server_material.resize(material_size);
  if (SSL_export_keying_material(client.get(), result.client_material.data(), material_size, kLabel,
                                 sizeof(kLabel) - 1, nullptr, 0, 0) != 1 ||
      SSL_export_keying_material(server.get(), result.server_material.data(), material_size, kLabel,
                                 sizeof(kLabel) - 1, nullptr, 0, 0) != 1) {
    result.error = Err("SSL_export_keying_material");
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace sfu::srtp::testing
