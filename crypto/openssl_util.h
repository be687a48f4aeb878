#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crypto/hash.h"

// Internal helpers shared by the crypto/*.cc wrappers; not part of the public crypto API.
namespace sfu::crypto::internal {

// A Status with `code` whose message is `context` followed by OpenSSL's queued error strings
// (ERR_error_string_n), oldest first. Drains this thread's OpenSSL error queue, so a later failure
// never reports a stale error.
absl::Status OpenSslError(absl::StatusCode code, std::string_view context);
inline absl::Status OpenSslInternal(std::string_view context) {
  return OpenSslError(absl::StatusCode::kInternal, context);
}

// Drops whatever OpenSSL queued on this thread. Packet-path failures return bool and call this so
// the queue does not grow with every rejected packet.
void ClearOpenSslErrors();

// The digest for `alg`, fetched once per process from the default provider (EVP_MD_fetch). The
// objects are immutable and shared by every thread. Returns nullptr only if the provider cannot
// supply the digest.
const EVP_MD* FetchDigest(HashAlgorithm alg);
// The provider's name for `alg` ("SHA1", "SHA256", "SHA384"), as OSSL_PARAM digest names take it.
const char* DigestName(HashAlgorithm alg);

// Prints `what` with the OpenSSL error queue to stderr and aborts. Only for failures that leave the
// process unable to continue securely (the DRBG failing) or that an interface without an error
// channel cannot report and that OpenSSL documents as impossible short of memory exhaustion.
[[noreturn]] void FatalOpenSslError(std::string_view what);

// Owning pointers for the OpenSSL objects the certificate code juggles.
struct OpenSslFree {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree>;

// A read-only memory BIO over `text` (which must outlive it). Fails on text over INT_MAX bytes.
absl::StatusOr<BioPtr> ReadOnlyBio(std::string_view text);
// Everything written so far into a memory BIO, as a string.
std::string BioContents(BIO* bio);
// A PEM password callback that refuses: encrypted PEM input fails instead of prompting on a tty.
int NoPassword(char* buf, int size, int rwflag, void* userdata);

// True for an EC key on the named curve P-256 (explicit-parameter keys are not P-256 here).
bool IsEcP256(const EVP_PKEY* key);
// True for an rsaEncryption key (not RSASSA-PSS-only keys).
bool IsRsa(const EVP_PKEY* key);

// The DER encoding of `cert`.
absl::StatusOr<std::vector<uint8_t>> CertificateDer(X509* cert);

}  // namespace sfu::crypto::internal
