// ShardEngine::NeedsFlush: a driver that sends and clears the queued transmits whenever the engine
// asks loses no copy of a big room's fan-out, however small the engine's output queues are; a
// driver that ignores it (what ShardLoop did before: one flush per 64-datagram receive batch)
// loses copies to RouterStats::dropped_output_full. Found by bench/forward at 100 and 1000
// subscribers.
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "core/common/random.h"
#include "core/sfu/shard_engine.h"
#include "crypto/certificate.h"
#include "gtest/gtest.h"
#include "tests/support/engine_harness.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/sim_peer.h"

namespace sfu::sfu {
namespace {

constexpr int kSubscribers = 12;
constexpr int kPackets = 40;

using test_support::Browser;

// Queues sized for about two datagrams' worth of a 12-subscriber fan-out.
ShardEngineConfig SmallQueues() {
  ShardEngineConfig config;
  config.router_outputs = 32;
  config.router_arena_bytes = 32 * 1600;
  config.max_transmits = 48;
  return config;
}

class FlushHarness : public test_support::EngineHarness {
 public:
  FlushHarness() : EngineHarness(SmallQueues(), 11) {}
};

// A room of one video publisher and kSubscribers viewers, connected; returns the publisher's
// protected packets of one burst (a keyframe first, so every viewer forwards from the start).
struct Room {
  explicit Room(FlushHarness& h) : pub(1, "198.51.100.9", 50001) {
    AddPeer add_pub = pub.sim.BaseCommand(1);
    PublisherConfig publisher;
    publisher.tracks.push_back(TrackConfig{"0",
                                           MediaKind::kVideo,
                                           {CodecConfig{96, "VP8", 90000, 0}},
                                           {},
                                           {LayerConfig{"", 0x20, 0}}});
    publisher.feedback_ssrc = 0x5F5F0001;
    add_pub.media = publisher;
    EXPECT_TRUE(h.engine().AddPeer(h.now(), std::move(add_pub)).ok());
    std::vector<Browser*> all = {&pub};
    for (int i = 0; i < kSubscribers; ++i) {
      subs.push_back(std::make_unique<Browser>(static_cast<PeerId>(10 + i), "198.51.100.9",
                                               static_cast<uint16_t>(51000 + i)));
      AddPeer add = subs.back()->sim.BaseCommand(1);
      SubscriberConfig subscriber;
      subscriber.slots.push_back(SlotConfig{"0",
                                            MediaKind::kVideo,
                                            {CodecConfig{100, "VP8", 90000, 0}},
                                            {},
                                            0xB000u + static_cast<uint32_t>(i),
                                            0});
      add.media = subscriber;
      EXPECT_TRUE(h.engine().AddPeer(h.now(), std::move(add)).ok());
      all.push_back(subs.back().get());
    }
    connected = h.Connect(all);
    for (int i = 0; i < kPackets; ++i) {
      burst.push_back(pub.sim.ProtectRtp(test_support::MakeRtp(
          96, static_cast<uint16_t>(3000 + i), 9000u * static_cast<uint32_t>(i / 5), 0x20,
          test_support::Vp8Payload(i == 0, static_cast<uint8_t>(i), 900))));
    }
  }

  size_t ReceivedBySubscribers() const {
    size_t n = 0;
    for (const auto& s : subs) n += s->sim.rtp_received.size();
    return n;
  }

  Browser pub;
  std::vector<std::unique_ptr<Browser>> subs;
  std::vector<std::vector<uint8_t>> burst;
  bool connected = false;
};

TEST(ShardEngineFlushTest, HonouringNeedsFlushLosesNoCopyOfABigFanOut) {
  FlushHarness h;
  Room room(h);
  ASSERT_TRUE(room.connected);
  const size_t before = room.ReceivedBySubscribers();
  int flushes = 0;
  for (std::vector<uint8_t>& packet : room.burst) {
    if (!h.engine().transmits().empty() && h.engine().NeedsFlush()) {
      h.Deliver();
      ++flushes;
    }
    h.engine().HandleDatagram(h.now(), room.pub.tuple, absl::MakeSpan(packet));
  }
  h.Deliver();
  EXPECT_GT(flushes, 0) << "the queues are small enough that the engine must ask";
  EXPECT_EQ(room.ReceivedBySubscribers() - before, size_t{kSubscribers} * kPackets);
  EXPECT_EQ(h.engine().router().stats().dropped_output_full, 0u);
  EXPECT_EQ(h.engine().stats().drop_queue_full, 0u);
}

TEST(ShardEngineFlushTest, IgnoringNeedsFlushDropsCopies) {
  FlushHarness h;
  Room room(h);
  ASSERT_TRUE(room.connected);
  const size_t before = room.ReceivedBySubscribers();
  // The whole burst as one receive batch, one flush at the end.
  for (std::vector<uint8_t>& packet : room.burst) {
    h.engine().HandleDatagram(h.now(), room.pub.tuple, absl::MakeSpan(packet));
  }
  h.Deliver();
  EXPECT_LT(room.ReceivedBySubscribers() - before, size_t{kSubscribers} * kPackets);
  EXPECT_GT(h.engine().router().stats().dropped_output_full, 0u);
}

}  // namespace
}  // namespace sfu::sfu
