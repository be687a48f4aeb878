// The low-level SHA1_* functions are deprecated in OpenSSL 3.0 in favour of EVP, but EVP cannot
// copy a digest state without a heap allocation; see hmac_sha1.h.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "core/srtp/hmac_sha1.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace sfu::srtp {
namespace {

static_assert(sizeof(SHA_CTX) <= 96, "HmacSha1::kStateSize too small for SHA_CTX");
static_assert(alignof(SHA_CTX) <= 8, "HmacSha1 state alignment too small for SHA_CTX");
constexpr size_t kBlock = SHA_CBLOCK;  // 64

SHA_CTX* AsCtx(uint8_t* p) { return reinterpret_cast<SHA_CTX*>(p); }

}  // namespace

HmacSha1::HmacSha1(absl::Span<const uint8_t> key) {
  // RFC 2104 §2: keys longer than the block are hashed first.
  uint8_t k[kBlock] = {};
  if (key.size() > kBlock) {
    SHA1(key.data(), key.size(), k);
  } else if (!key.empty()) {
    std::memcpy(k, key.data(), key.size());
  }
  uint8_t pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
  SHA1_Init(AsCtx(inner_.data()));
  SHA1_Update(AsCtx(inner_.data()), pad, kBlock);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
  SHA1_Init(AsCtx(outer_.data()));
  SHA1_Update(AsCtx(outer_.data()), pad, kBlock);
  OPENSSL_cleanse(k, sizeof(k));
  OPENSSL_cleanse(pad, sizeof(pad));
}

HmacSha1::~HmacSha1() {
  OPENSSL_cleanse(inner_.data(), inner_.size());
  OPENSSL_cleanse(outer_.data(), outer_.size());
}

void HmacSha1::Compute(std::initializer_list<absl::Span<const uint8_t>> parts,
                       std::array<uint8_t, kDigestSize>* out) const {
  SHA_CTX ctx;
  std::memcpy(&ctx, inner_.data(), sizeof(ctx));
  for (absl::Span<const uint8_t> part : parts) SHA1_Update(&ctx, part.data(), part.size());
  uint8_t inner_digest[kDigestSize];
  SHA1_Final(inner_digest, &ctx);
  std::memcpy(&ctx, outer_.data(), sizeof(ctx));
  SHA1_Update(&ctx, inner_digest, sizeof(inner_digest));
  SHA1_Final(out->data(), &ctx);
}

}  // namespace sfu::srtp
