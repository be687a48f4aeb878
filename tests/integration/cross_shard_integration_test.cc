// A room spanning shards on loopback: two real ShardLoops (io_uring and recvmmsg backends) on
// 127.0.0.1 sharing a CrossShardMesh and each other's wakers, this test acting as the control
// thread (the commands daemon/control_plane posts for a spread room). The publisher and one
// viewer are on shard 0, the room's home; two viewers are on shard 1 and get media through the
// hand-off, their keyframe requests reach the publisher through the ring back, and stopping the
// hand-off stops it. Browsers are simulated (tests/support UdpPeer). Every wait is bounded.

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/net/monotonic_clock.h"
#include "core/net/shard_loop.h"
#include "core/net/spsc_ring.h"
#include "core/net/waker.h"
#include "core/sfu/cross_shard_mesh.h"
#include "gtest/gtest.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/sim_peer.h"
#include "tests/support/udp_peer.h"

namespace sfu::net {
namespace {

namespace ss = ::sfu::sfu;
using std::chrono::milliseconds;
using test_support::MakeRtp;
using test_support::ParsedRtp;
using test_support::PliMediaSsrcs;
using test_support::UdpPeer;

constexpr uint8_t kOpusPt = 111;
constexpr uint8_t kVp8Pt = 96;
constexpr uint8_t kSubOpusPt = 109;
constexpr uint8_t kSubVp8Pt = 100;
constexpr uint32_t kAudioSsrc = 0x1111;
constexpr uint32_t kVideoSsrc = 0x2222;
constexpr ss::RoomId kRoom = 42;
constexpr int kShards = 2;
constexpr auto kStepTimeout = std::chrono::seconds(5);

struct Channel {
  explicit Channel(Waker w) : waker(std::move(w)) {}
  SpscRing<ss::ShardCommand, 256> commands;
  SpscRing<ss::ShardEvent, 1024> events;
  Waker waker;
};

ss::PublisherConfig OpusVp8Publisher(ss::PeerId id) {
  ss::PublisherConfig publisher;
  publisher.tracks.push_back(ss::TrackConfig{"0",
                                             ss::MediaKind::kAudio,
                                             {ss::CodecConfig{kOpusPt, "opus", 48000, 0}},
                                             {},
                                             {ss::LayerConfig{"", kAudioSsrc, 0}}});
  publisher.tracks.push_back(ss::TrackConfig{"1",
                                             ss::MediaKind::kVideo,
                                             {ss::CodecConfig{kVp8Pt, "VP8", 90000, 0}},
                                             {},
                                             {ss::LayerConfig{"", kVideoSsrc, 0}}});
  publisher.feedback_ssrc = 0x5F5F0000 + id;
  return publisher;
}

uint32_t SubAudioSsrc(ss::PeerId id) { return 0xA0000000 + id; }
uint32_t SubVideoSsrc(ss::PeerId id) { return 0xB0000000 + id; }

ss::SubscriberConfig OpusVp8Subscriber(ss::PeerId id) {
  ss::SubscriberConfig subscriber;
  subscriber.slots.push_back(ss::SlotConfig{"0",
                                            ss::MediaKind::kAudio,
                                            {ss::CodecConfig{kSubOpusPt, "opus", 48000, 0}},
                                            {},
                                            SubAudioSsrc(id),
                                            0});
  subscriber.slots.push_back(ss::SlotConfig{"1",
                                            ss::MediaKind::kVideo,
                                            {ss::CodecConfig{kSubVp8Pt, "VP8", 90000, 0}},
                                            {},
                                            SubVideoSsrc(id),
                                            0});
  return subscriber;
}

class CrossShardIntegrationTest : public testing::TestWithParam<IoBackendKind> {
 protected:
  void SetUp() override {
    certificate_ = test_support::MakeCertificate("sfud");
    mesh_ = std::make_unique<ss::CrossShardMesh>(kShards, 256);
    // Every shard's waker exists before any loop starts: each loop may wake the other.
    std::vector<const Waker*> wakers;
    for (int k = 0; k < kShards; ++k) {
      absl::StatusOr<Waker> waker = Waker::Create();
      ASSERT_TRUE(waker.ok());
      channels_.push_back(std::make_unique<Channel>(*std::move(waker)));
      wakers.push_back(&channels_.back()->waker);
    }
    for (int k = 0; k < kShards; ++k) {
      Channel* channel = channels_[k].get();
      ShardLoopOptions options;
      options.index = k;
      options.listen = {SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}};
      options.io.kind = GetParam();
      options.io.receive_slots_per_socket = 256;
      options.engine.router.keyframe_request_interval = milliseconds(20);
      options.cross_shard = mesh_.get();
      options.shard_wakers = wakers;
      ShardControl control;
      control.pop_command = [channel]() -> std::optional<ss::ShardCommand> {
        ss::ShardCommand command;
        if (!channel->commands.TryPop(command)) return std::nullopt;
        return command;
      };
      control.push_event = [channel](ss::ShardEvent&& event) {
        return channel->events.TryPush(std::move(event));
      };
      control.waker = &channel->waker;
      absl::StatusOr<std::unique_ptr<ShardLoop>> loop =
          ShardLoop::Start(std::move(options), certificate_, std::move(control));
      ASSERT_TRUE(loop.ok()) << loop.status();
      loops_.push_back(*std::move(loop));
    }
  }

  // Every loop stops before the mesh and the wakers go (members are destroyed after this).
  void TearDown() override { StopShards(); }
  void StopShards() {
    for (auto& loop : loops_) loop->Stop();
  }

  UdpPeer& NewPeer(int shard) {
    const ss::PeerId id = next_id_++;
    test_support::SimPeerConfig config;
    config.id = id;
    config.ufrag = "peer" + std::to_string(id);
    config.server_ufrag = "srv" + std::to_string(id) + "x";
    config.server_pwd = "serverpassword" + std::to_string(id) + "x0123456789abcdef";
    config.seed = 7000 + id;
    config.server_fingerprint = certificate_->fingerprint_sha256();
    config.certificate_name = "testpeer";
    peers_.push_back(std::make_unique<UdpPeer>(config, loops_[shard]->local_addresses()[0]));
    return *peers_.back();
  }

  void Post(int shard, ss::ShardCommand command) {
    ASSERT_TRUE(channels_[shard]->commands.TryPush(std::move(command)));
    channels_[shard]->waker.Wake();
  }

  bool RunUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kStepTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const Instant now = MonotonicClock::Now();
      for (auto& peer : peers_) peer->Service(now);
      for (auto& channel : channels_) {
        ss::ShardEvent event;
        while (channel->events.TryPop(event)) events_.push_back(event);
      }
      if (done()) return true;
      std::vector<pollfd> fds;
      for (auto& peer : peers_) fds.push_back(pollfd{peer->fd(), POLLIN, 0});
      poll(fds.data(), fds.size(), 2);
    }
    return false;
  }

  template <typename T>
  std::vector<T> EventsOf() const {
    std::vector<T> out;
    for (const ss::ShardEvent& e : events_) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  // Checks repeated every 20 ms until answered (a check may beat its AddPeer to the shard), DTLS
  // once bound; done when every peer is keyed and its shard reported PeerConnected.
  bool ConnectPeers(const std::vector<UdpPeer*>& peers) {
    std::vector<std::chrono::steady_clock::time_point> last_check(peers.size());
    std::vector<bool> dtls_started(peers.size(), false);
    return RunUntil([&] {
      const auto wall = std::chrono::steady_clock::now();
      bool all = true;
      for (size_t i = 0; i < peers.size(); ++i) {
        UdpPeer& peer = *peers[i];
        if (peer.sim().stun_responses == 0) {
          if (wall - last_check[i] >= milliseconds(20)) {
            peer.SendCheck();
            last_check[i] = wall;
          }
        } else if (!dtls_started[i]) {
          peer.StartDtls(MonotonicClock::Now());
          dtls_started[i] = true;
        }
        all = all && peer.connected();
      }
      if (!all) return false;
      std::set<ss::PeerId> reported;
      for (const ss::PeerConnected& c : EventsOf<ss::PeerConnected>()) reported.insert(c.peer);
      return std::all_of(peers.begin(), peers.end(),
                         [&](UdpPeer* p) { return reported.count(p->id()) == 1; });
    });
  }

  std::shared_ptr<const crypto::Certificate> certificate_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::unique_ptr<ss::CrossShardMesh> mesh_;
  std::vector<std::unique_ptr<ShardLoop>> loops_;
  std::vector<std::unique_ptr<UdpPeer>> peers_;
  std::vector<ss::ShardEvent> events_;
  ss::PeerId next_id_ = 1;
};

std::vector<ParsedRtp> OfPt(const std::vector<ParsedRtp>& all, uint8_t pt) {
  std::vector<ParsedRtp> out;
  for (const ParsedRtp& p : all) {
    if (p.pt == pt) out.push_back(p);
  }
  return out;
}

TEST_P(CrossShardIntegrationTest, RoomSpanningTwoShardsForwardsByteIdenticalAndStops) {
  constexpr int kPackets = 30;
  UdpPeer& pub = NewPeer(0);
  UdpPeer& local = NewPeer(0);
  UdpPeer& marker = NewPeer(0);  // never connects: its removal tells when shard 0 took a command
  UdpPeer& remote_a = NewPeer(1);
  UdpPeer& remote_b = NewPeer(1);
  // The control thread's commands for a room whose home is shard 0 and spans shard 1.
  ss::AddPeer add = pub.sim().BaseCommand(kRoom);
  add.media = OpusVp8Publisher(pub.id());
  Post(0, std::move(add));
  for (UdpPeer* sub : {&local, &marker, &remote_a, &remote_b}) {
    ss::AddPeer viewer = sub->sim().BaseCommand(kRoom);
    viewer.media = OpusVp8Subscriber(sub->id());
    Post(sub == &remote_a || sub == &remote_b ? 1 : 0, std::move(viewer));
  }
  Post(0, ss::StartHandOff{kRoom, 1});
  ss::AddRemotePublisher remote;
  remote.peer = pub.id();
  remote.room = kRoom;
  remote.home_shard = 0;
  remote.media = OpusVp8Publisher(pub.id());
  Post(1, std::move(remote));
  // The publisher first, then shard 1's viewers: their connection asks for a keyframe, which
  // must come home through the ring (the local viewer connects after, so the PLI is theirs).
  ASSERT_TRUE(ConnectPeers({&pub}));
  ASSERT_TRUE(ConnectPeers({&remote_a, &remote_b}));
  ASSERT_TRUE(RunUntil([&] { return !PliMediaSsrcs(pub.sim().rtcp_plain).empty(); }))
      << "no keyframe request from shard 1 reached the publisher";
  EXPECT_EQ(PliMediaSsrcs(pub.sim().rtcp_plain)[0], kVideoSsrc);
  ASSERT_TRUE(ConnectPeers({&local}));

  std::vector<std::vector<uint8_t>> audio_payloads, video_payloads;
  for (int i = 0; i < kPackets; ++i) {
    std::vector<uint8_t> audio(40 + i % 7);
    for (size_t j = 0; j < audio.size(); ++j) audio[j] = static_cast<uint8_t>(i * 13 + j);
    audio_payloads.push_back(audio);
    video_payloads.push_back(test_support::Vp8Payload(i == 0, static_cast<uint8_t>(i), 800));
    pub.SendRtp(MakeRtp(kOpusPt, static_cast<uint16_t>(1000 + i), 960u * i, kAudioSsrc,
                        audio_payloads[i], false));
    pub.SendRtp(MakeRtp(kVp8Pt, static_cast<uint16_t>(5000 + i), 3000u * i, kVideoSsrc,
                        video_payloads[i], true));
  }
  ASSERT_TRUE(RunUntil([&] {
    for (UdpPeer* sub : {&local, &remote_a, &remote_b}) {
      if (sub->sim().rtp_received.size() < 2 * kPackets) return false;
    }
    return true;
  })) << "viewers did not receive every packet: local "
      << local.sim().rtp_received.size() << ", shard 1: " << remote_a.sim().rtp_received.size()
      << " and " << remote_b.sim().rtp_received.size();
  for (UdpPeer* sub : {&local, &remote_a, &remote_b}) {
    SCOPED_TRACE(sub->id());
    const std::vector<ParsedRtp> got = sub->sim().TakeRtp();
    const std::vector<ParsedRtp> audio = OfPt(got, kSubOpusPt);
    const std::vector<ParsedRtp> video = OfPt(got, kSubVp8Pt);
    ASSERT_EQ(audio.size(), static_cast<size_t>(kPackets));
    ASSERT_EQ(video.size(), static_cast<size_t>(kPackets));
    for (int i = 0; i < kPackets; ++i) {
      EXPECT_EQ(audio[i].ssrc, SubAudioSsrc(sub->id()));
      EXPECT_EQ(video[i].ssrc, SubVideoSsrc(sub->id()));
      EXPECT_EQ(audio[i].payload, audio_payloads[i]);
      EXPECT_EQ(video[i].payload, video_payloads[i]);
    }
  }
  // Shard 1's last viewers leave: the hand-off stops (StopHandOff is ordered before the marker's
  // removal on shard 0, so its PeerRemoved shows the hand-off has stopped).
  Post(1, ss::RemovePeer{remote_a.id()});
  Post(1, ss::RemovePeer{remote_b.id()});
  Post(1, ss::RemoveRemotePublisher{pub.id()});
  Post(0, ss::StopHandOff{kRoom, 1});
  Post(0, ss::RemovePeer{marker.id()});
  ASSERT_TRUE(RunUntil([&] {
    std::set<ss::PeerId> removed;
    for (const ss::PeerRemoved& r : EventsOf<ss::PeerRemoved>()) removed.insert(r.peer);
    return removed.count(marker.id()) + removed.count(remote_a.id()) +
               removed.count(remote_b.id()) ==
           3;
  }));
  for (int i = kPackets; i < kPackets + 10; ++i) {
    pub.SendRtp(MakeRtp(kOpusPt, static_cast<uint16_t>(1000 + i), 960u * i, kAudioSsrc,
                        audio_payloads[0], false));
  }
  ASSERT_TRUE(RunUntil([&] { return local.sim().rtp_received.size() >= 10; }));
  StopShards();

  const ss::CrossShardStats& home = loops_[0]->final_cross_shard_stats();
  const ss::CrossShardStats& other = loops_[1]->final_cross_shard_stats();
  // Once per packet for the shard, not once per viewer there; none after the stop.
  EXPECT_EQ(home.handoff_packets, 2u * kPackets);
  EXPECT_EQ(other.handoff_received, home.handoff_packets);
  EXPECT_EQ(loops_[0]->final_stats().drop_out_remote_shard, 0u);
  EXPECT_GE(other.feedback_sent, 1u);
  EXPECT_GE(home.remote_keyframe_requests, 1u);
  EXPECT_EQ(loops_[1]->final_stats().rtp_out, 2u * 2 * kPackets);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrossShardIntegrationTest,
                         testing::Values(IoBackendKind::kIoUring, IoBackendKind::kMmsg),
                         [](const testing::TestParamInfo<IoBackendKind>& info) {
                           return std::string(info.param == IoBackendKind::kIoUring ? "IoUring"
                                                                                    : "Mmsg");
                         });

}  // namespace
}  // namespace sfu::net
