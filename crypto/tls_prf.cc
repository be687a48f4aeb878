#include "crypto/tls_prf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <vector>

#include "crypto/openssl_util.h"

namespace sfu::crypto {
namespace {

// OpenSSL's TLS1-PRF KDF, fetched once per process (immutable, shared by all threads). With a
// SHA-256 or SHA-384 digest it is exactly RFC 5246 §5's P_<hash>; only with MD5-SHA1 would it
// do the TLS 1.0/1.1 split construction, which we never ask for.
EVP_KDF* FetchTlsPrf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr);
  return kdf;
}

struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

// OSSL_PARAM takes non-const pointers even for inputs it only reads.
void* Mutable(const void* p) { return const_cast<void*>(p); }

}  // namespace

absl::Status TlsPrf(HashAlgorithm alg, absl::Span<const uint8_t> secret, std::string_view label,
                    std::initializer_list<absl::Span<const uint8_t>> seed,
                    absl::Span<uint8_t> out) {
  if (alg != HashAlgorithm::kSha256 && alg != HashAlgorithm::kSha384) {
    return absl::InvalidArgumentError("TLS 1.2 PRF hash must be SHA-256 or SHA-384");
  }
  if (out.empty()) return absl::OkStatus();
  EVP_KDF* kdf = FetchTlsPrf();
  if (kdf == nullptr) return internal::OpenSslInternal("EVP_KDF_fetch(TLS1-PRF)");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf));
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_KDF_CTX_new");

  // A null octet-string pointer reads as "absent" to some OpenSSL setters; point empty inputs at a
  // real byte.
  static const uint8_t kEmpty = 0;
  auto data_or_empty = [](const void* p, size_t n) -> const void* { return n ? p : &kEmpty; };

  // Handshake-rate path: the parameter list is small and built per call. RFC 5246 §5:
  // PRF(secret, label, seed) = P_<hash>(secret, label + seed). The KDF concatenates every SEED
  // parameter in order, so the label goes first and the seed parts follow uncopied.
  std::vector<OSSL_PARAM> params;
  params.reserve(seed.size() + 4);
  params.push_back(OSSL_PARAM_construct_utf8_string(
      OSSL_KDF_PARAM_DIGEST, const_cast<char*>(internal::DigestName(alg)), 0));
  params.push_back(OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_SECRET, Mutable(data_or_empty(secret.data(), secret.size())), secret.size()));
  params.push_back(OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_SEED, Mutable(data_or_empty(label.data(), label.size())), label.size()));
  for (absl::Span<const uint8_t> part : seed) {
    params.push_back(OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SEED, Mutable(data_or_empty(part.data(), part.size())), part.size()));
  }
  params.push_back(OSSL_PARAM_construct_end());

  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) {
    return internal::OpenSslInternal("EVP_KDF_derive(TLS1-PRF)");
  }
  return absl::OkStatus();
}

}  // namespace sfu::crypto
