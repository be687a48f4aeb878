#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/instant.h"
#include "core/sfu/media_types.h"
#include "core/sfu/router_output.h"
#include "core/sfu/router_stats.h"

namespace sfu::sfu {

struct RouterConfig {
  // Keyframe requests (PLI/FIR) to one publisher stream are sent at most this often, however many
  // subscribers ask (DESIGN.md §1.5: deduplicated, rate limited).
  Duration keyframe_request_interval = std::chrono::milliseconds(500);
  // Publisher loss recovery (RFC 4585 §6.2.1 generic NACK). A gap is NACKed after a short reorder
  // delay, then again every max(RTT, nack_min_retry_interval) up to nack_max_retries times, and
  // forgotten after nack_max_age. RTT to a publisher is not measurable from its RTCP alone (it
  // sends SRs, sfud sends RRs), so `publisher_rtt` is the assumed value.
  Duration nack_reorder_delay = std::chrono::milliseconds(5);
  Duration publisher_rtt = std::chrono::milliseconds(100);
  Duration nack_min_retry_interval = std::chrono::milliseconds(20);
  int nack_max_retries = 10;
  Duration nack_max_age = std::chrono::seconds(1);
  // A gap wider than this is not NACKed packet by packet; a keyframe is requested instead.
  size_t max_nack_gap = 256;
  // Retransmission buffers: a ring of fixed-size slots per received stream, allocated when the
  // publisher is added. A packet larger than a slot is forwarded but not stored.
  size_t video_buffer_packets = 1024;
  size_t audio_buffer_packets = 256;
  size_t buffer_slot_bytes = 1500;
  Duration retransmission_max_age = std::chrono::seconds(1);
  // Answering subscribers' NACKs: per slot token bucket, and a cap on the sequence numbers read
  // from one compound RTCP datagram (a hostile BLP storm costs bounded work).
  uint32_t retransmissions_per_second = 1000;
  uint32_t retransmission_burst = 200;
  size_t max_nack_seqs_per_rtcp = 256;
  // Sent-packet history per subscriber slot (maps its sequence numbers back to the publisher's).
  // A power of two.
  size_t sent_history_packets = 1024;
  // Sending due reports walks every session; at most one walk per this interval. A walk per
  // individual deadline cost O(sessions^2) per second with thousands of subscribers, and report
  // times are jittered by half an interval anyway (RFC 3550 §6.2).
  Duration report_scan_interval = std::chrono::milliseconds(20);
  // RFC 3550 §6.2 report intervals (jittered deterministically between 0.5x and 1.5x).
  Duration video_report_interval = std::chrono::seconds(1);
  Duration audio_report_interval = std::chrono::seconds(5);
  // A simulcast layer without packets for this long is treated as paused when choosing layers.
  Duration layer_inactive_after = std::chrono::seconds(1);
};

// What one subscriber told sfud about its downlink (the estimates themselves are the peer's).
struct SubscriberFeedback {
  uint64_t remb_bps = 0;  // latest REMB estimate (draft-alvestrand-rmcat-remb-03); 0: none yet
  Instant remb_at;
  uint64_t twcc_feedbacks = 0;  // transport-cc feedback packets received
  uint64_t twcc_packets_reported = 0;
  uint64_t twcc_packets_lost = 0;
  uint16_t twcc_last_base_seq = 0;
  std::optional<Duration> rtt;  // from RR LSR/DLSR (RFC 3550 §6.4.1)
};

// What a subscriber slot is doing.
struct SlotState {
  TrackId track = kNoTrack;  // the bound publisher track, kNoTrack while waiting for one
  int current_layer = -1;    // the layer being forwarded; -1: none yet (waiting for a keyframe)
  int target_layer = -1;
  uint64_t packets_sent = 0;
  uint64_t payload_octets_sent = 0;
  uint16_t next_sequence_number = 0;
};

// The forwarding core of one shard (DESIGN.md §1.5): rooms, publishers' tracks, subscribers'
// slots, per-subscriber RTP rewriting, retransmission buffers, RTCP feedback and reports.
//
// Sans-IO and thread-compatible: owned and used by one shard thread. Inputs are plaintext RTP and
// RTCP (the caller has SRTP-unprotected them) with the arrival Instant; outputs are plaintext
// packets written into the caller's OutputBatch (the caller protects and sends them). No
// callbacks; nothing is allocated per packet once peers are added (AddPublisher/AddSubscriber size
// every buffer). The NTP wall clock used in reports comes from SetNtpClock.
//
// Binding: a subscriber's slot of kind K binds to the first track of kind K in its room not yet
// bound to another of its slots, now or when such a track is published later ("a viewer that
// joins before the publisher receives media once it starts"). SubscribeSlot binds explicitly.
class Router {
 public:
  explicit Router(RouterConfig config = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The wall clock for RTCP: `ntp_at` (RFC 3550 §4 64-bit NTP, 32.32 seconds since 1900) is the
  // time at `at`; later NTP times are extrapolated with the monotonic `now`. Until called, NTP
  // time is `now` counted from 1900, which keeps reports self-consistent but not wall-clock true.
  void SetNtpClock(Instant at, uint64_t ntp_at);

  // Control path (allocates). A peer id is either a publisher or a subscriber. The returned
  // TrackIds are in `config.tracks` order.
  absl::StatusOr<std::vector<TrackId>> AddPublisher(PeerId peer, const PublisherConfig& config);
  absl::Status AddSubscriber(PeerId peer, const SubscriberConfig& config);
  // Removes a publisher (its tracks end; subscribers' slots rebind to other tracks or wait) or a
  // subscriber. Unknown ids are ignored.
  void RemovePeer(PeerId peer);
  // Binds `slot` of `subscriber` to `track` (same room and kind), replacing its binding.
  absl::Status SubscribeSlot(PeerId subscriber, size_t slot, TrackId track);
  // Chooses a simulcast layer index (0 = lowest) for a slot; -1 restores the preference default.
  // A layer that has sent nothing for layer_inactive_after is skipped for the best active one
  // below it. The switch happens on the target layer's next keyframe, which is requested (PLI,
  // deduplicated) as soon as a packet of that layer arrives.
  absl::Status SetPreferredLayer(PeerId subscriber, size_t slot, int layer);
  // Cross-shard fan-out: every publisher packet of `room` is also written once as a kRemoteShard
  // output for `shard` (RouterOutput::peer is the publisher), whose own Router serves its
  // subscribers. On that shard the publisher is
  // added as an ordinary publisher under a proxy PeerId with the same PublisherConfig, and the
  // kRemoteShard bytes are fed to OnRtp from that proxy: its subscribers then get rewriting,
  // retransmissions and reports locally. RTCP the remote Router writes for the proxy peer
  // (keyframe requests, NACKs, RRs) is for the home shard, which can turn keyframe requests into
  // RequestKeyframe calls; NACKs and RRs for a proxy may be dropped.
  absl::Status AddRemoteShard(RoomId room, uint16_t shard);
  void RemoveRemoteShard(RoomId room, uint16_t shard);
  // The home shard's side of the hand-off's feedback. `publisher` is a local publisher and
  // `media_ssrc` one of its layers' SSRCs, as the remote shard's proxy named them. A keyframe
  // request becomes a PLI to the publisher (deduplicated like a subscriber's); false if
  // deduplicated or unknown.
  bool RequestKeyframeForSsrc(Instant now, PeerId publisher, uint32_t media_ssrc, OutputBatch* out);
  // A remote shard missed `seq` of `media_ssrc` (its ring was full, or the publisher's loss was
  // recovered here): hands the buffered packet to `shard` again as a kRemoteShard output. False
  // if the packet is not (or no longer) buffered.
  bool ResendToShard(Instant now, PeerId publisher, uint32_t media_ssrc, uint16_t seq,
                     uint16_t shard, OutputBatch* out);
  // Asks the publisher of `track` for a keyframe on `layer` (a PLI), deduplicated like a
  // subscriber's PLI. False if deduplicated, unknown or the layer's SSRC is not known yet.
  bool RequestKeyframe(Instant now, TrackId track, int layer, OutputBatch* out);

  // Packet path. `packet` is one plaintext RTP packet / compound RTCP datagram from `from`.
  void OnRtp(Instant now, PeerId from, absl::Span<const uint8_t> packet, OutputBatch* out);
  void OnRtcp(Instant now, PeerId from, absl::Span<const uint8_t> compound, OutputBatch* out);
  // Sends what is due at `now`: NACKs to publishers, RRs to publishers, SRs to subscribers.
  void OnTimeout(Instant now, OutputBatch* out);
  // The earliest Instant at which OnTimeout has something to do (Infinite() if nothing).
  Instant NextTimeout() const;

  const RouterStats& stats() const;
  std::optional<SubscriberFeedback> subscriber_feedback(PeerId subscriber) const;
  std::optional<SlotState> slot_state(PeerId subscriber, size_t slot) const;
  // False once the publisher's BYE (RFC 3550 §6.6) or removal ended it, or for unknown ids.
  bool track_active(TrackId track) const;

  struct State;  // router_state.h; public so the implementation's helper files can name it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace sfu::sfu
