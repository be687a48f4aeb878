#include "crypto/ecdhe.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/openssl_util.h"
#include "crypto/p256_public_key.h"

namespace sfu::crypto {
namespace {

constexpr size_t kX25519Size = 32;     // RFC 7748 §5: 32-byte u-coordinates and scalars.
constexpr size_t kP256PointSize = 65;  // RFC 8422 §5.4.1: 0x04 || X || Y, uncompressed only.
constexpr uint8_t kUncompressedTag = 0x04;
constexpr size_t kSharedSecretSize = 32;

using internal::PkeyCtxPtr;
using internal::PkeyPtr;

// The wire encoding of our own public value (RFC 8422 §5.4, RFC 8446 §4.2.8.2 for X25519).
absl::StatusOr<std::vector<uint8_t>> EncodePublic(NamedGroup group, EVP_PKEY* key) {
  if (group == NamedGroup::kX25519) {
    std::vector<uint8_t> pub(kX25519Size);
    size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(key, pub.data(), &len) != 1 || len != kX25519Size) {
      return internal::OpenSslInternal("EVP_PKEY_get_raw_public_key(X25519)");
    }
    return pub;
  }
  std::vector<uint8_t> pub(kP256PointSize);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub.data(),
                                      pub.size(), &len) != 1 ||
      len != kP256PointSize || pub[0] != kUncompressedTag) {
    return internal::OpenSslInternal("EVP_PKEY_get_octet_string_param(encoded public key)");
  }
  return pub;
}

}  // namespace

void EcdheKey::PkeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

EcdheKey::EcdheKey(NamedGroup group, EVP_PKEY* key, std::vector<uint8_t> pub)
    : group_(group), key_(key), public_key_(std::move(pub)) {}
EcdheKey::EcdheKey(EcdheKey&&) noexcept = default;
EcdheKey& EcdheKey::operator=(EcdheKey&&) noexcept = default;
EcdheKey::~EcdheKey() = default;

absl::StatusOr<EcdheKey> EcdheKey::Generate(NamedGroup group) {
  PkeyPtr key;
  switch (group) {
    case NamedGroup::kX25519:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
      break;
    case NamedGroup::kSecp256r1:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
    default:
      return absl::InvalidArgumentError("unsupported ECDHE group");
  }
  if (key == nullptr) return internal::OpenSslInternal("EVP_PKEY_Q_keygen");
  absl::StatusOr<std::vector<uint8_t>> pub = EncodePublic(group, key.get());
  if (!pub.ok()) return pub.status();
  return EcdheKey(group, key.release(), *std::move(pub));
}

absl::StatusOr<EcdheKey> EcdheKey::FromX25519Private(absl::Span<const uint8_t> private_key) {
  if (private_key.size() != kX25519Size) {
    return absl::InvalidArgumentError("X25519 private key must be 32 bytes");
  }
  PkeyPtr key(EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", nullptr, private_key.data(),
                                              private_key.size()));
  if (key == nullptr) return internal::OpenSslInternal("EVP_PKEY_new_raw_private_key_ex(X25519)");
  absl::StatusOr<std::vector<uint8_t>> pub = EncodePublic(NamedGroup::kX25519, key.get());
  if (!pub.ok()) return pub.status();
  return EcdheKey(NamedGroup::kX25519, key.release(), *std::move(pub));
}

absl::StatusOr<std::vector<uint8_t>> EcdheKey::DeriveSharedSecret(
    absl::Span<const uint8_t> peer_public) {
  PkeyPtr peer;
  if (group_ == NamedGroup::kX25519) {
    if (peer_public.size() != kX25519Size) {
      return absl::InvalidArgumentError("X25519 peer public value must be 32 bytes");
    }
    peer.reset(EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", nullptr, peer_public.data(),
                                              peer_public.size()));
    if (peer == nullptr) {
      return internal::OpenSslInternal("EVP_PKEY_new_raw_public_key_ex(X25519)");
    }
  } else {
    // RFC 8422 §5.4.1: only the uncompressed form may be used (TLS 1.2 ec_point_formats).
    if (peer_public.size() != kP256PointSize || peer_public[0] != kUncompressedTag) {
      return absl::InvalidArgumentError(
          "P-256 peer public value must be a 65-byte uncompressed point");
    }
    absl::StatusOr<PkeyPtr> p = internal::P256PublicKeyFromPoint(peer_public);
    if (!p.ok()) return p.status();
    peer = *std::move(p);
  }

  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (ctx == nullptr) return internal::OpenSslInternal("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_derive_init(ctx.get()) != 1)
    return internal::OpenSslInternal("EVP_PKEY_derive_init");
  // validate_peer = 1: OpenSSL runs its public-key check on the peer (point on curve, in range).
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 1) != 1) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument, "invalid ECDHE peer key");
  }
  std::vector<uint8_t> secret(kSharedSecretSize);
  size_t len = secret.size();
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1) {
    // With a well-formed peer key this fails only for X25519 low-order points (all-zero output).
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "ECDHE derivation failed (invalid peer key)");
  }
  if (len != kSharedSecretSize) return absl::InternalError("ECDHE shared secret has wrong size");
  if (group_ == NamedGroup::kX25519) {
    // RFC 7748 §6.1: reject the all-zero output of a low-order peer point. OpenSSL already does;
    // checked again here (without an early exit) so the property does not rest on that.
    uint8_t acc = 0;
    for (uint8_t b : secret) acc |= b;
    if (acc == 0) return absl::InvalidArgumentError("X25519 shared secret is all zero");
  }
  return secret;
}

}  // namespace sfu::crypto
