#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "crypto/aes_gcm.h"

namespace sfu::dtls {

// The DTLS 1.2 record layer (RFC 6347 §4.1): record headers and AES-GCM record protection
// (RFC 5288 with RFC 6347's 64-bit epoch|sequence_number). The anti-replay window is in
// replay_window.h.

enum class ContentType : uint8_t {
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
};

inline constexpr uint16_t kDtls10Version = 0xFEFF;  // Firefox's first-flight record version
inline constexpr uint16_t kDtls12Version = 0xFEFD;
inline constexpr size_t kRecordHeaderSize = 13;
// RFC 5246 §6.2.3: a TLSCiphertext fragment is at most 2^14 + 2048 bytes.
inline constexpr size_t kMaxRecordFragment = (1u << 14) + 2048;
inline constexpr uint64_t kMaxSequenceNumber = (uint64_t{1} << 48) - 1;

// One record as it sits in a datagram. `fragment` is a view into the datagram: valid while the
// datagram is.
struct Record {
  uint8_t content_type = 0;  // raw: unknown types are counted, not rejected by the parser
  uint16_t version = 0;
  uint16_t epoch = 0;
  uint64_t sequence_number = 0;  // 48 bits
  absl::Span<const uint8_t> fragment;
};

enum class RecordParse : uint8_t { kOk, kMalformed, kTooLong };

// Splits the next record off `reader` (several records may share a datagram, RFC 6347 §4.1.1).
// kMalformed: the header or fragment does not fit, and the rest of the datagram is unusable.
// kTooLong: the length field exceeds kMaxRecordFragment.
RecordParse ParseRecord(ByteReader& reader, Record* out);

// Writes a 13-byte record header.
bool WriteRecordHeader(ByteWriter& writer, ContentType type, uint16_t version, uint16_t epoch,
                       uint64_t sequence_number, uint16_t length);

// AES-GCM record protection for one direction of one epoch (RFC 5288 §3, RFC 6347 §4.1.2.1):
// nonce = implicit salt (4, from the key block) | explicit nonce (8, on the wire, = epoch|seq),
// AAD = epoch|seq (8) | type | version | plaintext length. Owned by the endpoint; never allocates.
class RecordProtection {
 public:
  static constexpr size_t kExplicitNonceSize = 8;
  static constexpr size_t kOverhead = kExplicitNonceSize + crypto::AesGcm::kTagSize;

  // `key` 16 or 32 bytes, `implicit_iv` 4 bytes.
  static absl::StatusOr<RecordProtection> Create(absl::Span<const uint8_t> key,
                                                 absl::Span<const uint8_t> implicit_iv);

  // Writes a complete protected record (header, explicit nonce, ciphertext, tag) to `writer`.
  [[nodiscard]] bool Seal(ContentType type, uint16_t version, uint16_t epoch, uint64_t seq,
                          absl::Span<const uint8_t> plaintext, ByteWriter& writer);
  // Authenticates and decrypts `record` into `scratch` (at least record.fragment.size() bytes);
  // on success `*plaintext` views the plaintext inside `scratch`. False = drop silently.
  [[nodiscard]] bool Open(const Record& record, absl::Span<uint8_t> scratch,
                          absl::Span<const uint8_t>* plaintext);

 private:
  RecordProtection(crypto::AesGcm aead, std::array<uint8_t, 4> salt)
      : aead_(std::move(aead)), salt_(salt) {}
  crypto::AesGcm aead_;
  std::array<uint8_t, 4> salt_;
};

}  // namespace sfu::dtls
