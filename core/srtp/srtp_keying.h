#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/srtp/srtp_profile.h"
#include "core/srtp/srtp_session.h"

namespace sfu::srtp {

// One direction's master key and salt, as views into the DTLS exporter output.
struct SrtpMasterKey {
  absl::Span<const uint8_t> key;
  absl::Span<const uint8_t> salt;
};

// The DTLS-SRTP exporter output split per RFC 5764 §4.2:
//   client_write_SRTP_master_key | server_write_SRTP_master_key |
//   client_write_SRTP_master_salt | server_write_SRTP_master_salt
// `local` is what this endpoint (in `role`) protects with, `remote` what the peer protects with.
struct SrtpMasterKeys {
  SrtpMasterKey local;
  SrtpMasterKey remote;
};
absl::StatusOr<SrtpMasterKeys> SplitKeyingMaterial(SrtpProfile profile,
                                                   absl::Span<const uint8_t> material,
                                                   SrtpRole role);

// The two sessions of one DTLS-SRTP association.
struct SrtpSessionPair {
  SrtpSession inbound;   // unprotects what the peer sends (peer's write keys)
  SrtpSession outbound;  // protects what we send (our write keys)
};

// Keys both directions from the exporter output (label "EXTRACTOR-dtls_srtp", RFC 5764 §4.2,
// KeyingMaterialSize(profile) bytes) for an endpoint that played `role` in the handshake.
absl::StatusOr<SrtpSessionPair> CreateSrtpSessions(SrtpProfile profile,
                                                   absl::Span<const uint8_t> material,
                                                   SrtpRole role, const SrtpConfig& config = {});

}  // namespace sfu::srtp
