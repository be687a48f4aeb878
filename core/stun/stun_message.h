#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/types/span.h"
#include "core/common/five_tuple.h"

namespace sfu::stun {

// Wire constants of STUN (RFC 8489) and of its ICE usage (RFC 8445 §16.1).
inline constexpr size_t kHeaderSize = 20;
inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kTransactionIdSize = 12;
using TransactionId = std::array<uint8_t, kTransactionIdSize>;

// RFC 8489 §5: the 14-bit type interleaves a 12-bit method and a 2-bit class.
enum class StunClass : uint8_t {
  kRequest = 0,
  kIndication = 1,
  kSuccessResponse = 2,
  kErrorResponse = 3,
};
inline constexpr uint16_t kMethodBinding = 0x001;
constexpr uint16_t MessageType(uint16_t method, StunClass cls) {
  const uint16_t c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
}
constexpr uint16_t MessageMethod(uint16_t type) {
  return static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr StunClass MessageClass(uint16_t type) {
  return static_cast<StunClass>(((type >> 4) & 1) | ((type >> 7) & 2));
}
inline constexpr uint16_t kBindingRequest = MessageType(kMethodBinding, StunClass::kRequest);
inline constexpr uint16_t kBindingIndication = MessageType(kMethodBinding, StunClass::kIndication);
inline constexpr uint16_t kBindingSuccess =
    MessageType(kMethodBinding, StunClass::kSuccessResponse);
inline constexpr uint16_t kBindingError = MessageType(kMethodBinding, StunClass::kErrorResponse);
static_assert(kBindingRequest == 0x0001 && kBindingIndication == 0x0011 &&
              kBindingSuccess == 0x0101 && kBindingError == 0x0111);

// Attribute types. 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF optional (§14).
inline constexpr uint16_t kAttrUsername = 0x0006;                // RFC 8489 §14.3
inline constexpr uint16_t kAttrMessageIntegrity = 0x0008;        // RFC 8489 §14.5
inline constexpr uint16_t kAttrErrorCode = 0x0009;               // RFC 8489 §14.8
inline constexpr uint16_t kAttrUnknownAttributes = 0x000A;       // RFC 8489 §14.13
inline constexpr uint16_t kAttrRealm = 0x0014;                   // RFC 8489 §14.9
inline constexpr uint16_t kAttrNonce = 0x0015;                   // RFC 8489 §14.10
inline constexpr uint16_t kAttrMessageIntegritySha256 = 0x001C;  // RFC 8489 §14.6
inline constexpr uint16_t kAttrXorMappedAddress = 0x0020;        // RFC 8489 §14.2
inline constexpr uint16_t kAttrPriority = 0x0024;                // RFC 8445 §7.1.1
inline constexpr uint16_t kAttrUseCandidate = 0x0025;            // RFC 8445 §7.1.2
inline constexpr uint16_t kAttrSoftware = 0x8022;                // RFC 8489 §14.14
inline constexpr uint16_t kAttrFingerprint = 0x8028;             // RFC 8489 §14.7
inline constexpr uint16_t kAttrIceControlled = 0x8029;           // RFC 8445 §7.1.3
inline constexpr uint16_t kAttrIceControlling = 0x802A;          // RFC 8445 §7.1.3
constexpr bool IsComprehensionRequired(uint16_t attr_type) { return attr_type < 0x8000; }

inline constexpr size_t kMessageIntegritySize = 20;      // HMAC-SHA1
inline constexpr uint32_t kFingerprintXor = 0x5354554E;  // RFC 8489 §14.7, "STUN"
// Hard caps so a hostile datagram costs bounded work and state.
inline constexpr size_t kMaxAttributes = 48;
inline constexpr size_t kMaxUnknownAttributes = 8;
// RFC 8489 §14.3 and §14.14/§14.8: value size limits (USERNAME allows a full "256:256" ICE pair).
inline constexpr size_t kMaxUsernameSize = 513;
inline constexpr size_t kMaxTextSize = 763;

// ERROR-CODE (RFC 8489 §14.8): code = class * 100 + number, 300..699.
struct StunErrorCode {
  uint16_t code = 0;
  std::string_view reason;
};

enum class StunParseStatus : uint8_t {
  kOk,
  kNotStun,                    // shorter than a header, top bits set or no magic cookie
  kBadLength,                  // header length not a multiple of 4 or not the datagram's size
  kTruncatedAttribute,         // an attribute (with its padding) runs past the message
  kTooManyAttributes,          // more than kMaxAttributes
  kBadAttributeValue,          // a known attribute with an impossible size or content
  kAttributeAfterFingerprint,  // RFC 8489 §14.7: FINGERPRINT must be last
};
std::string_view ToString(StunParseStatus status);

// A parsed STUN message (RFC 8489 §5, §14): the header, the first occurrence of each attribute
// sfud understands, and the comprehension-required types it does not. A plain value filled by
// ParseStunMessage; every span and string_view in it points into the datagram that was parsed and
// is valid exactly as long as that buffer is (the receive buffer of one packet — copy what must
// outlive it). Thread-compatible.
//
// Attribute rules applied while parsing (RFC 8489 §14, §9):
//  - Only the first occurrence of an attribute type counts; later duplicates are ignored.
//  - Everything after MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256) is ignored except
//    FINGERPRINT, so an attacker cannot append unauthenticated attributes.
//  - An attribute after FINGERPRINT makes the message malformed.
struct StunMessage {
  uint16_t type = 0;
  TransactionId transaction_id{};
  absl::Span<const uint8_t> raw;  // the whole message (== the datagram)

  std::optional<std::string_view> username;
  std::optional<std::string_view> software;
  std::optional<std::string_view> realm;
  std::optional<std::string_view> nonce;
  std::optional<SocketAddress> xor_mapped_address;
  std::optional<uint32_t> priority;
  bool use_candidate = false;
  std::optional<uint64_t> ice_controlling;  // tie-breaker
  std::optional<uint64_t> ice_controlled;   // tie-breaker
  std::optional<StunErrorCode> error_code;
  // The value of UNKNOWN-ATTRIBUTES (a list of 16-bit types; even length checked). Read it with
  // ListedUnknownAttribute().
  absl::Span<const uint8_t> unknown_attributes_list;

  // MESSAGE-INTEGRITY: offset of the attribute header in `raw` and its 20-byte value.
  std::optional<size_t> integrity_offset;
  absl::Span<const uint8_t> integrity;
  // FINGERPRINT: offset of the attribute header in `raw` and its value.
  std::optional<size_t> fingerprint_offset;
  uint32_t fingerprint = 0;

  // Comprehension-required attribute types not understood, in order of appearance, without
  // repeats, at most kMaxUnknownAttributes (further ones are not listed but still counted).
  std::array<uint16_t, kMaxUnknownAttributes> unknown_required{};
  size_t unknown_required_count = 0;
  size_t unknown_required_total = 0;

  uint16_t method() const { return MessageMethod(type); }
  StunClass message_class() const { return MessageClass(type); }
  bool is_binding_request() const { return type == kBindingRequest; }
  absl::Span<const uint16_t> unknown_required_attributes() const {
    return absl::MakeConstSpan(unknown_required.data(), unknown_required_count);
  }
  size_t listed_unknown_attributes_count() const { return unknown_attributes_list.size() / 2; }
  uint16_t ListedUnknownAttribute(size_t i) const;
};

// Parses one datagram as a STUN message. The datagram must be exactly one message (UDP framing),
// with the magic cookie (RFC 8489 §6.3: classic RFC 3489 messages are not accepted). On kOk, *out
// holds the message; on any other status *out is unspecified. Never allocates.
StunParseStatus ParseStunMessage(absl::Span<const uint8_t> datagram, StunMessage* out);

}  // namespace sfu::stun
