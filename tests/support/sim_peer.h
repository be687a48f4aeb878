#pragma once

// A simulated browser for tests: the ICE controlling side (Binding requests built with core/stun's
// builder, checks only), sfud's own DtlsEndpoint in the client role, and SRTP both ways keyed from
// the client's exporter output (RFC 5764 §4.2). It has no transport: the owner moves datagrams
// between it and the engine (in memory, tests/core/sfu) or a socket (UdpPeer, tests/integration).
// Used by one test thread; views it returns live until its next non-const call.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/sfu/shard_commands.h"
#include "core/srtp/srtp_keying.h"
#include "crypto/certificate.h"
#include "tests/support/rtp_builders.h"

namespace sfu::test_support {

// A fresh self-signed certificate (ECDSA P-256, a day's validity) shared the way engines take it.
std::shared_ptr<const crypto::Certificate> MakeCertificate(const char* name);

struct SimPeerConfig {
  sfu::PeerId id = 0;
  std::string ufrag;         // the peer's own ICE ufrag (the right half of USERNAME)
  std::string server_ufrag;  // what sfud's answer would carry (AddPeer::local_ufrag/local_pwd)
  std::string server_pwd;
  uint64_t seed = 1;  // the peer's SeededRandom: transaction ids, tie breakers, DTLS randoms
  std::array<uint8_t, 32> server_fingerprint{};  // sfud's certificate, as in its SDP answer
  const char* certificate_name = "simpeer";
};

class SimPeer {
 public:
  explicit SimPeer(SimPeerConfig config);
  SimPeer(const SimPeer&) = delete;
  SimPeer& operator=(const SimPeer&) = delete;

  sfu::PeerId id() const { return config_.id; }
  const std::string& ufrag() const { return config_.ufrag; }
  const std::string& server_ufrag() const { return config_.server_ufrag; }
  const std::string& server_pwd() const { return config_.server_pwd; }
  const std::array<uint8_t, 32>& fingerprint() const { return certificate_->fingerprint_sha256(); }
  void set_server_fingerprint(const std::array<uint8_t, 32>& f) { config_.server_fingerprint = f; }
  SeededRandom& random() { return random_; }

  // The AddPeer a control thread would send for this peer (no media section yet).
  sfu::AddPeer BaseCommand(sfu::RoomId room) const;

  // An RFC 8445 §7.2.2 Binding request with USERNAME "server:client"; `password` keys
  // MESSAGE-INTEGRITY (the server's unless a test wants a bad one).
  std::vector<uint8_t> BindingRequest(bool use_candidate, std::string_view password);
  std::vector<uint8_t> BindingRequest(bool use_candidate = true) {
    return BindingRequest(use_candidate, config_.server_pwd);
  }

  // Creates the DTLS client and queues its ClientHello.
  void StartDtls(Instant now);
  dtls::DtlsEndpoint* dtls() { return dtls_.get(); }

  // One datagram from sfud: STUN is counted, DTLS goes to the client, SRTP and SRTCP are kept
  // (still protected) in rtp_received / rtcp_received.
  void Receive(Instant now, std::vector<uint8_t> datagram);
  // Runs the DTLS client's timer if it is due.
  void HandleTimeout(Instant now);
  // The DTLS client's next datagram to send, if any.
  std::optional<std::vector<uint8_t>> PollTransmit();
  // Drains the DTLS client's events into dtls_events; keys SRTP on kConnected.
  void PollEvents();

  bool connected() const { return srtp_.has_value(); }
  bool closed_by_server() const;

  std::vector<uint8_t> ProtectRtp(const std::vector<uint8_t>& rtp);
  std::vector<uint8_t> ProtectRtcp(const std::vector<uint8_t>& rtcp);

  // Decrypts and parses the SRTP received so far (and forgets it). `skip` (if set) picks packets
  // to leave undecrypted, as if lost on the way, judged by the clear SRTP header.
  std::vector<ParsedRtp> TakeRtp(const std::function<bool(uint32_t ssrc, uint16_t seq)>& skip = {});
  // Decrypts the SRTCP received so far into rtcp_plain (nothing before SRTP is keyed).
  void TakeRtcp();

  int stun_responses = 0;
  int dtls_received = 0;
  int rtcp_decrypted = 0;
  std::vector<dtls::DtlsEvent> dtls_events;
  std::vector<std::vector<uint8_t>> rtp_received;   // protected, in arrival order
  std::vector<std::vector<uint8_t>> rtcp_received;  // protected, in arrival order
  std::vector<std::vector<uint8_t>> rtcp_plain;     // decrypted compound RTCP

 private:
  SimPeerConfig config_;
  SeededRandom random_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsEndpoint> dtls_;
  std::optional<srtp::SrtpSessionPair> srtp_;
};

}  // namespace sfu::test_support
