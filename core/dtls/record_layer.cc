#include "core/dtls/record_layer.h"

#include <utility>

namespace sfu::dtls {

RecordParse ParseRecord(ByteReader& reader, Record* out) {
  // RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2) fragment.
  uint8_t type = 0;
  uint16_t version = 0, epoch = 0, length = 0;
  uint64_t seq = 0;
  if (!reader.ReadU8(&type) || !reader.ReadU16(&version) || !reader.ReadU16(&epoch) ||
      !reader.ReadU48(&seq) || !reader.ReadU16(&length)) {
    return RecordParse::kMalformed;
  }
  if (length > kMaxRecordFragment) {
    (void)reader.Skip(reader.Remaining());
    return RecordParse::kTooLong;
  }
  absl::Span<const uint8_t> fragment;
  if (!reader.ReadSpan(length, &fragment)) return RecordParse::kMalformed;
  out->content_type = type;
  out->version = version;
  out->epoch = epoch;
  out->sequence_number = seq;
  out->fragment = fragment;
  return RecordParse::kOk;
}

bool WriteRecordHeader(ByteWriter& writer, ContentType type, uint16_t version, uint16_t epoch,
                       uint64_t sequence_number, uint16_t length) {
  writer.WriteU8(static_cast<uint8_t>(type));
  writer.WriteU16(version);
  writer.WriteU16(epoch);
  writer.WriteU48(sequence_number);
  writer.WriteU16(length);
  return writer.ok();
}

absl::StatusOr<RecordProtection> RecordProtection::Create(absl::Span<const uint8_t> key,
                                                          absl::Span<const uint8_t> implicit_iv) {
  if (implicit_iv.size() != 4) return absl::InvalidArgumentError("GCM implicit IV must be 4 bytes");
  auto aead = crypto::AesGcm::Create(key);
  if (!aead.ok()) return aead.status();
  std::array<uint8_t, 4> salt;
  std::copy(implicit_iv.begin(), implicit_iv.end(), salt.begin());
  return RecordProtection(std::move(*aead), salt);
}

namespace {

// RFC 5246 §6.2.3.3 additional_data, with DTLS's epoch|sequence_number as seq_num.
std::array<uint8_t, 13> MakeAad(uint8_t type, uint16_t version, uint16_t epoch, uint64_t seq,
                                size_t plaintext_length) {
  std::array<uint8_t, 13> aad;
  ByteWriter w(absl::MakeSpan(aad));
  w.WriteU16(epoch);
  w.WriteU48(seq);
  w.WriteU8(type);
  w.WriteU16(version);
  w.WriteU16(static_cast<uint16_t>(plaintext_length));
  return aad;
}

}  // namespace

bool RecordProtection::Seal(ContentType type, uint16_t version, uint16_t epoch, uint64_t seq,
                            absl::Span<const uint8_t> plaintext, ByteWriter& writer) {
  const size_t length = plaintext.size() + kOverhead;
  if (length > kMaxRecordFragment) return false;
  if (!WriteRecordHeader(writer, type, version, epoch, seq, static_cast<uint16_t>(length))) {
    return false;
  }
  absl::Span<uint8_t> body = writer.Reserve(length);
  if (body.empty()) return false;
  // The explicit nonce is the record's own epoch|seq: unique per key without extra state.
  std::array<uint8_t, crypto::AesGcm::kIvSize> nonce;
  std::copy(salt_.begin(), salt_.end(), nonce.begin());
  ByteWriter explicit_nonce(body.subspan(0, kExplicitNonceSize));
  explicit_nonce.WriteU16(epoch);
  explicit_nonce.WriteU48(seq);
  std::copy(body.begin(), body.begin() + kExplicitNonceSize, nonce.begin() + 4);
  absl::Span<uint8_t> data = body.subspan(kExplicitNonceSize, plaintext.size());
  std::copy(plaintext.begin(), plaintext.end(), data.begin());
  const auto aad = MakeAad(static_cast<uint8_t>(type), version, epoch, seq, plaintext.size());
  return aead_.Seal(nonce, aad, data,
                    body.subspan(kExplicitNonceSize + plaintext.size(), crypto::AesGcm::kTagSize));
}

bool RecordProtection::Open(const Record& record, absl::Span<uint8_t> scratch,
                            absl::Span<const uint8_t>* plaintext) {
  if (record.fragment.size() < kOverhead) return false;
  const size_t length = record.fragment.size() - kOverhead;
  if (scratch.size() < length) return false;
  std::array<uint8_t, crypto::AesGcm::kIvSize> nonce;
  std::copy(salt_.begin(), salt_.end(), nonce.begin());
  std::copy(record.fragment.begin(), record.fragment.begin() + kExplicitNonceSize,
            nonce.begin() + 4);
  absl::Span<uint8_t> data = scratch.subspan(0, length);
  std::copy(record.fragment.begin() + kExplicitNonceSize,
            record.fragment.begin() + kExplicitNonceSize + length, data.begin());
  const auto aad =
      MakeAad(record.content_type, record.version, record.epoch, record.sequence_number, length);
  if (!aead_.Open(nonce, aad, data, record.fragment.subspan(kExplicitNonceSize + length))) {
    return false;
  }
  *plaintext = data;
  return true;
}

}  // namespace sfu::dtls
