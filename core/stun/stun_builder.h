#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/types/span.h"
#include "core/common/byte_writer.h"
#include "core/common/five_tuple.h"
#include "core/stun/stun_message.h"
#include "crypto/hmac.h"

namespace sfu::stun {

// Builds one STUN message (RFC 8489 §5, §14) into a caller-owned buffer, never allocating. The
// header is written first and its length is patched after every attribute, so MESSAGE-INTEGRITY
// and FINGERPRINT see exactly the length RFC 8489 §14.5/§14.7 prescribe. Add attributes in wire
// order; AddMessageIntegrity and AddFingerprint come last, in that order. Any failure (no room, a
// value out of range, an attribute after FINGERPRINT) is sticky and makes Finish() return nullopt.
// Thread-compatible; lives on the stack for one message.
//
//   StunBuilder b(buffer, kBindingSuccess, request.transaction_id);
//   b.AddXorMappedAddress(tuple.remote);
//   b.AddMessageIntegrity(hmac);
//   b.AddFingerprint();
//   std::optional<absl::Span<const uint8_t>> bytes = b.Finish();
class StunBuilder {
 public:
  // `padding_byte` fills attribute padding. Receivers ignore it (RFC 8489 §14); RFC 5769's
  // vectors use 0x20, sfud sends 0x00.
  StunBuilder(absl::Span<uint8_t> buffer, uint16_t type, const TransactionId& transaction_id,
              uint8_t padding_byte = 0);

  void AddUsername(std::string_view username);
  void AddSoftware(std::string_view software);
  void AddPriority(uint32_t priority);
  void AddUseCandidate();
  void AddIceControlling(uint64_t tie_breaker);
  void AddIceControlled(uint64_t tie_breaker);
  void AddXorMappedAddress(const SocketAddress& address);
  // `code` in 300..699 (RFC 8489 §14.8); reason at most kMaxTextSize bytes.
  void AddErrorCode(uint16_t code, std::string_view reason);
  void AddUnknownAttributes(absl::Span<const uint16_t> types);
  // Any attribute by type and raw value (padding added here).
  void AddAttribute(uint16_t type, absl::Span<const uint8_t> value);
  // HMAC-SHA1 with `hmac` (keyed with the password), RFC 8489 §14.5.
  void AddMessageIntegrity(crypto::Hmac& hmac);
  void AddFingerprint();

  bool ok() const { return ok_ && w_.ok(); }
  std::optional<absl::Span<const uint8_t>> Finish() const;

 private:
  // Writes the attribute header; false (and failed) if it cannot.
  bool BeginAttribute(uint16_t type, size_t value_size);
  void EndAttribute(size_t value_size);
  void Fail() { ok_ = false; }

  ByteWriter w_;
  uint8_t padding_byte_;
  bool ok_ = true;
  bool has_fingerprint_ = false;
};

// The messages sfud's ICE-lite agent sends and the ones a simulated peer (tests, the load
// generator) sends, with MESSAGE-INTEGRITY keyed by `hmac` and a FINGERPRINT. nullopt if `buffer`
// is too small.
//
// Binding request of a controlling ICE agent (RFC 8445 §7.2.2): USERNAME "remote:local" from the
// sender's view, PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE.
struct BindingRequestParams {
  std::string_view username{};
  uint32_t priority = 0;
  uint64_t tie_breaker = 0;
  bool controlling = true;
  bool use_candidate = false;
};
std::optional<absl::Span<const uint8_t>> BuildBindingRequest(absl::Span<uint8_t> buffer,
                                                             const TransactionId& transaction_id,
                                                             const BindingRequestParams& params,
                                                             crypto::Hmac& hmac);
// Binding success response (RFC 8445 §7.3.1.4): XOR-MAPPED-ADDRESS of the request's source.
std::optional<absl::Span<const uint8_t>> BuildBindingSuccess(absl::Span<uint8_t> buffer,
                                                             const TransactionId& transaction_id,
                                                             const SocketAddress& mapped,
                                                             crypto::Hmac& hmac);
// Binding error response: ERROR-CODE and, for 420, UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1).
std::optional<absl::Span<const uint8_t>> BuildBindingError(
    absl::Span<uint8_t> buffer, const TransactionId& transaction_id, uint16_t code,
    std::string_view reason, absl::Span<const uint16_t> unknown_attributes, crypto::Hmac& hmac);

}  // namespace sfu::stun
