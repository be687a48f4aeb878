#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/types/span.h"
#include "bench/loadgen/latency_histogram.h"
#include "bench/loadgen/outbox.h"
#include "bench/loadgen/pacer.h"
#include "bench/loadgen/publisher_stream.h"
#include "bench/loadgen/sequence_tracker.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/srtp/srtp_keying.h"
#include "core/stun/stun_message.h"
#include "crypto/certificate.h"
#include "crypto/hmac.h"

namespace sfu::loadgen {

enum class PeerRole : uint8_t { kPublisher, kSubscriber };

// Why a simulated peer did not get to (or lost) media. kHttp and kSignaling are set by the
// signaling client, the rest by SimPeer.
enum class FailureReason : uint8_t {
  kNone,
  kHttp,         // WHIP/WHEP request failed: status code, connection error or timeout
  kSignaling,    // the answer did not parse or lacked ICE credentials/fingerprint/candidate
  kIceTimeout,   // no authenticated Binding success before the connect deadline
  kDtlsTimeout,  // ICE done, DTLS not connected before the connect deadline (or retransmissions ran
                 // out)
  kDtlsFailed,   // DTLS failed with an alert (sent or received) or a bad certificate
  kSrtpSetup,    // the exported keys did not make SRTP sessions
  kConsentLost,  // RFC 7675: no consent response for consent_timeout
  kSocket,       // the driver could not create or use the peer's socket
};
const char* ToString(FailureReason reason);

struct SimPeerConfig {
  PeerRole role = PeerRole::kSubscriber;
  // ICE (RFC 8445 §7.2.2): ours as in the offer, sfud's from the answer.
  std::string local_ufrag;
  std::string local_pwd;
  std::string remote_ufrag;
  std::string remote_pwd;
  // SHA-256 of sfud's certificate from the answer's a=fingerprint; the DTLS client checks it.
  std::array<uint8_t, 32> remote_fingerprint{};
  std::shared_ptr<const crypto::Certificate> certificate;

  // Publisher media. video_kbps 0 sends no video.
  bool audio = true;
  uint32_t video_kbps = 600;
  uint32_t video_fps = 30;
  size_t max_video_payload = 1100;
  size_t audio_payload = 100;
  Duration keyframe_interval = std::chrono::seconds(2);
  uint32_t keyframe_size_factor = 3;  // a key frame is this many times an average frame
  // Video leaves through a Pacer at this many times video_kbps, as from libwebrtc's paced sender
  // (pacer.h); 0 sends each frame as one burst. Audio and retransmissions are never paced.
  double pacing_factor = 2.5;
  uint8_t audio_pt = 111;
  uint8_t video_pt = 96;
  uint32_t audio_ssrc = 0;
  uint32_t video_ssrc = 0;
  uint32_t stream_id = 0;  // probe stream ids: stream_id (audio) and stream_id + 1 (video)

  // Subscriber: the SSRCs sfud announced in the answer (0 if none), and our RTCP sender SSRC.
  uint32_t remote_audio_ssrc = 0;
  uint32_t remote_video_ssrc = 0;
  uint32_t rtcp_ssrc = 1;
  bool send_nack = true;

  // Timers.
  Duration ice_check_interval = std::chrono::milliseconds(50);
  Duration connect_timeout = std::chrono::seconds(10);
  Duration consent_interval = std::chrono::seconds(5);  // RFC 7675 §5.1: 4-6 s randomized
  Duration consent_timeout = std::chrono::seconds(30);  // RFC 7675 §5.1
  Duration rtcp_interval = std::chrono::seconds(1);
  Duration pli_retry_interval = std::chrono::milliseconds(500);
  Duration keyframe_request_min_interval = std::chrono::milliseconds(300);
  size_t mtu = 1200;
};

// One received stream of a subscriber.
struct ReceiveStreamStats {
  uint32_t ssrc = 0;
  uint64_t packets = 0;  // SRTP packets that decrypted, retransmissions and duplicates included
  uint64_t bytes = 0;
  uint64_t without_probe = 0;  // decrypted RTP whose payload carried no load generator trailer
  SequenceTracker probe;       // by the publisher's probe sequence: loss, duplicates, reorder
  JitterEstimator jitter{90000};
  int64_t latency_sum_us = 0;
  int64_t latency_max_us = 0;
  uint64_t latency_samples = 0;
  // RTP-level state for receiver reports (RFC 3550 §A.3): extended highest sequence number.
  bool rtp_started = false;
  uint32_t rtp_base = 0;
  uint32_t rtp_ext_highest = 0;
  uint64_t rtp_received = 0;
  uint64_t rr_expected_prior = 0;
  uint64_t rr_received_prior = 0;
  uint32_t last_sr_middle = 0;  // middle 32 bits of the last SR's NTP timestamp
  std::optional<Instant> last_sr_arrival;
};

// What one simulated peer did; read by the driver while the peer lives (single writer: the loop
// thread) and copied into the report when it ends.
struct PeerStats {
  std::optional<Instant> started;
  std::optional<Instant> ice_connected;
  std::optional<Instant> dtls_connected;
  FailureReason failure = FailureReason::kNone;
  std::string failure_detail;
  // Datagrams by kind, both ways (rtp/rtcp count SRTP/SRTCP datagrams).
  uint64_t datagrams_out = 0, bytes_out = 0, datagrams_in = 0, bytes_in = 0;
  uint64_t stun_out = 0, stun_in = 0, dtls_out = 0, dtls_in = 0;
  uint64_t rtp_out = 0, rtp_bytes_out = 0, rtcp_out = 0;
  uint64_t rtp_in = 0, rtp_bytes_in = 0, rtcp_in = 0;
  uint64_t srtp_errors = 0;  // SRTP/SRTCP from sfud that did not unprotect
  uint64_t other_in = 0;     // datagrams that were none of the above
  uint64_t outbox_full = 0;  // datagrams we could not queue
  // Video packets sent ahead of the pacing schedule because the pacer's queue was full (only if
  // the pacing rate is below what the stream sends).
  uint64_t pacer_overflows = 0;
  // Feedback.
  uint64_t nacks_sent = 0, nack_items_sent = 0, plis_sent = 0, rr_sent = 0, sr_sent = 0;
  uint64_t nacks_received = 0, plis_received = 0, firs_received = 0, retransmissions = 0;
  uint64_t keyframes_sent = 0, rr_received = 0, sr_received = 0;
  uint64_t consent_checks = 0, consent_responses = 0;
  std::optional<Instant> first_video_at;  // subscriber: first video packet
  ReceiveStreamStats audio;
  ReceiveStreamStats video;
};

// One simulated browser (a WHIP publisher or a WHEP subscriber) after signaling: the controlling
// ICE agent's connectivity checks with USE-CANDIDATE (RFC 8445 §7.2.2, §8.1.1) and consent
// freshness (RFC 7675), sfud's own DTLS 1.2 client (RFC 6347, RFC 5764) checking the answer's
// fingerprint, SRTP/SRTCP keyed from the exporter, then media:
//  - publisher: Opus-like audio (one ~100-byte packet per 20 ms) and VP8-like video (frames at
//    video_fps, several packets each, marker on the last, key frames every keyframe_interval and
//    on PLI/FIR) paced like a browser's (pacer.h), sender reports + SDES (RFC 3550 §6.4.1),
//    NACKed packets resent from history at once;
//  - subscriber: unprotects, counts loss/duplicates/reorder by the publisher's probe sequence,
//    end-to-end latency from the probe's send time (the `now` of the call that hands the packet
//    to the driver, so time spent in the pacer is not counted), RFC 3550 §A.8 jitter; sends PLI
//    until video arrives (RFC 4585 §6.3.1), NACK on a sequence gap (§6.2.1), receiver reports
//    (§6.4.2).
//
// Sans-IO (DESIGN.md): the driver feeds datagrams and timeouts with `now`, and every call may
// append datagrams to the Outbox it passes (all addressed to sfud's candidate); the driver sends
// them and re-arms its timer from NextTimeout(). No socket, clock or thread here. Latencies go
// to the driver's histogram given at construction (which must outlive the peer). Owned and used
// by one loop thread.
class SimPeer {
 public:
  enum class State : uint8_t { kIdle, kChecking, kDtls, kConnected, kFailed, kClosed };

  SimPeer(SimPeerConfig config, RandomSource& random, LatencyHistogram* latency);
  ~SimPeer();
  SimPeer(const SimPeer&) = delete;
  SimPeer& operator=(const SimPeer&) = delete;

  // Sends the first connectivity check.
  void Start(Instant now, Outbox& out);
  // A datagram from sfud. The bytes are unprotected in place.
  void HandleDatagram(Instant now, absl::Span<uint8_t> datagram, Outbox& out);
  void HandleTimeout(Instant now, Outbox& out);
  // Instant::Infinite() when nothing is scheduled (failed or closed).
  Instant NextTimeout() const;
  // The run's end: a publisher stops media (video still in its pacer is never sent), every peer
  // stops RTCP (reports, PLI, NACK) and answers no more NACKs; only consent checks go on.
  // Subscribers keep counting what arrives.
  void StopMedia() {
    media_stopped_ = true;
    if (video_pacer_ != nullptr) video_pacer_->Clear();
  }
  // Sends DTLS close_notify if connected and stops every timer.
  void Close(Instant now, Outbox& out);
  // Ends the peer with a failure decided outside it (socket error).
  void Fail(FailureReason reason, std::string detail);

  State state() const { return state_; }
  bool connected() const { return state_ == State::kConnected; }
  bool done() const { return state_ == State::kFailed || state_ == State::kClosed; }
  PeerRole role() const { return config_.role; }
  const PeerStats& stats() const { return stats_; }
  const SimPeerConfig& config() const { return config_; }
  // Video packets waiting in the pacer (0 without pacing).
  size_t paced_packets_queued() const { return video_pacer_ != nullptr ? video_pacer_->size() : 0; }

 private:
  // sim_peer.cc: ICE, DTLS, lifecycle.
  void SendCheck(Instant now, bool nominate, Outbox& out);
  void HandleStun(Instant now, absl::Span<const uint8_t> datagram, Outbox& out);
  void StartDtls(Instant now, Outbox& out);
  void DrainDtls(Instant now, Outbox& out);
  void OnConnected(Instant now, const dtls::DtlsEvent& event, Outbox& out);
  void Send(absl::Span<const uint8_t> bytes, Outbox& out);

  // sim_peer_media.cc: RTP/RTCP both ways.
  void SendMedia(Instant now, Outbox& out);
  void SendVideoFrame(Instant now, Outbox& out);
  void SendAudioPacket(Instant now, Outbox& out);
  // A packet's first transmission, stamped with `now`.
  void SendFresh(PublisherStream& stream, PublisherStream::Packet packet, Instant now, Outbox& out);
  // Sends the video packets whose pacing time has come.
  void DrainPacer(Instant now, Outbox& out);
  // Writes, protects and queues one RTP packet.
  void WriteRtp(const PublisherStream& stream, const PublisherStream::Packet& packet,
                bool retransmission, Outbox& out);
  void SendReports(Instant now, Outbox& out);
  void SendPli(Instant now, Outbox& out);
  // Protects the RTCP compound in buf[0, len) and queues it.
  void SendRtcp(absl::Span<uint8_t> buf, size_t len, Outbox& out);
  void HandleRtp(Instant now, absl::Span<uint8_t> datagram, Outbox& out);
  void HandleRtcp(Instant now, absl::Span<uint8_t> datagram, Outbox& out);
  void OnReceivedRtp(Instant now, ReceiveStreamStats& stream, uint16_t sequence_number,
                     uint32_t timestamp, absl::Span<const uint8_t> payload, Outbox& out);
  void OnNack(uint32_t media_ssrc, absl::Span<const uint16_t> lost, Outbox& out);
  ReceiveStreamStats* StreamFor(uint32_t ssrc, uint8_t payload_type);

  SimPeerConfig config_;
  RandomSource& random_;
  LatencyHistogram* latency_;
  State state_ = State::kIdle;
  PeerStats stats_;

  std::optional<crypto::Hmac> ice_hmac_;  // keyed with sfud's ICE password
  std::string ice_username_;              // "remote:local" (RFC 8445 §7.2.2)
  // Outstanding transaction ids (a small ring): a response must match one of them.
  std::array<stun::TransactionId, 8> transactions_{};
  size_t next_transaction_ = 0;
  Instant next_check_;
  Instant connect_deadline_;
  Instant next_consent_;
  Instant last_consent_ok_;

  std::unique_ptr<dtls::DtlsEndpoint> dtls_;
  std::optional<srtp::SrtpSessionPair> srtp_;

  // Publisher.
  std::optional<PublisherStream> audio_out_;
  std::optional<PublisherStream> video_out_;
  std::unique_ptr<Pacer> video_pacer_;  // with video and pacing_factor > 0
  Instant next_audio_;
  Instant next_video_;
  Instant last_keyframe_;
  bool keyframe_requested_ = false;
  bool media_stopped_ = false;

  // Both.
  Instant next_report_;
  Instant next_pli_;
  int plis_left_ = 0;
};

}  // namespace sfu::loadgen
