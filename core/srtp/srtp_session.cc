#include "core/srtp/srtp_session.h"

#include <utility>

#include "core/common/byte_reader.h"
#include "core/srtp/srtp_index.h"
#include "core/srtp/srtp_wire.h"

namespace sfu::srtp {

using internal::kRtcpHeaderSize;
using internal::ParseRtcp;
using internal::ParseRtp;
using internal::RtpFields;

const char* SrtpGcmImplementation() {
  absl::StatusOr<crypto::GcmBatch> batch = crypto::GcmBatch::Create(crypto::GcmImpl::kAuto);
  return batch.ok() ? batch->impl_name() : "unavailable";
}

absl::StatusOr<SrtpSession> SrtpSession::Create(const SrtpSessionKeys& keys, Direction direction,
                                                const SrtpConfig& config) {
  const SrtpProfileParams p = ProfileParams(keys.profile);
  if (p.master_key_size == 0) return absl::InvalidArgumentError("unknown SRTP profile");
  if (config.max_ssrcs == 0) return absl::InvalidArgumentError("SrtpConfig.max_ssrcs is 0");
  SrtpSession session(keys.profile, direction, config);
  if (p.aead) {
    absl::StatusOr<crypto::GcmBatch> batch = crypto::GcmBatch::Create(config.gcm_impl);
    if (!batch.ok()) return batch.status();
    session.gcm_batch_.emplace(*batch);
  }
  struct Side {
    Keys* keys;
    absl::Span<const uint8_t> key;
    absl::Span<const uint8_t> salt;
    absl::Span<const uint8_t> auth_key;
  };
  const Side sides[] = {
      {&session.rtp_, keys.rtp_key_view(), absl::MakeConstSpan(keys.rtp_salt),
       absl::MakeConstSpan(keys.rtp_auth_key).first(p.auth_key_size)},
      {&session.rtcp_, keys.rtcp_key_view(), absl::MakeConstSpan(keys.rtcp_salt),
       absl::MakeConstSpan(keys.rtcp_auth_key).first(p.auth_key_size)},
  };
  for (const Side& side : sides) {
    std::copy(side.salt.begin(), side.salt.end(), side.keys->salt.begin());
    if (p.aead) {
      absl::StatusOr<crypto::GcmKey> gcm = crypto::GcmKey::Create(side.key);
      if (!gcm.ok()) return gcm.status();
      side.keys->gcm.emplace(*std::move(gcm));
    } else {
      absl::StatusOr<crypto::AesCtr> ctr = crypto::AesCtr::Create(side.key);
      if (!ctr.ok()) return ctr.status();
      side.keys->ctr.emplace(*std::move(ctr));
      side.keys->mac = HmacSha1(side.auth_key);
    }
  }
  return session;
}

SrtpSession::SrtpSession(SrtpProfile profile, Direction direction, const SrtpConfig& config)
    : profile_(profile),
      direction_(direction),
      aead_(ProfileParams(profile).aead),
      tag_size_(ProfileParams(profile).tag_size) {
  if (direction == Direction::kInbound) {
    inbound_ = SsrcTable<InboundState>(config.max_ssrcs);
  } else {
    outbound_ = SsrcTable<OutboundState>(config.max_ssrcs);
  }
}

SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;
SrtpSession::~SrtpSession() = default;

SrtpResult SrtpSession::Count(SrtpResult r, uint64_t* ok_counter) {
  if (r == SrtpResult::kOk) {
    ++*ok_counter;
  } else {
    ++stats_.drops[static_cast<size_t>(r)];
  }
  return r;
}

SrtpResult SrtpSession::ProtectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  return Count(DoProtectRtp(buffer, len, out_len), &stats_.rtp_protected);
}
SrtpResult SrtpSession::UnprotectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  return Count(DoUnprotectRtp(buffer, len, out_len), &stats_.rtp_unprotected);
}
SrtpResult SrtpSession::ProtectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  return Count(DoProtectRtcp(buffer, len, out_len), &stats_.rtcp_protected);
}
SrtpResult SrtpSession::UnprotectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  return Count(DoUnprotectRtcp(buffer, len, out_len), &stats_.rtcp_unprotected);
}

SrtpResult SrtpSession::DoProtectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  if (direction_ != Direction::kOutbound) return SrtpResult::kWrongDirection;
  if (len > buffer.size()) return SrtpResult::kTooShort;
  RtpFields rtp;
  if (SrtpResult r = ParseRtp(buffer.first(len), &rtp); r != SrtpResult::kOk) return r;
  if (buffer.size() - len < tag_size_) return SrtpResult::kNoTailroom;
  OutboundState* state = outbound_.FindOrCreate(rtp.ssrc);
  if (state == nullptr) return SrtpResult::kSsrcLimit;
  // The sender's ROC follows its own sequence numbers (RFC 3711 §3.3.1: incremented when SEQ
  // wraps). Estimating from the highest index sent, as a receiver would, also gives the right
  // ROC to a retransmission or a reordered send of a packet from before the wrap.
  uint64_t index = rtp.seq;
  if (state->rtp_sent && !EstimateSrtpIndex(state->rtp_highest, rtp.seq, &index)) {
    return SrtpResult::kBadIndex;
  }
  if (!SealRtp(buffer.first(len + tag_size_), rtp.header_size, rtp.ssrc, index)) {
    return SrtpResult::kCryptoError;
  }
  if (!state->rtp_sent || index > state->rtp_highest) state->rtp_highest = index;
  state->rtp_sent = true;
  *out_len = len + tag_size_;
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::DoUnprotectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  if (direction_ != Direction::kInbound) return SrtpResult::kWrongDirection;
  if (len > buffer.size() || len < tag_size_) return SrtpResult::kTooShort;
  RtpFields rtp;
  if (SrtpResult r = ParseRtp(buffer.first(len - tag_size_), &rtp); r != SrtpResult::kOk) {
    return r;
  }
  InboundState* state = inbound_.Find(rtp.ssrc);
  if (state == nullptr && inbound_.full()) return SrtpResult::kSsrcLimit;
  // A new SSRC starts at ROC 0 (RFC 3711 §3.3.1) with s_l = its first sequence number.
  uint64_t index = rtp.seq;
  if (state != nullptr && !state->rtp.empty()) {
    if (!EstimateSrtpIndex(state->rtp.top(), rtp.seq, &index)) return SrtpResult::kBadIndex;
    switch (state->rtp.Check(index)) {
      case ReplayVerdict::kNew:
        break;
      case ReplayVerdict::kReplay:
        return SrtpResult::kReplay;
      case ReplayVerdict::kTooOld:
        return SrtpResult::kTooOld;
    }
  }
  if (!OpenRtp(buffer.first(len), rtp.header_size, rtp.ssrc, index)) {
    return SrtpResult::kAuthFailed;
  }
  // Only an authenticated packet creates state or moves the window (RFC 3711 §3.3.2).
  if (state == nullptr) state = inbound_.Create(rtp.ssrc);
  state->rtp.Accept(index);
  *out_len = len - tag_size_;
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::DoProtectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  if (direction_ != Direction::kOutbound) return SrtpResult::kWrongDirection;
  if (len > buffer.size()) return SrtpResult::kTooShort;
  uint32_t ssrc = 0;
  if (SrtpResult r = ParseRtcp(buffer.first(len), &ssrc); r != SrtpResult::kOk) return r;
  const size_t trailer = rtcp_trailer_size();
  if (buffer.size() - len < trailer) return SrtpResult::kNoTailroom;
  OutboundState* state = outbound_.FindOrCreate(ssrc);
  if (state == nullptr) return SrtpResult::kSsrcLimit;
  // RFC 3711 §3.4: the 31-bit index must not wrap under one key.
  if (state->next_rtcp_index > kMaxSrtcpIndex) return SrtpResult::kBadIndex;
  if (!SealRtcp(buffer.first(len + trailer), ssrc, state->next_rtcp_index)) {
    return SrtpResult::kCryptoError;
  }
  ++state->next_rtcp_index;
  *out_len = len + trailer;
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::DoUnprotectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len) {
  if (direction_ != Direction::kInbound) return SrtpResult::kWrongDirection;
  const size_t trailer = rtcp_trailer_size();
  if (len > buffer.size() || len < kRtcpHeaderSize + trailer) return SrtpResult::kTooShort;
  uint32_t ssrc = 0;
  if (SrtpResult r = ParseRtcp(buffer.first(len), &ssrc); r != SrtpResult::kOk) return r;
  // E flag and index sit after the tag for AEAD (RFC 7714 §9.1), before it for AES-CM (RFC 3711
  // §3.4).
  const size_t index_at = aead_ ? len - kSrtcpIndexSize : len - tag_size_ - kSrtcpIndexSize;
  uint32_t e_index = 0;
  ByteReader index_reader(buffer.subspan(index_at, kSrtcpIndexSize));
  if (!index_reader.ReadU32(&e_index)) return SrtpResult::kTooShort;
  const uint32_t index = e_index & kMaxSrtcpIndex;
  InboundState* state = inbound_.Find(ssrc);
  if (state == nullptr && inbound_.full()) return SrtpResult::kSsrcLimit;
  if (state != nullptr) {
    switch (state->rtcp.Check(index)) {
      case ReplayVerdict::kNew:
        break;
      case ReplayVerdict::kReplay:
        return SrtpResult::kReplay;
      case ReplayVerdict::kTooOld:
        return SrtpResult::kTooOld;
    }
  }
  if (!OpenRtcp(buffer.first(len), ssrc, e_index)) return SrtpResult::kAuthFailed;
  if (state == nullptr) state = inbound_.Create(ssrc);
  state->rtcp.Accept(index);
  *out_len = len - trailer;
  return SrtpResult::kOk;
}

bool SrtpSession::SetNextSrtcpIndex(uint32_t ssrc, uint32_t index) {
  if (direction_ != Direction::kOutbound || index > kMaxSrtcpIndex) return false;
  OutboundState* state = outbound_.FindOrCreate(ssrc);
  if (state == nullptr) return false;
  state->next_rtcp_index = index;
  return true;
}

bool SrtpSession::SetRolloverCounter(uint32_t ssrc, uint32_t roc, uint16_t seq) {
  if (direction_ != Direction::kOutbound) return false;
  OutboundState* state = outbound_.FindOrCreate(ssrc);
  if (state == nullptr) return false;
  // Pretend the packet before `seq` was sent with `roc`, so `seq` estimates to (roc, seq).
  const uint64_t index = (uint64_t{roc} << 16) | seq;
  state->rtp_highest = index == 0 ? 0 : index - 1;
  state->rtp_sent = true;
  return true;
}

namespace {

// Runs `one` over every packet of a burst, recording each result.
template <typename Fn>
size_t RunBatch(absl::Span<SrtpPacket> packets, Fn one) {
  size_t ok = 0;
  for (SrtpPacket& p : packets) {
    size_t out_len = 0;
    p.result = one(absl::MakeSpan(p.data, p.capacity), p.len, &out_len);
    if (p.result == SrtpResult::kOk) {
      p.len = out_len;
      ++ok;
    }
  }
  return ok;
}

}  // namespace

// AEAD bursts go to the cipher in one GcmBatch call (srtp_gcm_batch.cc); AES-CM ones one by one.
size_t SrtpSession::ProtectRtpBatch(absl::Span<SrtpPacket> packets) {
  if (aead_) return RunGcmBatch(GcmOp::kProtectRtp, packets);
  return RunBatch(packets, [this](absl::Span<uint8_t> b, size_t len, size_t* out) {
    return ProtectRtp(b, len, out);
  });
}
size_t SrtpSession::UnprotectRtpBatch(absl::Span<SrtpPacket> packets) {
  if (aead_) return RunGcmBatch(GcmOp::kUnprotectRtp, packets);
  return RunBatch(packets, [this](absl::Span<uint8_t> b, size_t len, size_t* out) {
    return UnprotectRtp(b, len, out);
  });
}
size_t SrtpSession::ProtectRtcpBatch(absl::Span<SrtpPacket> packets) {
  if (aead_) return RunGcmBatch(GcmOp::kProtectRtcp, packets);
  return RunBatch(packets, [this](absl::Span<uint8_t> b, size_t len, size_t* out) {
    return ProtectRtcp(b, len, out);
  });
}
size_t SrtpSession::UnprotectRtcpBatch(absl::Span<SrtpPacket> packets) {
  if (aead_) return RunGcmBatch(GcmOp::kUnprotectRtcp, packets);
  return RunBatch(packets, [this](absl::Span<uint8_t> b, size_t len, size_t* out) {
    return UnprotectRtcp(b, len, out);
  });
}

}  // namespace sfu::srtp
