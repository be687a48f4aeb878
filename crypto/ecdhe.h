#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sfu::crypto {

// TLS NamedGroup code points (RFC 8422 §5.1.1, RFC 7748).
enum class NamedGroup : uint16_t { kSecp256r1 = 23, kX25519 = 29 };

// An ephemeral ECDHE key pair for one handshake. Owned by one thread; freed after the handshake.
class EcdheKey {
 public:
  static absl::StatusOr<EcdheKey> Generate(NamedGroup group);
  // X25519 from a given 32-byte private scalar (RFC 7748 test vectors; deterministic tests).
  static absl::StatusOr<EcdheKey> FromX25519Private(absl::Span<const uint8_t> private_key);
  EcdheKey(EcdheKey&&) noexcept;
  EcdheKey& operator=(EcdheKey&&) noexcept;
  ~EcdheKey();

  NamedGroup group() const { return group_; }
  // The public value as it goes on the wire in TLS: 32 bytes for X25519, 65 bytes (uncompressed
  // point, 0x04 || X || Y) for P-256.
  absl::Span<const uint8_t> public_key() const { return public_key_; }
  // The shared secret with the peer's wire-encoded public value: 32 bytes for both groups (X25519
  // output; P-256 X coordinate). Fails on a malformed or invalid peer point (not on the curve,
  // wrong length, compressed encoding) and on X25519's all-zero output (RFC 7748 §6.1).
  absl::StatusOr<std::vector<uint8_t>> DeriveSharedSecret(absl::Span<const uint8_t> peer_public);

 private:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const;
  };
  EcdheKey(NamedGroup group, EVP_PKEY* key, std::vector<uint8_t> pub);
  NamedGroup group_;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::vector<uint8_t> public_key_;
};

}  // namespace sfu::crypto
