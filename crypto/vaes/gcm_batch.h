#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "crypto/vaes/gcm_key.h"

namespace sfu::crypto {

// Which code does the AES-GCM work. kEvp is OpenSSL 3 EVP (AES-NI + PCLMULQDQ, one packet per
// call); kVaes256/kVaes512 are sfud's VAES + VPCLMULQDQ kernels on 256-/512-bit vectors.
enum class GcmImpl { kAuto, kEvp, kVaes256, kVaes512 };

// One packet of a batch. `iv` points at 12 bytes; `tag` at 16 bytes (written by Seal, read by
// Open); `data` is encrypted or decrypted in place; `aad` is authenticated only. `ok` is the
// result for this packet. Nothing is retained after the call.
struct GcmPacket {
  GcmKey* key = nullptr;
  const uint8_t* iv = nullptr;
  absl::Span<const uint8_t> aad;
  absl::Span<uint8_t> data;
  uint8_t* tag = nullptr;
  bool ok = false;
};

// AES-GCM (NIST SP 800-38D; 96-bit IV, 128-bit tag) over a burst of independent packets, each with
// its own key: the shape of an SFU's per-subscriber re-encryption (RFC 7714 SRTP-GCM). The
// implementation is chosen once, at Create(), from the CPU (GcmCpuFeatures) and the environment
// variable SFUD_GCM_IMPL (evp|vaes256|vaes512|auto) unless the caller asks for one explicitly;
// the vectorised kernels are constant time in keys and data (no secret-indexed tables, no
// secret-dependent branches; tags compared without early exit). A cheap value type: each shard
// keeps its own. Seal/Open never allocate.
class GcmBatch {
 public:
  static constexpr size_t kIvSize = 12;
  static constexpr size_t kTagSize = 16;
  // Largest aad or data length accepted (EVP takes int lengths; far above any datagram).
  static constexpr size_t kMaxSize = std::numeric_limits<int>::max();

  // kAuto: SFUD_GCM_IMPL if set, else the fastest the CPU supports. Fails if the requested (or
  // environment-named) implementation is unknown or unsupported on this CPU.
  static absl::StatusOr<GcmBatch> Create(GcmImpl impl = GcmImpl::kAuto);
  static bool Supported(GcmImpl impl);
  static GcmImpl Best();
  static absl::StatusOr<GcmImpl> ParseImpl(std::string_view name);
  static const char* ImplName(GcmImpl impl);

  // Encrypts each packet's data in place and writes its tag; ok = false only for a packet with a
  // null key/iv/tag or a length above kMaxSize (its data and tag are then left untouched).
  void Seal(absl::Span<GcmPacket> packets) const;
  // Verifies and decrypts each packet in place. ok = true: data is the plaintext. ok = false (tag
  // mismatch or invalid packet): data is left as the ciphertext it was, so the caller may retry
  // with another key or IV (e.g. an SRTP rollover-counter guess). Returns the number of packets ok.
  size_t Open(absl::Span<GcmPacket> packets) const;

  GcmImpl impl() const { return impl_; }
  const char* impl_name() const { return ImplName(impl_); }

 private:
  explicit GcmBatch(GcmImpl impl) : impl_(impl) {}
  GcmImpl impl_;
};

}  // namespace sfu::crypto
