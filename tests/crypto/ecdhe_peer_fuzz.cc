// Fuzzes ECDHE shared-secret derivation with an attacker-chosen peer public value (the
// ClientKeyExchange point). The first byte picks the group; the rest is the peer's value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/ecdhe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sfu::crypto::EcdheKey;
  using sfu::crypto::NamedGroup;
  if (size == 0) return 0;
  // One key per group for the whole run: key generation is not what is being fuzzed.
  static EcdheKey* const x25519 = [] {
    auto k = EcdheKey::Generate(NamedGroup::kX25519);
    if (!k.ok()) std::abort();
    return new EcdheKey(*std::move(k));
  }();
  static EcdheKey* const p256 = [] {
    auto k = EcdheKey::Generate(NamedGroup::kSecp256r1);
    if (!k.ok()) std::abort();
    return new EcdheKey(*std::move(k));
  }();
  EcdheKey* key = (data[0] & 1) ? p256 : x25519;
  auto secret = key->DeriveSharedSecret(absl::Span<const uint8_t>(data + 1, size - 1));
  if (secret.ok() && secret->size() != 32) std::abort();
  return 0;
}
