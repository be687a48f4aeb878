// Steady-state media through the whole shard allocates nothing: a publisher's SRTP packets go
// HandleDatagram (demux, 5-tuple lookup, SRTP unprotect, Router fan-out, SRTP protect for two
// subscribers) → transmits() → ClearTransmits() inside a counting scope (alloc_counter.h).
//
// The setup is the in-memory browser of tests/support (as shard_engine_test.cc uses it): a Binding
// request from core/stun's builder, our DtlsEndpoint as the client, SRTP keyed from its exporter
// output.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/common/random.h"
#include "core/sfu/shard_engine.h"
#include "crypto/certificate.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/alloc_counter.h"
#include "tests/support/engine_harness.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/sim_peer.h"

namespace sfu::sfu {
namespace {

using test_support::MakeRtp;
using testing_alloc::AllocationCounter;

// RFC 7741 §4.2/§4.3: S=1, PID=0; P bit 0 marks a keyframe.
std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill) {
  return test_support::Vp8Payload(keyframe, fill, 600);
}

using Browser = test_support::Browser;
using AllocHarness = test_support::EngineHarness;

TEST(ShardEngineAllocationTest, SteadyStateSrtpFanOutAllocatesNothing) {
  AllocHarness h;
  Browser pub(1, "198.51.100.7", 50001), sub_a(2, "198.51.100.7", 50002),
      sub_b(3, "198.51.100.7", 50003);

  AddPeer add_pub = pub.sim.BaseCommand(1);
  PublisherConfig publisher;
  publisher.tracks.push_back(TrackConfig{"0",
                                         MediaKind::kAudio,
                                         {CodecConfig{111, "opus", 48000, 0}},
                                         {},
                                         {LayerConfig{"", 0x10, 0}}});
  publisher.tracks.push_back(TrackConfig{
      "1", MediaKind::kVideo, {CodecConfig{96, "VP8", 90000, 0}}, {}, {LayerConfig{"", 0x20, 0}}});
  publisher.feedback_ssrc = 0x5F5F0001;
  add_pub.media = publisher;
  ASSERT_TRUE(h.engine().AddPeer(h.now(), std::move(add_pub)).ok());
  uint32_t next_ssrc = 0xA000;
  for (Browser* sub : {&sub_a, &sub_b}) {
    AddPeer add = sub->sim.BaseCommand(1);
    SubscriberConfig subscriber;
    subscriber.slots.push_back(SlotConfig{
        "0", MediaKind::kAudio, {CodecConfig{109, "opus", 48000, 0}}, {}, next_ssrc++, 0});
    subscriber.slots.push_back(SlotConfig{
        "1", MediaKind::kVideo, {CodecConfig{100, "VP8", 90000, 0}}, {}, next_ssrc++, 0});
    add.media = subscriber;
    ASSERT_TRUE(h.engine().AddPeer(h.now(), std::move(add)).ok());
  }
  ASSERT_TRUE(h.Connect({&pub, &sub_a, &sub_b}));

  // Warm-up (outside the scope): first packets of each stream, a keyframe, through the normal
  // path, so per-stream state the Router creates once is in place.
  uint16_t audio_seq = 1000, video_seq = 2000;
  uint32_t audio_ts = 0, video_ts = 0;
  for (int i = 0; i < 20; ++i) {
    h.Send(pub, pub.sim.ProtectRtp(MakeRtp(111, audio_seq++, audio_ts += 960, 0x10,
                                           std::vector<uint8_t>(80, static_cast<uint8_t>(i)))));
    h.Send(pub, pub.sim.ProtectRtp(MakeRtp(96, video_seq++, video_ts += 3000, 0x20,
                                           Vp8Payload(i == 0, static_cast<uint8_t>(i)))));
  }
  ASSERT_EQ(sub_a.sim.rtp_received.size(), 40u);
  ASSERT_EQ(sub_b.sim.rtp_received.size(), 40u);

  // The measured packets are protected beforehand; the loop copies each into a fixed buffer
  // (the I/O driver's receive buffer) so the test itself allocates nothing either.
  constexpr int kPackets = 400;
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < kPackets; ++i) {
    if (i % 2 == 0) {
      packets.push_back(
          pub.sim.ProtectRtp(MakeRtp(111, audio_seq++, audio_ts += 960, 0x10,
                                     std::vector<uint8_t>(120, static_cast<uint8_t>(i)))));
    } else {
      packets.push_back(
          pub.sim.ProtectRtp(MakeRtp(96, video_seq++, video_ts += 3000, 0x20,
                                     Vp8Payload(i % 60 == 1, static_cast<uint8_t>(i)))));
    }
  }
  std::array<uint8_t, 1500> buffer;
  const uint64_t out_before = h.engine().stats().datagrams_out;
  size_t transmitted = 0;
  uint64_t allocations;
  {
    AllocationCounter counter;
    for (const std::vector<uint8_t>& packet : packets) {
      std::memcpy(buffer.data(), packet.data(), packet.size());
      h.engine().HandleDatagram(h.now(), pub.tuple, absl::MakeSpan(buffer.data(), packet.size()));
      transmitted += h.engine().transmits().size();
      h.engine().ClearTransmits();
    }
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(transmitted, 2u * kPackets) << "every packet reached both subscribers";
  EXPECT_EQ(h.engine().stats().datagrams_out - out_before, 2u * kPackets);

  // Control: the same scope does see an allocation on this path's neighbourhood.
  {
    AllocationCounter counter;
    std::vector<uint8_t> copy(packets[0]);
    EXPECT_GE(counter.count(), 1u);
  }
}

}  // namespace
}  // namespace sfu::sfu
