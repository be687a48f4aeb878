#include "core/stun/stun_builder.h"

#include <array>

#include "core/stun/crc32.h"

namespace sfu::stun {
namespace {

absl::Span<const uint8_t> AsBytes(std::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

StunBuilder::StunBuilder(absl::Span<uint8_t> buffer, uint16_t type,
                         const TransactionId& transaction_id, uint8_t padding_byte)
    : w_(buffer), padding_byte_(padding_byte) {
  if ((type & 0xC000) != 0) Fail();
  w_.WriteU16(type);
  w_.WriteU16(0);  // patched after each attribute
  w_.WriteU32(kMagicCookie);
  w_.WriteBytes(transaction_id);
}

bool StunBuilder::BeginAttribute(uint16_t type, size_t value_size) {
  if (!ok() || has_fingerprint_ || value_size > 0xFFFF) {
    Fail();
    return false;
  }
  w_.WriteU16(type);
  w_.WriteU16(static_cast<uint16_t>(value_size));
  return w_.ok();
}

void StunBuilder::EndAttribute(size_t value_size) {
  for (size_t i = value_size % 4; i != 0 && i < 4; ++i) w_.WriteU8(padding_byte_);
  if (w_.position() - kHeaderSize > 0xFFFF) {
    Fail();
    return;
  }
  w_.PatchU16(2, w_.position() - kHeaderSize);
}

void StunBuilder::AddAttribute(uint16_t type, absl::Span<const uint8_t> value) {
  if (!BeginAttribute(type, value.size())) return;
  w_.WriteBytes(value);
  EndAttribute(value.size());
}

void StunBuilder::AddUsername(std::string_view username) {
  if (username.size() > kMaxUsernameSize) return Fail();
  AddAttribute(kAttrUsername, AsBytes(username));
}

void StunBuilder::AddSoftware(std::string_view software) {
  if (software.size() > kMaxTextSize) return Fail();
  AddAttribute(kAttrSoftware, AsBytes(software));
}

void StunBuilder::AddPriority(uint32_t priority) {
  if (!BeginAttribute(kAttrPriority, 4)) return;
  w_.WriteU32(priority);
  EndAttribute(4);
}

void StunBuilder::AddUseCandidate() {
  if (!BeginAttribute(kAttrUseCandidate, 0)) return;
  EndAttribute(0);
}

void StunBuilder::AddIceControlling(uint64_t tie_breaker) {
  if (!BeginAttribute(kAttrIceControlling, 8)) return;
  w_.WriteU64(tie_breaker);
  EndAttribute(8);
}

void StunBuilder::AddIceControlled(uint64_t tie_breaker) {
  if (!BeginAttribute(kAttrIceControlled, 8)) return;
  w_.WriteU64(tie_breaker);
  EndAttribute(8);
}

// RFC 8489 §14.2. The transaction id is read back from the header already written.
void StunBuilder::AddXorMappedAddress(const SocketAddress& address) {
  const absl::Span<const uint8_t> ip = address.ip.bytes();
  const bool v4 = address.ip.is_v4();
  if (!address.ip.is_v4() && !address.ip.is_v6()) return Fail();
  const size_t value_size = 4 + ip.size();
  if (!BeginAttribute(kAttrXorMappedAddress, value_size)) return;
  // The mask is cookie || transaction id, i.e. bytes 4..19 of our own header.
  const absl::Span<const uint8_t> mask = w_.written().subspan(4, 16);
  w_.WriteU8(0);
  w_.WriteU8(v4 ? 0x01 : 0x02);
  w_.WriteU16(static_cast<uint16_t>(address.port ^ (kMagicCookie >> 16)));
  for (size_t i = 0; i < ip.size(); ++i) w_.WriteU8(static_cast<uint8_t>(ip[i] ^ mask[i]));
  EndAttribute(value_size);
}

void StunBuilder::AddErrorCode(uint16_t code, std::string_view reason) {
  if (code < 300 || code > 699 || reason.size() > kMaxTextSize) return Fail();
  const size_t value_size = 4 + reason.size();
  if (!BeginAttribute(kAttrErrorCode, value_size)) return;
  w_.WriteU16(0);
  w_.WriteU8(static_cast<uint8_t>(code / 100));
  w_.WriteU8(static_cast<uint8_t>(code % 100));
  w_.WriteBytes(AsBytes(reason));
  EndAttribute(value_size);
}

void StunBuilder::AddUnknownAttributes(absl::Span<const uint16_t> types) {
  const size_t value_size = 2 * types.size();
  if (!BeginAttribute(kAttrUnknownAttributes, value_size)) return;
  for (uint16_t t : types) w_.WriteU16(t);
  EndAttribute(value_size);
}

// RFC 8489 §14.5: the header length already counts this attribute when the MAC is computed.
void StunBuilder::AddMessageIntegrity(crypto::Hmac& hmac) {
  if (hmac.algorithm() != crypto::HashAlgorithm::kSha1) return Fail();
  if (!BeginAttribute(kAttrMessageIntegrity, kMessageIntegritySize)) return;
  const size_t covered = w_.position() - 4;
  w_.PatchU16(2, covered + 4 + kMessageIntegritySize - kHeaderSize);
  const absl::Span<uint8_t> value = w_.Reserve(kMessageIntegritySize);
  if (!w_.ok()) return;
  std::array<uint8_t, crypto::kMaxDigestSize> mac;
  if (!hmac.Compute({w_.written().first(covered)}, absl::MakeSpan(mac))) return Fail();
  for (size_t i = 0; i < kMessageIntegritySize; ++i) value[i] = mac[i];
  EndAttribute(kMessageIntegritySize);
}

// RFC 8489 §14.7: CRC over everything before the attribute, with the final length in the header.
void StunBuilder::AddFingerprint() {
  if (!BeginAttribute(kAttrFingerprint, 4)) return;
  const size_t covered = w_.position() - 4;
  w_.PatchU16(2, covered + 8 - kHeaderSize);
  const uint32_t crc = Crc32(w_.written().first(covered)) ^ kFingerprintXor;
  w_.WriteU32(crc);
  EndAttribute(4);
  has_fingerprint_ = true;
}

std::optional<absl::Span<const uint8_t>> StunBuilder::Finish() const {
  if (!ok()) return std::nullopt;
  return absl::Span<const uint8_t>(w_.written());
}

std::optional<absl::Span<const uint8_t>> BuildBindingRequest(absl::Span<uint8_t> buffer,
                                                             const TransactionId& transaction_id,
                                                             const BindingRequestParams& params,
                                                             crypto::Hmac& hmac) {
  StunBuilder b(buffer, kBindingRequest, transaction_id);
  b.AddUsername(params.username);
  b.AddPriority(params.priority);
  if (params.controlling) {
    b.AddIceControlling(params.tie_breaker);
  } else {
    b.AddIceControlled(params.tie_breaker);
  }
  if (params.use_candidate) b.AddUseCandidate();
  b.AddMessageIntegrity(hmac);
  b.AddFingerprint();
  return b.Finish();
}

std::optional<absl::Span<const uint8_t>> BuildBindingSuccess(absl::Span<uint8_t> buffer,
                                                             const TransactionId& transaction_id,
                                                             const SocketAddress& mapped,
                                                             crypto::Hmac& hmac) {
  StunBuilder b(buffer, kBindingSuccess, transaction_id);
  b.AddXorMappedAddress(mapped);
  b.AddMessageIntegrity(hmac);
  b.AddFingerprint();
  return b.Finish();
}

std::optional<absl::Span<const uint8_t>> BuildBindingError(
    absl::Span<uint8_t> buffer, const TransactionId& transaction_id, uint16_t code,
    std::string_view reason, absl::Span<const uint16_t> unknown_attributes, crypto::Hmac& hmac) {
  StunBuilder b(buffer, kBindingError, transaction_id);
  b.AddErrorCode(code, reason);
  if (!unknown_attributes.empty()) b.AddUnknownAttributes(unknown_attributes);
  b.AddMessageIntegrity(hmac);
  b.AddFingerprint();
  return b.Finish();
}

}  // namespace sfu::stun
