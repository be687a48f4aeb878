#include "crypto/openssl_util.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace sfu::crypto::internal {
namespace {

// At most this many queued errors go into one message; the first ones are the root cause.
constexpr int kMaxReportedErrors = 4;

std::string DrainErrorQueue() {
  std::string out;
  int reported = 0;
  while (unsigned long err = ERR_get_error()) {
    if (reported++ >= kMaxReportedErrors) continue;  // Keep draining, stop appending.
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    absl::StrAppend(&out, out.empty() ? "" : "; ", buf);
  }
  return out;
}

}  // namespace

absl::Status OpenSslError(absl::StatusCode code, std::string_view context) {
  // This abseil build's string_view is not std::string_view; go through std::string.
  std::string message(context);
  std::string detail = DrainErrorQueue();
  if (!detail.empty()) absl::StrAppend(&message, ": ", detail);
  return absl::Status(code, message);
}

void ClearOpenSslErrors() { ERR_clear_error(); }

const EVP_MD* FetchDigest(HashAlgorithm alg) {
  // Function-local statics: fetched on first use, thread-safe initialisation, never freed (they
  // live as long as the process, like the provider that owns them).
  switch (alg) {
    case HashAlgorithm::kSha1: {
      static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
      return md;
    }
    case HashAlgorithm::kSha256: {
      static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
      return md;
    }
    case HashAlgorithm::kSha384: {
      static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA384", nullptr);
      return md;
    }
  }
  return nullptr;
}

const char* DigestName(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1:
      return "SHA1";
    case HashAlgorithm::kSha256:
      return "SHA256";
    case HashAlgorithm::kSha384:
      return "SHA384";
  }
  return "";
}

void FatalOpenSslError(std::string_view what) {
  std::string detail = DrainErrorQueue();
  std::fprintf(stderr, "sfud: fatal OpenSSL failure: %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), detail.c_str());
  std::abort();
}

absl::StatusOr<BioPtr> ReadOnlyBio(std::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("PEM input too large");
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return OpenSslInternal("BIO_new_mem_buf");
  return bio;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return std::string();
  return std::string(data, static_cast<size_t>(len));
}

int NoPassword(char*, int, int, void*) { return -1; }

bool IsEcP256(const EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_is_a(key, "EC") != 1) return false;
  char group[64];
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) !=
      1) {
    ERR_clear_error();
    return false;
  }
  return std::strcmp(group, SN_X9_62_prime256v1) == 0;
}

bool IsRsa(const EVP_PKEY* key) { return key != nullptr && EVP_PKEY_is_a(key, "RSA") == 1; }

absl::StatusOr<std::vector<uint8_t>> CertificateDer(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return OpenSslInternal("i2d_X509");
  std::vector<uint8_t> der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(cert, &p) != len) return OpenSslInternal("i2d_X509");
  return der;
}

}  // namespace sfu::crypto::internal
