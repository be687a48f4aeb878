#pragma once

#include <optional>
#include <string_view>

#include "absl/types/span.h"

namespace sfu::stun {

// Fast, allocation-free checks for the data plane, which sees every datagram before it knows
// which session (if any) it belongs to. Neither verifies anything cryptographic: they only route
// a datagram to the IceLiteAgent that will.

// True if `datagram` has a STUN header (RFC 8489 §6.3: top two bits zero, magic cookie, length a
// multiple of 4 equal to the rest of the datagram). Cheaper than a full parse; with RFC 7983's
// first-byte demux it separates STUN from DTLS/SRTP.
bool LooksLikeStun(absl::Span<const uint8_t> datagram);

// For a Binding request from a 5-tuple no session knows yet: the part of the first USERNAME before
// its first ':' — the ufrag sfud issued in its SDP answer (RFC 8445 §7.2.2, USERNAME is
// "<receiver ufrag>:<sender ufrag>") — so the session can be found by ufrag. A view into
// `datagram`, valid as long as it is. nullopt if the datagram is not a well-framed Binding
// request, has no USERNAME before MESSAGE-INTEGRITY, or the USERNAME has no ':' or an empty
// local part.
std::optional<std::string_view> PeekLocalUfrag(absl::Span<const uint8_t> datagram);

}  // namespace sfu::stun
