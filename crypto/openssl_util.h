#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "crypto/hash.h"

typedef struct evp_md_st EVP_MD;

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

}  // namespace sfu::crypto::internal
