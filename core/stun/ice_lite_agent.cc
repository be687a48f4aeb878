#include "core/stun/ice_lite_agent.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "core/common/status_macros.h"
#include "core/stun/stun_builder.h"
#include "core/stun/stun_integrity.h"
#include "core/stun/stun_message.h"

namespace sfu::stun {
namespace {

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/".
bool IsIceChars(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

absl::Status CheckCredential(std::string_view what, std::string_view value, size_t min_size) {
  if (value.size() < min_size || value.size() > 256 || !IsIceChars(value)) {
    return absl::InvalidArgumentError(std::string(what) + " must be " + std::to_string(min_size) +
                                      "..256 ice-chars (RFC 8839 §5.4)");
  }
  return absl::OkStatus();
}

// The address the peer's packets came from, as the peer knows itself. A dual-stack socket reports
// an IPv4 peer as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2); the peer sent from an IPv4 address, so that
// is the XOR-MAPPED-ADDRESS it must see (RFC 8489 §14.2), or it would learn a bogus peer-reflexive
// IPv6 candidate.
SocketAddress MappedAddress(const SocketAddress& remote) {
  const absl::Span<const uint8_t> b = remote.ip.bytes();
  if (!remote.ip.is_v6()) return remote;
  for (size_t i = 0; i < 10; ++i) {
    if (b[i] != 0) return remote;
  }
  if (b[10] != 0xFF || b[11] != 0xFF) return remote;
  return SocketAddress{IpAddress::V4({b[12], b[13], b[14], b[15]}), remote.port};
}

}  // namespace

std::string_view ToString(CheckOutcome outcome) {
  switch (outcome) {
#define SFU_ICE_NAME_(name, field) \
  case CheckOutcome::name:         \
    return #field;
    SFU_ICE_CHECK_OUTCOMES(SFU_ICE_NAME_)
#undef SFU_ICE_NAME_
  }
  return "unknown";
}

void IceLiteStats::Count(CheckOutcome outcome) {
  switch (outcome) {
#define SFU_ICE_COUNT_(name, field) \
  case CheckOutcome::name:          \
    ++field;                        \
    return;
    SFU_ICE_CHECK_OUTCOMES(SFU_ICE_COUNT_)
#undef SFU_ICE_COUNT_
  }
}

uint64_t IceLiteStats::Get(CheckOutcome outcome) const {
  switch (outcome) {
#define SFU_ICE_GET_(name, field) \
  case CheckOutcome::name:        \
    return field;
    SFU_ICE_CHECK_OUTCOMES(SFU_ICE_GET_)
#undef SFU_ICE_GET_
  }
  return 0;
}

absl::StatusOr<IceLiteAgent> IceLiteAgent::Create(IceLiteConfig config, Instant now) {
  SFU_RETURN_IF_ERROR(CheckCredential("local ufrag", config.local_ufrag, 4));
  SFU_RETURN_IF_ERROR(CheckCredential("local pwd", config.local_pwd, 22));
  // The peer's credentials are only compared, never trusted for framing: be strict about what
  // would make USERNAME ambiguous, lenient about the character set other stacks use.
  if (config.remote_ufrag.size() > 256 || config.remote_ufrag.find(':') != std::string::npos) {
    return absl::InvalidArgumentError("remote ufrag must be at most 256 characters without ':'");
  }
  if (config.remote_pwd.has_value() && config.remote_pwd->size() > 256) {
    return absl::InvalidArgumentError("remote pwd must be at most 256 characters");
  }
  if (config.consent_timeout <= Duration::zero()) {
    return absl::InvalidArgumentError("consent timeout must be positive");
  }
  if (config.max_tuples < 2 || config.max_tuples > kMaxTuples) {
    return absl::InvalidArgumentError("max_tuples must be 2.." + std::to_string(kMaxTuples));
  }
  // RFC 8445 §7.2.2 / RFC 8489 §9.1: the short-term key is the password itself (ice-chars are
  // ASCII, so OpaqueString preparation leaves it unchanged).
  const absl::Span<const uint8_t> key(reinterpret_cast<const uint8_t*>(config.local_pwd.data()),
                                      config.local_pwd.size());
  SFU_ASSIGN_OR_RETURN(crypto::Hmac hmac, crypto::Hmac::Create(crypto::HashAlgorithm::kSha1, key));
  return IceLiteAgent(std::move(config), std::move(hmac), now);
}

IceLiteAgent::IceLiteAgent(IceLiteConfig config, crypto::Hmac hmac, Instant now)
    : local_ufrag_(std::move(config.local_ufrag)),
      remote_ufrag_(std::move(config.remote_ufrag)),
      consent_timeout_(config.consent_timeout),
      max_tuples_(config.max_tuples),
      hmac_(std::move(hmac)),
      last_valid_check_(now) {}

// RFC 8445 §7.2.2: the requester sends "<our ufrag>:<its ufrag>".
bool IceLiteAgent::UsernameMatches(std::string_view username) const {
  if (username.size() <= local_ufrag_.size() || !username.starts_with(local_ufrag_) ||
      username[local_ufrag_.size()] != ':') {
    return false;
  }
  const std::string_view remote = username.substr(local_ufrag_.size() + 1);
  if (remote_ufrag_.empty()) return !remote.empty() && remote.find(':') == std::string_view::npos;
  return remote == remote_ufrag_;
}

CheckOutcome IceLiteAgent::HandleStun(Instant now, const FiveTuple& tuple,
                                      absl::Span<const uint8_t> datagram) {
  // A new input replaces an undrained response: the driver drains after every call.
  tx_tuple_.reset();
  auto drop = [this](CheckOutcome outcome) {
    stats_.Count(outcome);
    return outcome;
  };
  if (expired_) return drop(CheckOutcome::kExpired);

  StunMessage m;
  if (ParseStunMessage(datagram, &m) != StunParseStatus::kOk) {
    return drop(CheckOutcome::kMalformed);
  }
  // A lite agent sends no requests, so it expects no responses; Binding indications (RFC 8445
  // §11 keepalives) carry no credentials and must not refresh consent.
  if (!m.is_binding_request()) return drop(CheckOutcome::kNotBindingRequest);
  if (m.fingerprint_offset.has_value() && !VerifyFingerprint(m)) {
    return drop(CheckOutcome::kBadFingerprint);
  }
  // RFC 8489 §9.1.3 would answer 400/401 here; an unauthenticated answer is an amplification
  // and credential-probing vector, so sfud stays silent.
  if (!m.integrity_offset.has_value()) return drop(CheckOutcome::kMissingIntegrity);
  if (!m.username.has_value() || !UsernameMatches(*m.username)) {
    return drop(CheckOutcome::kWrongUsername);
  }
  if (!VerifyMessageIntegrity(m, hmac_)) return drop(CheckOutcome::kBadIntegrity);

  // Authenticated from here on: error responses carry MESSAGE-INTEGRITY too.
  const absl::Span<uint8_t> buffer = absl::MakeSpan(tx_buffer_);
  if (m.unknown_required_count > 0) {
    return Respond(tuple,
                   BuildBindingError(buffer, m.transaction_id, 420, "Unknown Attribute",
                                     m.unknown_required_attributes(), hmac_),
                   CheckOutcome::kUnknownAttribute);
  }
  // RFC 8445 §7.1.3 / §7.3.1.1: the peer claims the controlled role too. A lite agent cannot
  // become controlling (§6.1.1), so whatever the tie-breakers, it keeps its role and answers 487,
  // which makes the full agent switch to controlling (§7.2.5.1).
  if (m.ice_controlled.has_value() && !m.ice_controlling.has_value()) {
    return Respond(tuple,
                   BuildBindingError(buffer, m.transaction_id, 487, "Role Conflict", {}, hmac_),
                   CheckOutcome::kRoleConflict);
  }
  // RFC 8445 §7.1.1, §7.1.3: a check carries PRIORITY and exactly one role attribute.
  if (!m.priority.has_value() || !m.ice_controlling.has_value() || m.ice_controlled.has_value()) {
    return drop(CheckOutcome::kMissingIceAttribute);
  }
  const CheckOutcome outcome = Respond(
      tuple, BuildBindingSuccess(buffer, m.transaction_id, MappedAddress(tuple.remote), hmac_),
      CheckOutcome::kAnswered);
  if (outcome == CheckOutcome::kAnswered) RecordValidCheck(now, tuple, m.use_candidate);
  return outcome;
}

CheckOutcome IceLiteAgent::Respond(const FiveTuple& tuple,
                                   std::optional<absl::Span<const uint8_t>> bytes,
                                   CheckOutcome outcome) {
  // Only an unusable SocketAddress (no family) can make a response not fit our buffer.
  if (!bytes.has_value()) outcome = CheckOutcome::kMalformed;
  stats_.Count(outcome);
  if (bytes.has_value()) {
    tx_tuple_ = tuple;
    tx_size_ = bytes->size();
  }
  return outcome;
}

void IceLiteAgent::RecordValidCheck(Instant now, const FiveTuple& tuple, bool use_candidate) {
  last_valid_check_ = now;
  if (TupleState* state = Find(tuple)) {
    state->last_check = now;
  } else {
    if (tuple_count_ == max_tuples_) {
      // Evict the least recently checked tuple other than the selected one.
      size_t victim = tuple_count_;
      for (size_t i = 0; i < tuple_count_; ++i) {
        if (selected_.has_value() && tuples_[i].tuple == *selected_) continue;
        if (victim == tuple_count_ || tuples_[i].last_check < tuples_[victim].last_check) {
          victim = i;
        }
      }
      PushEvent(TupleUnbound{tuples_[victim].tuple});
      RemoveAt(victim);
    }
    tuples_[tuple_count_++] = TupleState{tuple, now};
    PushEvent(TupleBound{tuple});
  }
  // RFC 8445 §7.3.1.5 (regular nomination, the only kind a lite peer allows): the controlling
  // agent's USE-CANDIDATE on a successful check selects the pair. Re-nominating the selected
  // tuple (peers repeat USE-CANDIDATE) is not news.
  if (use_candidate && selected_ != tuple) {
    selected_ = tuple;
    PushEvent(Nominated{tuple});
  }
}

IceLiteAgent::TupleState* IceLiteAgent::Find(const FiveTuple& tuple) {
  for (size_t i = 0; i < tuple_count_; ++i) {
    if (tuples_[i].tuple == tuple) return &tuples_[i];
  }
  return nullptr;
}

bool IceLiteAgent::IsBound(const FiveTuple& tuple) const {
  for (size_t i = 0; i < tuple_count_; ++i) {
    if (tuples_[i].tuple == tuple) return true;
  }
  return false;
}

void IceLiteAgent::RemoveAt(size_t index) {
  tuples_[index] = tuples_[tuple_count_ - 1];
  --tuple_count_;
}

// RFC 7675 §5.1 applied to the receiving side: consent lives as long as valid checks keep
// arriving on the selected tuple; before nomination, on any tuple (or since creation).
Instant IceLiteAgent::SessionDeadline() const {
  if (selected_.has_value()) {
    for (size_t i = 0; i < tuple_count_; ++i) {
      if (tuples_[i].tuple == *selected_) return tuples_[i].last_check + consent_timeout_;
    }
  }
  return last_valid_check_ + consent_timeout_;
}

void IceLiteAgent::HandleTimeout(Instant now) {
  if (expired_) return;
  if (now >= SessionDeadline()) {
    expired_ = true;
    tuple_count_ = 0;
    tx_tuple_.reset();
    PushEvent(ConsentExpired{selected_});
    return;
  }
  for (size_t i = 0; i < tuple_count_;) {
    if (now >= tuples_[i].last_check + consent_timeout_ && tuples_[i].tuple != selected_) {
      PushEvent(TupleUnbound{tuples_[i].tuple});
      RemoveAt(i);
    } else {
      ++i;
    }
  }
}

std::optional<Instant> IceLiteAgent::NextTimeout() const {
  if (expired_) return std::nullopt;
  Instant next = SessionDeadline();
  for (size_t i = 0; i < tuple_count_; ++i) {
    const Instant deadline = tuples_[i].last_check + consent_timeout_;
    if (deadline < next) next = deadline;
  }
  return next;
}

std::optional<StunTransmit> IceLiteAgent::PollTransmit() {
  if (!tx_tuple_.has_value()) return std::nullopt;
  StunTransmit t{*tx_tuple_, absl::MakeConstSpan(tx_buffer_.data(), tx_size_)};
  tx_tuple_.reset();
  return t;
}

void IceLiteAgent::PushEvent(IceEvent event) {
  if (event_count_ == kEventCapacity) {
    ++stats_.events_dropped;
    return;
  }
  events_[(event_head_ + event_count_) % kEventCapacity] = std::move(event);
  ++event_count_;
}

std::optional<IceEvent> IceLiteAgent::PollEvent() {
  if (event_count_ == 0) return std::nullopt;
  IceEvent e = events_[event_head_];
  event_head_ = (event_head_ + 1) % kEventCapacity;
  --event_count_;
  return e;
}

}  // namespace sfu::stun
