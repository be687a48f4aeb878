#include "tests/integration/dataplane_harness.h"

#include <poll.h>

#include <algorithm>
#include <set>

#include "core/net/monotonic_clock.h"

namespace sfu::net {

namespace ss = ::sfu::sfu;
using test_support::UdpPeer;

void DataplaneFixture::SetUp() {
  certificate_ = test_support::MakeCertificate("sfud");
  for (int k = 0; k < shard_count(); ++k) {
    absl::StatusOr<Waker> waker = Waker::Create();
    ASSERT_TRUE(waker.ok());
    channels_.push_back(std::make_unique<ControlChannel>(*std::move(waker)));
    ControlChannel* channel = channels_.back().get();
    ShardLoopOptions options;
    options.index = k;
    options.listen = {SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}};
    options.io.kind = backend();
    options.io.receive_slots_per_socket = 256;
    options.engine.router.keyframe_request_interval = std::chrono::milliseconds(20);
    ConfigureShard(options);
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

void DataplaneFixture::TearDown() { StopShards(); }

void DataplaneFixture::StopShards() {
  for (auto& loop : loops_) loop->Stop();
}

test_support::SimPeerConfig DataplaneFixture::NextPeerConfig() {
  const ss::PeerId id = next_id_++;
  test_support::SimPeerConfig config;
  config.id = id;
  config.ufrag = "peer" + std::to_string(id);
  config.server_ufrag = "srv" + std::to_string(id) + "x";
  config.server_pwd = "serverpassword" + std::to_string(id) + "x0123456789abcdef";
  config.seed = 4000 + id;
  config.server_fingerprint = certificate_->fingerprint_sha256();
  config.certificate_name = "testpeer";
  return config;
}

UdpPeer& DataplaneFixture::NewPeer(int shard) { return NewPeerVia(shard_address(shard)); }

UdpPeer& DataplaneFixture::NewPeerVia(SocketAddress server) {
  peers_.push_back(std::make_unique<UdpPeer>(NextPeerConfig(), server));
  return *peers_.back();
}

void DataplaneFixture::Post(int shard, ss::ShardCommand command) {
  ASSERT_TRUE(channels_[shard]->commands.TryPush(std::move(command)));
  channels_[shard]->waker.Wake();
}

ss::PublisherConfig DataplaneFixture::OpusVp8Publisher(ss::PeerId id) {
  ss::PublisherConfig publisher;
  publisher.tracks.push_back(ss::TrackConfig{"0",
                                             ss::MediaKind::kAudio,
                                             {ss::CodecConfig{kOpusPt, "opus", 48000, 0}},
                                             {},
                                             {ss::LayerConfig{"", kPubAudioSsrc, 0}}});
  publisher.tracks.push_back(ss::TrackConfig{"1",
                                             ss::MediaKind::kVideo,
                                             {ss::CodecConfig{kVp8Pt, "VP8", 90000, 0}},
                                             {},
                                             {ss::LayerConfig{"", kPubVideoSsrc, 0}}});
  publisher.feedback_ssrc = 0x5F5F0000 + id;
  return publisher;
}

void DataplaneFixture::AddPublisher(int shard, const test_support::SimPeer& peer, ss::RoomId room) {
  ss::AddPeer add = peer.BaseCommand(room);
  add.media = OpusVp8Publisher(peer.id());
  Post(shard, std::move(add));
}

ss::SubscriberConfig DataplaneFixture::OpusVp8Subscriber(ss::PeerId id) {
  ss::SubscriberConfig subscriber;
  subscriber.slots.push_back(ss::SlotConfig{"0",
                                            ss::MediaKind::kAudio,
                                            {ss::CodecConfig{kSubOpusPt, "opus", 48000, 0}},
                                            {},
                                            0xA0000000 + id,
                                            0});
  subscriber.slots.push_back(ss::SlotConfig{"1",
                                            ss::MediaKind::kVideo,
                                            {ss::CodecConfig{kSubVp8Pt, "VP8", 90000, 0}},
                                            {},
                                            0xB0000000 + id,
                                            0});
  return subscriber;
}

void DataplaneFixture::AddSubscriber(int shard, const test_support::SimPeer& peer,
                                     ss::RoomId room) {
  ss::AddPeer add = peer.BaseCommand(room);
  add.media = OpusVp8Subscriber(peer.id());
  Post(shard, std::move(add));
}

void DataplaneFixture::AddService(int fd, std::function<void(Instant)> service) {
  services_.push_back(Service{fd, std::move(service)});
}

bool DataplaneFixture::RunUntil(const std::function<bool()>& done,
                                std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const Instant now = MonotonicClock::Now();
    for (auto& peer : peers_) peer->Service(now);
    for (Service& service : services_) service.run(now);
    for (auto& channel : channels_) {
      ss::ShardEvent event;
      while (channel->events.TryPop(event)) events_.push_back(event);
    }
    if (done()) return true;
    std::vector<pollfd> fds;
    for (auto& peer : peers_) fds.push_back(pollfd{peer->fd(), POLLIN, 0});
    for (Service& service : services_) {
      if (service.fd >= 0) fds.push_back(pollfd{service.fd, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), 2);
  }
  return false;
}

void DataplaneFixture::RunFor(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  RunUntil([&] { return std::chrono::steady_clock::now() >= end; }, duration + kStepTimeout);
}

bool DataplaneFixture::ConnectPeers(const std::vector<UdpPeer*>& peers) {
  // A check can reach a shard before the AddPeer naming its ufrag (commands and datagrams travel
  // separately), or be lost on an impaired path: it is repeated every 20 ms until answered, as
  // an ICE agent would. DTLS starts once the tuple is bound, so no ClientHello is refused.
  std::vector<std::chrono::steady_clock::time_point> last_check(peers.size());
  std::vector<bool> dtls_started(peers.size(), false);
  const bool connected = RunUntil([&] {
    const auto wall = std::chrono::steady_clock::now();
    bool all = true;
    for (size_t i = 0; i < peers.size(); ++i) {
      UdpPeer& peer = *peers[i];
      if (peer.sim().stun_responses == 0) {
        if (wall - last_check[i] >= std::chrono::milliseconds(20)) {
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
  if (!connected) {
    for (UdpPeer* peer : peers) {
      ADD_FAILURE() << "peer " << peer->id() << ": stun responses " << peer->sim().stun_responses
                    << ", dtls datagrams " << peer->sim().dtls_received << ", connected "
                    << peer->connected() << "; shard events " << events_.size();
    }
  }
  return connected;
}

std::vector<Room> DataplaneFixture::ConnectRooms(int subscribers) {
  std::vector<Room> rooms;
  std::vector<UdpPeer*> peers;
  for (int k = 0; k < shard_count(); ++k) {
    Room room{static_cast<ss::RoomId>(100 + k), k, &NewPeer(k), {}};
    AddPublisher(k, room.publisher->sim(), room.id);
    peers.push_back(room.publisher);
    for (int i = 0; i < subscribers; ++i) {
      room.subscribers.push_back(&NewPeer(k));
      AddSubscriber(k, room.subscribers.back()->sim(), room.id);
      peers.push_back(room.subscribers.back());
    }
    rooms.push_back(room);
  }
  ConnectPeers(peers);
  return rooms;
}

std::string DataplaneParamName(const testing::TestParamInfo<DataplaneParam>& info) {
  return std::string(std::get<0>(info.param) == IoBackendKind::kIoUring ? "IoUring" : "Mmsg") +
         "_" + std::to_string(std::get<1>(info.param)) + "shard";
}

}  // namespace sfu::net
