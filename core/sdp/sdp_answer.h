#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/sdp/answer_config.h"
#include "core/sdp/negotiated.h"
#include "core/sdp/session_description.h"

namespace sfu::sdp {

// The answer to one offer: its text, the same as a struct, and the negotiated summary.
struct SdpAnswer {
  std::string sdp;
  SessionDescription description;
  NegotiatedSession negotiated;
};

// Builds sfud's JSEP answer (RFC 8829 §5.3) to a parsed offer. sfud is an ICE-lite server
// (RFC 8445 §2.5) with one BUNDLE transport (RFC 8843) and is always the DTLS server
// (a=setup:passive, RFC 4145 / RFC 8842). For every offered m= section, in order:
//   - accepted: RTP over UDP/TLS/RTP/SAVP(F), rtcp-mux offered, in the BUNDLE group (or, for an
//     offer without BUNDLE, the first such section), and at least one codec in common. Payload
//     types, extmap ids and rids keep the offerer's numbers and names.
//   - rejected with port 0 otherwise (data channels, unknown media, no common codec...).
// Offers sfud can never serve (no ICE credentials, no sha-256 fingerprint, a=setup:passive,
// duplicate mids, nothing acceptable) are an InvalidArgument error. Holds only its config; Build
// is const and may run on any thread.
class AnswerBuilder {
 public:
  explicit AnswerBuilder(AnswerConfig config) : config_(std::move(config)) {}

  absl::StatusOr<SdpAnswer> Build(const SessionDescription& offer) const;

  const AnswerConfig& config() const { return config_; }

 private:
  AnswerConfig config_;
};

}  // namespace sfu::sdp
