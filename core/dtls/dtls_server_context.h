#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_types.h"
#include "crypto/certificate.h"

namespace sfu::dtls {

// Per-shard server state shared by all server endpoints of the shard: configuration, certificate
// and the stateless cookie secret. Answers a ClientHello from an address that has no endpoint yet
// without allocating anything per client (RFC 6347 §4.2.1): a HelloVerifyRequest for a ClientHello
// without a valid cookie, or — when the cookie is valid for that address — a new server endpoint
// that has already consumed the datagram (and queued its flight, or buffered the first fragment
// of a fragmented ClientHello).
//
// Cookie = HMAC-SHA256(secret, client IP | port | client_version | random | session_id), 32 bytes.
// Only fields that every first fragment of a ClientHello carries are covered, so a fragmented
// ClientHello (Chromium's, two fragments) is answered from its first fragment statelessly. The
// secret rotates (on RotateCookieSecret() and automatically every kCookieRotation); cookies made
// with the previous secret are still accepted, older ones get a fresh HelloVerifyRequest.
//
// Thread-compatible; owned by one shard. The RandomSource must outlive the context and every
// endpoint it creates.
class DtlsServerContext {
 public:
  static constexpr Duration kCookieRotation = std::chrono::seconds(60);
  static constexpr size_t kCookieSize = 32;

  DtlsServerContext(DtlsConfig config, std::shared_ptr<const crypto::Certificate> certificate,
                    RandomSource& random);

  struct Result {
    enum class Kind { kDrop, kSendHelloVerifyRequest, kNewEndpoint };
    Kind kind = Kind::kDrop;
    absl::Span<const uint8_t> datagram;      // kSendHelloVerifyRequest (valid until next call)
    std::unique_ptr<DtlsEndpoint> endpoint;  // kNewEndpoint
    const char* drop_reason = nullptr;       // kDrop
  };

  // `client_address` = the remote IP and port the cookie binds to. `expected_peer_fingerprint`
  // overrides the config's for the endpoint created (the SDP of that peer).
  Result HandleInitialDatagram(
      Instant now, const SocketAddress& client_address, absl::Span<const uint8_t> datagram,
      const std::optional<std::array<uint8_t, 32>>& expected_peer_fingerprint);
  void RotateCookieSecret();

  const DtlsConfig& config() const { return config_; }

 private:
  // Writes the cookie for these fields under `secret` into `out`.
  bool ComputeCookie(const std::array<uint8_t, 32>& secret, const SocketAddress& client,
                     uint16_t client_version, absl::Span<const uint8_t> random,
                     absl::Span<const uint8_t> session_id,
                     std::array<uint8_t, kCookieSize>* out) const;

  DtlsConfig config_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  RandomSource& random_;
  std::array<uint8_t, 32> secret_{};
  std::array<uint8_t, 32> previous_secret_{};
  std::optional<Instant> last_rotation_;
  // The HelloVerifyRequest datagram handed out by the last call.
  std::array<uint8_t, 128> hvr_datagram_{};
};

}  // namespace sfu::dtls
