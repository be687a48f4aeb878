#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "crypto/hmac.h"

namespace sfu::stun {

// What HandleStun did with one datagram. The first three queued a response; every other value is a
// drop, and a dropped request is never answered (no amplification, no oracle for guessing
// credentials). Declared once and expanded into the enum, the stats struct and ToString.
#define SFU_ICE_CHECK_OUTCOMES(X)                                                         \
  X(kAnswered, answered)                         /* success response queued */            \
  X(kUnknownAttribute, unknown_attribute)        /* 420 queued, RFC 8489 §6.3.1 */       \
  X(kRoleConflict, role_conflict)                /* 487 queued, RFC 8445 §7.3.1.1 */     \
  X(kMalformed, malformed)                       /* not a well-formed STUN message */     \
  X(kNotBindingRequest, not_binding_request)     /* indication, response, other method */ \
  X(kBadFingerprint, bad_fingerprint)            /* FINGERPRINT present but wrong */      \
  X(kMissingIntegrity, missing_integrity)        /* no MESSAGE-INTEGRITY */               \
  X(kWrongUsername, wrong_username)              /* USERNAME absent or not ours */        \
  X(kBadIntegrity, bad_integrity)                /* MESSAGE-INTEGRITY does not verify */  \
  X(kMissingIceAttribute, missing_ice_attribute) /* no PRIORITY or no role attribute */   \
  X(kExpired, expired)                           /* consent already expired */

enum class CheckOutcome : uint8_t {
#define SFU_ICE_ENUM_(name, field) name,
  SFU_ICE_CHECK_OUTCOMES(SFU_ICE_ENUM_)
#undef SFU_ICE_ENUM_
};
inline constexpr bool IsAnswered(CheckOutcome o) {
  return o == CheckOutcome::kAnswered || o == CheckOutcome::kUnknownAttribute ||
         o == CheckOutcome::kRoleConflict;
}
std::string_view ToString(CheckOutcome outcome);

// Per-agent counters, one per outcome, plus events lost to a full queue (a driver that does not
// drain). Single writer: the owning shard.
struct IceLiteStats {
#define SFU_ICE_FIELD_(name, field) uint64_t field = 0;
  SFU_ICE_CHECK_OUTCOMES(SFU_ICE_FIELD_)
#undef SFU_ICE_FIELD_
  uint64_t events_dropped = 0;

  void Count(CheckOutcome outcome);
  uint64_t Get(CheckOutcome outcome) const;
};

// Events, pulled with PollEvent().
struct TupleBound {  // first valid check from this 5-tuple: media from it may now be accepted
  FiveTuple tuple;
};
struct TupleUnbound {  // consent lapsed on a non-selected tuple, or it was evicted for a new one
  FiveTuple tuple;
};
struct Nominated {  // USE-CANDIDATE on a valid check: send media to this tuple (RFC 8445 §7.3.1.5)
  FiveTuple tuple;
};
struct ConsentExpired {  // RFC 7675 §5.1: the session is over; `tuple` is the selected one, if any
  std::optional<FiveTuple> tuple;
};
using IceEvent = std::variant<TupleBound, TupleUnbound, Nominated, ConsentExpired>;

// A response to send: `data` goes from tuple.local to tuple.remote. The view points into the
// agent and lives until the agent's next HandleStun/HandleTimeout call (or until it is moved).
struct StunTransmit {
  FiveTuple tuple;
  absl::Span<const uint8_t> data;
};

struct IceLiteConfig {
  // Ours, as put in the SDP answer: RFC 8839 §5.4 ice-chars, ufrag 4..256, pwd 22..256 characters.
  std::string local_ufrag{};
  std::string local_pwd{};
  // The peer's, from its offer. Empty means not known yet: then only the local half of USERNAME is
  // checked (RFC 8445 §7.3 lets checks arrive before the peer's candidates and credentials).
  std::string remote_ufrag{};
  // The peer's password. A lite agent never sends requests, so it never needs it; accepted so the
  // caller can pass what the offer carried, and checked for syntax only.
  std::optional<std::string> remote_pwd{};
  // RFC 7675 §5.1: consent expires this long after the last valid check.
  Duration consent_timeout = std::chrono::seconds(30);
  // Distinct 5-tuples remembered at once (2..kMaxTuples). A new one evicts the least recently
  // checked tuple that is not the selected one.
  size_t max_tuples = 4;
};

// The ICE-lite side (RFC 8445 §2.5, §7.3) of one session: answers the peer's connectivity checks,
// learns which 5-tuples passed one, follows the peer's nomination, and tracks consent freshness
// (RFC 7675) on the selected tuple. sfud is always lite, hence always controlled, and never sends a
// request of its own.
//
// Sans-IO: the shard feeds every STUN datagram of the session with HandleStun and its timer with
// HandleTimeout, then drains PollTransmit and PollEvent and re-arms from NextTimeout. One per
// session, owned by the shard that owns the session; thread-compatible. State is bounded
// (max_tuples, a fixed event queue, one transmit buffer); HandleStun never allocates.
//
//   check ──▶ parse ─▶ Binding request? ─▶ FINGERPRINT ok? ─▶ MESSAGE-INTEGRITY present?
//         ─▶ USERNAME == "local:remote"? ─▶ HMAC ok? ──(any no: drop, count)
//         ─▶ unknown comprehension-required? ─▶ 420    ─▶ ICE-CONTROLLED? ─▶ 487
//         ─▶ PRIORITY + ICE-CONTROLLING? ──(no: drop) ─▶ 200 + bind/refresh tuple (+ nominate)
class IceLiteAgent {
 public:
  static constexpr size_t kMaxTuples = 16;

  // Fails on credentials that are not RFC 8839 syntax or an out-of-range config. `now` starts the
  // consent clock: a session that never sees a valid check expires consent_timeout after it.
  static absl::StatusOr<IceLiteAgent> Create(IceLiteConfig config, Instant now);

  IceLiteAgent(IceLiteAgent&&) noexcept = default;
  IceLiteAgent& operator=(IceLiteAgent&&) noexcept = default;

  // One datagram that looked like STUN, received on `tuple`. Queues at most one response.
  CheckOutcome HandleStun(Instant now, const FiveTuple& tuple, absl::Span<const uint8_t> datagram);
  void HandleTimeout(Instant now);

  std::optional<StunTransmit> PollTransmit();
  std::optional<IceEvent> PollEvent();
  // The next consent deadline; nullopt once consent has expired.
  std::optional<Instant> NextTimeout() const;

  // Whether `tuple` passed a check and still has consent as of the last HandleTimeout: the data
  // plane accepts DTLS/SRTP only from such tuples (and mirrors TupleBound/TupleUnbound events).
  bool IsBound(const FiveTuple& tuple) const;
  std::optional<FiveTuple> selected_tuple() const { return selected_; }
  size_t bound_tuple_count() const { return tuple_count_; }
  bool expired() const { return expired_; }
  const IceLiteStats& stats() const { return stats_; }
  const std::string& local_ufrag() const { return local_ufrag_; }

 private:
  struct TupleState {
    FiveTuple tuple;
    Instant last_check;
  };
  static constexpr size_t kEventCapacity = kMaxTuples + 4;
  static constexpr size_t kTransmitBufferSize = 256;

  IceLiteAgent(IceLiteConfig config, crypto::Hmac hmac, Instant now);
  bool UsernameMatches(std::string_view username) const;
  CheckOutcome Respond(const FiveTuple& tuple, std::optional<absl::Span<const uint8_t>> bytes,
                       CheckOutcome outcome);
  void RecordValidCheck(Instant now, const FiveTuple& tuple, bool use_candidate);
  TupleState* Find(const FiveTuple& tuple);
  void RemoveAt(size_t index);
  Instant SessionDeadline() const;
  void PushEvent(IceEvent event);

  std::string local_ufrag_;
  std::string remote_ufrag_;
  Duration consent_timeout_;
  size_t max_tuples_;
  crypto::Hmac hmac_;  // keyed with local_pwd: verifies requests, signs responses

  std::array<TupleState, kMaxTuples> tuples_{};
  size_t tuple_count_ = 0;
  std::optional<FiveTuple> selected_;
  Instant last_valid_check_;  // or creation time before the first one
  bool expired_ = false;

  std::array<IceEvent, kEventCapacity> events_{};
  size_t event_head_ = 0;
  size_t event_count_ = 0;

  // The pending response is kept as a size, not a span, so a moved agent still points at its own
  // buffer.
  std::array<uint8_t, kTransmitBufferSize> tx_buffer_{};
  std::optional<FiveTuple> tx_tuple_;
  size_t tx_size_ = 0;

  IceLiteStats stats_;
};

}  // namespace sfu::stun
