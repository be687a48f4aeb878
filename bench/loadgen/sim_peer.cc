#include "bench/loadgen/sim_peer.h"

#include <algorithm>
#include <utility>

#include "core/rtp/demux.h"
#include "core/stun/stun_builder.h"
#include "core/stun/stun_integrity.h"

namespace sfu::loadgen {
namespace {

// RFC 8445 §5.1.2.1 priority of a host candidate (type preference 126, local preference 65535,
// component 1): what a browser's check from its host candidate carries.
constexpr uint32_t kHostPriority = (126u << 24) | (65535u << 8) | 255u;

const char* AlertName(dtls::AlertDescription a) {
  switch (a) {
    case dtls::AlertDescription::kCloseNotify:
      return "close_notify";
    case dtls::AlertDescription::kHandshakeFailure:
      return "handshake_failure";
    case dtls::AlertDescription::kBadCertificate:
      return "bad_certificate";
    case dtls::AlertDescription::kDecryptError:
      return "decrypt_error";
    case dtls::AlertDescription::kIllegalParameter:
      return "illegal_parameter";
    case dtls::AlertDescription::kDecodeError:
      return "decode_error";
    case dtls::AlertDescription::kUnexpectedMessage:
      return "unexpected_message";
    case dtls::AlertDescription::kInternalError:
      return "internal_error";
    case dtls::AlertDescription::kUserCanceled:
      return "user_canceled";
    default:
      return "alert";
  }
}

}  // namespace

const char* ToString(FailureReason reason) {
  switch (reason) {
    case FailureReason::kNone:
      return "none";
    case FailureReason::kHttp:
      return "http";
    case FailureReason::kSignaling:
      return "signaling";
    case FailureReason::kIceTimeout:
      return "ice_timeout";
    case FailureReason::kDtlsTimeout:
      return "dtls_timeout";
    case FailureReason::kDtlsFailed:
      return "dtls_failed";
    case FailureReason::kSrtpSetup:
      return "srtp_setup";
    case FailureReason::kConsentLost:
      return "consent_lost";
    case FailureReason::kSocket:
      return "socket";
  }
  return "unknown";
}

SimPeer::SimPeer(SimPeerConfig config, RandomSource& random, LatencyHistogram* latency)
    : config_(std::move(config)), random_(random), latency_(latency) {
  stats_.audio.jitter = JitterEstimator(48000);
  stats_.video.jitter = JitterEstimator(90000);
}

SimPeer::~SimPeer() = default;

void SimPeer::Fail(FailureReason reason, std::string detail) {
  if (done()) return;
  state_ = State::kFailed;
  stats_.failure = reason;
  stats_.failure_detail = std::move(detail);
}

void SimPeer::Send(absl::Span<const uint8_t> bytes, Outbox& out) {
  if (!out.Push(bytes)) {
    ++stats_.outbox_full;
    return;
  }
  ++stats_.datagrams_out;
  stats_.bytes_out += bytes.size();
}

void SimPeer::Start(Instant now, Outbox& out) {
  if (state_ != State::kIdle) return;
  stats_.started = now;
  auto hmac = crypto::Hmac::Create(
      crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(config_.remote_pwd.data()),
                          config_.remote_pwd.size()));
  if (!hmac.ok()) {
    Fail(FailureReason::kSignaling, "ICE password unusable: " + hmac.status().ToString());
    return;
  }
  ice_hmac_.emplace(*std::move(hmac));
  ice_username_ = config_.remote_ufrag + ":" + config_.local_ufrag;
  connect_deadline_ = now + config_.connect_timeout;
  state_ = State::kChecking;
  SendCheck(now, /*nominate=*/true, out);
}

void SimPeer::SendCheck(Instant now, bool nominate, Outbox& out) {
  stun::TransactionId& tid = transactions_[next_transaction_++ % transactions_.size()];
  random_.Fill(absl::MakeSpan(tid));
  uint64_t tie_breaker = 0;
  random_.Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(&tie_breaker), sizeof(tie_breaker)));
  stun::BindingRequestParams params;
  params.username = ice_username_;
  params.priority = kHostPriority;
  params.tie_breaker = tie_breaker;
  params.controlling = true;
  params.use_candidate = nominate;
  std::array<uint8_t, 256> buffer;
  std::optional<absl::Span<const uint8_t>> built =
      stun::BuildBindingRequest(absl::MakeSpan(buffer), tid, params, *ice_hmac_);
  if (!built.has_value()) {
    Fail(FailureReason::kSignaling, "ICE username too long for a Binding request");
    return;
  }
  ++stats_.stun_out;
  if (state_ == State::kConnected) ++stats_.consent_checks;
  Send(*built, out);
  next_check_ = now + config_.ice_check_interval;
}

void SimPeer::HandleStun(Instant now, absl::Span<const uint8_t> datagram, Outbox& out) {
  stun::StunMessage message;
  if (stun::ParseStunMessage(datagram, &message) != stun::StunParseStatus::kOk) return;
  if (message.type != stun::kBindingSuccess) return;
  const bool ours =
      std::any_of(transactions_.begin(), transactions_.end(),
                  [&](const stun::TransactionId& t) { return t == message.transaction_id; });
  // RFC 8445 §7.2.5.2.1 / RFC 8489 §9.1.4: the response is integrity-protected with the password
  // of the agent that answered.
  if (!ours || !stun::VerifyMessageIntegrity(message, *ice_hmac_)) return;
  if (state_ == State::kChecking) {
    stats_.ice_connected = now;
    last_consent_ok_ = now;
    StartDtls(now, out);
  } else if (state_ == State::kDtls || state_ == State::kConnected) {
    ++stats_.consent_responses;
    last_consent_ok_ = now;
  }
}

void SimPeer::StartDtls(Instant now, Outbox& out) {
  dtls::DtlsConfig config;
  config.role = dtls::Role::kClient;
  config.mtu = config_.mtu;
  config.expected_peer_fingerprint = config_.remote_fingerprint;
  auto client = dtls::DtlsEndpoint::CreateClient(config, config_.certificate, random_);
  if (!client.ok()) {
    Fail(FailureReason::kDtlsFailed, "DTLS client: " + client.status().ToString());
    return;
  }
  dtls_ = *std::move(client);
  state_ = State::kDtls;
  next_consent_ = now + config_.consent_interval;
  dtls_->Start(now);
  DrainDtls(now, out);
}

void SimPeer::DrainDtls(Instant now, Outbox& out) {
  if (dtls_ == nullptr) return;
  while (std::optional<absl::Span<const uint8_t>> datagram = dtls_->PollTransmit()) {
    ++stats_.dtls_out;
    Send(*datagram, out);
  }
  while (std::optional<dtls::DtlsEvent> event = dtls_->PollEvent()) {
    switch (event->kind) {
      case dtls::DtlsEvent::Kind::kConnected:
        OnConnected(now, *event, out);
        break;
      case dtls::DtlsEvent::Kind::kFailed: {
        std::string detail = event->reason;
        if (event->alert_received) {
          detail += std::string(" (alert received: ") + AlertName(*event->alert_received) + ")";
        }
        if (event->alert_sent) {
          detail += std::string(" (alert sent: ") + AlertName(*event->alert_sent) + ")";
        }
        Fail(event->reason == "timeout" ? FailureReason::kDtlsTimeout : FailureReason::kDtlsFailed,
             "DTLS " + detail);
        break;
      }
      case dtls::DtlsEvent::Kind::kClosed:
        if (state_ != State::kFailed) state_ = State::kClosed;
        break;
    }
  }
}

void SimPeer::OnConnected(Instant now, const dtls::DtlsEvent& event, Outbox& out) {
  auto pair = srtp::CreateSrtpSessions(
      static_cast<srtp::SrtpProfile>(event.srtp.profile),
      absl::MakeConstSpan(event.srtp.material.data(), event.srtp.size()), srtp::SrtpRole::kClient);
  if (!pair.ok()) {
    Fail(FailureReason::kSrtpSetup, pair.status().ToString());
    return;
  }
  srtp_.emplace(*std::move(pair));
  state_ = State::kConnected;
  stats_.dtls_connected = now;
  next_report_ = now + config_.rtcp_interval;
  if (config_.role == PeerRole::kPublisher) {
    uint8_t seeds[8];
    random_.Fill(absl::MakeSpan(seeds));
    if (config_.audio) {
      audio_out_.emplace(PublisherStream::Kind::kAudio, config_.audio_ssrc, config_.audio_pt,
                         config_.stream_id, static_cast<uint16_t>(seeds[0] << 8 | seeds[1]),
                         static_cast<uint32_t>(seeds[2]) << 16);
      next_audio_ = now;
    }
    if (config_.video_kbps > 0) {
      video_out_.emplace(PublisherStream::Kind::kVideo, config_.video_ssrc, config_.video_pt,
                         config_.stream_id + 1, static_cast<uint16_t>(seeds[4] << 8 | seeds[5]),
                         static_cast<uint32_t>(seeds[6]) << 16);
      next_video_ = now;
      keyframe_requested_ = true;  // a stream starts with a key frame
      if (config_.pacing_factor > 0) {
        video_pacer_ = std::make_unique<Pacer>(config_.pacing_factor * config_.video_kbps * 1000.0);
      }
    }
    SendMedia(now, out);
  } else {
    // Ask for a key frame right away (as a browser's decoder does) and until video flows.
    plis_left_ = config_.remote_video_ssrc != 0 ? 10 : 0;
    if (plis_left_ > 0) SendPli(now, out);
  }
}

void SimPeer::HandleDatagram(Instant now, absl::Span<uint8_t> datagram, Outbox& out) {
  if (done()) return;
  ++stats_.datagrams_in;
  stats_.bytes_in += datagram.size();
  switch (rtp::ClassifyDatagram(datagram)) {
    case rtp::PacketClass::kStun:
      ++stats_.stun_in;
      HandleStun(now, datagram, out);
      break;
    case rtp::PacketClass::kDtls:
      ++stats_.dtls_in;
      if (dtls_ != nullptr) {
        dtls_->HandleDatagram(now, datagram);
        DrainDtls(now, out);
      }
      break;
    case rtp::PacketClass::kRtp:
      ++stats_.rtp_in;
      stats_.rtp_bytes_in += datagram.size();
      HandleRtp(now, datagram, out);
      break;
    case rtp::PacketClass::kRtcp:
      ++stats_.rtcp_in;
      HandleRtcp(now, datagram, out);
      break;
    default:
      ++stats_.other_in;
      break;
  }
}

void SimPeer::HandleTimeout(Instant now, Outbox& out) {
  if (done() || state_ == State::kIdle) return;
  if (state_ == State::kChecking || state_ == State::kDtls) {
    if (now >= connect_deadline_) {
      if (state_ == State::kChecking) {
        Fail(FailureReason::kIceTimeout, "no Binding success from sfud");
      } else {
        Fail(FailureReason::kDtlsTimeout, "DTLS handshake not complete at the connect deadline");
      }
      return;
    }
  }
  if (state_ == State::kChecking && now >= next_check_) SendCheck(now, true, out);
  if (dtls_ != nullptr) {
    if (std::optional<Instant> t = dtls_->NextTimeout(); t.has_value() && *t <= now) {
      dtls_->HandleTimeout(now);
      DrainDtls(now, out);
      if (done()) return;
    }
  }
  if (state_ == State::kDtls || state_ == State::kConnected) {
    if (now - last_consent_ok_ >= config_.consent_timeout) {
      Fail(FailureReason::kConsentLost, "no consent response (RFC 7675)");
      return;
    }
    if (now >= next_consent_) {
      SendCheck(now, /*nominate=*/false, out);
      // RFC 7675 §5.1: randomized in [0.8, 1.2] x the interval so peers do not synchronise.
      uint8_t r = 0;
      random_.Fill(absl::MakeSpan(&r, 1));
      const int64_t base = config_.consent_interval.count();
      next_consent_ = now + Duration(base * 8 / 10 + base * 4 / 10 * r / 255);
    }
  }
  if (state_ != State::kConnected) return;
  // After StopMedia nothing but consent checks is sent, so both sides' counters settle.
  if (media_stopped_) return;
  if (config_.role == PeerRole::kPublisher) SendMedia(now, out);
  if (now >= next_report_) {
    SendReports(now, out);
    next_report_ = now + config_.rtcp_interval;
  }
  if (plis_left_ > 0 && now >= next_pli_) SendPli(now, out);
}

Instant SimPeer::NextTimeout() const {
  switch (state_) {
    case State::kIdle:
    case State::kFailed:
    case State::kClosed:
      return Instant::Infinite();
    case State::kChecking:
      return std::min(next_check_, connect_deadline_);
    default:
      break;
  }
  Instant next = std::min(next_consent_, last_consent_ok_ + config_.consent_timeout);
  if (dtls_ != nullptr) {
    if (std::optional<Instant> t = dtls_->NextTimeout()) next = std::min(next, *t);
  }
  if (state_ == State::kDtls) return std::min(next, connect_deadline_);
  if (media_stopped_) return next;
  next = std::min(next, next_report_);
  if (plis_left_ > 0) next = std::min(next, next_pli_);
  if (config_.role == PeerRole::kPublisher) {
    if (audio_out_) next = std::min(next, next_audio_);
    if (video_out_) next = std::min(next, next_video_);
    if (video_pacer_ != nullptr) next = std::min(next, video_pacer_->NextSend());
  }
  return next;
}

void SimPeer::Close(Instant now, Outbox& out) {
  if (done()) return;
  if (dtls_ != nullptr) {
    dtls_->Close(now);
    while (std::optional<absl::Span<const uint8_t>> datagram = dtls_->PollTransmit()) {
      ++stats_.dtls_out;
      Send(*datagram, out);
    }
    while (dtls_->PollEvent().has_value()) {
    }
  }
  if (state_ == State::kConnected) {
    state_ = State::kClosed;
  } else {
    // Closing before media flowed: the peer never connected within the run.
    Fail(state_ == State::kChecking ? FailureReason::kIceTimeout : FailureReason::kDtlsTimeout,
         "run ended before the peer connected");
  }
}

}  // namespace sfu::loadgen
