#pragma once

#include <array>
#include <cstdint>

#include "absl/types/span.h"

namespace sfu::rtp {

// In-place rewrites the forwarding path applies per subscriber (DESIGN.md §1.5): a few stores into
// the decrypted packet, no copy, no allocation. Each function checks the packet is at least an RTP
// fixed header (version 2) and otherwise leaves it untouched and returns false; none changes the
// packet's size, so the rest of the packet (CSRCs, payload, padding) stays byte for byte.
bool SetRtpSsrc(absl::Span<uint8_t> packet, uint32_t ssrc);
bool SetRtpSequenceNumber(absl::Span<uint8_t> packet, uint16_t sequence_number);
bool SetRtpTimestamp(absl::Span<uint8_t> packet, uint32_t timestamp);
// Keeps the marker bit. False if payload_type >= 128.
bool SetRtpPayloadType(absl::Span<uint8_t> packet, uint8_t payload_type);
bool SetRtpMarker(absl::Span<uint8_t> packet, bool marker);

// Maps a publisher's header-extension ids to a subscriber's (RFC 8285 ids are negotiated per
// session, so the same extension may carry a different id on each leg). Default-constructed, every
// id maps to 0, meaning "drop": the subscriber did not negotiate that extension.
// Thread-compatible; 256 bytes; built once per subscription, read per packet.
class RtpExtensionIdMap {
 public:
  RtpExtensionIdMap() { to_.fill(0); }
  // A map that keeps every id as it is.
  static RtpExtensionIdMap Identity();

  void Set(uint8_t from_id, uint8_t to_id) { to_[from_id] = to_id; }
  void Drop(uint8_t from_id) { to_[from_id] = 0; }
  uint8_t Map(uint8_t from_id) const { return to_[from_id]; }

 private:
  std::array<uint8_t, 256> to_;
};

enum class RemapResult : uint8_t {
  kOk,              // rewritten in place (or nothing to do: no RFC 8285 block)
  kMalformed,       // not a parseable RTP packet or extension block; packet untouched
  kDoesNotFitForm,  // a one-byte block would need an id above 14; packet untouched, rebuild it
};

// Rewrites every element's id through `map`, in place. A dropped element (mapped to 0) is
// overwritten with padding bytes (zeros), which RFC 8285 §4.1 lets a receiver skip, so the packet
// keeps its size. Validates the whole block before writing anything: on any result but kOk the
// packet is unchanged. Blocks of other profiles are left alone (kOk).
RemapResult RemapRtpExtensionIds(absl::Span<uint8_t> packet, const RtpExtensionIdMap& map);

}  // namespace sfu::rtp
