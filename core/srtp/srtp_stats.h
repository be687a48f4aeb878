#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sfu::srtp {

// Every outcome of protecting or unprotecting one packet, declared once and expanded into the
// result enum, the stats struct and the names an exposer prints.
// X(enum value, counter name, description)
#define SFU_SRTP_RESULTS(X)                                                                        \
  X(kOk, ok, "packet protected or unprotected")                                                    \
  X(kTooShort, too_short, "shorter than a header plus the SRTP/SRTCP trailer")                     \
  X(kMalformedHeader, malformed_header, "not RTP/RTCP version 2, or CSRCs/extension overrun")      \
  X(kAuthFailed, auth_failed, "authentication tag did not verify")                                 \
  X(kReplay, replay, "index already seen inside the replay window")                                \
  X(kTooOld, too_old, "index older than the replay window")                                        \
  X(kSsrcLimit, ssrc_limit, "new SSRC beyond the session's configured cap")                        \
  X(kBadIndex, bad_index, "ROC or SRTCP index exhausted; the session needs new keys")              \
  X(kNoTailroom, no_tailroom, "buffer has no room for the tag/index (protect)")                    \
  X(kWrongDirection, wrong_direction, "protect on an inbound or unprotect on an outbound session") \
  X(kCryptoError, crypto_error, "the cipher backend reported an internal failure")

enum class SrtpResult : uint8_t {
#define SFU_SRTP_ENUM(name, counter, help) name,
  SFU_SRTP_RESULTS(SFU_SRTP_ENUM)
#undef SFU_SRTP_ENUM
};

inline constexpr size_t kSrtpResultCount = 0
#define SFU_SRTP_COUNT(name, counter, help) +1
    SFU_SRTP_RESULTS(SFU_SRTP_COUNT)
#undef SFU_SRTP_COUNT
    ;

// The counter name of a result ("auth_failed"), for logs and metric labels.
constexpr std::string_view SrtpResultName(SrtpResult r) {
  switch (r) {
#define SFU_SRTP_NAME(name, counter, help) \
  case SrtpResult::name:                   \
    return #counter;
    SFU_SRTP_RESULTS(SFU_SRTP_NAME)
#undef SFU_SRTP_NAME
  }
  return "unknown";
}

// Per-session counters: packets that made it through each operation, and drops by reason (the
// kOk slot of `drops` stays zero). Single writer: the shard that owns the session. The metrics
// exposer sums sessions of a shard; drops are summed across RTP and RTCP.
struct SrtpStats {
  uint64_t rtp_protected = 0;
  uint64_t rtp_unprotected = 0;
  uint64_t rtcp_protected = 0;
  uint64_t rtcp_unprotected = 0;
  uint64_t drops[kSrtpResultCount] = {};

  uint64_t dropped(SrtpResult r) const { return drops[static_cast<size_t>(r)]; }
  uint64_t total_dropped() const {
    uint64_t sum = 0;
    for (uint64_t d : drops) sum += d;
    return sum;
  }
};

}  // namespace sfu::srtp
