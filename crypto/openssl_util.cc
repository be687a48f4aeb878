#include "crypto/openssl_util.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
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

}  // namespace sfu::crypto::internal
