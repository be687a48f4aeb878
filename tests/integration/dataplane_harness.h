#pragma once

// The control thread's side of a loopback data-plane test: real ShardLoops (one per shard, the
// I/O backend and shard count from the test parameter) on 127.0.0.1 with kernel-chosen ports,
// driven through SPSC rings with AddPeer/RemovePeer, their events collected; simulated browsers
// (tests/support UdpPeer) and any other test-side services (relays, third-party stacks) serviced
// from the same single test thread. Every wait is bounded by a deadline on the real clock.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/net/io_backend.h"
#include "core/net/shard_loop.h"
#include "core/net/spsc_ring.h"
#include "core/net/waker.h"
#include "gtest/gtest.h"
#include "tests/support/udp_peer.h"

namespace sfu::net {

// Opus + VP8 as a browser offers them; subscribers negotiated other PTs, so rewriting shows.
inline constexpr uint8_t kOpusPt = 111;
inline constexpr uint8_t kVp8Pt = 96;
inline constexpr uint8_t kSubOpusPt = 109;
inline constexpr uint8_t kSubVp8Pt = 100;
inline constexpr uint32_t kPubAudioSsrc = 0x1111;
inline constexpr uint32_t kPubVideoSsrc = 0x2222;
inline constexpr auto kStepTimeout = std::chrono::seconds(5);

// The control thread's end of one shard: SPSC rings both ways and the shard's wake-up.
struct ControlChannel {
  explicit ControlChannel(Waker w) : waker(std::move(w)) {}
  SpscRing<sfu::ShardCommand, 256> commands;
  SpscRing<sfu::ShardEvent, 1024> events;
  Waker waker;
};

// One room on one shard: a publisher (Opus + VP8) and its subscribers.
struct Room {
  sfu::RoomId id = 0;
  int shard = 0;
  test_support::UdpPeer* publisher = nullptr;
  std::vector<test_support::UdpPeer*> subscribers;
};

using DataplaneParam = std::tuple<IoBackendKind, int>;  // backend, shard count

class DataplaneFixture : public testing::TestWithParam<DataplaneParam> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Lets a test change each shard's options (engine config, ...) before the loops start.
  virtual void ConfigureShard(ShardLoopOptions& options) { (void)options; }

  IoBackendKind backend() const { return std::get<0>(GetParam()); }
  int shard_count() const { return std::get<1>(GetParam()); }
  SocketAddress shard_address(int shard) const { return loops_[shard]->local_addresses()[0]; }

  // A simulated browser talking to `shard` directly, or to `server` (a relay in front of it).
  test_support::UdpPeer& NewPeer(int shard);
  test_support::UdpPeer& NewPeerVia(SocketAddress server);
  // The config a peer with the next id would get (for a test's own peer kinds).
  test_support::SimPeerConfig NextPeerConfig();

  void Post(int shard, sfu::ShardCommand command);
  static sfu::PublisherConfig OpusVp8Publisher(sfu::PeerId id);
  void AddPublisher(int shard, const test_support::SimPeer& peer, sfu::RoomId room);
  static uint32_t AudioSsrc(const test_support::UdpPeer& p) { return 0xA0000000 + p.id(); }
  static uint32_t VideoSsrc(const test_support::UdpPeer& p) { return 0xB0000000 + p.id(); }
  static sfu::SubscriberConfig OpusVp8Subscriber(sfu::PeerId id);
  void AddSubscriber(int shard, const test_support::SimPeer& peer, sfu::RoomId room);

  // Something else the test thread services each round (`fd` joins the poll set if >= 0).
  void AddService(int fd, std::function<void(Instant)> service);

  // Services every peer and service and drains every shard's events until `done` or the step
  // timeout (or `timeout`).
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::steady_clock::duration timeout = kStepTimeout);
  // Lets the shards take what is in flight (no condition to wait for: used to show that nothing
  // arrives, or that nothing more does).
  void RunFor(std::chrono::milliseconds duration);

  template <typename T>
  std::vector<T> EventsOf() const {
    std::vector<T> out;
    for (const sfu::ShardEvent& e : events_) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  // Checks from each peer (repeated until answered), DTLS once its tuple is bound; waits until all
  // have SRTP keys and the shards reported a PeerConnected for each.
  bool ConnectPeers(const std::vector<test_support::UdpPeer*>& peers);
  // One room per shard (publisher + `subscribers` viewers), everyone connected.
  std::vector<Room> ConnectRooms(int subscribers);
  void StopShards();

  std::shared_ptr<const crypto::Certificate> certificate_;
  std::vector<std::unique_ptr<ControlChannel>> channels_;
  std::vector<std::unique_ptr<ShardLoop>> loops_;
  std::vector<std::unique_ptr<test_support::UdpPeer>> peers_;
  std::vector<sfu::ShardEvent> events_;
  sfu::PeerId next_id_ = 1;

 private:
  struct Service {
    int fd;
    std::function<void(Instant)> run;
  };
  std::vector<Service> services_;
};

std::string DataplaneParamName(const testing::TestParamInfo<DataplaneParam>& info);

// Both I/O backends, one and two shards.
inline auto AllBackendsAndShardCounts() {
  return testing::Combine(testing::Values(IoBackendKind::kIoUring, IoBackendKind::kMmsg),
                          testing::Values(1, 2));
}

}  // namespace sfu::net
