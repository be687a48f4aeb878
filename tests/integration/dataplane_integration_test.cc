// The data plane end to end on loopback: real ShardLoops (io_uring and recvmmsg backends, one and
// two shards) with real UDP sockets on 127.0.0.1, driven by this test acting as the control thread
// (AddPeer/RemovePeer through SPSC rings, events back; tests/integration/dataplane_harness.h). The
// browsers are simulated in the test process (tests/support UdpPeer): STUN Binding requests from
// core/stun's builder, our DtlsEndpoint in the client role, SRTP sessions keyed from the client's
// exporter output. Every wait is bounded by a deadline on the real clock.

#include <chrono>
#include <optional>
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
using test_support::MakeRtp;
using test_support::ParsedRtp;
using test_support::PliMediaSsrcs;
using test_support::PutU32;
using test_support::UdpPeer;

std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill) {
  return test_support::Vp8Payload(keyframe, fill, 60);
}

using DataplaneTest = DataplaneFixture;

TEST_P(DataplaneTest, PublisherMediaReachesEverySubscriberByteIdenticalNackAndPli) {
  constexpr int kPackets = 30;
  std::vector<Room> rooms = ConnectRooms(3);
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(EventsOf<ss::PeerRemoved>().empty());

  std::vector<std::vector<uint8_t>> audio_payloads, video_payloads;
  for (int i = 0; i < kPackets; ++i) {
    std::vector<uint8_t> audio(40 + i % 7);
    for (size_t j = 0; j < audio.size(); ++j) audio[j] = static_cast<uint8_t>(i * 13 + j);
    audio_payloads.push_back(audio);
    video_payloads.push_back(Vp8Payload(i == 0, static_cast<uint8_t>(i)));
  }
  for (Room& room : rooms) {
    for (int i = 0; i < kPackets; ++i) {
      room.publisher->SendRtp(MakeRtp(kOpusPt, static_cast<uint16_t>(1000 + i), 960u * i,
                                      kPubAudioSsrc, audio_payloads[i], false));
      room.publisher->SendRtp(MakeRtp(kVp8Pt, static_cast<uint16_t>(5000 + i), 3000u * i,
                                      kPubVideoSsrc, video_payloads[i], true));
    }
  }
  ASSERT_TRUE(RunUntil([&] {
    for (const Room& room : rooms) {
      for (const UdpPeer* sub : room.subscribers) {
        if (sub->sim().rtp_received.size() < 2 * kPackets) return false;
      }
    }
    return true;
  })) << "subscribers did not receive every forwarded packet";

  for (Room& room : rooms) {
    for (size_t s = 0; s < room.subscribers.size(); ++s) {
      UdpPeer& sub = *room.subscribers[s];
      // The first subscriber "loses" its 4th video packet on the way, to NACK it below.
      std::optional<uint16_t> lost_seq;
      int video_seen = 0;
      std::vector<ParsedRtp> got = sub.sim().TakeRtp([&](uint32_t ssrc, uint16_t seq) {
        if (s != 0 || ssrc != VideoSsrc(sub) || video_seen++ != 3) return false;
        lost_seq = seq;
        return true;
      });
      std::vector<ParsedRtp> audio, video;
      for (ParsedRtp& p : got) (p.ssrc == AudioSsrc(sub) ? audio : video).push_back(p);
      ASSERT_EQ(audio.size(), static_cast<size_t>(kPackets));
      ASSERT_EQ(video.size(), static_cast<size_t>(s == 0 ? kPackets - 1 : kPackets));
      for (int i = 0; i < kPackets; ++i) {
        EXPECT_EQ(audio[i].pt, kSubOpusPt);
        EXPECT_EQ(audio[i].payload, audio_payloads[i]) << "audio packet " << i;
      }
      for (size_t i = 0, v = 0; i < video.size(); ++i, ++v) {
        if (s == 0 && v == 3) ++v;  // the lost one
        EXPECT_EQ(video[i].ssrc, VideoSsrc(sub));
        EXPECT_EQ(video[i].pt, kSubVp8Pt);
        EXPECT_EQ(video[i].payload, video_payloads[v]) << "video packet " << v;
      }
      if (s != 0) continue;

      // RFC 4585 §6.2.1 generic NACK (after an empty RR, RFC 3550 §6.1 compound) for the lost
      // packet: sfud resends it from its buffer, and it decrypts to the original payload.
      ASSERT_TRUE(lost_seq.has_value());
      std::vector<uint8_t> rtcp = {0x80, 201, 0, 1};
      PutU32(rtcp, 0x77000000 + sub.id());
      rtcp.insert(rtcp.end(), {0x81, 205, 0, 3});
      PutU32(rtcp, 0x77000000 + sub.id());
      PutU32(rtcp, VideoSsrc(sub));
      rtcp.insert(rtcp.end(),
                  {static_cast<uint8_t>(*lost_seq >> 8), static_cast<uint8_t>(*lost_seq), 0, 0});
      sub.SendRtcp(rtcp);
      ASSERT_TRUE(RunUntil([&] { return !sub.sim().rtp_received.empty(); }))
          << "no retransmission for the NACKed packet";
      std::vector<ParsedRtp> resent = sub.sim().TakeRtp();
      ASSERT_EQ(resent.size(), 1u);
      EXPECT_EQ(resent[0].ssrc, VideoSsrc(sub));
      EXPECT_EQ(resent[0].seq, *lost_seq);
      EXPECT_EQ(resent[0].payload, video_payloads[3]);
    }

    // A viewer's PLI (RFC 4585 §6.3.1) for the SSRC sfud announced reaches the publisher as a PLI
    // for its own SSRC, once the keyframe-request interval since the connect-time PLI has passed.
    UdpPeer& viewer = *room.subscribers.back();
    RunFor(milliseconds(50));
    room.publisher->sim().rtcp_plain.clear();
    std::vector<uint8_t> pli = {0x81, 206, 0, 2};
    PutU32(pli, 0x77000000 + viewer.id());
    PutU32(pli, VideoSsrc(viewer));
    viewer.SendRtcp(pli);
    ASSERT_TRUE(RunUntil([&] { return !PliMediaSsrcs(room.publisher->sim().rtcp_plain).empty(); }))
        << "the subscriber's PLI did not reach the publisher";
    EXPECT_EQ(PliMediaSsrcs(room.publisher->sim().rtcp_plain)[0], kPubVideoSsrc);
  }

  // Stop: every connected peer gets close_notify and the control thread one PeerRemoved each.
  for (auto& loop : loops_) loop->Stop();
  EXPECT_TRUE(RunUntil([&] {
    for (auto& peer : peers_) {
      if (!peer->closed_by_server()) return false;
    }
    return EventsOf<ss::PeerRemoved>().size() == peers_.size();
  })) << "shutdown did not close every session";
  for (const ss::PeerRemoved& removed : EventsOf<ss::PeerRemoved>()) {
    EXPECT_EQ(removed.reason, ss::RemoveReason::kShutdown);
  }
  uint64_t rtp_in = 0, rtp_out = 0, unroutable = 0, tx_errors = 0;
  for (auto& loop : loops_) {
    rtp_in += loop->final_stats().rtp_in;
    rtp_out += loop->final_stats().rtp_out;
    unroutable += loop->final_unroutable();
    tx_errors += loop->final_io_stats().tx_errors;
  }
  EXPECT_EQ(rtp_in, rooms.size() * 2 * kPackets);
  EXPECT_EQ(rtp_out, rooms.size() * (3 * 2 * kPackets + 1));  // + the one retransmission
  EXPECT_EQ(unroutable, 0u);
  EXPECT_EQ(tx_errors, 0u);
}

TEST_P(DataplaneTest, DtlsFromAnUnknownTupleIsNeverAnswered) {
  std::vector<Room> rooms = ConnectRooms(1);
  ASSERT_FALSE(HasFailure());
  // A stranger (no STUN check ever) opens a real DTLS handshake at every shard.
  for (int k = 0; k < static_cast<int>(loops_.size()); ++k) {
    UdpPeer& stranger = NewPeer(k);
    stranger.StartDtls(MonotonicClock::Now());
  }
  RunFor(milliseconds(300));  // long enough for a HelloVerifyRequest and a client retransmission
  for (size_t i = peers_.size() - loops_.size(); i < peers_.size(); ++i) {
    EXPECT_EQ(peers_[i]->datagrams_received, 0) << "sfud answered a tuple that never checked in";
  }
  for (auto& loop : loops_) loop->Stop();
  for (auto& loop : loops_) {
    EXPECT_GE(loop->final_stats().drop_unknown_5tuple, 1u);
    EXPECT_EQ(loop->final_stats().hello_verify_requests, 2u)  // one per connected peer
        << "only the checked-in peers' ClientHellos were answered";
  }
}

TEST_P(DataplaneTest, RemovePeerEndsWithPeerRemovedAndCloseNotify) {
  std::vector<Room> rooms = ConnectRooms(2);
  ASSERT_FALSE(HasFailure());
  UdpPeer& leaving = *rooms[0].subscribers[0];
  Post(rooms[0].shard, ss::RemovePeer{leaving.id()});
  ASSERT_TRUE(RunUntil([&] {
    return leaving.closed_by_server() && !EventsOf<ss::PeerRemoved>().empty();
  })) << "no close_notify or no PeerRemoved";
  std::vector<ss::PeerRemoved> removed = EventsOf<ss::PeerRemoved>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].peer, leaving.id());
  EXPECT_EQ(removed[0].reason, ss::RemoveReason::kDeleted);

  // The others still get media.
  rooms[0].publisher->SendRtp(
      MakeRtp(kOpusPt, 1, 0, kPubAudioSsrc, std::vector<uint8_t>(50, 0x42), false));
  UdpPeer& staying = *rooms[0].subscribers[1];
  ASSERT_TRUE(RunUntil([&] { return !staying.sim().rtp_received.empty(); }));
  std::vector<ParsedRtp> got = staying.sim().TakeRtp();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, std::vector<uint8_t>(50, 0x42));
  EXPECT_TRUE(leaving.sim().rtp_received.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, DataplaneTest, AllBackendsAndShardCounts(), DataplaneParamName);

}  // namespace
}  // namespace sfu::net
