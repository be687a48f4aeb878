#pragma once

// Internal to crypto/vaes: the entry points of the two VAES kernels. Each is compiled from
// gcm_vaes_kernel.inc with its own target attribute (gcm_vaes256.cc, gcm_vaes512.cc), so only these
// functions carry AVX2/AVX-512 code and the rest of sfud builds for baseline x86-64. Call them only
// when GcmCpuFeatures says the CPU supports them.

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "crypto/vaes/gcm_batch.h"
#include "crypto/vaes/gcm_key.h"

namespace sfu::crypto::gcm_internal {

// The per-packet checks shared by every implementation.
inline bool PacketValid(const GcmPacket& p) {
  return p.key != nullptr && p.iv != nullptr && p.tag != nullptr &&
         p.aad.size() <= GcmBatch::kMaxSize && p.data.size() <= GcmBatch::kMaxSize;
}

namespace vaes256 {
void SealBatch(absl::Span<GcmPacket> packets);
size_t OpenBatch(absl::Span<GcmPacket> packets);
// AES key expansion (FIPS 197 §5.2, via AESKEYGENASSIST) and the GHASH key powers. Needs only
// AES-NI and PCLMULQDQ, which every VAES CPU has.
void ExpandKey(absl::Span<const uint8_t> key, GcmKeyMaterial* out);
}  // namespace vaes256

namespace vaes512 {
void SealBatch(absl::Span<GcmPacket> packets);
size_t OpenBatch(absl::Span<GcmPacket> packets);
void ExpandKey(absl::Span<const uint8_t> key, GcmKeyMaterial* out);
}  // namespace vaes512

}  // namespace sfu::crypto::gcm_internal
