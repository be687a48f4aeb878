#include "crypto/vaes/gcm_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <utility>

#include "absl/status/status.h"
#include "crypto/vaes/cpu_features.h"
#include "crypto/vaes/gcm_vaes_kernel.h"

namespace sfu::crypto {

void GcmKey::CtxDeleter::operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }

absl::StatusOr<GcmKey> GcmKey::Create(absl::Span<const uint8_t> key) {
  if (key.size() != 16 && key.size() != 32) {
    return absl::InvalidArgumentError("AES-GCM key must be 16 or 32 bytes");
  }
  GcmKey k;
  k.key_size_ = key.size();
  k.evp_.reset(EVP_CIPHER_CTX_new());
  if (k.evp_ == nullptr) return absl::ResourceExhaustedError("EVP_CIPHER_CTX_new failed");
  const EVP_CIPHER* cipher = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  // Keyed once here; every packet then only sets its IV. The IV length is GCM's default, 12.
  if (EVP_EncryptInit_ex(k.evp_.get(), cipher, nullptr, key.data(), nullptr) != 1) {
    return absl::InternalError("EVP_EncryptInit_ex(AES-GCM key) failed");
  }
  // The vector tables need AES-NI and PCLMULQDQ; compute them only where a VAES path can run, so
  // creating a key never executes an instruction the CPU lacks.
  if (DetectGcmCpuFeatures().vaes256) gcm_internal::vaes256::ExpandKey(key, &k.material_);
  return k;
}

GcmKey::GcmKey(GcmKey&& other) noexcept
    : material_(other.material_), key_size_(other.key_size_), evp_(std::move(other.evp_)) {
  OPENSSL_cleanse(&other.material_, sizeof(other.material_));
}

GcmKey& GcmKey::operator=(GcmKey&& other) noexcept {
  if (this != &other) {
    material_ = other.material_;
    key_size_ = other.key_size_;
    evp_ = std::move(other.evp_);
    OPENSSL_cleanse(&other.material_, sizeof(other.material_));
  }
  return *this;
}

GcmKey::~GcmKey() { OPENSSL_cleanse(&material_, sizeof(material_)); }

}  // namespace sfu::crypto
