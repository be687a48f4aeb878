#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/srtp/hmac_sha1.h"
#include "core/srtp/replay_window.h"
#include "core/srtp/srtp_kdf.h"
#include "core/srtp/srtp_profile.h"
#include "core/srtp/srtp_stats.h"
#include "core/srtp/ssrc_table.h"
#include "crypto/aes_ctr.h"
#include "crypto/vaes/gcm_batch.h"
#include "crypto/vaes/gcm_key.h"

namespace sfu::srtp {

struct SrtpConfig {
  // Cap on SSRCs whose state (ROC, replay window, SRTCP index) one session keeps. State is created
  // lazily — inbound only once a packet of that SSRC authenticated — and a packet that would need
  // a new SSRC beyond the cap is dropped as kSsrcLimit. The table is sized for the cap up front, so
  // the packet path never allocates: about 370 bytes per inbound SSRC of the cap (the two replay
  // bitmaps plus hash-table slack), about 50 per outbound one. A publisher sends a handful of SSRCs
  // (audio, simulcast layers, RTX); an outbound session to a subscriber carries one per forwarded
  // track.
  size_t max_ssrcs = 64;
  // Which AES-GCM code the AEAD profiles use (crypto/vaes/gcm_batch.h). kAuto takes the
  // SFUD_GCM_IMPL environment variable if set, else the fastest the CPU supports; Create() fails
  // if the named implementation is unknown or unsupported here.
  crypto::GcmImpl gcm_impl = crypto::GcmImpl::kAuto;
};

// The AES-GCM implementation a session created with the default SrtpConfig uses ("evp",
// "vaes256", "vaes512"), or "unavailable" if SFUD_GCM_IMPL names one this CPU cannot run. For the
// startup log and the crypto-backend metric.
const char* SrtpGcmImplementation();

class SrtpSession;

// One packet of a fan-out burst (SrtpSession::ProtectRtpFanout): its own outbound session, the
// packet in `data[0, len)` with `data[0, capacity)` writable. `len` and `result` as in SrtpPacket.
struct SrtpFanoutPacket {
  SrtpSession* session = nullptr;
  uint8_t* data = nullptr;
  size_t len = 0;
  size_t capacity = 0;
  SrtpResult result = SrtpResult::kOk;
};

// One packet of a batch. `data[0, len)` is the packet; `data[0, capacity)` may be written (protect
// appends up to kMaxSrtcpTrailer bytes). On return `len` is the new length when `result` is kOk,
// and unchanged otherwise.
struct SrtpPacket {
  uint8_t* data = nullptr;
  size_t len = 0;
  size_t capacity = 0;
  SrtpResult result = SrtpResult::kOk;
};

// SRTP and SRTCP (RFC 3711, RFC 7714) for one direction of one DTLS-SRTP association: an outbound
// session protects what we send with our write keys, an inbound session unprotects what the peer
// sent with its write keys. It holds the keyed ciphers (keyed once; the keys do not depend on the
// SSRC) and per-SSRC state: RTP rollover counter and highest index, a 1024-packet RTP replay
// window, and the SRTCP index (outbound) or a 128-index SRTCP replay window (inbound).
//
// Everything is in place: protect writes the tag (and SRTCP index) after the packet, so the
// buffer needs RtpTrailerSize()/RtcpTrailerSize() bytes of tailroom; unprotect leaves the plaintext
// packet at the start of the buffer. Failures return an SrtpResult, are counted in stats(), and
// leave the packet to be dropped (its bytes unspecified). No allocation after Create().
//
// Owned by one shard; not thread-safe. Moveable.
class SrtpSession {
 public:
  enum class Direction : uint8_t { kInbound, kOutbound };

  // Per-SSRC window sizes (packets).
  static constexpr size_t kRtpReplayWindow = 1024;
  static constexpr size_t kRtcpReplayWindow = 128;

  static absl::StatusOr<SrtpSession> Create(const SrtpSessionKeys& keys, Direction direction,
                                            const SrtpConfig& config = {});
  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;
  ~SrtpSession();

  // RTP: `buffer[0, len)` holds the packet. On kOk `*out_len` is the protected (len + tag) or
  // unprotected (len - tag) length.
  SrtpResult ProtectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  SrtpResult UnprotectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  // RTCP (a compound packet): protect appends tag and E|index (RFC 7714 §9) or E|index and tag
  // (RFC 3711 §3.4); unprotect accepts encrypted and, if the sender cleared E, unencrypted SRTCP.
  SrtpResult ProtectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  SrtpResult UnprotectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);

  // Bursts: each packet's `result` and `len` are set as by the single-packet calls run in order
  // (same replay and ROC outcomes). Returns how many packets came out kOk. For the AEAD profiles
  // the burst goes through one GcmBatch call per kMaxGcmBurst packets (srtp_gcm_batch.cc).
  size_t ProtectRtpBatch(absl::Span<SrtpPacket> packets);
  size_t UnprotectRtpBatch(absl::Span<SrtpPacket> packets);
  size_t ProtectRtcpBatch(absl::Span<SrtpPacket> packets);
  size_t UnprotectRtcpBatch(absl::Span<SrtpPacket> packets);

  // The forwarding shape: each packet protected as RTP by its own outbound session (one
  // subscriber each), with the AEAD packets of the burst sealed by one GcmBatch call so the
  // vectorised kernels work on several keys at once. Sessions may mix profiles (AES-CM packets
  // are protected one by one) and may repeat. Same per-packet results as ProtectRtp. Returns how
  // many came out kOk. A null `session` gives kWrongDirection. The cipher implementation is the
  // first AEAD session's (GcmKey works with all of them). Never allocates.
  static size_t ProtectRtpFanout(absl::Span<SrtpFanoutPacket> packets);

  // Packets handed to one GcmBatch call at a time (stack arrays of this size, no allocation).
  static constexpr size_t kMaxGcmBurst = 32;

  SrtpProfile profile() const { return profile_; }
  Direction direction() const { return direction_; }
  size_t rtp_trailer_size() const { return tag_size_; }
  size_t rtcp_trailer_size() const { return tag_size_ + kSrtcpIndexSize; }
  size_t ssrc_count() const { return inbound_.size() + outbound_.size(); }
  const SrtpStats& stats() const { return stats_; }
  // "evp", "vaes256" or "vaes512" for the AEAD profiles; "none" for AES-CM.
  const char* gcm_implementation() const {
    return gcm_batch_.has_value() ? gcm_batch_->impl_name() : "none";
  }

  // Outbound only: the next SRTCP index to use for `ssrc` (creating its state if needed). For
  // tests that reproduce RFC vectors with a mid-stream index, and for a re-keyed session that
  // must continue an index. Returns false if the SSRC cap is reached or the index is too large.
  bool SetNextSrtcpIndex(uint32_t ssrc, uint32_t index);
  // Outbound only: the ROC for `ssrc` (RFC 3711 §3.3.1 lets signalling set it), so the next
  // packet with sequence number `seq` is sent with this ROC. Returns false as above.
  bool SetRolloverCounter(uint32_t ssrc, uint32_t roc, uint16_t seq);

 private:
  // Inbound: what authenticated so far (highest index = ROC << 16 | s_l, and the bitmaps).
  struct InboundState {
    ReplayWindow<kRtpReplayWindow> rtp;
    ReplayWindow<kRtcpReplayWindow> rtcp;
  };
  // Outbound: what was sent so far.
  struct OutboundState {
    uint64_t rtp_highest = 0;  // ROC << 16 | seq
    uint32_t next_rtcp_index = 0;
    bool rtp_sent = false;  // rtp_highest is meaningful
  };
  struct Keys {
    std::array<uint8_t, 14> salt{};
    std::optional<crypto::GcmKey> gcm;  // AEAD profiles
    std::optional<crypto::AesCtr> ctr;  // AES-CM profile
    HmacSha1 mac;                       // AES-CM profile
  };

  SrtpSession(SrtpProfile profile, Direction direction, const SrtpConfig& config);

  SrtpResult DoProtectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  SrtpResult DoUnprotectRtp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  SrtpResult DoProtectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  SrtpResult DoUnprotectRtcp(absl::Span<uint8_t> buffer, size_t len, size_t* out_len);
  SrtpResult Count(SrtpResult r, uint64_t* ok_counter);

  // The AEAD burst path (srtp_gcm_batch.cc). Prepare* does everything up to the cipher (parse,
  // checks, index, IV and AAD into `job`, the GcmPacket into `gcm`); Finish* does what follows it.
  struct GcmJob;
  enum class GcmOp : uint8_t { kProtectRtp, kUnprotectRtp, kProtectRtcp, kUnprotectRtcp };
  size_t RunGcmBatch(GcmOp op, absl::Span<SrtpPacket> packets);
  SrtpResult PrepareProtectRtp(const SrtpPacket& p, GcmJob* job, crypto::GcmPacket* gcm);
  SrtpResult PrepareUnprotectRtp(const SrtpPacket& p, GcmJob* job, crypto::GcmPacket* gcm);
  SrtpResult PrepareProtectRtcp(const SrtpPacket& p, GcmJob* job, crypto::GcmPacket* gcm);
  SrtpResult PrepareUnprotectRtcp(const SrtpPacket& p, GcmJob* job, crypto::GcmPacket* gcm);
  SrtpResult FinishUnprotectRtp(const SrtpPacket& p, GcmJob* job, bool opened);
  SrtpResult FinishUnprotectRtcp(const GcmJob& job, bool opened);

  // RTP/RTCP transforms once the index is known (srtp_transform.cc).
  bool SealRtp(absl::Span<uint8_t> packet, size_t header_size, uint32_t ssrc, uint64_t index);
  bool OpenRtp(absl::Span<uint8_t> packet, size_t header_size, uint32_t ssrc, uint64_t index);
  bool SealRtcp(absl::Span<uint8_t> packet, uint32_t ssrc, uint32_t index);
  bool OpenRtcp(absl::Span<uint8_t> packet, uint32_t ssrc, uint32_t e_index);

  SrtpProfile profile_;
  Direction direction_;
  bool aead_;
  size_t tag_size_;
  Keys rtp_;
  Keys rtcp_;
  // Only the table of the session's direction has capacity.
  SsrcTable<InboundState> inbound_;
  SsrcTable<OutboundState> outbound_;
  SrtpStats stats_;
  std::optional<crypto::GcmBatch> gcm_batch_;  // AEAD profiles
};

}  // namespace sfu::srtp
