#include "core/stun/stun_message.h"

#include "core/common/byte_reader.h"

namespace sfu::stun {
namespace {

std::string_view AsText(absl::Span<const uint8_t> bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// XOR-MAPPED-ADDRESS (RFC 8489 §14.2): port xor the cookie's top 16 bits; IPv4 xor the cookie;
// IPv6 xor cookie || transaction id.
bool ParseXorMappedAddress(absl::Span<const uint8_t> value, const TransactionId& tid,
                           SocketAddress* out) {
  ByteReader r(value);
  uint8_t reserved, family;
  uint16_t xport;
  if (!r.ReadU8(&reserved) || !r.ReadU8(&family) || !r.ReadU16(&xport)) return false;
  std::array<uint8_t, 16> mask{};
  for (size_t i = 0; i < 4; ++i) mask[i] = static_cast<uint8_t>(kMagicCookie >> (24 - 8 * i));
  for (size_t i = 0; i < kTransactionIdSize; ++i) mask[4 + i] = tid[i];
  out->port = static_cast<uint16_t>(xport ^ (kMagicCookie >> 16));
  if (family == 0x01 && r.Remaining() == 4) {
    std::array<uint8_t, 4> ip;
    if (!r.ReadBytes(absl::MakeSpan(ip))) return false;
    for (size_t i = 0; i < ip.size(); ++i) ip[i] ^= mask[i];
    out->ip = IpAddress::V4(ip);
    return true;
  }
  if (family == 0x02 && r.Remaining() == 16) {
    std::array<uint8_t, 16> ip;
    if (!r.ReadBytes(absl::MakeSpan(ip))) return false;
    for (size_t i = 0; i < ip.size(); ++i) ip[i] ^= mask[i];
    out->ip = IpAddress::V6(ip);
    return true;
  }
  return false;
}

// ERROR-CODE (RFC 8489 §14.8): 21 reserved bits, a 3-bit class (3..6), an 8-bit number (0..99),
// then a UTF-8 reason phrase.
bool ParseErrorCode(absl::Span<const uint8_t> value, StunErrorCode* out) {
  ByteReader r(value);
  uint16_t reserved;
  uint8_t cls, number;
  if (!r.ReadU16(&reserved) || !r.ReadU8(&cls) || !r.ReadU8(&number)) return false;
  cls &= 0x07;
  if (cls < 3 || cls > 6 || number > 99 || r.Remaining() > kMaxTextSize) return false;
  out->code = static_cast<uint16_t>(cls * 100 + number);
  out->reason = AsText(r.ReadRemaining());
  return true;
}

bool ReadFixed64(absl::Span<const uint8_t> value, std::optional<uint64_t>* out) {
  ByteReader r(value);
  uint64_t v;
  if (value.size() != 8 || !r.ReadU64(&v)) return false;
  *out = v;
  return true;
}

bool SetText(absl::Span<const uint8_t> value, size_t max, std::optional<std::string_view>* out) {
  if (value.size() > max) return false;
  *out = AsText(value);
  return true;
}

void NoteUnknown(uint16_t type, StunMessage* m) {
  for (size_t i = 0; i < m->unknown_required_count; ++i) {
    if (m->unknown_required[i] == type) return;
  }
  ++m->unknown_required_total;
  if (m->unknown_required_count < kMaxUnknownAttributes) {
    m->unknown_required[m->unknown_required_count++] = type;
  }
}

// Applies one attribute that is the first of its type and not after MESSAGE-INTEGRITY. Returns
// false if a known attribute's value is malformed.
bool ApplyAttribute(uint16_t type, absl::Span<const uint8_t> value, size_t offset, StunMessage* m) {
  switch (type) {
    case kAttrUsername:
      return SetText(value, kMaxUsernameSize, &m->username);
    case kAttrSoftware:
      return SetText(value, kMaxTextSize, &m->software);
    case kAttrRealm:
      return SetText(value, kMaxTextSize, &m->realm);
    case kAttrNonce:
      return SetText(value, kMaxTextSize, &m->nonce);
    case kAttrXorMappedAddress: {
      SocketAddress addr;
      if (!ParseXorMappedAddress(value, m->transaction_id, &addr)) return false;
      m->xor_mapped_address = addr;
      return true;
    }
    case kAttrPriority: {
      ByteReader r(value);
      uint32_t v;
      if (value.size() != 4 || !r.ReadU32(&v)) return false;
      m->priority = v;
      return true;
    }
    case kAttrUseCandidate:
      if (!value.empty()) return false;
      m->use_candidate = true;
      return true;
    case kAttrIceControlling:
      return ReadFixed64(value, &m->ice_controlling);
    case kAttrIceControlled:
      return ReadFixed64(value, &m->ice_controlled);
    case kAttrErrorCode: {
      StunErrorCode ec;
      if (!ParseErrorCode(value, &ec)) return false;
      m->error_code = ec;
      return true;
    }
    case kAttrUnknownAttributes:
      if (value.size() % 2 != 0) return false;
      m->unknown_attributes_list = value;
      return true;
    case kAttrMessageIntegrity:
      if (value.size() != kMessageIntegritySize) return false;
      m->integrity_offset = offset;
      m->integrity = value;
      return true;
    default:
      if (IsComprehensionRequired(type)) NoteUnknown(type, m);
      return true;
  }
}

// Whether the first occurrence of `type` was already applied (duplicates are ignored, §14).
bool AlreadySeen(uint16_t type, const std::array<uint16_t, kMaxAttributes>& seen, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (seen[i] == type) return true;
  }
  return false;
}

}  // namespace

std::string_view ToString(StunParseStatus status) {
  switch (status) {
    case StunParseStatus::kOk:
      return "ok";
    case StunParseStatus::kNotStun:
      return "not_stun";
    case StunParseStatus::kBadLength:
      return "bad_length";
    case StunParseStatus::kTruncatedAttribute:
      return "truncated_attribute";
    case StunParseStatus::kTooManyAttributes:
      return "too_many_attributes";
    case StunParseStatus::kBadAttributeValue:
      return "bad_attribute_value";
    case StunParseStatus::kAttributeAfterFingerprint:
      return "attribute_after_fingerprint";
  }
  return "unknown";
}

uint16_t StunMessage::ListedUnknownAttribute(size_t i) const {
  ByteReader r(unknown_attributes_list);
  uint16_t v = 0;
  if (!r.Skip(2 * i) || !r.ReadU16(&v)) return 0;
  return v;
}

StunParseStatus ParseStunMessage(absl::Span<const uint8_t> datagram, StunMessage* out) {
  *out = StunMessage();
  ByteReader r(datagram);
  uint16_t type, length;
  uint32_t cookie;
  // RFC 8489 §6.3: the two most significant bits are zero and the magic cookie is present.
  if (!r.ReadU16(&type) || !r.ReadU16(&length) || !r.ReadU32(&cookie) ||
      !r.ReadBytes(absl::MakeSpan(out->transaction_id)) || (type & 0xC000) != 0 ||
      cookie != kMagicCookie) {
    return StunParseStatus::kNotStun;
  }
  // RFC 8489 §5: the length counts the attributes, which are padded to 4 bytes, and over UDP one
  // datagram carries exactly one message.
  if (length % 4 != 0 || length != r.Remaining()) return StunParseStatus::kBadLength;
  out->type = type;
  out->raw = datagram;

  std::array<uint16_t, kMaxAttributes> seen{};
  size_t seen_count = 0;
  size_t attribute_count = 0;
  bool after_integrity = false;
  while (!r.empty()) {
    if (out->fingerprint_offset.has_value()) return StunParseStatus::kAttributeAfterFingerprint;
    if (++attribute_count > kMaxAttributes) return StunParseStatus::kTooManyAttributes;
    const size_t offset = r.position();
    uint16_t attr_type, attr_length;
    absl::Span<const uint8_t> value;
    // RFC 8489 §14: values are padded to a multiple of 4; the padding's content is ignored.
    if (!r.ReadU16(&attr_type) || !r.ReadU16(&attr_length) || !r.ReadSpan(attr_length, &value) ||
        !r.Skip((4 - attr_length % 4) % 4)) {
      return StunParseStatus::kTruncatedAttribute;
    }
    if (attr_type == kAttrFingerprint) {
      ByteReader fr(value);
      if (value.size() != 4 || !fr.ReadU32(&out->fingerprint)) {
        return StunParseStatus::kBadAttributeValue;
      }
      out->fingerprint_offset = offset;
      continue;
    }
    // RFC 8489 §14.5/§9: after an integrity attribute only FINGERPRINT counts.
    if (after_integrity) continue;
    if (attr_type == kAttrMessageIntegritySha256) after_integrity = true;
    if (AlreadySeen(attr_type, seen, seen_count)) continue;
    seen[seen_count++] = attr_type;
    if (!ApplyAttribute(attr_type, value, offset, out)) return StunParseStatus::kBadAttributeValue;
    if (attr_type == kAttrMessageIntegrity) after_integrity = true;
  }
  return StunParseStatus::kOk;
}

}  // namespace sfu::stun
