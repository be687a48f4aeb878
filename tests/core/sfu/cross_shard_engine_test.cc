// Rooms spanning shards, sans-IO: two ShardEngines wired through a CrossShardMesh (no sockets,
// no threads), each with simulated browsers (tests/support SimPeer) on its own in-memory network.
// The publisher lives on shard 0 (the room's home); subscribers on shard 1 are served from the
// hand-off. The test plays the control thread: it sends StartHandOff to shard 0 and
// AddRemotePublisher to shard 1, as daemon/control_plane does.

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/common/random.h"
#include "core/sfu/cross_shard_mesh.h"
#include "core/sfu/shard_engine.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/alloc_counter.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/sim_peer.h"

namespace sfu::sfu {
namespace {

using std::chrono::milliseconds;
using test_support::MakeCertificate;
using test_support::MakeRtp;
using test_support::ParsedRtp;
using test_support::PliMediaSsrcs;

constexpr uint8_t kOpusPt = 111;
constexpr uint8_t kVp8Pt = 96;
constexpr uint8_t kSubOpusPt = 109;
constexpr uint8_t kSubVp8Pt = 100;
constexpr uint32_t kAudioSsrc = 0x1111;
constexpr uint32_t kVideoSsrc = 0x2222;
constexpr RoomId kRoom = 7;

SocketAddress Address(const char* ip, uint16_t port) {
  return SocketAddress{*IpAddress::Parse(ip), port};
}

SocketAddress ServerAddress(int shard) {
  return Address("192.0.2.1", static_cast<uint16_t>(40000 + shard));
}

std::vector<uint8_t> Audio(int i) {
  std::vector<uint8_t> audio(30 + i % 7);
  for (size_t j = 0; j < audio.size(); ++j) audio[j] = static_cast<uint8_t>(i * 31 + j);
  return audio;
}

PublisherConfig OpusVp8Publisher(PeerId id) {
  PublisherConfig publisher;
  publisher.tracks.push_back(TrackConfig{"0",
                                         MediaKind::kAudio,
                                         {CodecConfig{kOpusPt, "opus", 48000, 0}},
                                         {},
                                         {LayerConfig{"", kAudioSsrc, 0}}});
  publisher.tracks.push_back(TrackConfig{"1",
                                         MediaKind::kVideo,
                                         {CodecConfig{kVp8Pt, "VP8", 90000, 0}},
                                         {},
                                         {LayerConfig{"", kVideoSsrc, 0}}});
  publisher.feedback_ssrc = 0x5F5F0000 + id;
  return publisher;
}

uint32_t SubAudioSsrc(PeerId id) { return 0xA0000000 + id; }
uint32_t SubVideoSsrc(PeerId id) { return 0xB0000000 + id; }

class World;

// A SimPeer on the in-memory network of one shard.
class ShardPeer : public test_support::SimPeer {
 public:
  ShardPeer(World& world, int shard, PeerId id, uint16_t port)
      : SimPeer(test_support::SimPeerConfig{id,
                                            "sim" + std::to_string(id),
                                            "srv" + std::to_string(id) + "u",
                                            "serverpassword" + std::to_string(id) + "abcdefghijkl",
                                            2000 + id,
                                            {},
                                            "simpeer"}),
        world_(world),
        shard_(shard),
        tuple_{ServerAddress(shard), Address("198.51.100.7", port)} {}

  int shard() const { return shard_; }
  const FiveTuple& tuple() const { return tuple_; }
  void SendCheck();
  void Pump();
  std::vector<ParsedRtp> TakeAll() {
    TakeRtcp();
    return TakeRtp();
  }

 private:
  World& world_;
  int shard_;
  FiveTuple tuple_;
};

// Two engines, the mesh between them and their peers. Time is a constructed Instant.
class World {
 public:
  explicit World(size_t ring_slots = 256)
      : certificate_(MakeCertificate("sfud")), mesh_(2, ring_slots) {
    for (int k = 0; k < 2; ++k) {
      randoms_.push_back(std::make_unique<SeededRandom>(70 + k));
      ShardEngineConfig config;
      config.max_peers = 16;
      config.router.keyframe_request_interval = milliseconds(20);
      engines_.push_back(std::make_unique<ShardEngine>(config, certificate_, *randoms_.back()));
      engines_.back()->AttachCrossShard(&mesh_, static_cast<uint16_t>(k));
    }
  }

  ShardEngine& engine(int k) { return *engines_[k]; }
  Instant now() const { return now_; }
  CrossShardMesh& mesh() { return mesh_; }

  ShardPeer& NewPeer(int shard, PeerId id) {
    auto peer = std::make_unique<ShardPeer>(*this, shard, id, static_cast<uint16_t>(50000 + id));
    peer->set_server_fingerprint(certificate_->fingerprint_sha256());
    ShardPeer& ref = *peer;
    peers_[ref.tuple().remote.port] = std::move(peer);
    return ref;
  }

  AddPeer BaseCommand(const ShardPeer& peer) const {
    AddPeer add;
    add.peer = peer.id();
    add.room = kRoom;
    add.local_ufrag = peer.server_ufrag();
    add.local_pwd = peer.server_pwd();
    add.remote_ufrag = peer.ufrag();
    add.remote_fingerprint = peer.fingerprint();
    return add;
  }
  absl::Status AddPublisher(const ShardPeer& peer) {
    AddPeer add = BaseCommand(peer);
    add.media = OpusVp8Publisher(peer.id());
    return engine(peer.shard()).HandleCommand(now_, std::move(add));
  }
  absl::Status AddSubscriber(const ShardPeer& peer) {
    AddPeer add = BaseCommand(peer);
    SubscriberConfig subscriber;
    subscriber.slots.push_back(SlotConfig{"0",
                                          MediaKind::kAudio,
                                          {CodecConfig{kSubOpusPt, "opus", 48000, 0}},
                                          {},
                                          SubAudioSsrc(peer.id()),
                                          0});
    subscriber.slots.push_back(SlotConfig{"1",
                                          MediaKind::kVideo,
                                          {CodecConfig{kSubVp8Pt, "VP8", 90000, 0}},
                                          {},
                                          SubVideoSsrc(peer.id()),
                                          0});
    add.media = subscriber;
    return engine(peer.shard()).HandleCommand(now_, std::move(add));
  }
  // What the control plane posts when the room (home 0) starts spanning shard 1.
  void SpanRoom(const ShardPeer& publisher) {
    ASSERT_TRUE(engine(0).HandleCommand(now_, StartHandOff{kRoom, 1}).ok());
    AddRemotePublisher remote;
    remote.peer = publisher.id();
    remote.room = kRoom;
    remote.home_shard = 0;
    remote.media = OpusVp8Publisher(publisher.id());
    ASSERT_TRUE(engine(1).HandleCommand(now_, std::move(remote)).ok());
  }

  // One datagram into its peer's shard, without moving anything across shards.
  void Inject(const ShardPeer& from, std::vector<uint8_t> datagram) {
    engine(from.shard()).HandleDatagram(now_, from.tuple(), absl::MakeSpan(datagram));
  }
  // One datagram, then everything it causes on both shards.
  void Send(const ShardPeer& from, std::vector<uint8_t> datagram) {
    Inject(from, std::move(datagram));
    Settle();
  }

  // Delivers transmits and drains the rings until nothing moves (bounded).
  void Settle() {
    for (int round = 0; round < 32; ++round) {
      Deliver(0);
      Deliver(1);
      size_t moved = 0;
      for (int k = 0; k < 2; ++k) moved += engine(k).DrainCrossShard(now_);
      if (moved == 0) {
        Deliver(0);
        Deliver(1);
        return;
      }
    }
    ADD_FAILURE() << "the shards kept handing packets to each other";
  }

  void Deliver(int k) {
    for (uint16_t shard : engine(k).cross_shard_wakes()) ++wakes[k][shard];
    engine(k).ClearCrossShardWakes();
    std::vector<std::pair<FiveTuple, std::vector<uint8_t>>> out;
    for (const Transmit& t : engine(k).transmits()) {
      EXPECT_EQ(t.destination.local, ServerAddress(k));
      out.emplace_back(t.destination, std::vector<uint8_t>(t.data.begin(), t.data.end()));
    }
    engine(k).ClearTransmits();
    for (auto& [tuple, bytes] : out) {
      auto it = peers_.find(tuple.remote.port);
      ASSERT_NE(it, peers_.end());
      EXPECT_EQ(it->second->shard(), k);
      it->second->Receive(now_, std::move(bytes));
    }
    while (engine(k).PollEvent().has_value()) {
    }
  }

  void Advance(Duration d) {
    now_ += d;
    for (int k = 0; k < 2; ++k) engine(k).HandleTimeout(now_);
    Settle();
  }

  bool Connect(std::initializer_list<ShardPeer*> peers) {
    for (ShardPeer* p : peers) {
      p->SendCheck();
      p->StartDtls(now_);
    }
    for (int step = 0; step < 200; ++step) {
      for (ShardPeer* p : peers) p->Pump();
      bool all = true;
      for (ShardPeer* p : peers) all = all && p->connected();
      if (all) return true;
      now_ += milliseconds(10);
      for (int k = 0; k < 2; ++k) engine(k).HandleTimeout(now_);
      for (ShardPeer* p : peers) {
        if (p->dtls() != nullptr) p->dtls()->HandleTimeout(now_);
      }
      Settle();
    }
    return false;
  }

  std::map<uint16_t, int> wakes[2];  // per producing shard: wake-ups asked for, by shard

 private:
  std::shared_ptr<const crypto::Certificate> certificate_;
  std::vector<std::unique_ptr<SeededRandom>> randoms_;
  CrossShardMesh mesh_;
  std::vector<std::unique_ptr<ShardEngine>> engines_;
  Instant now_ = Instant::FromNanos(5'000'000'000);
  std::map<uint16_t, std::unique_ptr<ShardPeer>> peers_;
};

void ShardPeer::SendCheck() { world_.Send(*this, BindingRequest(true, server_pwd())); }

void ShardPeer::Pump() {
  for (int i = 0; i < 64; ++i) {
    std::optional<std::vector<uint8_t>> datagram = PollTransmit();
    if (!datagram.has_value()) break;
    world_.Send(*this, *std::move(datagram));
  }
  PollEvents();
}

std::vector<ParsedRtp> OfPt(const std::vector<ParsedRtp>& all, uint8_t pt) {
  std::vector<ParsedRtp> out;
  for (const ParsedRtp& p : all) {
    if (p.pt == pt) out.push_back(p);
  }
  return out;
}

TEST(CrossShardEngineTest, PublisherOnShard0ReachesSubscribersOnShard1ByteIdentical) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& local = w.NewPeer(0, 2);
  ShardPeer& sub_a = w.NewPeer(1, 3);
  ShardPeer& sub_b = w.NewPeer(1, 4);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(local).ok());
  ASSERT_TRUE(w.AddSubscriber(sub_a).ok());
  ASSERT_TRUE(w.AddSubscriber(sub_b).ok());
  w.SpanRoom(pub);
  ASSERT_TRUE(w.Connect({&pub, &local, &sub_a, &sub_b}));

  std::vector<std::vector<uint8_t>> audio_payloads, video_payloads;
  for (int i = 0; i < 5; ++i) {
    audio_payloads.push_back(Audio(i));
    w.Send(pub, pub.ProtectRtp(MakeRtp(kOpusPt, static_cast<uint16_t>(1000 + i), 960u * i,
                                       kAudioSsrc, audio_payloads.back())));
    video_payloads.push_back(test_support::Vp8Payload(i == 0, static_cast<uint8_t>(i), 700));
    w.Send(pub, pub.ProtectRtp(MakeRtp(kVp8Pt, static_cast<uint16_t>(5000 + i), 3000u * i,
                                       kVideoSsrc, video_payloads.back(), true)));
  }

  for (ShardPeer* sub : {&local, &sub_a, &sub_b}) {
    SCOPED_TRACE(sub->id());
    const std::vector<ParsedRtp> got = sub->TakeAll();
    const std::vector<ParsedRtp> audio = OfPt(got, kSubOpusPt);
    const std::vector<ParsedRtp> video = OfPt(got, kSubVp8Pt);
    ASSERT_EQ(audio.size(), 5u);
    ASSERT_EQ(video.size(), 5u);
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(audio[i].ssrc, SubAudioSsrc(sub->id()));
      EXPECT_EQ(video[i].ssrc, SubVideoSsrc(sub->id()));
      EXPECT_EQ(audio[i].payload, audio_payloads[i]);
      EXPECT_EQ(video[i].payload, video_payloads[i]);
      if (i > 0) {
        EXPECT_EQ(static_cast<uint16_t>(video[i].seq - video[i - 1].seq), 1);
      }
    }
  }
  // Handed once per packet to shard 1, not once per subscriber there; encrypted there.
  const CrossShardStats& home = w.engine(0).cross_shard_stats();
  const CrossShardStats& remote = w.engine(1).cross_shard_stats();
  EXPECT_EQ(home.handoff_packets, 10u);
  EXPECT_EQ(remote.handoff_received, 10u);
  EXPECT_EQ(w.engine(0).stats().rtp_out, 10u);
  EXPECT_EQ(w.engine(1).stats().rtp_out, 20u);
  EXPECT_EQ(w.engine(0).stats().drop_out_remote_shard, 0u);
  EXPECT_EQ(remote.drop_handoff_unknown_publisher, 0u);
  // Every Send here was one batch holding one packet for shard 1: one wake-up each.
  EXPECT_EQ(w.wakes[0][1], 10);
}

TEST(CrossShardEngineTest, OneWakePerBatchNotPerPacket) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& sub = w.NewPeer(1, 2);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(sub).ok());
  w.SpanRoom(pub);
  ASSERT_TRUE(w.Connect({&pub, &sub}));
  w.Deliver(0);
  // A receive batch of 20 packets on the home shard: 20 slots, one wake-up for shard 1.
  for (int i = 0; i < 20; ++i) {
    w.Inject(pub, pub.ProtectRtp(
                      MakeRtp(kOpusPt, static_cast<uint16_t>(i), 960u * i, kAudioSsrc, Audio(i))));
  }
  ASSERT_EQ(w.engine(0).cross_shard_wakes().size(), 1u);
  EXPECT_EQ(w.engine(0).cross_shard_wakes()[0], 1u);
  EXPECT_TRUE(w.engine(1).cross_shard_pending());
  // The consumer's drain is bounded per call.
  EXPECT_EQ(w.engine(1).DrainCrossShard(w.now(), 8), 8u);
  EXPECT_TRUE(w.engine(1).cross_shard_pending());
  w.Settle();
  EXPECT_FALSE(w.engine(1).cross_shard_pending());
  EXPECT_EQ(OfPt(sub.TakeAll(), kSubOpusPt).size(), 20u);
}

TEST(CrossShardEngineTest, KeyframeRequestFromShard1ReachesThePublisherOnShard0) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& sub = w.NewPeer(1, 2);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(sub).ok());
  w.SpanRoom(pub);
  // The publisher connects first, so the subscriber's own connection is what asks.
  ASSERT_TRUE(w.Connect({&pub}));
  pub.TakeRtcp();
  const size_t before = PliMediaSsrcs(pub.rtcp_plain).size();
  ASSERT_TRUE(w.Connect({&sub}));
  pub.TakeRtcp();
  std::vector<uint32_t> plis = PliMediaSsrcs(pub.rtcp_plain);
  ASSERT_EQ(plis.size(), before + 1);
  EXPECT_EQ(plis.back(), kVideoSsrc);
  EXPECT_EQ(w.engine(1).cross_shard_stats().feedback_sent, 1u);
  EXPECT_EQ(w.engine(0).cross_shard_stats().remote_keyframe_requests, 1u);

  // Once the viewer gets video, its own PLI (for its rewritten SSRC) travels the same way.
  w.Send(pub, pub.ProtectRtp(
                  MakeRtp(kVp8Pt, 1, 0, kVideoSsrc, test_support::Vp8Payload(true, 1, 100), true)));
  ASSERT_EQ(OfPt(sub.TakeAll(), kSubVp8Pt).size(), 1u);
  w.Advance(milliseconds(30));
  std::vector<uint8_t> pli = {0x81, 206, 0, 2};
  test_support::PutU32(pli, 0x77);
  test_support::PutU32(pli, SubVideoSsrc(sub.id()));
  w.Send(sub, sub.ProtectRtcp(pli));
  pub.TakeRtcp();
  plis = PliMediaSsrcs(pub.rtcp_plain);
  ASSERT_EQ(plis.size(), before + 2);
  EXPECT_EQ(plis.back(), kVideoSsrc);
}

TEST(CrossShardEngineTest, PublisherRtcpReachesShard1AndItsByeEndsTheTrackThere) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& sub = w.NewPeer(1, 2);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(sub).ok());
  w.SpanRoom(pub);
  ASSERT_TRUE(w.Connect({&pub, &sub}));
  w.Send(pub, pub.ProtectRtp(MakeRtp(kOpusPt, 1, 0, kAudioSsrc, Audio(1))));
  ASSERT_EQ(OfPt(sub.TakeAll(), kSubOpusPt).size(), 1u);

  // RFC 3550 §6.6 BYE for the audio SSRC: the home Router ends the track, and so does shard 1's.
  std::vector<uint8_t> bye = {0x81, 203, 0, 1};
  test_support::PutU32(bye, kAudioSsrc);
  w.Send(pub, pub.ProtectRtcp(bye));
  EXPECT_EQ(w.engine(0).cross_shard_stats().handoff_rtcp, 1u);
  EXPECT_EQ(w.engine(1).cross_shard_stats().handoff_rtcp_received, 1u);
  EXPECT_EQ(w.engine(0).router().stats().tracks_ended, 1u);
  EXPECT_EQ(w.engine(1).router().stats().tracks_ended, 1u);
}

TEST(CrossShardEngineTest, ViewerOnShard1BeforeThePublisherGetsMediaOnceItStarts) {
  World w;
  ShardPeer& sub = w.NewPeer(1, 2);
  ASSERT_TRUE(w.AddSubscriber(sub).ok());
  ASSERT_TRUE(w.engine(0).HandleCommand(w.now(), StartHandOff{kRoom, 1}).ok());
  ASSERT_TRUE(w.Connect({&sub}));

  ShardPeer& pub = w.NewPeer(0, 1);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  AddRemotePublisher remote;
  remote.peer = pub.id();
  remote.room = kRoom;
  remote.home_shard = 0;
  remote.media = OpusVp8Publisher(pub.id());
  ASSERT_TRUE(w.engine(1).HandleCommand(w.now(), std::move(remote)).ok());
  ASSERT_TRUE(w.Connect({&pub}));
  pub.TakeRtcp();
  const size_t plis_before = PliMediaSsrcs(pub.rtcp_plain).size();

  // Delta frames first: shard 1's slot waits for a keyframe and asks the publisher for one.
  w.Send(pub, pub.ProtectRtp(MakeRtp(kVp8Pt, 100, 0, kVideoSsrc,
                                     test_support::Vp8Payload(false, 1, 50), true)));
  pub.TakeRtcp();
  EXPECT_GT(PliMediaSsrcs(pub.rtcp_plain).size(), plis_before);
  EXPECT_TRUE(OfPt(sub.TakeAll(), kSubVp8Pt).empty());

  const std::vector<uint8_t> key = test_support::Vp8Payload(true, 2, 500);
  w.Send(pub, pub.ProtectRtp(MakeRtp(kVp8Pt, 101, 3000, kVideoSsrc, key, true)));
  const std::vector<ParsedRtp> video = OfPt(sub.TakeAll(), kSubVp8Pt);
  ASSERT_EQ(video.size(), 1u);
  EXPECT_EQ(video[0].payload, key);
}

TEST(CrossShardEngineTest, FullRingDropsAndCountsThenNackRecoversTheGap) {
  World w(/*ring_slots=*/4);
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& sub = w.NewPeer(1, 2);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(sub).ok());
  w.SpanRoom(pub);
  ASSERT_TRUE(w.Connect({&pub, &sub}));

  // Shard 1 does not drain while 8 packets arrive at home: 4 fit, 4 are dropped and counted.
  for (int i = 0; i < 8; ++i) {
    w.Inject(pub, pub.ProtectRtp(
                      MakeRtp(kOpusPt, static_cast<uint16_t>(i), 960u * i, kAudioSsrc, Audio(i))));
  }
  EXPECT_EQ(w.engine(0).cross_shard_stats().handoff_packets, 4u);
  EXPECT_EQ(w.engine(0).cross_shard_stats().drop_handoff_queue_full, 4u);
  EXPECT_EQ(w.engine(0).stats().drop_out_remote_shard, 4u);
  w.Settle();
  // The next packet shows shard 1's Router the gap; it NACKs it home after its reorder delay, and
  // home hands the buffered packets again.
  w.Send(pub, pub.ProtectRtp(MakeRtp(kOpusPt, 8, 960u * 8, kAudioSsrc, Audio(8))));
  w.Advance(milliseconds(10));
  w.Advance(milliseconds(10));
  EXPECT_EQ(w.engine(0).cross_shard_stats().remote_nacks_resent, 4u);
  std::set<std::vector<uint8_t>> got;
  for (const ParsedRtp& p : OfPt(sub.TakeAll(), kSubOpusPt)) got.insert(p.payload);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(got.count(Audio(i)), 1u) << i;
}

TEST(CrossShardEngineTest, StopHandOffAndRemoveRemotePublisherEndTheHandOff) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& sub = w.NewPeer(1, 2);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(sub).ok());
  w.SpanRoom(pub);
  ASSERT_TRUE(w.Connect({&pub, &sub}));
  w.Send(pub, pub.ProtectRtp(MakeRtp(kOpusPt, 1, 0, kAudioSsrc, Audio(1))));
  EXPECT_EQ(OfPt(sub.TakeAll(), kSubOpusPt).size(), 1u);
  EXPECT_EQ(w.engine(0).cross_shard_stats().handoff_packets, 1u);

  // The last subscriber on shard 1 left: the control thread stops the hand-off on both ends.
  w.engine(1).RemovePeer(w.now(), sub.id());
  ASSERT_TRUE(w.engine(0).HandleCommand(w.now(), StopHandOff{kRoom, 1}).ok());
  ASSERT_TRUE(w.engine(1).HandleCommand(w.now(), RemoveRemotePublisher{pub.id()}).ok());
  w.Settle();
  for (int i = 2; i < 6; ++i) {
    w.Send(pub, pub.ProtectRtp(
                    MakeRtp(kOpusPt, static_cast<uint16_t>(i), 960u * i, kAudioSsrc, Audio(i))));
  }
  EXPECT_EQ(w.engine(0).cross_shard_stats().handoff_packets, 1u);
  EXPECT_EQ(w.engine(0).router().stats().remote_shard_packets, 1u);
  EXPECT_FALSE(w.engine(1).cross_shard_pending());
  // A packet that was already in flight for a publisher no longer proxied is dropped, counted.
  ASSERT_TRUE(w.engine(0).HandleCommand(w.now(), StartHandOff{kRoom, 1}).ok());
  w.Send(pub, pub.ProtectRtp(MakeRtp(kOpusPt, 6, 960u * 6, kAudioSsrc, Audio(6))));
  EXPECT_EQ(w.engine(1).cross_shard_stats().drop_handoff_unknown_publisher, 1u);
}

TEST(CrossShardEngineTest, CommandsWithoutARingOrWithADuplicateIdAreRefused) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  EXPECT_FALSE(w.engine(0).HandleCommand(w.now(), StartHandOff{kRoom, 0}).ok());  // itself
  EXPECT_FALSE(w.engine(0).HandleCommand(w.now(), StartHandOff{kRoom, 5}).ok());
  AddRemotePublisher remote;
  remote.peer = pub.id();
  remote.room = kRoom;
  remote.home_shard = 1;
  remote.media = OpusVp8Publisher(pub.id());
  // Shard 0 already has this PeerId as a local publisher.
  EXPECT_FALSE(w.engine(0).HandleCommand(w.now(), remote).ok());
  remote.home_shard = 9;
  EXPECT_FALSE(w.engine(1).HandleCommand(w.now(), remote).ok());
  EXPECT_EQ(w.engine(1).cross_shard_stats().remote_publishers_rejected, 1u);
  // An engine with no mesh drops a hand-off and counts it.
  SeededRandom random(5);
  ShardEngine lone(ShardEngineConfig{}, MakeCertificate("lone"), random);
  EXPECT_FALSE(lone.HandleCommand(w.now(), StartHandOff{kRoom, 1}).ok());
  EXPECT_EQ(lone.DrainCrossShard(w.now()), 0u);
  EXPECT_FALSE(lone.cross_shard_pending());
}

TEST(CrossShardEngineTest, SteadyStateHandOffAllocatesNothing) {
  World w;
  ShardPeer& pub = w.NewPeer(0, 1);
  ShardPeer& sub_a = w.NewPeer(1, 2);
  ShardPeer& sub_b = w.NewPeer(1, 3);
  ASSERT_TRUE(w.AddPublisher(pub).ok());
  ASSERT_TRUE(w.AddSubscriber(sub_a).ok());
  ASSERT_TRUE(w.AddSubscriber(sub_b).ok());
  w.SpanRoom(pub);
  ASSERT_TRUE(w.Connect({&pub, &sub_a, &sub_b}));
  // Warm up (first packets bind slots, start report timers), then prepare the measured packets.
  uint16_t seq = 0;
  for (; seq < 20; ++seq) {
    w.Send(pub, pub.ProtectRtp(MakeRtp(kVp8Pt, seq, 3000u * seq, kVideoSsrc,
                                       test_support::Vp8Payload(seq == 0, 1, 900), true)));
  }
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < 200; ++i, ++seq) {
    packets.push_back(pub.ProtectRtp(MakeRtp(kVp8Pt, seq, 3000u * seq, kVideoSsrc,
                                             test_support::Vp8Payload(false, 1, 900), true)));
  }
  uint64_t allocations = 0;
  {
    testing_alloc::AllocationCounter counter;
    for (std::vector<uint8_t>& packet : packets) {
      w.engine(0).HandleDatagram(w.now(), pub.tuple(), absl::MakeSpan(packet));
      w.engine(0).ClearTransmits();
      w.engine(0).ClearCrossShardWakes();
      w.engine(1).DrainCrossShard(w.now());
      w.engine(1).ClearTransmits();
    }
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(w.engine(1).cross_shard_stats().handoff_received, 220u);
  EXPECT_EQ(w.engine(1).stats().rtp_out, 2u * 20 + 2u * 200);
}

}  // namespace
}  // namespace sfu::sfu
