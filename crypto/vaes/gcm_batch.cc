#include "crypto/vaes/gcm_batch.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "crypto/vaes/cpu_features.h"
#include "crypto/vaes/gcm_vaes_kernel.h"

namespace sfu::crypto {
namespace {

using gcm_internal::PacketValid;

int Int(size_t n) { return static_cast<int>(n); }  // callers checked n <= kMaxSize

// The OpenSSL path: one EVP call sequence per packet on the key's pre-keyed context (passing a
// null cipher and key keeps the key schedule and GHASH tables; only the IV is set).
bool EvpSeal(GcmPacket& p) {
  EVP_CIPHER_CTX* c = p.key->evp();
  int n = 0;
  uint8_t* data = p.data.data();
  return EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, p.iv) == 1 &&
         (p.aad.empty() ||
          EVP_EncryptUpdate(c, nullptr, &n, p.aad.data(), Int(p.aad.size())) == 1) &&
         (p.data.empty() || EVP_EncryptUpdate(c, data, &n, data, Int(p.data.size())) == 1) &&
         EVP_EncryptFinal_ex(c, data + p.data.size(), &n) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GcmBatch::kTagSize, p.tag) == 1;
}

bool EvpOpen(GcmPacket& p) {
  EVP_CIPHER_CTX* c = p.key->evp();
  int n = 0;
  uint8_t* data = p.data.data();
  uint8_t tag[GcmBatch::kTagSize];
  std::memcpy(tag, p.tag, sizeof(tag));
  // EVP_DecryptFinal_ex compares the tag with CRYPTO_memcmp (constant time).
  const bool ok =
      EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, p.iv) == 1 &&
      (p.aad.empty() || EVP_DecryptUpdate(c, nullptr, &n, p.aad.data(), Int(p.aad.size())) == 1) &&
      (p.data.empty() || EVP_DecryptUpdate(c, data, &n, data, Int(p.data.size())) == 1) &&
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag) == 1 &&
      EVP_DecryptFinal_ex(c, data + p.data.size(), &n) == 1;
  if (!ok && !p.data.empty()) {
    // EVP has already written unauthenticated plaintext: XOR the same keystream back in (CTR is
    // its own inverse) so the caller gets its ciphertext again, as with the VAES path. If even
    // that fails, zero the buffer rather than leave plaintext.
    const bool restored = EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, p.iv) == 1 &&
                          EVP_EncryptUpdate(c, data, &n, data, Int(p.data.size())) == 1;
    if (!restored) OPENSSL_cleanse(data, p.data.size());
  }
  return ok;
}

GcmImpl BestOf(const GcmCpuFeatures& f) {
  if (f.vaes512) return GcmImpl::kVaes512;
  if (f.vaes256) return GcmImpl::kVaes256;
  return GcmImpl::kEvp;
}

}  // namespace

bool GcmBatch::Supported(GcmImpl impl) {
  const GcmCpuFeatures f = DetectGcmCpuFeatures();
  switch (impl) {
    case GcmImpl::kAuto:
    case GcmImpl::kEvp:
      return true;
    case GcmImpl::kVaes256:
      return f.vaes256;
    case GcmImpl::kVaes512:
      return f.vaes512;
  }
  return false;
}

GcmImpl GcmBatch::Best() { return BestOf(DetectGcmCpuFeatures()); }

absl::StatusOr<GcmImpl> GcmBatch::ParseImpl(std::string_view name) {
  if (name == "auto") return GcmImpl::kAuto;
  if (name == "evp") return GcmImpl::kEvp;
  if (name == "vaes256") return GcmImpl::kVaes256;
  if (name == "vaes512") return GcmImpl::kVaes512;
  return absl::InvalidArgumentError("unknown AES-GCM implementation '" + std::string(name) +
                                    "' (auto|evp|vaes256|vaes512)");
}

const char* GcmBatch::ImplName(GcmImpl impl) {
  switch (impl) {
    case GcmImpl::kAuto:
      return "auto";
    case GcmImpl::kEvp:
      return "evp";
    case GcmImpl::kVaes256:
      return "vaes256";
    case GcmImpl::kVaes512:
      return "vaes512";
  }
  return "unknown";
}

absl::StatusOr<GcmBatch> GcmBatch::Create(GcmImpl impl) {
  if (impl == GcmImpl::kAuto) {
    // Read at setup time only (once per shard), never on the packet path.
    const char* env = std::getenv("SFUD_GCM_IMPL");
    if (env != nullptr && env[0] != '\0') {
      absl::StatusOr<GcmImpl> parsed = ParseImpl(env);
      if (!parsed.ok()) return parsed.status();
      impl = *parsed;
    }
  }
  if (impl == GcmImpl::kAuto) impl = Best();
  if (!Supported(impl)) {
    return absl::FailedPreconditionError(std::string("AES-GCM implementation ") + ImplName(impl) +
                                         " is not supported by this CPU/OS");
  }
  return GcmBatch(impl);
}

void GcmBatch::Seal(absl::Span<GcmPacket> packets) const {
  switch (impl_) {
    case GcmImpl::kVaes512:
      gcm_internal::vaes512::SealBatch(packets);
      return;
    case GcmImpl::kVaes256:
      gcm_internal::vaes256::SealBatch(packets);
      return;
    case GcmImpl::kAuto:
    case GcmImpl::kEvp:
      break;
  }
  for (GcmPacket& p : packets) p.ok = PacketValid(p) && EvpSeal(p);
}

size_t GcmBatch::Open(absl::Span<GcmPacket> packets) const {
  switch (impl_) {
    case GcmImpl::kVaes512:
      return gcm_internal::vaes512::OpenBatch(packets);
    case GcmImpl::kVaes256:
      return gcm_internal::vaes256::OpenBatch(packets);
    case GcmImpl::kAuto:
    case GcmImpl::kEvp:
      break;
  }
  size_t verified = 0;
  for (GcmPacket& p : packets) {
    p.ok = PacketValid(p) && EvpOpen(p);
    verified += p.ok ? 1 : 0;
  }
  return verified;
}

}  // namespace sfu::crypto
