// Simulcast: a subscriber gets one layer, switches only on that layer's keyframe (requested with a
// PLI), with sequence numbers and timestamps continuous across the switch.
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtp_packet.h"
#include "core/sfu/router.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/router_test_util.h"

namespace sfu::sfu {
namespace {

using namespace router_testing;  // NOLINT: test vocabulary
using std::chrono::milliseconds;

const Instant kT0 = Instant() + std::chrono::seconds(100);
constexpr uint32_t kLayerSsrc[3] = {0xA0, 0xA1, 0xA2};
constexpr uint8_t kRidId = 10;

PublisherConfig SimulcastPublisher(bool signalled_ssrcs) {
  PublisherConfig c;
  c.room = kRoom;
  TrackConfig t = VideoTrack({LayerConfig{"q", signalled_ssrcs ? kLayerSsrc[0] : 0, 0},
                              LayerConfig{"h", signalled_ssrcs ? kLayerSsrc[1] : 0, 0},
                              LayerConfig{"f", signalled_ssrcs ? kLayerSsrc[2] : 0, 0}});
  t.extensions.push_back({kRidId, std::string(kUriRid)});
  c.tracks.push_back(t);
  return c;
}

// The media SSRCs of the PLIs among `out`.
std::vector<uint32_t> Plis(const std::vector<Out>& out) {
  std::vector<uint32_t> ssrcs;
  for (const Out& o : OfKind(out, OutputKind::kRtcp, kPublisher)) {
    rtp::RtcpCompoundIterator it(o.bytes);
    rtp::RtcpPacketView p;
    while (it.Next(&p)) {
      if (auto pli = rtp::ParsePli(p)) ssrcs.push_back(pli->media_ssrc);
    }
  }
  return ssrcs;
}

class RouterSimulcastTest : public ::testing::Test {
 protected:
  RouterSimulcastTest() : batch_(64, 64 * 1600) {}
  // Sends one packet of `layer`; returns the outputs.
  std::vector<Out> Send(Instant now, int layer, uint16_t seq, uint32_t ts, bool key) {
    Pkt p;
    p.ssrc = kLayerSsrc[layer];
    p.seq = seq;
    p.ts = ts;
    p.payload = key ? Vp8Key(static_cast<uint8_t>(layer)) : Vp8Delta(static_cast<uint8_t>(layer));
    router_.OnRtp(now, kPublisher, Build(p), &batch_);
    return Drain(&batch_);
  }
  static std::optional<rtp::RtpPacketView> Forwarded(const std::vector<Out>& out,
                                                     std::vector<uint8_t>* storage) {
    auto rtp_out = OfKind(out, OutputKind::kRtp, 10);
    if (rtp_out.size() != 1) return std::nullopt;
    *storage = rtp_out[0].bytes;
    return rtp::ParseRtpPacket(*storage);
  }

  Router router_;
  OutputBatch batch_;
};

TEST_F(RouterSimulcastTest, SwitchesOnlyOnKeyframeWithPliAndContinuity) {
  ASSERT_TRUE(router_.AddPublisher(kPublisher, SimulcastPublisher(true)).ok());
  SubscriberConfig sc = AvSubscriber(10);
  sc.slots.erase(sc.slots.begin());  // video only: slot 0
  ASSERT_TRUE(router_.AddSubscriber(10, sc).ok());
  const uint16_t s0 = router_.slot_state(10, 0)->next_sequence_number;
  std::vector<uint8_t> buf;

  // The top layer's delta: nothing to forward yet, a PLI for the top layer.
  auto out = Send(kT0, 2, 100, 1000, false);
  EXPECT_FALSE(Forwarded(out, &buf).has_value());
  EXPECT_EQ(Plis(out), (std::vector<uint32_t>{kLayerSsrc[2]}));
  // A low-layer keyframe is not what the subscriber wants (the top layer is active).
  out = Send(kT0 + milliseconds(1), 0, 500, 2000, true);
  EXPECT_FALSE(Forwarded(out, &buf).has_value());
  // The top layer's keyframe starts the stream.
  auto v = Forwarded(Send(kT0 + milliseconds(10), 2, 101, 5000, true), &buf);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->sequence_number, s0);
  EXPECT_EQ(v->timestamp, 5000u);
  EXPECT_EQ(v->payload[v->payload.size() - 1], 2);  // layer 2's payload
  v = Forwarded(Send(kT0 + milliseconds(43), 2, 102, 8000, false), &buf);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(s0 + 1));
  EXPECT_EQ(router_.slot_state(10, 0)->current_layer, 2);

  // Ask for the lowest layer: its deltas wait (with a PLI for it), the top layer keeps flowing.
  ASSERT_TRUE(router_.SetPreferredLayer(10, 0, 0).ok());
  out = Send(kT0 + milliseconds(50), 0, 501, 3000, false);
  EXPECT_FALSE(Forwarded(out, &buf).has_value());
  EXPECT_EQ(Plis(out), (std::vector<uint32_t>{kLayerSsrc[0]}));
  EXPECT_EQ(router_.slot_state(10, 0)->target_layer, 0);
  v = Forwarded(Send(kT0 + milliseconds(60), 2, 103, 11000, false), &buf);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(s0 + 2));

  // The low layer's keyframe: switch. Sequence continues; the timestamp advances by the 40 ms
  // elapsed since the last packet sent (3600 ticks at 90 kHz).
  v = Forwarded(Send(kT0 + milliseconds(100), 0, 502, 70000, true), &buf);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(s0 + 3));
  EXPECT_EQ(v->timestamp, 11000u + 3600);
  EXPECT_EQ(v->ssrc, SubVideoSsrc(10));
  EXPECT_EQ(router_.stats().layer_switches, 1u);
  EXPECT_EQ(router_.slot_state(10, 0)->current_layer, 0);
  v = Forwarded(Send(kT0 + milliseconds(133), 0, 503, 73000, false), &buf);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(s0 + 4));
  EXPECT_EQ(v->timestamp, 14600u + 3000);
  // The old layer no longer reaches the subscriber.
  EXPECT_FALSE(Forwarded(Send(kT0 + milliseconds(134), 2, 104, 14000, true), &buf).has_value());
}

TEST_F(RouterSimulcastTest, FallsBackToTheBestActiveLayerAndLearnsSsrcsFromRid) {
  ASSERT_TRUE(router_.AddPublisher(kPublisher, SimulcastPublisher(false)).ok());
  SubscriberConfig sc = AvSubscriber(10);
  sc.slots.erase(sc.slots.begin());
  ASSERT_TRUE(router_.AddSubscriber(10, sc).ok());
  std::vector<uint8_t> buf;
  auto send = [&](Instant now, uint32_t ssrc, const char* rid, uint16_t seq, bool key) {
    Pkt p;
    p.ssrc = ssrc;
    p.seq = seq;
    p.payload = key ? Vp8Key() : Vp8Delta();
    if (rid != nullptr) p.extra = {{kRidId, rid}};
    router_.OnRtp(now, kPublisher, Build(p), &batch_);
    return Drain(&batch_);
  };
  // Unknown SSRC without a RID: dropped. With the RID of layer "h": learned.
  send(kT0, 0xB1, nullptr, 1, true);
  EXPECT_EQ(router_.stats().dropped_unknown_ssrc, 1u);
  // Only "q" and "h" are sent (the publisher paused "f"): the subscriber starts on "q", the only
  // active layer at its keyframe, and moves up to "h" at the next keyframe there.
  EXPECT_TRUE(Forwarded(send(kT0, 0xB0, "q", 1, true), &buf).has_value());
  EXPECT_EQ(router_.slot_state(10, 0)->current_layer, 0);
  auto v = Forwarded(send(kT0 + milliseconds(1), 0xB1, "h", 2, true), &buf);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(router_.slot_state(10, 0)->current_layer, 1);
  // Later packets of the learned SSRC need no RID.
  EXPECT_TRUE(Forwarded(send(kT0 + milliseconds(2), 0xB1, nullptr, 3, false), &buf).has_value());
  // "f" starts: the subscriber asks for it and switches on its keyframe.
  auto out = send(kT0 + milliseconds(3), 0xB2, "f", 1, false);
  EXPECT_EQ(Plis(out), (std::vector<uint32_t>{0xB2}));
  EXPECT_TRUE(Forwarded(send(kT0 + milliseconds(4), 0xB2, nullptr, 2, true), &buf).has_value());
  EXPECT_EQ(router_.slot_state(10, 0)->current_layer, 2);
  // "f" stops for longer than layer_inactive_after: the next "h" keyframe takes over.
  const Instant later = kT0 + std::chrono::seconds(2);
  send(later, 0xB1, nullptr, 4, false);
  EXPECT_TRUE(Forwarded(send(later + milliseconds(1), 0xB1, nullptr, 5, true), &buf).has_value());
  EXPECT_EQ(router_.slot_state(10, 0)->current_layer, 1);
  EXPECT_EQ(router_.stats().layer_switches, 3u);
}

}  // namespace
}  // namespace sfu::sfu
