#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/sfu/shard_commands.h"
#include "core/srtp/srtp_keying.h"
#include "crypto/certificate.h"

namespace sfu::bench::forward {

// One simulated browser of the forwarding benchmark on its own UDP socket on 127.0.0.1: it sends
// an ICE check (RFC 8445 §7.2.2, USE-CANDIDATE) so sfud binds its 5-tuple, then runs sfud's own
// DtlsEndpoint as the DTLS client and keys SRTP from the exporter output (RFC 5764 §4.2). After
// that the benchmark's traffic loop reads the socket directly (fd()).
//
// Single-threaded: created, serviced and destroyed by the benchmark's traffic thread.
class SimPeer {
 public:
  // `receive_buffer_bytes` is forced with SO_RCVBUFFORCE (root) or requested with SO_RCVBUF.
  static absl::StatusOr<std::unique_ptr<SimPeer>> Create(
      sfu::PeerId id, const SocketAddress& server,
      const std::array<uint8_t, 32>& server_fingerprint,
      std::shared_ptr<const crypto::Certificate> certificate, int receive_buffer_bytes);
  ~SimPeer();
  SimPeer(const SimPeer&) = delete;
  SimPeer& operator=(const SimPeer&) = delete;

  sfu::PeerId id() const { return id_; }
  int fd() const { return fd_; }
  // The AddPeer command for this peer's session, without `media`.
  sfu::AddPeer BaseCommand(sfu::RoomId room) const;

  void SendCheck();
  void StartDtls(Instant now);
  // Reads what is waiting (bounded), runs DTLS and its timer, sends what DTLS wants.
  void Service(Instant now);

  bool stun_answered() const { return stun_answered_; }
  bool dtls_started() const { return dtls_ != nullptr; }
  bool connected() const { return srtp_.has_value(); }
  bool failed() const { return failed_; }
  srtp::SrtpSession& srtp_out() { return srtp_->outbound; }
  srtp::SrtpSession& srtp_in() { return srtp_->inbound; }
  // The last SRTP packet received while being serviced (empty if none).
  std::vector<uint8_t>& last_rtp() { return last_rtp_; }

 private:
  SimPeer(sfu::PeerId id, const SocketAddress& server,
          const std::array<uint8_t, 32>& server_fingerprint,
          std::shared_ptr<const crypto::Certificate> certificate, int fd);
  void Send(absl::Span<const uint8_t> bytes);

  sfu::PeerId id_;
  SocketAddress server_;
  std::array<uint8_t, 32> server_fingerprint_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  int fd_;
  std::string ufrag_;
  std::string server_ufrag_;
  std::string server_pwd_;
  SeededRandom random_;
  std::unique_ptr<dtls::DtlsEndpoint> dtls_;
  std::optional<srtp::SrtpSessionPair> srtp_;
  bool stun_answered_ = false;
  bool failed_ = false;
  std::vector<uint8_t> last_rtp_;
};

}  // namespace sfu::bench::forward
