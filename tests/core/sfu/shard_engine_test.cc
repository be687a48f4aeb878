// ShardEngine driven by simulated browser peers, all in memory: each peer (tests/support SimPeer)
// sends STUN Binding requests built with core/stun's builder, runs our DtlsEndpoint in the client
// role against the engine, keys SRTP from the client's exporter output, and sends/receives SRTP.
// No sockets; time is a constructed Instant that the harness advances to the next deadline.

#include "core/sfu/shard_engine.h"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/stun/stun_message.h"
#include "crypto/certificate.h"
#include "gtest/gtest.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/sim_peer.h"

namespace sfu::sfu {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test_support::MakeCertificate;
using test_support::MakeRtp;
using test_support::ParsedRtp;
using test_support::PliMediaSsrcs;

constexpr uint8_t kOpusPt = 111;
constexpr uint8_t kVp8Pt = 96;

SocketAddress Address(const char* ip, uint16_t port) {
  return SocketAddress{*IpAddress::Parse(ip), port};
}

const SocketAddress kServer = Address("192.0.2.1", 40000);

std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill) {
  return test_support::Vp8Payload(keyframe, fill, 40);
}

class Harness;

// A SimPeer wired to the Harness's in-memory network at its own 5-tuple.
class EnginePeer : public test_support::SimPeer {
 public:
  EnginePeer(Harness& harness, PeerId id, SocketAddress address, std::string server_ufrag,
             std::string server_pwd, uint64_t seed)
      : SimPeer(test_support::SimPeerConfig{id,
                                            "sim" + std::to_string(id),
                                            std::move(server_ufrag),
                                            std::move(server_pwd),
                                            seed,
                                            {},
                                            "simpeer"}),
        harness_(harness),
        tuple_{kServer, address} {}

  const FiveTuple& tuple() const { return tuple_; }

  void SendCheck(bool use_candidate = true);
  // Sends the DTLS client's pending datagrams; collects its events.
  void Pump(Instant now);
  std::vector<uint8_t> Protect(const std::vector<uint8_t>& rtp) { return ProtectRtp(rtp); }
  // Decrypts everything received so far: RTP returned, RTCP into rtcp_plain.
  std::vector<ParsedRtp> TakeRtp() {
    TakeRtcp();
    return SimPeer::TakeRtp();
  }

 private:
  Harness& harness_;
  FiveTuple tuple_;
};

// The engine plus the in-memory network between it and its SimPeers.
class Harness {
 public:
  explicit Harness(ShardEngineConfig config = {})
      : server_cert_(MakeCertificate("sfud")), random_(7), engine_(config, server_cert_, random_) {}

  ShardEngine& engine() { return engine_; }
  Instant now() const { return now_; }
  void Advance(Duration d) { now_ += d; }

  EnginePeer& NewPeer(PeerId id, uint16_t port) {
    auto peer = std::make_unique<EnginePeer>(
        *this, id, Address("198.51.100.7", port), "srv" + std::to_string(id) + "u",
        "serverpassword" + std::to_string(id) + "abcdefghijkl", 1000 + id);
    peer->set_server_fingerprint(server_cert_->fingerprint_sha256());
    EnginePeer& ref = *peer;
    peers_[peer->tuple().remote.port] = std::move(peer);
    return ref;
  }

  sfu::AddPeer BaseCommand(const EnginePeer& peer, RoomId room) {
    sfu::AddPeer add;
    add.peer = peer.id();
    add.room = room;
    add.local_ufrag = peer.server_ufrag();
    add.local_pwd = peer.server_pwd();
    add.remote_ufrag = peer.ufrag();
    add.remote_fingerprint = peer.fingerprint();
    return add;
  }

  // A publisher of one Opus track (SSRC audio_ssrc) and one VP8 track (SSRC video_ssrc).
  absl::Status AddPublisher(const EnginePeer& peer, RoomId room, uint32_t audio_ssrc,
                            uint32_t video_ssrc) {
    sfu::AddPeer add = BaseCommand(peer, room);
    PublisherConfig publisher;
    publisher.tracks.push_back(TrackConfig{"0",
                                           MediaKind::kAudio,
                                           {CodecConfig{kOpusPt, "opus", 48000, 0}},
                                           {},
                                           {LayerConfig{"", audio_ssrc, 0}}});
    publisher.tracks.push_back(TrackConfig{"1",
                                           MediaKind::kVideo,
                                           {CodecConfig{kVp8Pt, "VP8", 90000, 0}},
                                           {},
                                           {LayerConfig{"", video_ssrc, 0}}});
    publisher.feedback_ssrc = 0x5F5F0000 + peer.id();
    add.media = publisher;
    return engine_.AddPeer(now_, std::move(add));
  }

  // A subscriber with an audio and a video slot; the viewer's PTs differ from the publisher's.
  absl::Status AddSubscriber(const EnginePeer& peer, RoomId room, uint32_t audio_ssrc,
                             uint32_t video_ssrc) {
    sfu::AddPeer add = BaseCommand(peer, room);
    SubscriberConfig subscriber;
    subscriber.slots.push_back(SlotConfig{
        "0", MediaKind::kAudio, {CodecConfig{109, "opus", 48000, 0}}, {}, audio_ssrc, 0});
    subscriber.slots.push_back(
        SlotConfig{"1", MediaKind::kVideo, {CodecConfig{100, "VP8", 90000, 0}}, {}, video_ssrc, 0});
    add.media = subscriber;
    return engine_.AddPeer(now_, std::move(add));
  }

  // Sends one datagram to the engine from `from`, then delivers what the engine queued.
  void Send(const FiveTuple& from, std::vector<uint8_t> datagram) {
    engine_.HandleDatagram(now_, from, absl::MakeSpan(datagram));
    Deliver();
  }

  // Hands the engine's queued transmits to their SimPeers (or counts them as unroutable).
  void Deliver() {
    std::vector<std::pair<FiveTuple, std::vector<uint8_t>>> out;
    for (const Transmit& t : engine_.transmits()) {
      EXPECT_EQ(t.destination.local, kServer);
      out.emplace_back(t.destination, std::vector<uint8_t>(t.data.begin(), t.data.end()));
    }
    engine_.ClearTransmits();
    for (auto& [tuple, bytes] : out) {
      sent_to[tuple.remote.ToString()]++;
      auto it = peers_.find(tuple.remote.port);
      if (it != peers_.end() && it->second->tuple().remote == tuple.remote) {
        it->second->Receive(now_, std::move(bytes));
      } else {
        ++unroutable;
      }
    }
    while (std::optional<ShardEvent> event = engine_.PollEvent()) events.push_back(*event);
  }

  // Runs peers' DTLS clients and the engine until every listed peer is connected, moving time to
  // the next deadline when nothing is in flight. Bounded.
  bool Connect(std::initializer_list<EnginePeer*> peers) {
    for (EnginePeer* p : peers) {
      p->SendCheck();
      p->StartDtls(now_);
    }
    for (int step = 0; step < 200; ++step) {
      for (EnginePeer* p : peers) p->Pump(now_);
      bool all = true;
      for (EnginePeer* p : peers) all = all && p->connected();
      if (all) return true;
      now_ += milliseconds(10);
      engine_.HandleTimeout(now_);
      for (EnginePeer* p : peers) {
        if (p->dtls() != nullptr) p->dtls()->HandleTimeout(now_);
      }
      Deliver();
    }
    return false;
  }

  template <typename T>
  std::vector<T> EventsOf() const {
    std::vector<T> out;
    for (const ShardEvent& e : events) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  std::vector<ShardEvent> events;
  std::map<std::string, int> sent_to;
  int unroutable = 0;

 private:
  std::shared_ptr<const crypto::Certificate> server_cert_;
  SeededRandom random_;
  ShardEngine engine_;
  Instant now_ = Instant::FromNanos(5'000'000'000);
  std::map<uint16_t, std::unique_ptr<EnginePeer>> peers_;
};

void EnginePeer::SendCheck(bool use_candidate) {
  harness_.Send(tuple_, BindingRequest(use_candidate, server_pwd()));
}

void EnginePeer::Pump(Instant now) {
  // Bounded: a flight is a handful of datagrams.
  for (int i = 0; i < 64; ++i) {
    std::optional<std::vector<uint8_t>> datagram = PollTransmit();
    if (!datagram.has_value()) break;
    harness_.Send(tuple_, *std::move(datagram));
  }
  PollEvents();
  (void)now;
}

TEST(ShardEngineTest, PublisherReachesTwoSubscribersRewrittenAndByteIdentical) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  EnginePeer& sub_a = h.NewPeer(2, 50002);
  EnginePeer& sub_b = h.NewPeer(3, 50003);
  ASSERT_TRUE(h.AddPublisher(pub, 7, 0x1111, 0x2222).ok());
  ASSERT_TRUE(h.AddSubscriber(sub_a, 7, 0xA0A0, 0xA1A1).ok());
  ASSERT_TRUE(h.AddSubscriber(sub_b, 7, 0xB0B0, 0xB1B1).ok());
  ASSERT_TRUE(h.Connect({&pub, &sub_a, &sub_b}));
  EXPECT_EQ(h.engine().stats().peers_dtls_connected, 3u);
  EXPECT_EQ(h.engine().stats().handshakes_succeeded, 3u);
  EXPECT_EQ(h.EventsOf<PeerConnected>().size(), 3u);
  EXPECT_EQ(h.EventsOf<PeerIceSelected>().size(), 3u);
  for (const PeerConnected& c : h.EventsOf<PeerConnected>()) {
    EXPECT_EQ(c.srtp_profile, dtls::SrtpProfile::kAeadAes128Gcm);
  }

  // Audio: forwarded from the first packet. Video: from the first keyframe.
  std::vector<std::vector<uint8_t>> audio_payloads, video_payloads;
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> audio(30 + i);
    for (size_t j = 0; j < audio.size(); ++j) audio[j] = static_cast<uint8_t>(i * 31 + j);
    audio_payloads.push_back(audio);
    h.Send(pub.tuple(),
           pub.Protect(MakeRtp(kOpusPt, static_cast<uint16_t>(1000 + i), 960u * i, 0x1111, audio)));
    std::vector<uint8_t> video = Vp8Payload(i == 0, static_cast<uint8_t>(i));
    video_payloads.push_back(video);
    h.Send(pub.tuple(), pub.Protect(MakeRtp(kVp8Pt, static_cast<uint16_t>(5000 + i), 3000u * i,
                                            0x2222, video, true)));
  }
  EXPECT_EQ(h.engine().stats().rtp_in, 10u);

  for (EnginePeer* sub : {&sub_a, &sub_b}) {
    std::vector<ParsedRtp> got = sub->TakeRtp();
    std::vector<ParsedRtp> audio, video;
    for (ParsedRtp& p : got) (p.pt == 109 ? audio : video).push_back(p);
    ASSERT_EQ(audio.size(), 5u);
    ASSERT_EQ(video.size(), 5u);
    const uint32_t audio_ssrc = sub == &sub_a ? 0xA0A0 : 0xB0B0;
    const uint32_t video_ssrc = sub == &sub_a ? 0xA1A1 : 0xB1B1;
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(audio[i].ssrc, audio_ssrc);
      EXPECT_EQ(video[i].ssrc, video_ssrc);
      EXPECT_EQ(video[i].pt, 100);
      EXPECT_EQ(audio[i].payload, audio_payloads[i]);
      EXPECT_EQ(video[i].payload, video_payloads[i]);
      if (i > 0) {  // consecutive rewritten sequence numbers
        EXPECT_EQ(static_cast<uint16_t>(audio[i].seq - audio[i - 1].seq), 1);
        EXPECT_EQ(static_cast<uint16_t>(video[i].seq - video[i - 1].seq), 1);
      }
    }
  }
  EXPECT_EQ(h.engine().stats().rtp_out, 20u);
  EXPECT_EQ(h.unroutable, 0);
  EXPECT_EQ(h.engine().router().stats().packets_forwarded, 20u);
}

TEST(ShardEngineTest, DtlsFromATupleThatNeverPassedStunIsDroppedAndNeverAnswered) {
  Harness h;
  EnginePeer& peer = h.NewPeer(1, 50001);
  ASSERT_TRUE(h.AddPublisher(peer, 1, 0x10, 0x20).ok());
  peer.StartDtls(h.now());
  peer.Pump(h.now());  // the ClientHello, from a tuple with no valid check
  EXPECT_EQ(h.engine().stats().dtls_in, 1u);
  EXPECT_EQ(h.engine().stats().drop_unknown_5tuple, 1u);
  EXPECT_EQ(h.engine().stats().datagrams_out, 0u);
  EXPECT_EQ(peer.dtls_received, 0);
  EXPECT_EQ(h.engine().stats().hello_verify_requests, 0u);

  // Once the peer's own tuple checks in, DTLS from a different tuple is still refused.
  peer.SendCheck();
  EXPECT_EQ(peer.stun_responses, 1);
  const FiveTuple other{kServer, Address("203.0.113.9", 1234)};
  std::vector<uint8_t> hello = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  h.Send(other, hello);
  EXPECT_EQ(h.engine().stats().drop_unknown_5tuple, 2u);
  EXPECT_EQ(h.sent_to.count(other.remote.ToString()), 0u);
  // SRTP from an unknown tuple too.
  h.Send(other, MakeRtp(kOpusPt, 1, 1, 0x10, std::vector<uint8_t>(40, 1)));
  EXPECT_EQ(h.engine().stats().drop_unknown_5tuple, 3u);
  EXPECT_EQ(h.sent_to.count(other.remote.ToString()), 0u);
}

TEST(ShardEngineTest, StunWithBadIntegrityOrUnknownUfragIsNotAnswered) {
  Harness h;
  EnginePeer& peer = h.NewPeer(1, 50001);
  ASSERT_TRUE(h.AddSubscriber(peer, 1, 0x10, 0x20).ok());
  h.Send(peer.tuple(), peer.BindingRequest(true, "wrongpasswordwrongpassword"));
  EXPECT_EQ(peer.stun_responses, 0);
  EXPECT_EQ(h.engine().stats().drop_stun_auth, 1u);
  EXPECT_EQ(h.engine().stats().datagrams_out, 0u);
  EXPECT_EQ(h.engine().peer_state(1), PeerState::kNew);
  EXPECT_EQ(h.engine().table().tuple_count(), 0u);

  // A check naming a ufrag that is not on this shard.
  EnginePeer& stranger = h.NewPeer(9, 50009);
  stranger.SendCheck();
  EXPECT_EQ(stranger.stun_responses, 0);
  EXPECT_EQ(h.engine().stats().drop_unknown_ufrag, 1u);

  // The right password is answered and binds the tuple.
  peer.SendCheck(false);
  EXPECT_EQ(peer.stun_responses, 1);
  EXPECT_EQ(h.engine().peer_state(1), PeerState::kIceConnected);
  EXPECT_EQ(h.engine().table().tuple_count(), 1u);
  EXPECT_TRUE(h.EventsOf<PeerIceSelected>().empty());  // no USE-CANDIDATE yet
}

// Runs the engine's timers until `until`, jumping deadline to deadline. Bounded.
void RunTimersUntil(Harness& h, Instant until) {
  for (int i = 0; i < 10000; ++i) {
    Instant next = h.engine().NextTimeout();
    if (next > until) break;
    h.Advance(next - h.now());
    h.engine().HandleTimeout(h.now());
    h.Deliver();
  }
  if (until > h.now()) h.Advance(until - h.now());
}

TEST(ShardEngineTest, ConsentExpiryRemovesThePeerWithOneEvent) {
  ShardEngineConfig config;
  config.consent_timeout = seconds(30);
  Harness h(config);
  EnginePeer& pub = h.NewPeer(1, 50001);
  EnginePeer& sub = h.NewPeer(2, 50002);
  ASSERT_TRUE(h.AddPublisher(pub, 1, 0x10, 0x20).ok());
  ASSERT_TRUE(h.AddSubscriber(sub, 1, 0x30, 0x40).ok());
  ASSERT_TRUE(h.Connect({&pub, &sub}));
  const Instant connected_at = h.now();

  // The subscriber keeps checking every 5 s; the publisher goes silent.
  for (int i = 1; i <= 8; ++i) {
    RunTimersUntil(h, connected_at + seconds(5 * i));
    sub.SendCheck();
  }
  const std::vector<PeerRemoved> removed = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].peer, 1u);
  EXPECT_EQ(removed[0].reason, RemoveReason::kConsentExpired);
  EXPECT_FALSE(h.engine().peer_state(1).has_value());
  EXPECT_EQ(h.engine().peer_state(2), PeerState::kDtlsConnected);
  EXPECT_EQ(h.engine().stats().peers_removed, 1u);
  EXPECT_EQ(h.engine().stats().peers_dtls_connected, 1u);
  EXPECT_EQ(h.engine().table().tuple_count(), 1u);  // only the subscriber's

  // Its media is now from an unknown 5-tuple.
  const uint64_t unknown = h.engine().stats().drop_unknown_5tuple;
  h.Send(pub.tuple(), pub.Protect(MakeRtp(kOpusPt, 1, 1, 0x10, std::vector<uint8_t>(20, 3))));
  EXPECT_EQ(h.engine().stats().drop_unknown_5tuple, unknown + 1);
  EXPECT_TRUE(sub.rtp_received.empty());
  EXPECT_TRUE(sub.rtcp_received.empty());

  // A session that never checks in expires too.
  EnginePeer& idle = h.NewPeer(3, 50003);
  ASSERT_TRUE(h.AddSubscriber(idle, 1, 0x50, 0x60).ok());
  // (The subscriber stopped checking too, so it goes in the same 31 s.)
  RunTimersUntil(h, h.now() + seconds(31));
  const std::vector<PeerRemoved> later = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(later.size(), 3u);
  for (const PeerRemoved& r : later) EXPECT_EQ(r.reason, RemoveReason::kConsentExpired);
  EXPECT_EQ(later[1].peer + later[2].peer, 2u + 3u);
  EXPECT_EQ(h.engine().table().size(), 0u);
  EXPECT_EQ(h.engine().stats().peers_new + h.engine().stats().peers_ice_connected +
                h.engine().stats().peers_dtls_connected,
            0u);
}

TEST(ShardEngineTest, RemovePeerSendsCloseNotifyAndEmitsOnePeerRemoved) {
  Harness h;
  EnginePeer& sub = h.NewPeer(2, 50002);
  ASSERT_TRUE(h.AddSubscriber(sub, 1, 0x30, 0x40).ok());
  ASSERT_TRUE(h.Connect({&sub}));
  const int dtls_before = sub.dtls_received;
  h.engine().RemovePeer(h.now(), 2);
  h.Deliver();
  EXPECT_EQ(sub.dtls_received, dtls_before + 1);
  sub.Pump(h.now());
  ASSERT_FALSE(sub.dtls_events.empty());
  EXPECT_EQ(sub.dtls_events.back().kind, dtls::DtlsEvent::Kind::kClosed);
  EXPECT_EQ(sub.dtls_events.back().alert_received, dtls::AlertDescription::kCloseNotify);

  RunTimersUntil(h, h.now() + seconds(60));
  const std::vector<PeerRemoved> removed = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].peer, 2u);
  EXPECT_EQ(removed[0].reason, RemoveReason::kDeleted);
  EXPECT_EQ(h.engine().table().size(), 0u);
  EXPECT_EQ(h.engine().table().tuple_count(), 0u);
  EXPECT_EQ(h.engine().stats().peers_dtls_connected, 0u);
  EXPECT_FALSE(h.engine().router().slot_state(2, 0).has_value());

  h.engine().RemovePeer(h.now(), 2);  // unknown now: ignored
  h.Deliver();
  EXPECT_EQ(h.EventsOf<PeerRemoved>().size(), 1u);
}

TEST(ShardEngineTest, PeerCloseNotifyRemovesWithDtlsClosed) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  ASSERT_TRUE(h.AddPublisher(pub, 1, 0x10, 0x20).ok());
  ASSERT_TRUE(h.Connect({&pub}));
  pub.dtls()->Close(h.now());
  pub.Pump(h.now());
  const std::vector<PeerRemoved> removed = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].reason, RemoveReason::kDtlsClosed);
  EXPECT_EQ(removed[0].alert_received, dtls::AlertDescription::kCloseNotify);
}

TEST(ShardEngineTest, FingerprintMismatchFailsTheHandshake) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  sfu::AddPeer add = h.BaseCommand(pub, 1);
  add.remote_fingerprint[0] ^= 0xFF;  // not the certificate the peer will present
  add.media = PublisherConfig{};
  ASSERT_TRUE(h.engine().AddPeer(h.now(), std::move(add)).ok());
  EXPECT_FALSE(h.Connect({&pub}));
  const std::vector<PeerRemoved> removed = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].reason, RemoveReason::kDtlsFailed);
  EXPECT_EQ(removed[0].alert_sent, dtls::AlertDescription::kBadCertificate);
  EXPECT_EQ(h.engine().stats().handshakes_started, 1u);
  EXPECT_EQ(h.engine().stats().handshakes_failed_certificate, 1u);
  EXPECT_EQ(h.engine().stats().handshakes_succeeded, 0u);
  EXPECT_TRUE(h.EventsOf<PeerConnected>().empty());
}

TEST(ShardEngineTest, SrtpReplayAndTamperAreCountedAndDropped) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  EnginePeer& sub = h.NewPeer(2, 50002);
  ASSERT_TRUE(h.AddPublisher(pub, 1, 0x10, 0x20).ok());
  ASSERT_TRUE(h.AddSubscriber(sub, 1, 0x30, 0x40).ok());

  // Before DTLS completes, SRTP-looking datagrams from a bound tuple are not_connected.
  pub.SendCheck();
  h.Send(pub.tuple(), MakeRtp(kOpusPt, 1, 1, 0x10, std::vector<uint8_t>(40, 1)));
  EXPECT_EQ(h.engine().stats().drop_not_connected, 1u);

  ASSERT_TRUE(h.Connect({&pub, &sub}));
  const std::vector<uint8_t> packet =
      pub.Protect(MakeRtp(kOpusPt, 7, 100, 0x10, std::vector<uint8_t>(40, 2)));
  h.Send(pub.tuple(), packet);
  h.Send(pub.tuple(), packet);  // replay
  std::vector<uint8_t> tampered =
      pub.Protect(MakeRtp(kOpusPt, 8, 200, 0x10, std::vector<uint8_t>(40, 3)));
  tampered[20] ^= 0x01;
  h.Send(pub.tuple(), tampered);
  EXPECT_EQ(h.engine().stats().drop_srtp_replay, 1u);
  EXPECT_EQ(h.engine().stats().drop_srtp_auth, 1u);
  EXPECT_EQ(sub.TakeRtp().size(), 1u);

  // SRTCP: replayed compound RR is dropped as well.
  std::vector<uint8_t> rr = {0x80, 201, 0, 1, 0, 0, 0, 0x10};
  const std::vector<uint8_t> srtcp = pub.ProtectRtcp(rr);
  h.Send(pub.tuple(), srtcp);
  h.Send(pub.tuple(), srtcp);
  EXPECT_EQ(h.engine().stats().rtcp_in, 2u);
  EXPECT_EQ(h.engine().stats().drop_srtp_replay, 2u);
}

TEST(ShardEngineTest, GarbageFloodIsCountedAndDroppedWithoutAnswers) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  EnginePeer& sub = h.NewPeer(2, 50002);
  ASSERT_TRUE(h.AddPublisher(pub, 1, 0x10, 0x20).ok());
  ASSERT_TRUE(h.AddSubscriber(sub, 1, 0x30, 0x40).ok());
  ASSERT_TRUE(h.Connect({&pub, &sub}));
  const ShardStats before = h.engine().stats();
  const uint64_t sent_before = before.datagrams_out;

  SeededRandom random(99);
  constexpr int kFlood = 20000;
  for (int i = 0; i < kFlood; ++i) {
    std::vector<uint8_t> datagram(random.Next() % 1500);
    random.Fill(absl::MakeSpan(datagram));
    // Every kind of first byte, from strangers and from the connected peers' own tuples.
    if (!datagram.empty() && i % 4 == 0) datagram[0] = static_cast<uint8_t>(0x80 | (i & 0x3F));
    if (!datagram.empty() && i % 4 == 1) datagram[0] = static_cast<uint8_t>(20 + i % 44);
    if (!datagram.empty() && i % 4 == 2) datagram[0] = static_cast<uint8_t>(i % 4);
    const FiveTuple& from = i % 3 == 0   ? pub.tuple()
                            : i % 3 == 1 ? sub.tuple()
                                         : FiveTuple{kServer, Address("203.0.113.5", 9)};
    h.Send(from, std::move(datagram));
  }
  const ShardStats& after = h.engine().stats();
  EXPECT_EQ(after.datagrams_in - before.datagrams_in, static_cast<uint64_t>(kFlood));
  const uint64_t drops = (after.drop_malformed - before.drop_malformed) +
                         (after.drop_unknown_5tuple - before.drop_unknown_5tuple) +
                         (after.drop_unknown_ufrag - before.drop_unknown_ufrag) +
                         (after.drop_srtp_auth - before.drop_srtp_auth) +
                         (after.drop_srtp_malformed - before.drop_srtp_malformed) +
                         (after.drop_srtp_replay - before.drop_srtp_replay) +
                         (after.drop_srtp_other - before.drop_srtp_other) +
                         (after.drop_stun_auth - before.drop_stun_auth) +
                         (after.drop_stun_other - before.drop_stun_other);
  // Random DTLS-looking datagrams from the peers' tuples reach their endpoints, which drop them
  // (counted in the endpoints' own stats); everything else is a shard-level drop.
  EXPECT_GT(drops, static_cast<uint64_t>(kFlood / 2));
  EXPECT_EQ(after.drop_unknown_ufrag, before.drop_unknown_ufrag);  // random STUN never frames
  EXPECT_EQ(h.engine().stats().datagrams_out, sent_before) << "garbage was answered";
  EXPECT_EQ(h.engine().peer_state(1), PeerState::kDtlsConnected);
  EXPECT_EQ(h.engine().peer_state(2), PeerState::kDtlsConnected);
  EXPECT_TRUE(sub.TakeRtp().empty());
}

TEST(ShardEngineTest, ShutdownClosesEverySession) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  EnginePeer& sub = h.NewPeer(2, 50002);
  EnginePeer& pending = h.NewPeer(3, 50003);
  ASSERT_TRUE(h.AddPublisher(pub, 1, 0x10, 0x20).ok());
  ASSERT_TRUE(h.AddSubscriber(sub, 1, 0x30, 0x40).ok());
  ASSERT_TRUE(h.AddSubscriber(pending, 1, 0x50, 0x60).ok());
  ASSERT_TRUE(h.Connect({&pub, &sub}));
  h.engine().Shutdown(h.now());
  h.Deliver();
  pub.Pump(h.now());
  sub.Pump(h.now());
  EXPECT_EQ(pub.dtls_events.back().kind, dtls::DtlsEvent::Kind::kClosed);
  EXPECT_EQ(sub.dtls_events.back().kind, dtls::DtlsEvent::Kind::kClosed);
  const std::vector<PeerRemoved> removed = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(removed.size(), 3u);
  for (const PeerRemoved& r : removed) EXPECT_EQ(r.reason, RemoveReason::kShutdown);
  EXPECT_EQ(h.engine().table().size(), 0u);
  EXPECT_EQ(h.engine().NextTimeout(), h.engine().router().NextTimeout());
}

TEST(ShardEngineTest, AddPeerRejectsDuplicatesAndCapacityWithOneEventEach) {
  ShardEngineConfig config;
  config.max_peers = 2;
  Harness h(config);
  EnginePeer& a = h.NewPeer(1, 50001);
  EnginePeer& b = h.NewPeer(2, 50002);
  EnginePeer& c = h.NewPeer(3, 50003);
  ASSERT_TRUE(h.AddPublisher(a, 1, 0x10, 0x20).ok());
  EXPECT_EQ(h.AddPublisher(a, 1, 0x10, 0x20).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(h.AddSubscriber(b, 1, 0x30, 0x40).ok());
  EXPECT_EQ(h.AddSubscriber(c, 1, 0x50, 0x60).code(), absl::StatusCode::kResourceExhausted);
  // Bad ICE credentials (ufrag shorter than 4 characters, RFC 8839 §5.4).
  sfu::AddPeer bad = h.BaseCommand(c, 1);
  bad.local_ufrag = "ab";
  bad.media = SubscriberConfig{};
  EXPECT_FALSE(h.engine().AddPeer(h.now(), std::move(bad)).ok());
  h.Deliver();
  const std::vector<PeerRemoved> removed = h.EventsOf<PeerRemoved>();
  ASSERT_EQ(removed.size(), 2u);  // the duplicate id names a live session: no event for it
  for (const PeerRemoved& r : removed) {
    EXPECT_EQ(r.peer, 3u);
    EXPECT_EQ(r.reason, RemoveReason::kRejected);
  }
  EXPECT_EQ(h.engine().stats().peers_rejected, 3u);
  EXPECT_EQ(h.engine().stats().peers_added, 2u);
  EXPECT_EQ(h.engine().peer_state(1), PeerState::kNew);
}

TEST(ShardEngineTest, CommandsThroughTheVariantEntryPoint) {
  Harness h;
  EnginePeer& a = h.NewPeer(1, 50001);
  sfu::AddPeer add = h.BaseCommand(a, 4);
  add.media = SubscriberConfig{};
  ASSERT_TRUE(h.engine().HandleCommand(h.now(), ShardCommand{std::move(add)}).ok());
  EXPECT_EQ(h.engine().peer_state(1), PeerState::kNew);
  ASSERT_TRUE(h.engine().HandleCommand(h.now(), ShardCommand{sfu::RemovePeer{1}}).ok());
  h.Deliver();
  ASSERT_EQ(h.EventsOf<PeerRemoved>().size(), 1u);
  EXPECT_EQ(h.EventsOf<PeerRemoved>()[0].reason, RemoveReason::kDeleted);
  EXPECT_EQ(h.engine().stats().peers_new, 0u);
}

TEST(PeerTimerHeapTest, PopsEarliestFirstAndRefusesBeyondCapacity) {
  PeerTimerHeap heap(4);
  const Instant t0 = Instant::FromNanos(1000);
  EXPECT_EQ(heap.Top(), nullptr);
  EXPECT_TRUE(heap.Push(t0 + milliseconds(30), 3));
  EXPECT_TRUE(heap.Push(t0 + milliseconds(10), 1));
  EXPECT_TRUE(heap.Push(t0 + milliseconds(20), 2));
  EXPECT_TRUE(heap.Push(t0 + milliseconds(10), 4));
  EXPECT_FALSE(heap.Push(t0, 5));
  std::vector<Instant> order;
  while (const PeerTimerHeap::Entry* top = heap.Top()) {
    order.push_back(top->at);
    heap.Pop();
  }
  EXPECT_EQ(order, (std::vector<Instant>{t0 + milliseconds(10), t0 + milliseconds(10),
                                         t0 + milliseconds(20), t0 + milliseconds(30)}));
  heap.Pop();  // empty: no effect
  EXPECT_EQ(heap.size(), 0u);
}

TEST(ShardEngineTest, ManyConsentRefreshesCompactTheTimerHeapWithoutLosingDeadlines) {
  ShardEngineConfig config;
  config.max_peers = 2;  // timer capacity 2 * 2 + 64 = 68 entries
  Harness h(config);
  EnginePeer& a = h.NewPeer(1, 50001);
  ASSERT_TRUE(h.AddSubscriber(a, 1, 0x10, 0x20).ok());
  for (int i = 0; i < 200; ++i) {  // every valid check moves the consent deadline
    h.Advance(milliseconds(100));
    a.SendCheck(false);
  }
  EXPECT_GT(h.engine().stats().timer_compactions, 0u);
  EXPECT_EQ(a.stun_responses, 200);
  // The live deadline survived: consent expires 30 s after the last check, not before.
  RunTimersUntil(h, h.now() + std::chrono::seconds(29));
  EXPECT_TRUE(h.EventsOf<PeerRemoved>().empty());
  RunTimersUntil(h, h.now() + std::chrono::seconds(2));
  ASSERT_EQ(h.EventsOf<PeerRemoved>().size(), 1u);
  EXPECT_EQ(h.EventsOf<PeerRemoved>()[0].reason, RemoveReason::kConsentExpired);
}

TEST(ShardEngineTest, LateSubscriberGetsAKeyframeRequestedAndSubscriberPliReachesThePublisher) {
  Harness h;
  EnginePeer& pub = h.NewPeer(1, 50001);
  EnginePeer& sub = h.NewPeer(2, 50002);
  ASSERT_TRUE(h.AddPublisher(pub, 1, 0x1111, 0x2222).ok());
  ASSERT_TRUE(h.Connect({&pub}));
  // The keyframe goes by before the viewer exists.
  h.Send(pub.tuple(), pub.Protect(MakeRtp(kVp8Pt, 100, 0, 0x2222, Vp8Payload(true, 1), true)));
  h.Send(pub.tuple(), pub.Protect(MakeRtp(kVp8Pt, 101, 3000, 0x2222, Vp8Payload(false, 2), true)));
  pub.TakeRtp();
  pub.rtcp_plain.clear();

  ASSERT_TRUE(h.AddSubscriber(sub, 1, 0xA0A0, 0xA1A1).ok());
  ASSERT_TRUE(h.Connect({&sub}));
  pub.TakeRtp();
  EXPECT_EQ(PliMediaSsrcs(pub.rtcp_plain), std::vector<uint32_t>{0x2222})
      << "a connecting viewer makes sfud ask the publisher for a keyframe";

  // Delta frames are held back from the new viewer until the keyframe arrives.
  h.Send(pub.tuple(), pub.Protect(MakeRtp(kVp8Pt, 102, 6000, 0x2222, Vp8Payload(false, 3), true)));
  EXPECT_TRUE(sub.TakeRtp().empty());
  h.Send(pub.tuple(), pub.Protect(MakeRtp(kVp8Pt, 103, 9000, 0x2222, Vp8Payload(true, 4), true)));
  std::vector<ParsedRtp> got = sub.TakeRtp();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ssrc, 0xA1A1u);
  EXPECT_EQ(got[0].payload, Vp8Payload(true, 4));

  // The viewer's own PLI (SRTCP, for the SSRC sfud announced) reaches the publisher as a PLI for
  // the publisher's SSRC once the Router's dedupe interval has passed.
  h.Advance(seconds(1));
  pub.rtcp_plain.clear();
  const std::vector<uint8_t> pli = {0x81, 206, 0, 2, 0, 0, 0, 0x77, 0, 0, 0xA1, 0xA1};
  h.Send(sub.tuple(), sub.ProtectRtcp(pli));
  pub.TakeRtp();
  EXPECT_EQ(PliMediaSsrcs(pub.rtcp_plain), std::vector<uint32_t>{0x2222});
  EXPECT_GE(h.engine().stats().rtcp_out, 2u);
  EXPECT_EQ(h.engine().router().stats().pli_received, 1u);
}

}  // namespace
}  // namespace sfu::sfu
