#pragma once

// The Router's internal state, shared by router.cc (peers, packet path), router_forward.cc
// (per-subscriber rewriting), router_rtcp.cc (feedback) and router_reports.cc (timers). Not part
// of the API: include router.h.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/rtp_rewrite.h"
#include "core/rtp/seq_num.h"
#include "core/sfu/forward_extensions.h"
#include "core/sfu/retransmission_buffer.h"
#include "core/sfu/router.h"
#include "core/sfu/rtcp_nack_generator.h"
#include "core/sfu/rtcp_receive_stats.h"

namespace sfu::sfu {

inline constexpr uint8_t kNoPt = 0xFF;
inline constexpr size_t kMaxPayloadTypes = 128;
inline constexpr Instant kLongAgo = Instant::FromNanos(-(int64_t{1} << 62));

// One received RTP stream of a track: the only stream, or one simulcast layer.
struct Layer {
  Layer(const LayerConfig& config, size_t buffer_packets, size_t slot_bytes, size_t max_nack,
        uint32_t clock_rate)
      : rid(config.rid),
        ssrc(config.ssrc),
        rtx_ssrc(config.rtx_ssrc),
        buffer(buffer_packets, slot_bytes),
        receive(clock_rate),
        nacks(max_nack) {}

  std::string rid;
  uint32_t ssrc;
  uint32_t rtx_ssrc;
  rtp::SeqNumUnwrapper unwrapper;
  RetransmissionBuffer buffer;
  ReceiveStatistics receive;
  NackGenerator nacks;
  Instant last_packet = kLongAgo;
  // The publisher's last SR for this SSRC (RFC 3550 §6.4.1): RTP time at its arrival, and the
  // middle 32 bits of its NTP timestamp for our RR's LSR.
  bool have_sr = false;
  uint32_t sr_rtp_timestamp = 0;
  uint32_t sr_ntp_middle = 0;
  Instant sr_arrival;
  // Keyframe requests to the publisher (deduplicated) and RFC 5104 §4.3.1.1 FIR sequence number.
  Instant last_keyframe_request = kLongAgo;
  uint8_t fir_seq_nr = 0;
};

struct Subscriber;

struct SlotRef {
  Subscriber* subscriber;
  uint32_t slot;
};

// A published m= section.
struct Track {
  TrackId id = kNoTrack;
  PeerId publisher = 0;
  RoomId room = 0;
  MediaKind kind = MediaKind::kVideo;
  std::string mid;
  bool active = true;
  std::vector<CodecConfig> codecs;
  std::vector<Codec> codec_kinds;  // CodecFromName of each codec
  // Publisher PT -> index into codecs (kNoPt: not negotiated); RTX PT -> index of its apt codec.
  std::array<uint8_t, kMaxPayloadTypes> pt_to_codec;
  std::array<uint8_t, kMaxPayloadTypes> rtx_pt_to_codec;
  std::vector<ExtensionConfig> extensions;
  uint8_t mid_ext_id = 0;
  uint8_t rid_ext_id = 0;
  uint8_t repaired_rid_ext_id = 0;
  std::vector<std::unique_ptr<Layer>> layers;
  std::vector<SlotRef> subscribers;  // reserved when subscribers are added
};

// An entry of a slot's sent-packet history: which publisher packet went out under `out_seq`.
struct SentEntry {
  uint16_t out_seq = 0;
  uint8_t layer = 0;
  bool valid = false;
  uint32_t out_timestamp = 0;
  int64_t index = 0;  // the packet's unwrapped sequence number in the layer's buffer
};

// A subscribed m= section and its forwarding state. Every forwarded copy reads and writes the
// fields up to pt_map, so they come first and together (the fan-out prefetches them, see
// Router::State::PrefetchSlot); what only set-up, RTCP and NACKs use follows.
struct alignas(64) Slot {
  int default_layer = 255;   // from the LayerPreference: 255 (highest) or 0
  int preferred_layer = -1;  // -1: default_layer
  int current_layer = -1;
  int target_layer = -1;
  // Sequence mapping: out = index - base for the current layer's packets at or after
  // switch_index; packets before base_change_index use prev_base (one SFU drop back).
  bool sent_any = false;
  uint8_t clock_pt = kNoPt;  // the out PT clock_rate was last taken for
  uint32_t ssrc = 0;         // config.ssrc, kept here for the per-packet path
  int64_t base = 0;
  int64_t prev_base = 0;
  int64_t base_change_index = 0;
  int64_t switch_index = 0;
  int64_t highest_index = 0;  // highest index of the current layer forwarded or dropped
  int64_t out_highest = 0;    // highest (extended) sequence number sent
  uint32_t timestamp_offset = 0;
  uint32_t last_out_timestamp = 0;
  Instant last_out_time;
  uint32_t clock_rate = 90000;
  uint16_t rtx_seq = 0;
  uint64_t packets_sent = 0;
  uint64_t payload_octets_sent = 0;
  std::vector<SentEntry> history;  // sent_history_packets entries
  // Bound-track maps: publisher PT -> subscriber PT (kNoPt: the subscriber lacks the codec), and
  // subscriber PT -> subscriber's RTX PT (kNoPt: none). Built when the slot binds.
  std::array<uint8_t, kMaxPayloadTypes> pt_map;
  rtp::RtpExtensionIdMap ext_map;

  std::array<uint8_t, kMaxPayloadTypes> rtx_pt_map;
  std::array<uint32_t, kMaxPayloadTypes> clock_of_out_pt;
  SlotConfig config;
  Track* track = nullptr;
  // NACK answering rate limit (token bucket, in packets).
  double tokens = 0;
  Instant tokens_at = kLongAgo;
  bool have_fir_seq = false;
  uint8_t last_fir_seq = 0;
};

struct Subscriber {
  PeerId id = 0;
  RoomId room = 0;
  LayerPreference preference = LayerPreference::kHighest;
  bool has_video = false;  // reports every video_report_interval rather than the audio one
  std::vector<Slot> slots;
  SubscriberFeedback feedback;
  Instant next_report = Instant::Infinite();
  uint32_t reports_sent = 0;
};

struct Publisher {
  PeerId id = 0;
  RoomId room = 0;
  uint32_t feedback_ssrc = 1;
  bool has_video = false;
  std::vector<Track*> tracks;
  Instant next_report = Instant::Infinite();
  uint32_t reports_sent = 0;
};

struct Room {
  std::vector<TrackId> tracks;
  std::vector<PeerId> subscribers;
  std::vector<uint16_t> remote_shards;
};

struct Router::State {
  explicit State(RouterConfig c) : config(c) {}

  RouterConfig config;
  RouterStats stats;
  absl::flat_hash_map<PeerId, std::unique_ptr<Publisher>> publishers;
  absl::flat_hash_map<PeerId, std::unique_ptr<Subscriber>> subscribers;
  absl::flat_hash_map<TrackId, std::unique_ptr<Track>> tracks;
  absl::flat_hash_map<RoomId, Room> rooms;
  TrackId next_track_id = 1;
  // NTP clock (RFC 3550 §4): ntp_at is the wall time at ntp_instant.
  Instant ntp_instant;
  uint64_t ntp_at = 0;
  // Cached earliest deadlines for NextTimeout.
  Instant next_report_due = Instant::Infinite();
  Instant next_nack_due = Instant::Infinite();
  // Scratch for an RTX packet turned back into its original (RFC 4588 §4).
  std::array<uint8_t, 2048> rtx_scratch;
  std::array<uint16_t, 512> nack_scratch;

  NackGenerator::Policy NackPolicy() const {
    return NackGenerator::Policy{config.nack_reorder_delay,
                                 std::max(config.publisher_rtt, config.nack_min_retry_interval),
                                 config.nack_max_retries, config.nack_max_age};
  }
  uint64_t NtpAt(Instant now) const;
  Subscriber* FindSubscriber(PeerId id);
  Publisher* FindPublisher(PeerId id);
  Track* FindTrack(TrackId id);

  // router.cc: binding.
  void BindSlot(Subscriber* sub, uint32_t slot_index, Track* track);
  void UnbindSlot(Subscriber* sub, uint32_t slot_index);
  void BindWaitingSlots(Track* track);
  void EndTrack(Track* track);
  // router_forward.cc: per-subscriber output.
  void ForwardToSlot(Instant now, Track* track, uint32_t layer_index,
                     const rtp::RtpPacketView& view, absl::Span<const uint8_t> packet,
                     const ExtensionLayout& layout, int64_t index, bool keyframe, SlotRef ref,
                     OutputBatch* out);
  int DesiredLayer(const Slot& slot, const Track& track, Instant now) const;
  // The fan-out walks subscribers whose state is cold (one copy each per publisher packet, so
  // with thousands of them nothing stays cached): it prefetches a subscriber's object a few
  // copies ahead, and once that has arrived the lines of its slot a forwarded copy touches.
  static void PrefetchSubscriber(const SlotRef& ref) { __builtin_prefetch(ref.subscriber, 1); }
  static void PrefetchSlot(const SlotRef& ref, uint8_t payload_type) {
    const Slot* slot = ref.subscriber->slots.data() + ref.slot;
    const char* base = reinterpret_cast<const char*>(slot);
    __builtin_prefetch(base, 1);
    __builtin_prefetch(base + 64, 1);
    __builtin_prefetch(base + 128, 1);
    __builtin_prefetch(&slot->pt_map[payload_type & (kMaxPayloadTypes - 1)]);
    __builtin_prefetch(&slot->ext_map);
  }
  // The history entry the next copy writes; needs the slot's first lines, so issued later.
  static void PrefetchHistory(const SlotRef& ref) {
    const Slot& slot = ref.subscriber->slots[ref.slot];
    if (slot.history.empty()) return;
    const size_t next = static_cast<size_t>(slot.out_highest + 1) & (slot.history.size() - 1);
    __builtin_prefetch(&slot.history[next], 1);
  }
  // Writes `packet` rewritten for `slot` with the given seq/timestamp (and, when `osn` is set, as
  // an RFC 4588 RTX packet carrying it). False if the output batch is full or the packet is bad.
  // Counts its own drops (output full, malformed extension block).
  bool WriteForSlot(const Subscriber& sub, const Slot& slot, const rtp::RtpPacketView& view,
                    absl::Span<const uint8_t> packet, const ExtensionLayout& layout, uint16_t seq,
                    uint32_t timestamp, uint8_t payload_type, uint32_t ssrc, bool rtx, uint16_t osn,
                    OutputBatch* out);
  // Asks the publisher of `track` for a keyframe on `layer` (PLI, or FIR when `fir`), at most once
  // per keyframe_request_interval.
  // Returns false when deduplicated.
  bool RequestKeyframe(Instant now, Track* track, uint32_t layer_index, bool fir, OutputBatch* out);
  // router.cc: finds the stream an RTP packet belongs to, learning SSRCs from RID/MID extensions.
  bool LocateStream(Publisher* pub, const rtp::RtpPacketView& view, Track** track,
                    uint32_t* layer_index, bool* rtx);
  void ScheduleReport(Instant now, Instant* next_report, PeerId peer, uint32_t count, bool video);
  // router_rtcp.cc
  void HandleSubscriberRtcp(Instant now, Subscriber* sub, absl::Span<const uint8_t> compound,
                            OutputBatch* out);
  void HandlePublisherRtcp(Instant now, Publisher* pub, absl::Span<const uint8_t> compound);
  void AnswerNack(Instant now, Subscriber* sub, Slot* slot, uint16_t seq, OutputBatch* out);
  // router_reports.cc
  void SendNacks(Instant now, Publisher* pub, OutputBatch* out);
  void SendReceiverReport(Instant now, Publisher* pub, OutputBatch* out);
  void SendSenderReports(Instant now, Subscriber* sub, OutputBatch* out);
  Instant NextReportTime(Instant now, PeerId peer, uint32_t count, bool video) const;
};

}  // namespace sfu::sfu
