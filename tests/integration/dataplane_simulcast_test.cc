// Simulcast through real ShardLoops on loopback (both I/O backends, one and two shards; one room
// per shard). The publisher sends one VP8 track as three rid layers ("q", "h", "f") whose SSRCs
// sfud learns from the RTP MID/RID header extensions (RFC 8852 §3, RFC 8843 §15); each subscriber
// is forwarded one layer, the one its SubscriberConfig prefers, starting on a keyframe. When the
// highest layer pauses (a publisher shedding its top layer), its viewer is switched down only on
// the next keyframe of the lower layer, which sfud requests with a PLI for that layer's SSRC, and
// the viewer's sequence numbers run on without a gap.

#include <chrono>
#include <string>
#include <vector>

#include "core/net/monotonic_clock.h"
#include "gtest/gtest.h"
#include "tests/integration/dataplane_harness.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/udp_peer.h"

namespace sfu::net {
namespace {

namespace ss = ::sfu::sfu;
using std::chrono::milliseconds;
using test_support::FindOneByteExtension;
using test_support::ParsedRtp;
using test_support::PliMediaSsrcs;
using test_support::UdpPeer;

constexpr uint8_t kMidId = 4;
constexpr uint8_t kRidId = 10;
constexpr uint8_t kOrientationId = 13;    // the publisher's id for a forwarded extension
constexpr uint8_t kSubOrientationId = 7;  // the subscriber's id for the same URI
constexpr const char* kOrientationUri = "urn:3gpp:video-orientation";
constexpr const char* kRids[] = {"q", "h", "f"};
constexpr uint32_t kLayerSsrc[] = {0x3000, 0x3001, 0x3002};  // never signalled: learned
constexpr auto kLayerInactiveAfter = milliseconds(200);

// VP8 RTP with an RFC 8285 one-byte-header block: MID, RID and video orientation.
std::vector<uint8_t> LayerPacket(int layer, uint16_t seq, uint32_t timestamp, bool keyframe,
                                 uint8_t frame) {
  std::vector<uint8_t> p = {0x90, static_cast<uint8_t>(0x80 | kVp8Pt),
                            static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq)};
  test_support::PutU32(p, timestamp);
  test_support::PutU32(p, kLayerSsrc[layer]);
  std::vector<uint8_t> ext = {
      static_cast<uint8_t>(kMidId << 4),         '1',
      static_cast<uint8_t>(kRidId << 4),         static_cast<uint8_t>(kRids[layer][0]),
      static_cast<uint8_t>(kOrientationId << 4), frame};
  while (ext.size() % 4 != 0) ext.push_back(0);
  p.insert(p.end(), {0xBE, 0xDE, 0, static_cast<uint8_t>(ext.size() / 4)});
  p.insert(p.end(), ext.begin(), ext.end());
  const std::vector<uint8_t> payload = test_support::Vp8Payload(
      keyframe, static_cast<uint8_t>(layer * 64 + frame), 100 + 50 * layer);
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

// Which layer and frame a forwarded payload came from (LayerPacket's fill).
int LayerOf(const ParsedRtp& rtp) { return rtp.payload.size() < 6 ? -1 : rtp.payload[5] / 64; }
bool IsKeyframe(const ParsedRtp& rtp) {
  return rtp.payload.size() > 1 && (rtp.payload[1] & 1) == 0;
}

class SimulcastTest : public DataplaneFixture {
 protected:
  void ConfigureShard(ShardLoopOptions& options) override {
    options.engine.router.layer_inactive_after = kLayerInactiveAfter;
  }

  static ss::PublisherConfig SimulcastPublisher(ss::PeerId id) {
    ss::PublisherConfig publisher;
    ss::TrackConfig video{"1",
                          ss::MediaKind::kVideo,
                          {ss::CodecConfig{kVp8Pt, "VP8", 90000, 0}},
                          {ss::ExtensionConfig{kMidId, std::string(ss::kUriMid)},
                           ss::ExtensionConfig{kRidId, std::string(ss::kUriRid)},
                           ss::ExtensionConfig{kOrientationId, kOrientationUri}},
                          {}};
    for (const char* rid : kRids) video.layers.push_back(ss::LayerConfig{rid, 0, 0});
    publisher.tracks.push_back(video);
    publisher.feedback_ssrc = 0x5F5F0000 + id;
    return publisher;
  }

  static ss::SubscriberConfig VideoSubscriber(ss::PeerId id, ss::LayerPreference preference) {
    ss::SubscriberConfig subscriber;
    subscriber.slots.push_back(
        ss::SlotConfig{"0",
                       ss::MediaKind::kVideo,
                       {ss::CodecConfig{kSubVp8Pt, "VP8", 90000, 0}},
                       {ss::ExtensionConfig{kSubOrientationId, kOrientationUri}},
                       0xB0000000 + id,
                       0});
    subscriber.layer_preference = preference;
    return subscriber;
  }

  // Decrypts what a viewer was forwarded so far (the caller waited for it).
  static std::vector<ParsedRtp> Take(UdpPeer& sub) { return sub.sim().TakeRtp(); }
};

TEST_P(SimulcastTest, EachViewerGetsItsLayerAndSwitchesDownOnlyOnAKeyframe) {
  struct SimRoom {
    int shard;
    UdpPeer* pub;
    UdpPeer* high;  // LayerPreference::kHighest (the default)
    UdpPeer* low;   // LayerPreference::kLowest
    uint16_t seq[3] = {100, 2000, 30000};
    uint32_t timestamp = 0;
  };
  std::vector<SimRoom> rooms;
  std::vector<UdpPeer*> all;
  for (int k = 0; k < shard_count(); ++k) {
    const ss::RoomId room = 500 + k;
    SimRoom r{k, &NewPeer(k), &NewPeer(k), &NewPeer(k)};
    ss::AddPeer add = r.pub->sim().BaseCommand(room);
    add.media = SimulcastPublisher(r.pub->id());
    Post(k, std::move(add));
    ss::AddPeer high = r.high->sim().BaseCommand(room);
    high.media = VideoSubscriber(r.high->id(), ss::LayerPreference::kHighest);
    Post(k, std::move(high));
    ss::AddPeer low = r.low->sim().BaseCommand(room);
    low.media = VideoSubscriber(r.low->id(), ss::LayerPreference::kLowest);
    Post(k, std::move(low));
    rooms.push_back(r);
    all.insert(all.end(), {r.pub, r.high, r.low});
  }
  ASSERT_TRUE(ConnectPeers(all));

  // Sends one frame on each listed layer of every room.
  uint8_t frame = 0;
  auto send_frame = [&](std::vector<int> layers, bool keyframe) {
    for (SimRoom& r : rooms) {
      r.timestamp += 3000;
      for (int layer : layers) {
        r.pub->SendRtp(LayerPacket(layer, r.seq[layer]++, r.timestamp, keyframe, frame));
      }
    }
    ++frame;
  };
  // Waits until each room's viewers hold `high_n` and `low_n` packets.
  auto wait_for = [&](size_t high_n, size_t low_n) {
    return RunUntil([&] {
      for (SimRoom& r : rooms) {
        if (r.high->sim().rtp_received.size() < high_n) return false;
        if (r.low->sim().rtp_received.size() < low_n) return false;
      }
      return true;
    });
  };

  // Phase 1: all three layers. A first frame of deltas makes every layer known and active (so the
  // preference, not arrival order, picks each viewer's layer) and forwards nothing; then a
  // keyframe and deltas. Each viewer gets exactly its layer, every frame.
  send_frame({0, 1, 2}, false);
  const uint8_t first = frame;
  constexpr int kFrames = 8;
  for (int f = 0; f < kFrames; ++f) send_frame({0, 1, 2}, f == 0);
  ASSERT_TRUE(wait_for(kFrames, kFrames));
  std::vector<uint16_t> last_high_seq;
  for (SimRoom& r : rooms) {
    std::vector<ParsedRtp> high = Take(*r.high), low = Take(*r.low);
    ASSERT_EQ(high.size(), static_cast<size_t>(kFrames));
    ASSERT_EQ(low.size(), static_cast<size_t>(kFrames));
    for (int f = 0; f < kFrames; ++f) {
      EXPECT_EQ(LayerOf(high[f]), 2) << "frame " << f;
      EXPECT_EQ(LayerOf(low[f]), 0) << "frame " << f;
      EXPECT_EQ(high[f].ssrc, VideoSsrc(*r.high));
      EXPECT_EQ(high[f].pt, kSubVp8Pt);
      EXPECT_EQ(high[f].payload,
                test_support::Vp8Payload(f == 0, static_cast<uint8_t>(2 * 64 + first + f), 200));
      EXPECT_EQ(low[f].payload,
                test_support::Vp8Payload(f == 0, static_cast<uint8_t>(first + f), 100));
      if (f > 0) {
        EXPECT_EQ(static_cast<uint16_t>(high[f].seq - high[f - 1].seq), 1);
      }
      // The publisher's MID and RID name its own streams: not forwarded. Orientation is, remapped.
      EXPECT_FALSE(FindOneByteExtension(high[f], kMidId).has_value());
      EXPECT_FALSE(FindOneByteExtension(high[f], kRidId).has_value());
      auto orientation = FindOneByteExtension(high[f], kSubOrientationId);
      ASSERT_TRUE(orientation.has_value()) << "frame " << f;
      EXPECT_EQ(*orientation, std::vector<uint8_t>{static_cast<uint8_t>(first + f)});
    }
    last_high_seq.push_back(high.back().seq);
  }

  // Phase 2: "f" pauses. Delta frames on "q" and "h" only, until sfud, seeing "f" idle for
  // layer_inactive_after, asks the publisher for a keyframe of "h" (PLI for its learned SSRC).
  // Meanwhile the high viewer must get nothing: "h" deltas cannot start a decoder.
  for (SimRoom& r : rooms) r.pub->sim().rtcp_plain.clear();
  auto last_send = std::chrono::steady_clock::time_point{};
  int delta_frames = 0;
  ASSERT_TRUE(RunUntil([&] {
    bool all_asked = true;
    for (SimRoom& r : rooms) {
      bool asked = false;
      for (uint32_t ssrc : PliMediaSsrcs(r.pub->sim().rtcp_plain)) asked |= ssrc == kLayerSsrc[1];
      all_asked = all_asked && asked;
    }
    if (all_asked) return true;
    if (std::chrono::steady_clock::now() - last_send >= milliseconds(20)) {
      send_frame({0, 1}, false);
      ++delta_frames;
      last_send = std::chrono::steady_clock::now();
    }
    return false;
  })) << "no PLI for the lower layer once the top layer paused";
  ASSERT_TRUE(wait_for(0, static_cast<size_t>(delta_frames)));
  for (SimRoom& r : rooms) {
    EXPECT_TRUE(r.high->sim().rtp_received.empty())
        << "the high viewer got a layer before its keyframe";
    for (const ParsedRtp& p : Take(*r.low)) EXPECT_EQ(LayerOf(p), 0);
  }

  // Phase 3: the requested keyframe on "h", then deltas: the high viewer switches to "h" from
  // that keyframe on, continuing its sequence numbers; the low viewer stays on "q".
  send_frame({0, 1}, true);
  for (int f = 0; f < 3; ++f) send_frame({0, 1}, false);
  ASSERT_TRUE(wait_for(4, 4));
  for (size_t i = 0; i < rooms.size(); ++i) {
    std::vector<ParsedRtp> high = Take(*rooms[i].high), low = Take(*rooms[i].low);
    ASSERT_EQ(high.size(), 4u);
    EXPECT_TRUE(IsKeyframe(high[0])) << "switched on a delta frame";
    for (size_t f = 0; f < high.size(); ++f) {
      EXPECT_EQ(LayerOf(high[f]), 1);
      EXPECT_EQ(high[f].ssrc, VideoSsrc(*rooms[i].high));
      EXPECT_EQ(high[f].seq, static_cast<uint16_t>(last_high_seq[i] + 1 + f))
          << "sequence numbers must run on across the switch";
    }
    ASSERT_EQ(low.size(), 4u);
    for (const ParsedRtp& p : low) EXPECT_EQ(LayerOf(p), 0);
    EXPECT_TRUE(IsKeyframe(low[0]));  // "q" carried a keyframe in the same frame
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SimulcastTest, AllBackendsAndShardCounts(), DataplaneParamName);

}  // namespace
}  // namespace sfu::net
