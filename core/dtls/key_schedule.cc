#include "core/dtls/key_schedule.h"

#include <algorithm>

#include "crypto/tls_prf.h"

namespace sfu::dtls {

crypto::HashAlgorithm PrfHash(CipherSuite suite) {
  return suite == CipherSuite::kEcdheEcdsaAes256GcmSha384 ? crypto::HashAlgorithm::kSha384
                                                          : crypto::HashAlgorithm::kSha256;
}

size_t SuiteKeySize(CipherSuite suite) {
  return suite == CipherSuite::kEcdheEcdsaAes256GcmSha384 ? 32 : 16;
}

bool IsKnownSuite(uint16_t value) {
  return value == static_cast<uint16_t>(CipherSuite::kEcdheEcdsaAes128GcmSha256) ||
         value == static_cast<uint16_t>(CipherSuite::kEcdheEcdsaAes256GcmSha384);
}

absl::Status ComputeExtendedMasterSecret(CipherSuite suite, absl::Span<const uint8_t> pre_master,
                                         absl::Span<const uint8_t> session_hash,
                                         std::array<uint8_t, kMasterSecretSize>* out) {
  return crypto::TlsPrf(PrfHash(suite), pre_master, "extended master secret", {session_hash},
                        absl::MakeSpan(*out));
}

absl::Status ExpandKeys(CipherSuite suite, absl::Span<const uint8_t> master_secret,
                        absl::Span<const uint8_t> client_random,
                        absl::Span<const uint8_t> server_random, KeyBlock* out) {
  const size_t key_size = SuiteKeySize(suite);
  std::array<uint8_t, 2 * 32 + 2 * 4> block;
  const size_t total = 2 * key_size + 2 * 4;
  absl::Status status =
      crypto::TlsPrf(PrfHash(suite), master_secret, "key expansion", {server_random, client_random},
                     absl::MakeSpan(block.data(), total));
  if (!status.ok()) return status;
  out->key_size = key_size;
  auto it = block.begin();
  std::copy(it, it + key_size, out->client_write_key.begin());
  it += key_size;
  std::copy(it, it + key_size, out->server_write_key.begin());
  it += key_size;
  std::copy(it, it + 4, out->client_write_iv.begin());
  it += 4;
  std::copy(it, it + 4, out->server_write_iv.begin());
  std::fill(block.begin(), block.end(), 0);
  return absl::OkStatus();
}

absl::Status ComputeVerifyData(CipherSuite suite, absl::Span<const uint8_t> master_secret,
                               bool client, absl::Span<const uint8_t> handshake_hash,
                               std::array<uint8_t, 12>* out) {
  return crypto::TlsPrf(PrfHash(suite), master_secret,
                        client ? "client finished" : "server finished", {handshake_hash},
                        absl::MakeSpan(*out));
}

size_t TranscriptHash(CipherSuite suite, absl::Span<const uint8_t> transcript,
                      absl::Span<uint8_t> out) {
  if (PrfHash(suite) == crypto::HashAlgorithm::kSha384) {
    const auto digest = crypto::Sha384(transcript);
    std::copy(digest.begin(), digest.end(), out.begin());
    return digest.size();
  }
  const auto digest = crypto::Sha256(transcript);
  std::copy(digest.begin(), digest.end(), out.begin());
  return digest.size();
}

absl::Status ExportSrtpKeyingMaterial(CipherSuite suite, absl::Span<const uint8_t> master_secret,
                                      absl::Span<const uint8_t> client_random,
                                      absl::Span<const uint8_t> server_random, SrtpProfile profile,
                                      Role role, SrtpKeyingMaterial* out) {
  out->profile = profile;
  out->role = role;
  out->material.fill(0);
  // RFC 5705 §4: PRF(master_secret, label, client_random + server_random) without context.
  return crypto::TlsPrf(PrfHash(suite), master_secret, "EXTRACTOR-dtls_srtp",
                        {client_random, server_random},
                        absl::MakeSpan(out->material.data(), out->size()));
}

}  // namespace sfu::dtls
