#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace sfu::crypto {

// Key-derived tables for the VAES kernels, computed once per key (NIST SP 800-38D §6.3, §6.4).
// h_powers holds H^16..H^1 (slot i = H^(16-i)) followed by kZeroSlots zero entries, so a run of n
// blocks loads its powers from slot 16-n and lanes past the run multiply by zero. Each power is
// stored byte-reflected and pre-multiplied by the reflected x, the form the carry-less multiply and
// its two-fold reduction in gcm_vaes_kernel.inc expect.
struct GcmKeyMaterial {
  static constexpr size_t kPowers = 16;
  static constexpr size_t kZeroSlots = 4;
  alignas(64) uint8_t round_keys[15][16];
  alignas(64) uint8_t h_powers[kPowers + kZeroSlots][16];
  int rounds = 0;  // 10 (AES-128) or 14 (AES-256); 0 when the CPU has no VAES path
};

// One AES-GCM key (16 or 32 bytes) prepared for GcmBatch: the expanded round keys and GHASH key
// powers for the vectorised path, and a keyed OpenSSL EVP context for the fallback path. Create it
// once per key (a few microseconds), then use it for any number of packets. Owned by one thread
// (a shard): Seal/Open through GcmBatch mutate the EVP context, so a GcmKey must not be used from
// two threads at once. Never allocates after Create(). The key material is wiped on destruction.
class GcmKey {
 public:
  static absl::StatusOr<GcmKey> Create(absl::Span<const uint8_t> key);
  GcmKey(GcmKey&&) noexcept;
  GcmKey& operator=(GcmKey&&) noexcept;
  ~GcmKey();

  size_t key_size() const { return key_size_; }
  const GcmKeyMaterial& material() const { return material_; }
  EVP_CIPHER_CTX* evp() { return evp_.get(); }

 private:
  struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const;
  };
  GcmKey() = default;

  GcmKeyMaterial material_;
  size_t key_size_ = 0;
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> evp_;
};

}  // namespace sfu::crypto
