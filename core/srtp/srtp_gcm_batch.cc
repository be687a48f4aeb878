// The AEAD (RFC 7714) burst path of SrtpSession: every packet of a burst is parsed, checked and
// given its IV and AAD, then the whole burst goes through one GcmBatch Seal/Open call, so the
// vectorised AES-GCM kernels work on several packets (and keys) at once.
//
// The result of every packet is exactly what the single-packet calls, run in order, would give.
// Protect: the per-SSRC state (highest RTP index, next SRTCP index) moves as each packet is
// prepared, so later packets of the same SSRC in the burst see it; sealing a prepared packet
// cannot fail (GcmBatch only rejects null pointers and lengths above 2^31). Unprotect: the replay
// check runs before the cipher and again after it, in packet order, against the state as the
// earlier packets of the burst left it; the window moves only for a packet that authenticated
// (RFC 3711 §3.3.2). So a duplicate inside one burst is still a replay, and a packet whose ROC
// estimate changed because an earlier packet of the burst moved the window is redone on its own.
#include <algorithm>

#include "core/srtp/srtp_index.h"
#include "core/srtp/srtp_session.h"
#include "core/srtp/srtp_wire.h"

namespace sfu::srtp {

using internal::GcmIv;
using internal::kRtcpHeaderSize;
using internal::kSrtcpEncryptedFlag;
using internal::ParseRtcp;
using internal::ParseRtp;
using internal::PutU32;
using internal::RtpFields;

// What a prepared packet carries across the cipher call: the IV and AAD the GcmPacket points at,
// and what the finishing step needs.
struct SrtpSession::GcmJob {
  static constexpr uint8_t kNoSlot = 0xff;
  std::array<uint8_t, crypto::GcmBatch::kIvSize> iv;
  uint8_t aad[kRtcpHeaderSize + kSrtcpIndexSize];
  uint8_t tag[crypto::GcmBatch::kTagSize];  // SRTCP with E = 0: the tag, moved out of the AAD
  uint64_t index;                           // RTP: ROC << 16 | SEQ; RTCP: 31-bit index
  uint32_t ssrc;
  uint16_t seq;
  uint8_t slot;  // index into the GcmPacket array, or kNoSlot if it never reached the cipher
  size_t out_len;
};
static_assert(SrtpSession::kMaxGcmBurst < 0xff, "GcmJob::slot is a uint8_t below kNoSlot");

namespace {

absl::Span<uint8_t> Buffer(const SrtpPacket& p) { return absl::MakeSpan(p.data, p.capacity); }

SrtpResult VerdictResult(ReplayVerdict v) {
  switch (v) {
    case ReplayVerdict::kNew:
      break;
    case ReplayVerdict::kReplay:
      return SrtpResult::kReplay;
    case ReplayVerdict::kTooOld:
      return SrtpResult::kTooOld;
  }
  return SrtpResult::kOk;
}

}  // namespace

SrtpResult SrtpSession::PrepareProtectRtp(const SrtpPacket& p, GcmJob* job,
                                          crypto::GcmPacket* gcm) {
  if (direction_ != Direction::kOutbound) return SrtpResult::kWrongDirection;
  const size_t len = p.len;
  if (len > p.capacity) return SrtpResult::kTooShort;
  RtpFields rtp;
  if (SrtpResult r = ParseRtp(Buffer(p).first(len), &rtp); r != SrtpResult::kOk) return r;
  if (p.capacity - len < tag_size_) return SrtpResult::kNoTailroom;
  OutboundState* state = outbound_.FindOrCreate(rtp.ssrc);
  if (state == nullptr) return SrtpResult::kSsrcLimit;
  // As DoProtectRtp: the ROC follows our own sequence numbers.
  uint64_t index = rtp.seq;
  if (state->rtp_sent && !EstimateSrtpIndex(state->rtp_highest, rtp.seq, &index)) {
    return SrtpResult::kBadIndex;
  }
  if (!state->rtp_sent || index > state->rtp_highest) state->rtp_highest = index;
  state->rtp_sent = true;
  job->iv = GcmIv(rtp_.salt, rtp.ssrc, index);
  job->out_len = len + tag_size_;
  // RFC 7714 §8.2: AAD is the whole header, CSRCs and extension included.
  *gcm = {&*rtp_.gcm, job->iv.data(), absl::MakeConstSpan(p.data, rtp.header_size),
          absl::MakeSpan(p.data + rtp.header_size, len - rtp.header_size), p.data + len};
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::PrepareUnprotectRtp(const SrtpPacket& p, GcmJob* job,
                                            crypto::GcmPacket* gcm) {
  if (direction_ != Direction::kInbound) return SrtpResult::kWrongDirection;
  const size_t len = p.len;
  if (len > p.capacity || len < tag_size_) return SrtpResult::kTooShort;
  RtpFields rtp;
  if (SrtpResult r = ParseRtp(Buffer(p).first(len - tag_size_), &rtp); r != SrtpResult::kOk) {
    return r;
  }
  InboundState* state = inbound_.Find(rtp.ssrc);
  if (state == nullptr && inbound_.full()) return SrtpResult::kSsrcLimit;
  uint64_t index = rtp.seq;
  if (state != nullptr && !state->rtp.empty()) {
    if (!EstimateSrtpIndex(state->rtp.top(), rtp.seq, &index)) return SrtpResult::kBadIndex;
    if (SrtpResult r = VerdictResult(state->rtp.Check(index)); r != SrtpResult::kOk) return r;
  }
  job->iv = GcmIv(rtp_.salt, rtp.ssrc, index);
  job->index = index;
  job->ssrc = rtp.ssrc;
  job->seq = rtp.seq;
  job->out_len = len - tag_size_;
  const size_t body_end = len - tag_size_;
  *gcm = {&*rtp_.gcm, job->iv.data(), absl::MakeConstSpan(p.data, rtp.header_size),
          absl::MakeSpan(p.data + rtp.header_size, body_end - rtp.header_size), p.data + body_end};
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::PrepareProtectRtcp(const SrtpPacket& p, GcmJob* job,
                                           crypto::GcmPacket* gcm) {
  if (direction_ != Direction::kOutbound) return SrtpResult::kWrongDirection;
  const size_t len = p.len;
  if (len > p.capacity) return SrtpResult::kTooShort;
  uint32_t ssrc = 0;
  if (SrtpResult r = ParseRtcp(Buffer(p).first(len), &ssrc); r != SrtpResult::kOk) return r;
  const size_t trailer = rtcp_trailer_size();
  if (p.capacity - len < trailer) return SrtpResult::kNoTailroom;
  OutboundState* state = outbound_.FindOrCreate(ssrc);
  if (state == nullptr) return SrtpResult::kSsrcLimit;
  if (state->next_rtcp_index > kMaxSrtcpIndex) return SrtpResult::kBadIndex;
  const uint32_t index = state->next_rtcp_index++;
  // RFC 7714 §9: header | ciphertext | tag | E|index, AAD = header || E|index (§9.2); E = 1.
  const uint32_t e_index = kSrtcpEncryptedFlag | index;
  PutU32(p.data + len + tag_size_, e_index);
  std::copy(p.data, p.data + kRtcpHeaderSize, job->aad);
  PutU32(job->aad + kRtcpHeaderSize, e_index);
  job->iv = GcmIv(rtcp_.salt, ssrc, index);
  job->out_len = len + trailer;
  *gcm = {&*rtcp_.gcm, job->iv.data(), absl::MakeConstSpan(job->aad),
          absl::MakeSpan(p.data + kRtcpHeaderSize, len - kRtcpHeaderSize), p.data + len};
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::PrepareUnprotectRtcp(const SrtpPacket& p, GcmJob* job,
                                             crypto::GcmPacket* gcm) {
  if (direction_ != Direction::kInbound) return SrtpResult::kWrongDirection;
  const size_t len = p.len;
  const size_t trailer = rtcp_trailer_size();
  if (len > p.capacity || len < kRtcpHeaderSize + trailer) return SrtpResult::kTooShort;
  uint32_t ssrc = 0;
  if (SrtpResult r = ParseRtcp(Buffer(p).first(len), &ssrc); r != SrtpResult::kOk) return r;
  // RFC 7714 §9.1: the E flag and index follow the tag.
  uint32_t e_index = 0;
  ByteReader index_reader(Buffer(p).subspan(len - kSrtcpIndexSize, kSrtcpIndexSize));
  if (!index_reader.ReadU32(&e_index)) return SrtpResult::kTooShort;
  const uint32_t index = e_index & kMaxSrtcpIndex;
  InboundState* state = inbound_.Find(ssrc);
  if (state == nullptr && inbound_.full()) return SrtpResult::kSsrcLimit;
  if (state != nullptr) {
    if (SrtpResult r = VerdictResult(state->rtcp.Check(index)); r != SrtpResult::kOk) return r;
  }
  job->iv = GcmIv(rtcp_.salt, ssrc, index);
  job->index = index;
  job->ssrc = ssrc;
  job->out_len = len - trailer;
  const size_t body_end = len - trailer;
  if ((e_index & kSrtcpEncryptedFlag) != 0) {
    std::copy(p.data, p.data + kRtcpHeaderSize, job->aad);
    PutU32(job->aad + kRtcpHeaderSize, e_index);
    *gcm = {&*rtcp_.gcm, job->iv.data(), absl::MakeConstSpan(job->aad),
            absl::MakeSpan(p.data + kRtcpHeaderSize, body_end - kRtcpHeaderSize),
            p.data + body_end};
  } else {
    // RFC 7714 §9.2, E = 0: everything but the tag is AAD, in wire order with E|index last. The
    // tag is saved and E|index moved to where the tag began, so the AAD is contiguous in place.
    std::copy(p.data + body_end, p.data + body_end + tag_size_, job->tag);
    PutU32(p.data + body_end, e_index);
    *gcm = {&*rtcp_.gcm, job->iv.data(), absl::MakeConstSpan(p.data, body_end + kSrtcpIndexSize),
            absl::Span<uint8_t>(), job->tag};
  }
  return SrtpResult::kOk;
}

// Runs, for a packet that went through the cipher, the checks DoUnprotectRtp would run at this
// point of the burst, against the state the earlier packets left.
SrtpResult SrtpSession::FinishUnprotectRtp(const SrtpPacket& p, GcmJob* job, bool opened) {
  InboundState* state = inbound_.Find(job->ssrc);
  if (state == nullptr && inbound_.full()) return SrtpResult::kSsrcLimit;
  uint64_t index = job->seq;
  if (state != nullptr && !state->rtp.empty()) {
    if (!EstimateSrtpIndex(state->rtp.top(), job->seq, &index)) return SrtpResult::kBadIndex;
    if (SrtpResult r = VerdictResult(state->rtp.Check(index)); r != SrtpResult::kOk) return r;
  }
  if (index != job->index) {
    // An earlier packet of the burst moved the window far enough to change this one's ROC
    // estimate, so it was opened with the wrong IV. A failed Open left the ciphertext in place:
    // redo it with the right index. (Passing under both IVs would need a 2^-128 tag collision.)
    if (opened) return SrtpResult::kAuthFailed;
    return DoUnprotectRtp(Buffer(p), p.len, &job->out_len);
  }
  if (!opened) return SrtpResult::kAuthFailed;
  if (state == nullptr) state = inbound_.Create(job->ssrc);
  state->rtp.Accept(index);
  return SrtpResult::kOk;
}

SrtpResult SrtpSession::FinishUnprotectRtcp(const GcmJob& job, bool opened) {
  InboundState* state = inbound_.Find(job.ssrc);
  if (state == nullptr && inbound_.full()) return SrtpResult::kSsrcLimit;
  if (state != nullptr) {
    if (SrtpResult r = VerdictResult(state->rtcp.Check(job.index)); r != SrtpResult::kOk) {
      return r;
    }
  }
  if (!opened) return SrtpResult::kAuthFailed;
  if (state == nullptr) state = inbound_.Create(job.ssrc);
  state->rtcp.Accept(static_cast<uint32_t>(job.index));
  return SrtpResult::kOk;
}

size_t SrtpSession::RunGcmBatch(GcmOp op, absl::Span<SrtpPacket> packets) {
  const bool protect = op == GcmOp::kProtectRtp || op == GcmOp::kProtectRtcp;
  uint64_t* ok_counter = nullptr;
  switch (op) {
    case GcmOp::kProtectRtp:
      ok_counter = &stats_.rtp_protected;
      break;
    case GcmOp::kUnprotectRtp:
      ok_counter = &stats_.rtp_unprotected;
      break;
    case GcmOp::kProtectRtcp:
      ok_counter = &stats_.rtcp_protected;
      break;
    case GcmOp::kUnprotectRtcp:
      ok_counter = &stats_.rtcp_unprotected;
      break;
  }
  size_t ok = 0;
  while (!packets.empty()) {
    const size_t n = std::min(packets.size(), kMaxGcmBurst);
    GcmJob jobs[kMaxGcmBurst];
    crypto::GcmPacket gcm[kMaxGcmBurst];
    size_t m = 0;
    for (size_t i = 0; i < n; ++i) {
      SrtpPacket& p = packets[i];
      SrtpResult r = SrtpResult::kOk;
      switch (op) {
        case GcmOp::kProtectRtp:
          r = PrepareProtectRtp(p, &jobs[i], &gcm[m]);
          break;
        case GcmOp::kUnprotectRtp:
          r = PrepareUnprotectRtp(p, &jobs[i], &gcm[m]);
          break;
        case GcmOp::kProtectRtcp:
          r = PrepareProtectRtcp(p, &jobs[i], &gcm[m]);
          break;
        case GcmOp::kUnprotectRtcp:
          r = PrepareUnprotectRtcp(p, &jobs[i], &gcm[m]);
          break;
      }
      p.result = r;
      jobs[i].slot = r == SrtpResult::kOk ? static_cast<uint8_t>(m++) : GcmJob::kNoSlot;
    }
    if (m > 0) {
      if (protect) {
        gcm_batch_->Seal(absl::MakeSpan(gcm, m));
      } else {
        gcm_batch_->Open(absl::MakeSpan(gcm, m));
      }
    }
    for (size_t i = 0; i < n; ++i) {
      SrtpPacket& p = packets[i];
      GcmJob& job = jobs[i];
      const bool sent = job.slot != GcmJob::kNoSlot;
      const bool passed = sent && gcm[job.slot].ok;
      SrtpResult r = p.result;
      if (protect) {
        // Protect rejections are final: the state they depend on moved in packet order already.
        if (sent) r = passed ? SrtpResult::kOk : SrtpResult::kCryptoError;
      } else if (!sent) {
        // An unprotect rejected before the cipher is redone here, in order, because an earlier
        // packet of the burst may since have created its SSRC's state or moved its window.
        r = op == GcmOp::kUnprotectRtp ? DoUnprotectRtp(Buffer(p), p.len, &job.out_len)
                                       : DoUnprotectRtcp(Buffer(p), p.len, &job.out_len);
      } else {
        r = op == GcmOp::kUnprotectRtp ? FinishUnprotectRtp(p, &job, passed)
                                       : FinishUnprotectRtcp(job, passed);
      }
      p.result = Count(r, ok_counter);
      if (r == SrtpResult::kOk) {
        p.len = job.out_len;
        ++ok;
      }
    }
    packets.remove_prefix(n);
  }
  return ok;
}

size_t SrtpSession::ProtectRtpFanout(absl::Span<SrtpFanoutPacket> packets) {
  size_t ok = 0;
  while (!packets.empty()) {
    const size_t n = std::min(packets.size(), kMaxGcmBurst);
    GcmJob jobs[kMaxGcmBurst];
    crypto::GcmPacket gcm[kMaxGcmBurst];
    // Every GcmKey carries tables for every implementation, so one session's choice (the first
    // AEAD one; sessions of one process normally share kAuto's) serves the whole burst.
    const crypto::GcmBatch* batch = nullptr;
    size_t m = 0;
    for (size_t i = 0; i < n; ++i) {
      SrtpFanoutPacket& f = packets[i];
      jobs[i].slot = GcmJob::kNoSlot;
      if (f.session == nullptr) {
        f.result = SrtpResult::kWrongDirection;
        continue;
      }
      SrtpSession& s = *f.session;
      if (!s.aead_) {
        size_t out_len = 0;
        f.result = s.ProtectRtp(absl::MakeSpan(f.data, f.capacity), f.len, &out_len);
        if (f.result == SrtpResult::kOk) {
          f.len = out_len;
          ++ok;
        }
        continue;
      }
      const SrtpPacket p{f.data, f.len, f.capacity};
      const SrtpResult r = s.PrepareProtectRtp(p, &jobs[i], &gcm[m]);
      if (r != SrtpResult::kOk) {
        f.result = s.Count(r, &s.stats_.rtp_protected);
        continue;
      }
      jobs[i].slot = static_cast<uint8_t>(m++);
      if (batch == nullptr) batch = &*s.gcm_batch_;
    }
    if (m > 0) batch->Seal(absl::MakeSpan(gcm, m));
    for (size_t i = 0; i < n; ++i) {
      if (jobs[i].slot == GcmJob::kNoSlot) continue;
      SrtpFanoutPacket& f = packets[i];
      const SrtpResult r = gcm[jobs[i].slot].ok ? SrtpResult::kOk : SrtpResult::kCryptoError;
      f.result = f.session->Count(r, &f.session->stats_.rtp_protected);
      if (r == SrtpResult::kOk) {
        f.len = jobs[i].out_len;
        ++ok;
      }
    }
    packets.remove_prefix(n);
  }
  return ok;
}

}  // namespace sfu::srtp
