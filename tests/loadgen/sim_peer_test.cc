// SimPeer, the load generator's simulated browser, against sfud's real sans-IO ShardEngine in
// memory: the offer it writes goes through core/sdp's parser and AnswerBuilder and the daemon's
// AddPeer mapping, exactly as a WHIP/WHEP POST would, and the answer goes back through
// ParseAnswer. What a peer sends during one virtual millisecond reaches the engine at the next,
// and the engine's output reaches the peers in that same step, so latencies are known exactly. No
// sockets, no clock, no threads.

#include "bench/loadgen/sim_peer.h"

#include <functional>
#include <memory>
#include <vector>

#include "bench/loadgen/media_probe.h"
#include "bench/loadgen/signaling_sdp.h"
#include "core/rtp/rtp_packet.h"
#include "core/sdp/sdp_answer.h"
#include "core/sdp/sdp_parser.h"
#include "core/sfu/keyframe.h"
#include "core/sfu/shard_engine.h"
#include "daemon/add_peer_builder.h"
#include "gtest/gtest.h"

namespace sfu::loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kHop = milliseconds(1);

std::shared_ptr<const crypto::Certificate> MakeCertificate(const char* name) {
  auto cert = crypto::Certificate::GenerateSelfSigned(name, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok()) << cert.status();
  return std::make_shared<const crypto::Certificate>(*std::move(cert));
}

// Decides whether a datagram from sfud to peer `index` is lost on the way.
using DropFn = std::function<bool(size_t index, absl::Span<const uint8_t> datagram)>;

class Harness {
 public:
  Harness()
      : sfud_cert_(MakeCertificate("sfud")),
        peer_cert_(MakeCertificate("loadgen")),
        engine_(EngineConfig(), sfud_cert_, engine_random_) {}

  static sfu::ShardEngineConfig EngineConfig() {
    sfu::ShardEngineConfig config;
    config.max_peers = 16;
    return config;
  }

  // Signals one peer the way the daemon's control plane does and starts it. Returns its index.
  size_t AddPeer(PeerRole role, sfu::RoomId room, const SimPeerConfig& overrides = {},
                 bool corrupt_fingerprint = false) {
    const size_t index = peers_.size();
    Entry& e = peers_.emplace_back();
    e.address = SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4),
                              static_cast<uint16_t>(20000 + index)};
    SimPeerConfig config = overrides;
    config.role = role;
    config.local_ufrag = "lgpeer" + std::to_string(index);
    config.local_pwd = "loadgenpassword0123456789" + std::to_string(index);
    config.certificate = peer_cert_;
    config.audio_ssrc = 0x1000 + static_cast<uint32_t>(index);
    config.video_ssrc = 0x2000 + static_cast<uint32_t>(index);
    config.rtcp_ssrc = 0x3000 + static_cast<uint32_t>(index);
    config.stream_id = static_cast<uint32_t>(index) * 2;

    OfferSpec offer;
    offer.publisher = role == PeerRole::kPublisher;
    offer.ice_ufrag = config.local_ufrag;
    offer.ice_pwd = config.local_pwd;
    offer.fingerprint = peer_cert_->SdpFingerprint();
    offer.candidate = e.address;
    offer.audio_ssrc = config.audio_ssrc;
    offer.video_ssrc = config.video_ssrc;
    offer.stream_id = "stream" + std::to_string(index);
    offer.cname = "cname" + std::to_string(index);
    absl::StatusOr<sdp::SessionDescription> parsed = sdp::SdpParser().Parse(BuildOffer(offer));
    EXPECT_TRUE(parsed.ok()) << parsed.status();

    sdp::AnswerConfig answer_config;
    answer_config.role = offer.publisher ? sdp::Role::kPublisher : sdp::Role::kViewer;
    answer_config.ice_ufrag = "srv" + std::to_string(index) + "u";
    answer_config.ice_pwd = "serverpassword0123456789" + std::to_string(index);
    answer_config.fingerprint = sfud_cert_->SdpFingerprint();
    answer_config.candidates = {server_};
    answer_config.session_id = 1 + index;
    if (!offer.publisher) {
      for (sdp::MediaKind kind : {sdp::MediaKind::kAudio, sdp::MediaKind::kVideo}) {
        sdp::LocalTrack track;
        track.kind = kind;
        track.stream_id = "sfud";
        track.track_id = kind == sdp::MediaKind::kAudio ? "a" : "v";
        track.cname = "sfud";
        track.ssrc =
            (kind == sdp::MediaKind::kAudio ? 0xA000 : 0xB000) + static_cast<uint32_t>(index);
        answer_config.tracks.push_back(track);
      }
    }
    absl::StatusOr<sdp::SdpAnswer> answer = sdp::AnswerBuilder(answer_config).Build(*parsed);
    EXPECT_TRUE(answer.ok()) << answer.status();
    daemon::PeerIdentity identity;
    identity.peer = static_cast<sfu::PeerId>(index + 1);
    identity.room = room;
    identity.local_ufrag = answer_config.ice_ufrag;
    identity.local_pwd = answer_config.ice_pwd;
    identity.feedback_ssrc = 0x5000 + static_cast<uint32_t>(index);
    absl::StatusOr<sfu::AddPeer> command = daemon::BuildAddPeer(answer->negotiated, identity);
    EXPECT_TRUE(command.ok()) << command.status();
    EXPECT_TRUE(engine_.AddPeer(now_, *std::move(command)).ok());

    absl::StatusOr<AnswerInfo> info = ParseAnswer(answer->sdp);
    EXPECT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->candidate, server_);
    config.remote_ufrag = info->ice_ufrag;
    config.remote_pwd = info->ice_pwd;
    config.remote_fingerprint = info->fingerprint;
    if (corrupt_fingerprint) config.remote_fingerprint[0] ^= 1;
    config.remote_audio_ssrc = info->audio_ssrc;
    config.remote_video_ssrc = info->video_ssrc;
    e.peer = std::make_unique<SimPeer>(config, peer_random_, &latency_);
    e.peer->Start(now_, e.out);
    return index;
  }

  // Runs `duration` of virtual time in 1 ms steps. Each step: the peers' queued datagrams reach
  // the engine, the engine's reach the peers (unless `drop` says lost), timers fire.
  void Run(Duration duration, const DropFn& drop = {}) {
    const Instant end = now_ + duration;
    while (now_ < end) {
      now_ += kHop;
      for (Entry& e : peers_) {
        for (size_t i = 0; i < e.out.size(); ++i) {
          absl::Span<const uint8_t> d = e.out.datagram(i);
          std::vector<uint8_t> copy(d.begin(), d.end());
          engine_.HandleDatagram(now_, FiveTuple{server_, e.address}, absl::MakeSpan(copy));
        }
        e.out.Clear();
      }
      if (engine_.NextTimeout() <= now_) engine_.HandleTimeout(now_);
      std::vector<std::pair<size_t, std::vector<uint8_t>>> to_peers;
      for (const sfu::Transmit& t : engine_.transmits()) {
        for (size_t i = 0; i < peers_.size(); ++i) {
          if (peers_[i].address != t.destination.remote) continue;
          if (drop && drop(i, t.data)) continue;
          to_peers.emplace_back(i, std::vector<uint8_t>(t.data.begin(), t.data.end()));
        }
      }
      engine_.ClearTransmits();
      while (engine_.PollEvent().has_value()) {
      }
      for (auto& [i, bytes] : to_peers) {
        peers_[i].peer->HandleDatagram(now_, absl::MakeSpan(bytes), peers_[i].out);
      }
      for (Entry& e : peers_) {
        if (e.peer->NextTimeout() <= now_) e.peer->HandleTimeout(now_, e.out);
      }
    }
  }

  SimPeer& peer(size_t i) { return *peers_[i].peer; }
  Outbox& outbox(size_t i) { return peers_[i].out; }
  const LatencyHistogram& latency() const { return latency_; }
  sfu::ShardEngine& engine() { return engine_; }
  Instant now() const { return now_; }

 private:
  struct Entry {
    SocketAddress address;
    std::unique_ptr<SimPeer> peer;
    Outbox out{256};
  };
  Instant now_ = Instant() + seconds(100);
  SeededRandom engine_random_{1};
  SeededRandom peer_random_{2};
  std::shared_ptr<const crypto::Certificate> sfud_cert_;
  std::shared_ptr<const crypto::Certificate> peer_cert_;
  sfu::ShardEngine engine_;
  SocketAddress server_{IpAddress::Loopback(IpAddress::Family::kV4), 10000};
  std::vector<Entry> peers_;
  LatencyHistogram latency_;
};

// An SRTP datagram's RTP sequence number, from its clear header.
uint16_t SrtpSequence(absl::Span<const uint8_t> d) {
  return static_cast<uint16_t>(d[2] << 8 | d[3]);
}
bool IsSrtp(absl::Span<const uint8_t> d) {
  return d.size() >= 12 && d[0] >= 128 && d[0] <= 191 && !(d[1] >= 192 && d[1] <= 223);
}

TEST(SimPeer, PublisherAndSubscribersConnectAndCountEveryPacket) {
  Harness h;
  const size_t pub = h.AddPeer(PeerRole::kPublisher, 1);
  const size_t sub1 = h.AddPeer(PeerRole::kSubscriber, 1);
  const size_t sub2 = h.AddPeer(PeerRole::kSubscriber, 1);
  h.Run(seconds(3));
  for (size_t i : {pub, sub1, sub2}) {
    ASSERT_TRUE(h.peer(i).connected()) << i << " " << ToString(h.peer(i).stats().failure) << " "
                                       << h.peer(i).stats().failure_detail;
    EXPECT_TRUE(h.peer(i).stats().ice_connected.has_value());
  }
  // Stop media, let the last packets land: every subscriber got every packet since its first.
  for (size_t i : {pub, sub1, sub2}) h.peer(i).StopMedia();
  h.Run(milliseconds(50));
  const PeerStats& p = h.peer(pub).stats();
  EXPECT_GT(p.rtp_out, 100u);
  EXPECT_GT(p.sr_sent, 0u);
  EXPECT_GE(p.keyframes_sent, 1u);
  for (size_t i : {sub1, sub2}) {
    const PeerStats& s = h.peer(i).stats();
    EXPECT_EQ(s.srtp_errors, 0u);
    EXPECT_GT(s.rr_sent, 0u);
    EXPECT_GE(s.plis_sent, 1u);  // asked for a key frame at start
    EXPECT_TRUE(s.first_video_at.has_value());
    for (const ReceiveStreamStats* st : {&s.audio, &s.video}) {
      EXPECT_GT(st->probe.received(), 30u);
      EXPECT_EQ(st->probe.lost(), 0u);
      EXPECT_EQ(st->probe.duplicates(), 0u);
      EXPECT_EQ(st->probe.reordered(), 0u);
      EXPECT_EQ(st->without_probe, 0u);
    }
    EXPECT_EQ(s.audio.ssrc, 0xA000u + i);
    EXPECT_EQ(s.video.ssrc, 0xB000u + i);
    // Sent in one step, forwarded and received in the next.
    EXPECT_EQ(s.video.latency_max_us, 1000);
    EXPECT_EQ(s.video.latency_sum_us, static_cast<int64_t>(s.video.latency_samples) * 1000);
    // A subscriber joined mid-stream sees the tail of what the publisher sent: its counts plus
    // what was sent before it started match the publisher's.
    EXPECT_LE(s.rtp_in, p.rtp_out);
  }
  EXPECT_EQ(h.latency().min(), 1000);
  EXPECT_EQ(h.latency().max(), 1000);
  // The engine forwarded exactly what the peers counted.
  const sfu::ShardStats& es = h.engine().stats();
  EXPECT_EQ(es.rtp_in, p.rtp_out);
  EXPECT_EQ(es.rtp_out, h.peer(sub1).stats().rtp_in + h.peer(sub2).stats().rtp_in);
}

TEST(SimPeer, LostVideoIsNackedAndRecovered) {
  Harness h;
  const size_t pub = h.AddPeer(PeerRole::kPublisher, 1);
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1);
  h.Run(seconds(1));
  ASSERT_TRUE(h.peer(sub).connected());
  ASSERT_TRUE(h.peer(sub).stats().first_video_at.has_value());
  // Lose every 10th video packet on its first trip to the subscriber.
  std::vector<uint16_t> dropped;
  h.Run(seconds(1), [&](size_t i, absl::Span<const uint8_t> d) {
    if (i != sub || !IsSrtp(d) || d.size() < 400) return false;  // video packets are large
    const uint16_t seq = SrtpSequence(d);
    if (seq % 10 != 0) return false;
    for (uint16_t s : dropped) {
      if (s == seq) return false;  // the retransmission gets through
    }
    dropped.push_back(seq);
    return true;
  });
  h.peer(pub).StopMedia();
  h.peer(sub).StopMedia();
  h.Run(milliseconds(100));
  ASSERT_GT(dropped.size(), 3u);
  const PeerStats& s = h.peer(sub).stats();
  EXPECT_GE(s.nacks_sent, 1u);
  EXPECT_GE(s.nack_items_sent, dropped.size() - 1);  // the last may sit at the end of the run
  EXPECT_GE(s.video.probe.reordered(), dropped.size() - 1);
  EXPECT_LE(s.video.probe.lost(), 1u);
  EXPECT_EQ(s.video.probe.duplicates(), 0u);
  // A recovered packet's latency includes the round trip to ask for it.
  EXPECT_GT(s.video.latency_max_us, 1000);
}

TEST(SimPeer, PublisherAnswersNackFromHistoryAndPliWithKeyframe) {
  Harness h;
  const size_t pub = h.AddPeer(PeerRole::kPublisher, 1);
  h.Run(seconds(1));
  ASSERT_TRUE(h.peer(pub).connected());
  // Drop the publisher's next video packets on the way to the engine: the engine NACKs them.
  const uint64_t before = h.peer(pub).stats().retransmissions;
  bool dropped_one = false;
  // Lose one packet sent by the publisher: intercept its outbox before the engine sees it.
  for (int step = 0; step < 100 && !dropped_one; ++step) {
    Outbox& out = h.outbox(pub);
    Outbox kept(256);
    for (size_t i = 0; i < out.size(); ++i) {
      absl::Span<const uint8_t> d = out.datagram(i);
      if (!dropped_one && IsSrtp(d) && d.size() > 400) {
        dropped_one = true;
        continue;
      }
      kept.Push(d);
    }
    out.Clear();
    for (size_t i = 0; i < kept.size(); ++i) out.Push(kept.datagram(i));
    if (!dropped_one) h.Run(kHop);
  }
  ASSERT_TRUE(dropped_one);
  h.Run(milliseconds(300));
  EXPECT_GE(h.peer(pub).stats().nacks_received, 1u);
  EXPECT_GT(h.peer(pub).stats().retransmissions, before);

  // A subscriber joining asks for a key frame; the engine passes it on (or asks itself) and the
  // publisher answers before its periodic one is due.
  const uint64_t keyframes = h.peer(pub).stats().keyframes_sent;
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1);
  h.Run(milliseconds(700));
  ASSERT_TRUE(h.peer(sub).connected());
  EXPECT_GE(h.peer(pub).stats().plis_received + h.peer(pub).stats().firs_received, 1u);
  EXPECT_GT(h.peer(pub).stats().keyframes_sent, keyframes);
}

TEST(SimPeer, WrongFingerprintFailsTheHandshake) {
  Harness h;
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1, {}, /*corrupt_fingerprint=*/true);
  h.Run(seconds(2));
  EXPECT_EQ(h.peer(sub).state(), SimPeer::State::kFailed);
  EXPECT_EQ(h.peer(sub).stats().failure, FailureReason::kDtlsFailed);
  EXPECT_NE(h.peer(sub).stats().failure_detail.find("bad_certificate"), std::string::npos)
      << h.peer(sub).stats().failure_detail;
  EXPECT_EQ(h.peer(sub).NextTimeout(), Instant::Infinite());
}

TEST(SimPeer, SilentServerIsAnIceTimeoutAtTheDeadline) {
  Harness h;
  SimPeerConfig config;
  config.connect_timeout = seconds(2);
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1, config);
  // Every answer from sfud is lost.
  h.Run(milliseconds(1990), [](size_t, absl::Span<const uint8_t>) { return true; });
  EXPECT_EQ(h.peer(sub).state(), SimPeer::State::kChecking);
  EXPECT_GT(h.peer(sub).stats().stun_out, 30u);  // a check every 50 ms
  h.Run(milliseconds(20), [](size_t, absl::Span<const uint8_t>) { return true; });
  EXPECT_EQ(h.peer(sub).stats().failure, FailureReason::kIceTimeout);
}

TEST(SimPeer, DtlsThatNeverCompletesTimesOut) {
  Harness h;
  SimPeerConfig config;
  config.connect_timeout = seconds(3);
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1, config);
  // STUN answers get through, DTLS does not.
  h.Run(seconds(4), [](size_t, absl::Span<const uint8_t> d) { return d[0] >= 20 && d[0] <= 63; });
  EXPECT_TRUE(h.peer(sub).stats().ice_connected.has_value());
  EXPECT_EQ(h.peer(sub).stats().failure, FailureReason::kDtlsTimeout);
}

TEST(SimPeer, ConsentLostWhenChecksGoUnanswered) {
  Harness h;
  SimPeerConfig config;
  config.consent_interval = seconds(1);
  config.consent_timeout = seconds(3);
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1, config);
  h.Run(seconds(1));
  ASSERT_TRUE(h.peer(sub).connected());
  // From now on STUN responses are lost; media and DTLS still flow.
  h.Run(seconds(4), [](size_t, absl::Span<const uint8_t> d) { return d[0] <= 3; });
  EXPECT_EQ(h.peer(sub).stats().failure, FailureReason::kConsentLost);
  EXPECT_GE(h.peer(sub).stats().consent_checks, 2u);
}

TEST(SimPeer, ConsentChecksAreAnsweredWhileConnected) {
  Harness h;
  SimPeerConfig config;
  config.consent_interval = seconds(1);
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1, config);
  h.Run(seconds(5));
  ASSERT_TRUE(h.peer(sub).connected());
  EXPECT_GE(h.peer(sub).stats().consent_checks, 3u);
  EXPECT_EQ(h.peer(sub).stats().consent_responses, h.peer(sub).stats().consent_checks);
}

// A video datagram the publisher sent, and when.
struct SentVideo {
  Instant at;
  uint16_t sequence_number;
  bool marker;
};

// Connects a video-only publisher through the harness, then drives it alone on a fake clock: each
// call is made exactly at its NextTimeout(), and every RTP datagram it emits is recorded with the
// `now` of that call (the moment the driver would hand it to the socket).
std::vector<SentVideo> DrivePublisher(double pacing_factor, Duration how_long) {
  Harness h;
  SimPeerConfig config;
  config.audio = false;
  config.video_kbps = 1000;  // paced at 2.5 Mbit/s: 3200 ns a byte
  config.video_fps = 25;     // a frame every 40 ms: 5000 bytes, a key frame 15000
  config.max_video_payload = 1000;
  config.keyframe_interval = seconds(1);
  config.pacing_factor = pacing_factor;
  const size_t pub = h.AddPeer(PeerRole::kPublisher, 1, config);
  h.Run(milliseconds(100));
  EXPECT_TRUE(h.peer(pub).connected());
  SimPeer& peer = h.peer(pub);
  Outbox& out = h.outbox(pub);
  out.Clear();
  std::vector<SentVideo> sent;
  const Instant end = h.now() + how_long;
  for (int calls = 0; calls < 100000; ++calls) {
    const Instant t = peer.NextTimeout();
    if (t > end) break;
    peer.HandleTimeout(t, out);
    for (size_t i = 0; i < out.size(); ++i) {
      absl::Span<const uint8_t> d = out.datagram(i);
      if (IsSrtp(d)) sent.push_back({t, SrtpSequence(d), (d[1] & 0x80) != 0});
    }
    out.Clear();
  }
  return sent;
}

// The frames in `sent`, each the indices of its packets (a frame ends at the marker bit); the
// first, possibly partial, frame is skipped.
std::vector<std::vector<size_t>> Frames(const std::vector<SentVideo>& sent) {
  std::vector<std::vector<size_t>> frames;
  std::vector<size_t> current;
  bool started = false;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (started) current.push_back(i);
    if (sent[i].marker) {
      if (started) frames.push_back(current);
      current.clear();
      started = true;
    }
  }
  return frames;
}

TEST(SimPeer, PacedKeyFrameLeavesAtThePacingRate) {
  const std::vector<SentVideo> sent = DrivePublisher(2.5, milliseconds(2500));
  // Every packet is a 12-byte RTP header and 1000 bytes of payload; at 2.5 x 1000 kbit/s each
  // needs 1012 * 8 / 2.5e6 s = 3.2384 ms of the pacer.
  constexpr Duration kSpacing = std::chrono::nanoseconds(3'238'400);
  const std::vector<std::vector<size_t>> frames = Frames(sent);
  size_t keyframes = 0;
  for (size_t f = 0; f + 2 < frames.size(); ++f) {
    if (frames[f].size() != 15) continue;  // a key frame (a delta frame is 5 packets)
    ++keyframes;
    const std::vector<size_t>& key = frames[f];
    // The delta frame before it had long drained (5 x 3.2 ms of a 40 ms interval): the key frame
    // starts at its capture, then one packet every kSpacing, in sequence order.
    const Instant start = sent[key[0]].at;
    for (size_t i = 1; i < key.size(); ++i) {
      EXPECT_EQ(sent[key[i]].at - sent[key[i - 1]].at, kSpacing) << "packet " << i;
      EXPECT_EQ(sent[key[i]].sequence_number,
                static_cast<uint16_t>(sent[key[0]].sequence_number + i));
    }
    // 15 packets need 48.6 ms, longer than a frame: the next frame, captured at start + 40 ms,
    // waits behind the key frame and continues the train...
    const std::vector<size_t>& next = frames[f + 1];
    ASSERT_EQ(next.size(), 5u);
    EXPECT_EQ(sent[next[0]].at - start, 15 * kSpacing);
    EXPECT_EQ(sent[next[4]].at - start, 19 * kSpacing);
    // ...and the one after it, captured at start + 80 ms, finds the pacer idle and leaves at once.
    EXPECT_EQ(sent[frames[f + 2][0]].at - start, milliseconds(80));
  }
  EXPECT_GE(keyframes, 2u);  // one a second
}

TEST(SimPeer, WithoutPacingAFrameLeavesAsOneBurst) {
  const std::vector<SentVideo> sent = DrivePublisher(0, milliseconds(2500));
  const std::vector<std::vector<size_t>> frames = Frames(sent);
  ASSERT_GT(frames.size(), 50u);
  size_t keyframes = 0;
  for (size_t f = 0; f + 1 < frames.size(); ++f) {
    if (frames[f].size() == 15) ++keyframes;
    for (size_t i : frames[f]) EXPECT_EQ(sent[i].at, sent[frames[f][0]].at) << "frame " << f;
    EXPECT_EQ(sent[frames[f + 1][0]].at - sent[frames[f][0]].at, milliseconds(40));
  }
  EXPECT_GE(keyframes, 2u);
}

// Through sfud's engine, with pacing: packets wait in the pacer, yet the measured latency is the
// one hop exactly, because the probe carries the time the packet was handed to the driver. And a
// NACKed packet is resent at once, ahead of the video still queued in the pacer.
TEST(SimPeer, PacingDelayIsNotLatencyAndRetransmissionsSkipTheQueue) {
  Harness h;
  SimPeerConfig config;
  config.pacing_factor = 2.5;
  config.keyframe_interval = milliseconds(500);
  const size_t pub = h.AddPeer(PeerRole::kPublisher, 1, config);
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1);
  h.Run(milliseconds(500));
  ASSERT_TRUE(h.peer(sub).connected());
  // Step by step: drop one video packet on its way to the engine while the pacer still holds at
  // least three more behind it (so the engine's NACK comes back before the train has left).
  bool dropped = false;
  size_t most_in_one_step = 0;  // first transmissions of video in one 1 ms step
  size_t waited = 0;            // steps that ended with video in the pacer
  uint64_t nacks = h.peer(pub).stats().nacks_received;
  uint64_t resent = h.peer(pub).stats().retransmissions;
  bool nack_seen = false;
  for (int step = 0; step < 2000; ++step) {
    const size_t queued_before = h.peer(pub).paced_packets_queued();
    h.Run(kHop);
    const PeerStats& p = h.peer(pub).stats();
    if (!nack_seen && p.nacks_received > nacks) {
      nack_seen = true;
      // In the very step the NACK arrived, with video still queued behind the pacer.
      EXPECT_GT(p.retransmissions, resent);
      EXPECT_GT(queued_before, 0u);
    }
    // What the publisher emitted in this step, before the next one delivers it.
    Outbox& out = h.outbox(pub);
    Outbox kept(256);
    size_t video = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      absl::Span<const uint8_t> d = out.datagram(i);
      const bool is_video = IsSrtp(d) && d.size() > 400;
      video += is_video ? 1 : 0;
      if (is_video && !dropped && h.peer(pub).paced_packets_queued() >= 3) {
        dropped = true;
        continue;
      }
      kept.Push(d);
    }
    out.Clear();
    for (size_t i = 0; i < kept.size(); ++i) out.Push(kept.datagram(i));
    most_in_one_step = std::max(most_in_one_step, video - (p.retransmissions - resent));
    if (h.peer(pub).paced_packets_queued() > 0) ++waited;
    nacks = p.nacks_received;
    resent = p.retransmissions;
  }
  ASSERT_TRUE(dropped);
  EXPECT_TRUE(nack_seen);
  // 600 kbit/s paced at 1.5 Mbit/s: a packet every ~6 ms, never two in one 1 ms step.
  EXPECT_EQ(most_in_one_step, 1u);
  EXPECT_GT(waited, 100u);
  h.peer(pub).StopMedia();
  h.peer(sub).StopMedia();
  h.Run(milliseconds(50));
  const PeerStats& s = h.peer(sub).stats();
  EXPECT_EQ(s.video.probe.lost(), 0u);
  EXPECT_EQ(h.peer(pub).stats().pacer_overflows, 0u);
  // Every first transmission took exactly the one hop; the retransmission, sent at its first send
  // time, took longer.
  EXPECT_EQ(h.latency().min(), 1000);
  EXPECT_GT(s.video.latency_max_us, 1000);
  EXPECT_EQ(s.video.latency_sum_us,
            static_cast<int64_t>(s.video.latency_samples - 1) * 1000 + s.video.latency_max_us);
  EXPECT_EQ(s.audio.latency_max_us, 1000);
}

TEST(Pacer, SchedulesBySizeAndNeverSavesUpIdleTime) {
  Pacer pacer(8'000'000);  // 1 us a byte
  PublisherStream::Packet p;
  p.payload_size = 988;  // 1000 bytes with the RTP header: 1 ms
  EXPECT_EQ(pacer.SpacingOf(p), milliseconds(1));
  const Instant t0 = Instant() + seconds(1);
  EXPECT_EQ(pacer.NextSend(), Instant::Infinite());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pacer.Push(t0, p));
  EXPECT_EQ(pacer.NextSend(), t0);
  EXPECT_TRUE(pacer.PopDue(t0).has_value());
  EXPECT_FALSE(pacer.PopDue(t0 + std::chrono::microseconds(999)).has_value());
  EXPECT_EQ(pacer.NextSend(), t0 + milliseconds(1));
  // A late call sends what has fallen due, keeping the schedule.
  EXPECT_TRUE(pacer.PopDue(t0 + milliseconds(5)).has_value());
  EXPECT_TRUE(pacer.PopDue(t0 + milliseconds(5)).has_value());
  EXPECT_TRUE(pacer.empty());
  // The bucket was busy until t0 + 3 ms and has been idle since: the next packet leaves at once.
  ASSERT_TRUE(pacer.Push(t0 + milliseconds(10), p));
  EXPECT_EQ(pacer.NextSend(), t0 + milliseconds(10));
  // While the last packet is still draining, a new one waits for it.
  EXPECT_TRUE(pacer.PopDue(t0 + milliseconds(10)).has_value());
  ASSERT_TRUE(pacer.Push(t0 + milliseconds(10), p));
  EXPECT_EQ(pacer.NextSend(), t0 + milliseconds(11));
  // Bounded: a full queue refuses, and PopFront makes room in order.
  pacer.Clear();
  for (size_t i = 0; i < Pacer::kCapacity; ++i) {
    p.sequence_number = static_cast<uint16_t>(i);
    ASSERT_TRUE(pacer.Push(t0, p));
  }
  EXPECT_FALSE(pacer.Push(t0, p));
  EXPECT_EQ(pacer.PopFront()->sequence_number, 0);
  EXPECT_TRUE(pacer.Push(t0, p));
  EXPECT_EQ(pacer.size(), Pacer::kCapacity);
}

TEST(SimPeer, CloseSendsCloseNotify) {
  Harness h;
  const size_t sub = h.AddPeer(PeerRole::kSubscriber, 1);
  h.Run(seconds(1));
  ASSERT_TRUE(h.peer(sub).connected());
  const uint64_t dtls_out = h.peer(sub).stats().dtls_out;
  h.peer(sub).Close(h.now(), h.outbox(sub));
  EXPECT_EQ(h.peer(sub).state(), SimPeer::State::kClosed);
  EXPECT_EQ(h.peer(sub).stats().dtls_out, dtls_out + 1);
  EXPECT_EQ(h.peer(sub).NextTimeout(), Instant::Infinite());
}

TEST(PublisherStream, VideoPacketsCarryVp8KeyframesMarkerAndProbe) {
  PublisherStream video(PublisherStream::Kind::kVideo, 0x1234, 96, 9, 65534, 1000);
  std::array<PublisherStream::Packet, 16> packets;
  const size_t n =
      video.PlanFrame(5'000'000, 2500, 1100, /*keyframe=*/true, 3000, absl::MakeSpan(packets));
  ASSERT_EQ(n, 3u);                     // 2500 bytes in packets of at most 1100, balanced
  EXPECT_EQ(video.packets_sent(), 0u);  // planned, not sent
  std::array<uint8_t, 1500> buf;
  for (size_t i = 0; i < n; ++i) {
    // Sent (as by a pacer) after the frame was captured: the probe carries the send time.
    video.MarkSent(packets[i], 5'500'000 + static_cast<int64_t>(i) * 1000);
    const size_t len = video.Write(packets[i], absl::MakeSpan(buf));
    ASSERT_GT(len, 0u);
    std::optional<rtp::RtpPacketView> v = rtp::ParseRtpPacket(absl::MakeConstSpan(buf.data(), len));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->ssrc, 0x1234u);
    EXPECT_EQ(v->payload_type, 96);
    EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(65534 + i));  // wraps
    EXPECT_EQ(v->timestamp, 1000u);
    EXPECT_EQ(v->marker, i + 1 == n);
    EXPECT_EQ(sfu::IsVp8KeyframeStart(v->payload), i == 0);
    std::optional<MediaProbe> probe = MediaProbe::ReadFrom(v->payload);
    ASSERT_TRUE(probe.has_value());
    EXPECT_EQ(probe->stream_id, 9u);
    EXPECT_EQ(probe->sequence, i);
    EXPECT_EQ(probe->send_ns, 5'500'000 + static_cast<int64_t>(i) * 1000);
  }
  EXPECT_EQ(video.next_timestamp(), 4000u);
  // A delta frame is not a key frame; the history rebuilds any packet byte for byte.
  const size_t m = video.PlanFrame(6'000'000, 500, 1100, false, 3000, absl::MakeSpan(packets));
  ASSERT_EQ(m, 1u);
  EXPECT_EQ(video.Find(packets[0].sequence_number), nullptr);  // not sent yet: nothing to resend
  video.MarkSent(packets[0], 6'000'000);
  std::array<uint8_t, 1500> again;
  const size_t len = video.Write(packets[0], absl::MakeSpan(buf));
  EXPECT_FALSE(
      sfu::IsVp8KeyframeStart(rtp::ParseRtpPacket(absl::MakeConstSpan(buf.data(), len))->payload));
  const PublisherStream::Packet* found = video.Find(packets[0].sequence_number);
  ASSERT_NE(found, nullptr);
  ASSERT_EQ(video.Write(*found, absl::MakeSpan(again)), len);
  EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + len, again.begin()));
  EXPECT_EQ(video.Find(static_cast<uint16_t>(packets[0].sequence_number + 1)), nullptr);
  EXPECT_EQ(video.packets_sent(), 4u);
}

TEST(SignalingSdp, AnswerWithoutFingerprintOrCandidateIsRejected) {
  const std::string base =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\n"
      "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=setup:passive\r\n"
      "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
  EXPECT_FALSE(ParseAnswer(base + "a=candidate:1 1 udp 1 127.0.0.1 10000 typ host\r\n").ok());
  const std::string fp =
      "a=fingerprint:sha-256 "
      "F4:F4:E7:3D:0E:49:A8:AD:14:0B:74:62:D2:9A:4C:FB:1F:FA:E6:0D:CC:F9:1D:C4:19:F6:77:9C:48:16:"
      "FB:D2\r\n";
  EXPECT_FALSE(ParseAnswer(base + fp).ok());
  absl::StatusOr<AnswerInfo> ok =
      ParseAnswer(base + fp + "a=candidate:1 1 udp 1 127.0.0.1 10000 typ host\r\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->candidate.port, 10000);
  EXPECT_EQ(ok->ice_ufrag, "abcd");
  EXPECT_TRUE(ok->audio_accepted);
  EXPECT_FALSE(ok->video_accepted);
  EXPECT_EQ(ok->fingerprint[0], 0xF4);
  EXPECT_FALSE(ParseAnswer("not sdp").ok());
}

}  // namespace
}  // namespace sfu::loadgen
