// Router forwarding: fan-out rewrites, sequence continuity, late joiners, cross-shard hand-off.
#include "core/sfu/router.h"

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/rtp/rtcp_bye.h"
#include "core/rtp/rtp_packet.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/router_test_util.h"

namespace sfu::sfu {
namespace {

using namespace router_testing;  // NOLINT: test vocabulary
using std::chrono::milliseconds;

const Instant kT0 = Instant() + std::chrono::seconds(100);

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : batch_(256, 256 * 1600) {}

  void Rtp(Instant now, const Pkt& p, PeerId from = kPublisher) {
    const std::vector<uint8_t> bytes = Build(p);
    router_.OnRtp(now, from, bytes, &batch_);
  }
  uint16_t FirstSeq(PeerId sub, size_t slot = 1) {
    return router_.slot_state(sub, slot)->next_sequence_number;
  }

  Router router_;
  OutputBatch batch_;
};

TEST_F(RouterTest, FansOutWithPerSubscriberRewrites) {
  ASSERT_TRUE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
  const PeerId subs[] = {10, 11, 12};
  uint16_t first_seq[3];
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(router_.AddSubscriber(subs[i], AvSubscriber(subs[i])).ok());
    first_seq[i] = FirstSeq(subs[i]);
  }
  const std::vector<uint8_t> payloads[] = {Vp8Key(), Vp8Delta(1), Vp8Delta(2)};
  for (int n = 0; n < 3; ++n) {
    Pkt p;
    p.seq = static_cast<uint16_t>(65534 + n);  // wraps
    p.ts = 5000 + 3000 * n;
    p.payload = payloads[n];
    p.marker = n == 2;
    Rtp(kT0 + milliseconds(33 * n), p);
    const auto out = OfKind(Drain(&batch_), OutputKind::kRtp);
    ASSERT_EQ(out.size(), 3u);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(out[i].meta.peer, subs[i]);
      auto v = rtp::ParseRtpPacket(out[i].bytes);
      ASSERT_TRUE(v.has_value());
      EXPECT_EQ(v->ssrc, SubVideoSsrc(subs[i]));
      EXPECT_EQ(v->payload_type, kSubVp8);
      EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(first_seq[i] + n));
      EXPECT_EQ(v->timestamp, 5000u + 3000 * n);
      EXPECT_EQ(v->marker, n == 2);
      // Byte-identical payload; abs-send-time moved to the subscriber's id, MID and
      // transport-cc dropped (padding in place, so the size is unchanged).
      EXPECT_EQ(std::vector<uint8_t>(v->payload.begin(), v->payload.end()), payloads[n]);
      auto abs = v->FindExtension(kSubAbsSendTimeId);
      ASSERT_TRUE(abs.has_value());
      EXPECT_EQ(std::vector<uint8_t>(abs->begin(), abs->end()), (std::vector<uint8_t>{1, 2, 3}));
      EXPECT_FALSE(v->FindExtension(kPubAbsSendTimeId).has_value());
      EXPECT_FALSE(v->FindExtension(kPubMidId).has_value());
      EXPECT_FALSE(v->FindExtension(kPubTwccId).has_value());
      EXPECT_EQ(out[i].bytes.size(), Build(p).size());
    }
  }
  // Audio goes to the audio slot with the subscriber's opus PT.
  Pkt a;
  a.ssrc = kAudioSsrc;
  a.pt = kPubOpus;
  a.seq = 7;
  a.payload = {0xF8, 0xFF, 0xFE};
  Rtp(kT0, a);
  const auto out = Drain(&batch_);
  ASSERT_EQ(out.size(), 3u);
  auto v = rtp::ParseRtpPacket(out[0].bytes);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->ssrc, SubAudioSsrc(10));
  EXPECT_EQ(v->payload_type, kSubOpus);
  const RouterStats& s = router_.stats();
  EXPECT_EQ(s.rtp_packets_in, 4u);
  EXPECT_EQ(s.packets_forwarded, 12u);
  EXPECT_EQ(s.rtp_packets_out, 12u);
}

TEST_F(RouterTest, SequenceContinuousAcrossSfuDropsButKeepsRealLoss) {
  PublisherConfig pc = AvPublisher();
  pc.tracks[1].codecs.push_back(CodecConfig{102, "H264", 90000, 0});  // subscriber lacks it
  ASSERT_TRUE(router_.AddPublisher(kPublisher, pc).ok());
  ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10)).ok());
  const uint16_t s0 = FirstSeq(10);
  auto send = [&](uint16_t seq, uint8_t pt, std::vector<uint8_t> payload) {
    Pkt p;
    p.seq = seq;
    p.ts = 1000u * seq;
    p.pt = pt;
    p.payload = std::move(payload);
    Rtp(kT0 + milliseconds(seq), p);
    auto out = OfKind(Drain(&batch_), OutputKind::kRtp);
    if (out.empty()) return -1;
    return static_cast<int>(rtp::ParseRtpPacket(out[0].bytes)->sequence_number);
  };
  EXPECT_EQ(send(1000, kPubVp8, Vp8Key()), s0);
  EXPECT_EQ(send(1001, kPubVp8, Vp8Delta()), static_cast<uint16_t>(s0 + 1));
  EXPECT_EQ(send(1002, 102, {0x65}), -1);  // SFU drop: not negotiated
  EXPECT_EQ(send(1003, kPubVp8, Vp8Delta()), static_cast<uint16_t>(s0 + 2));
  // 1004 is lost on the way in: the subscriber must see the gap to NACK it.
  EXPECT_EQ(send(1005, kPubVp8, Vp8Delta()), static_cast<uint16_t>(s0 + 4));
  EXPECT_EQ(send(1004, kPubVp8, Vp8Delta()), static_cast<uint16_t>(s0 + 3));  // late arrival
  EXPECT_EQ(router_.stats().dropped_not_negotiated, 1u);
}

TEST_F(RouterTest, ViewerJoiningBeforePublisherReceivesFromTheFirstKeyframe) {
  ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10)).ok());
  EXPECT_EQ(router_.slot_state(10, 1)->track, kNoTrack);
  auto tracks = router_.AddPublisher(kPublisher, AvPublisher());
  ASSERT_TRUE(tracks.ok());
  EXPECT_EQ(router_.slot_state(10, 0)->track, (*tracks)[0]);
  EXPECT_EQ(router_.slot_state(10, 1)->track, (*tracks)[1]);
  Pkt delta;
  delta.seq = 10;
  Rtp(kT0, delta);
  auto out = Drain(&batch_);
  // No video yet, but a PLI to the publisher for the video SSRC.
  EXPECT_TRUE(OfKind(out, OutputKind::kRtp).empty());
  auto rtcp = OfKind(out, OutputKind::kRtcp, kPublisher);
  ASSERT_EQ(rtcp.size(), 1u);
  EXPECT_EQ(router_.stats().pli_forwarded, 1u);
  EXPECT_EQ(router_.stats().dropped_waiting_keyframe, 1u);
  Pkt key;
  key.seq = 11;
  key.payload = Vp8Key();
  Rtp(kT0 + milliseconds(10), key);
  out = Drain(&batch_);
  ASSERT_EQ(OfKind(out, OutputKind::kRtp, 10).size(), 1u);
  EXPECT_EQ(router_.slot_state(10, 1)->current_layer, 0);
  Pkt audio;
  audio.ssrc = kAudioSsrc;
  audio.pt = kPubOpus;
  audio.payload = {1, 2, 3};
  Rtp(kT0 + milliseconds(11), audio);
  EXPECT_EQ(OfKind(Drain(&batch_), OutputKind::kRtp, 10).size(), 1u);
}

TEST_F(RouterTest, PacketsWithoutSubscribersAreCountedAndRemoteShardGetsOneCopy) {
  ASSERT_TRUE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
  Pkt p;
  p.payload = Vp8Key();
  Rtp(kT0, p);
  EXPECT_EQ(router_.stats().dropped_no_subscribers, 1u);
  EXPECT_TRUE(Drain(&batch_).empty());
  ASSERT_TRUE(router_.AddRemoteShard(kRoom, 3).ok());
  ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10)).ok());
  ASSERT_TRUE(router_.AddSubscriber(11, AvSubscriber(11)).ok());
  p.seq = 1;
  Rtp(kT0, p);
  auto out = Drain(&batch_);
  auto remote = OfKind(out, OutputKind::kRemoteShard);
  ASSERT_EQ(remote.size(), 1u);
  EXPECT_EQ(remote[0].meta.shard, 3);
  EXPECT_EQ(remote[0].meta.room, kRoom);
  EXPECT_EQ(remote[0].bytes, Build(p));  // the publisher's plaintext, untouched
  EXPECT_EQ(OfKind(out, OutputKind::kRtp).size(), 2u);
  router_.RemoveRemoteShard(kRoom, 3);
  p.seq = 2;
  Rtp(kT0, p);
  EXPECT_TRUE(OfKind(Drain(&batch_), OutputKind::kRemoteShard).empty());
}

TEST_F(RouterTest, PublisherRtxRestoresTheOriginalForSubscribers) {
  ASSERT_TRUE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
  ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10)).ok());
  const uint16_t s0 = FirstSeq(10);
  Pkt p;
  p.seq = 500;
  p.payload = Vp8Key();
  Rtp(kT0, p);
  Pkt lost;
  lost.seq = 501;
  lost.ts = 77;
  lost.payload = Vp8Delta(0x42);
  Pkt next;
  next.seq = 502;
  Rtp(kT0 + milliseconds(1), next);
  Drain(&batch_);
  router_.OnRtp(kT0 + milliseconds(50), kPublisher, BuildRtx(lost, 9), &batch_);
  auto out = OfKind(Drain(&batch_), OutputKind::kRtp);
  ASSERT_EQ(out.size(), 1u);
  auto v = rtp::ParseRtpPacket(out[0].bytes);
  EXPECT_EQ(v->sequence_number, static_cast<uint16_t>(s0 + 1));
  EXPECT_EQ(v->ssrc, SubVideoSsrc(10));
  EXPECT_EQ(v->payload_type, kSubVp8);
  EXPECT_EQ(v->timestamp, 77u);
  EXPECT_EQ(std::vector<uint8_t>(v->payload.begin(), v->payload.end()), Vp8Delta(0x42));
  EXPECT_EQ(router_.stats().recovered_packets, 1u);
  // The same RTX again is a duplicate; a padding-only RTX probe is dropped.
  router_.OnRtp(kT0 + milliseconds(51), kPublisher, BuildRtx(lost, 10), &batch_);
  Pkt probe;
  probe.ssrc = kVideoRtxSsrc;
  probe.pt = kPubRtx;
  probe.seq = 11;
  probe.payload = {};
  probe.padding = 200;
  router_.OnRtp(kT0 + milliseconds(52), kPublisher, Build(probe), &batch_);
  EXPECT_TRUE(OfKind(Drain(&batch_), OutputKind::kRtp).empty());
  EXPECT_EQ(router_.stats().dropped_duplicate, 1u);
  EXPECT_EQ(router_.stats().dropped_rtx_padding, 1u);
}

TEST_F(RouterTest, ByeEndsTrackAndSlotMovesToTheNextPublisher) {
  auto tracks = router_.AddPublisher(kPublisher, AvPublisher());
  ASSERT_TRUE(tracks.ok());
  ASSERT_TRUE(router_.AddSubscriber(10, AvSubscriber(10)).ok());
  std::vector<uint8_t> bye(64);
  ByteWriter w(absl::MakeSpan(bye));
  const uint32_t ssrcs[] = {kVideoSsrc};
  ASSERT_TRUE(rtp::WriteBye(ssrcs, "bye", &w));
  bye.resize(w.position());
  router_.OnRtcp(kT0, kPublisher, bye, &batch_);
  EXPECT_FALSE(router_.track_active((*tracks)[1]));
  EXPECT_TRUE(router_.track_active((*tracks)[0]));
  EXPECT_EQ(router_.slot_state(10, 1)->track, kNoTrack);
  EXPECT_EQ(router_.stats().tracks_ended, 1u);
  PublisherConfig second = AvPublisher();
  second.tracks[1].layers[0] = LayerConfig{"", 0x44444444, 0};
  second.tracks[0].layers[0] = LayerConfig{"", 0x55555555, 0};
  auto tracks2 = router_.AddPublisher(2, second);
  ASSERT_TRUE(tracks2.ok());
  EXPECT_EQ(router_.slot_state(10, 1)->track, (*tracks2)[1]);
  EXPECT_EQ(router_.slot_state(10, 0)->track, (*tracks)[0]);  // audio stays
  router_.RemovePeer(kPublisher);
  router_.RemovePeer(2);
  EXPECT_EQ(router_.slot_state(10, 0)->track, kNoTrack);
  router_.RemovePeer(10);
  EXPECT_FALSE(router_.slot_state(10, 0).has_value());
}

TEST_F(RouterTest, RejectsBadConfig) {
  PublisherConfig bad = AvPublisher();
  bad.tracks[0].layers.clear();
  EXPECT_FALSE(router_.AddPublisher(kPublisher, bad).ok());
  bad = AvPublisher();
  bad.tracks[0].codecs[0].pt = 200;
  EXPECT_FALSE(router_.AddPublisher(kPublisher, bad).ok());
  ASSERT_TRUE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
  EXPECT_FALSE(router_.AddPublisher(kPublisher, AvPublisher()).ok());
  EXPECT_FALSE(router_.AddSubscriber(kPublisher, AvSubscriber(kPublisher)).ok());
  SubscriberConfig no_ssrc = AvSubscriber(10);
  no_ssrc.slots[0].ssrc = 0;
  EXPECT_FALSE(router_.AddSubscriber(10, no_ssrc).ok());
  EXPECT_FALSE(router_.SetPreferredLayer(99, 0, 1).ok());
  EXPECT_FALSE(router_.SubscribeSlot(99, 0, 1).ok());
}

}  // namespace
}  // namespace sfu::sfu

namespace sfu::sfu {
namespace {

using namespace router_testing;  // NOLINT: test vocabulary

// The home shard hands the plaintext once; the remote shard's Router serves its own subscribers
// from a proxy publisher, and its keyframe requests go back as RequestKeyframe calls.
TEST(RouterCrossShardTest, RemoteShardServesItsSubscribersFromTheHandOff) {
  const Instant t0 = Instant() + std::chrono::seconds(100);
  Router home;
  Router remote;
  OutputBatch home_out(64, 64 * 1600);
  OutputBatch remote_out(64, 64 * 1600);
  auto home_tracks = home.AddPublisher(kPublisher, AvPublisher());
  ASSERT_TRUE(home_tracks.ok());
  ASSERT_TRUE(home.AddRemoteShard(kRoom, 1).ok());
  constexpr PeerId kProxy = 1000;
  ASSERT_TRUE(remote.AddPublisher(kProxy, AvPublisher()).ok());
  for (PeerId s : {20u, 21u}) ASSERT_TRUE(remote.AddSubscriber(s, AvSubscriber(s)).ok());

  Pkt delta;
  delta.seq = 1;
  home.OnRtp(t0, kPublisher, Build(delta), &home_out);
  auto handed = OfKind(Drain(&home_out), OutputKind::kRemoteShard);
  ASSERT_EQ(handed.size(), 1u);
  remote.OnRtp(t0, kProxy, handed[0].bytes, &remote_out);
  // The remote subscribers wait for a keyframe; the request travels home.
  auto to_proxy = OfKind(Drain(&remote_out), OutputKind::kRtcp, kProxy);
  ASSERT_EQ(to_proxy.size(), 1u);
  EXPECT_TRUE(home.RequestKeyframe(t0, handed[0].meta.track, handed[0].meta.layer, &home_out));
  auto pli = OfKind(Drain(&home_out), OutputKind::kRtcp, kPublisher);
  EXPECT_EQ(pli.size(), 1u);
  EXPECT_FALSE(home.RequestKeyframe(t0, handed[0].meta.track, 0, &home_out));  // deduplicated
  EXPECT_FALSE(home.RequestKeyframe(t0, 12345, 0, &home_out));

  Pkt key;
  key.seq = 2;
  key.payload = Vp8Key();
  home.OnRtp(t0, kPublisher, Build(key), &home_out);
  handed = OfKind(Drain(&home_out), OutputKind::kRemoteShard);
  ASSERT_EQ(handed.size(), 1u);
  remote.OnRtp(t0, kProxy, handed[0].bytes, &remote_out);
  auto media = OfKind(Drain(&remote_out), OutputKind::kRtp);
  ASSERT_EQ(media.size(), 2u);
  EXPECT_EQ(rtp::ParseRtpPacket(media[1].bytes)->ssrc, SubVideoSsrc(media[1].meta.peer));
  EXPECT_EQ(home.stats().remote_shard_packets, 2u);
}

}  // namespace
}  // namespace sfu::sfu
