// Fault cases through real ShardLoops on loopback (both I/O backends, one and two shards):
//  - a peer vanishes: with a short consent timeout (RFC 7675 §5.1) the shard removes it with
//    PeerRemoved{kConsentExpired} while the peers that keep refreshing consent stay, and every
//    trace of its session is gone (its credentials and its 5-tuple are unknown afterwards);
//  - garbage floods in (random bytes; truncated STUN, DTLS and SRTP; checks with unknown
//    credentials) from a connected peer's own 5-tuple and from an unknown one: media keeps flowing
//    to the others byte-identical, every datagram is counted under its drop reason, and nothing
//    is ever sent to the unknown 5-tuple.

#include <sys/socket.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/common/random.h"
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
using test_support::UdpPeer;

constexpr auto kConsentTimeout = std::chrono::seconds(1);
constexpr auto kConsentRefresh = milliseconds(150);

class FaultTest : public DataplaneFixture {
 protected:
  void ConfigureShard(ShardLoopOptions& options) override {
    options.engine.consent_timeout = kConsentTimeout;
  }

  // Consent refreshes (RFC 7675 §5.1: a Binding request, answered, keeps the session) every
  // kConsentRefresh from every peer in `alive`.
  void KeepAlive(std::vector<UdpPeer*>* alive) {
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    AddService(-1, [alive, last](Instant) {
      const auto wall = std::chrono::steady_clock::now();
      if (wall - *last < kConsentRefresh) return;
      *last = wall;
      for (UdpPeer* p : *alive) p->SendCheck();
    });
  }

  // Sends one audio packet from each room's publisher and waits until every listed subscriber
  // has it: everything the shards received before it has been handled by then.
  bool MediaStillFlows(const std::vector<Room>& rooms, const std::vector<UdpPeer*>& receivers,
                       uint16_t seq, uint8_t fill) {
    const std::vector<uint8_t> payload(48, fill);
    for (const Room& room : rooms) {
      room.publisher->SendRtp(MakeRtp(kOpusPt, seq, 960u * seq, kPubAudioSsrc, payload));
    }
    if (!RunUntil([&] {
          for (UdpPeer* sub : receivers) {
            if (sub->sim().rtp_received.empty()) return false;
          }
          return true;
        })) {
      return false;
    }
    bool identical = true;
    for (UdpPeer* sub : receivers) {
      std::vector<ParsedRtp> got = sub->sim().TakeRtp();
      identical = identical && got.size() == 1 && got[0].payload == payload &&
                  got[0].ssrc == AudioSsrc(*sub);
    }
    return identical;
  }
};

TEST_P(FaultTest, VanishedPeerExpiresByConsentAndItsStateIsGone) {
  std::vector<Room> rooms = ConnectRooms(2);
  ASSERT_FALSE(HasFailure());
  // In every room the first subscriber vanishes (no more checks, nothing sent); the others keep
  // consent alive.
  std::vector<UdpPeer*> alive, receivers;
  std::set<ss::PeerId> vanished;
  for (const Room& room : rooms) {
    alive.push_back(room.publisher);
    alive.push_back(room.subscribers[1]);
    receivers.push_back(room.subscribers[1]);
    vanished.insert(room.subscribers[0]->id());
  }
  KeepAlive(&alive);
  ASSERT_TRUE(RunUntil([&] { return EventsOf<ss::PeerRemoved>().size() >= vanished.size(); },
                       kConsentTimeout + std::chrono::seconds(5)))
      << "the vanished peers were not removed";
  std::set<ss::PeerId> removed;
  for (const ss::PeerRemoved& r : EventsOf<ss::PeerRemoved>()) {
    EXPECT_EQ(r.reason, ss::RemoveReason::kConsentExpired) << "peer " << r.peer;
    removed.insert(r.peer);
  }
  EXPECT_EQ(removed, vanished);

  // The others outlive several consent timeouts' worth of refreshes.
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(MediaStillFlows(rooms, receivers, static_cast<uint16_t>(10 + round),
                                static_cast<uint8_t>(0x30 + round)));
    RunFor(milliseconds(200));
  }

  // Its session is gone: its check (old credentials) finds no ufrag, its SRTP no 5-tuple, a
  // RemovePeer for it finds nothing to remove, and none of it is answered.
  for (const Room& room : rooms) {
    UdpPeer& ghost = *room.subscribers[0];
    const int received_before = ghost.datagrams_received;
    ghost.SendCheck();
    ghost.SendRtcp({0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78});  // an empty RR (RFC 3550 §6.4.2)
    Post(room.shard, ss::RemovePeer{ghost.id()});
    ASSERT_TRUE(MediaStillFlows(rooms, receivers, static_cast<uint16_t>(20 + room.shard), 0x55));
    EXPECT_EQ(ghost.datagrams_received, received_before);
  }
  EXPECT_EQ(EventsOf<ss::PeerRemoved>().size(), vanished.size());
  EXPECT_EQ(removed.count(rooms[0].publisher->id()), 0u);

  StopShards();
  uint64_t unknown_ufrag = 0, unknown_tuple = 0, peers_removed = 0;
  for (auto& loop : loops_) {
    unknown_ufrag += loop->final_stats().drop_unknown_ufrag;
    unknown_tuple += loop->final_stats().drop_unknown_5tuple;
    peers_removed += loop->final_stats().peers_removed;
  }
  EXPECT_GE(unknown_ufrag, rooms.size());
  EXPECT_GE(unknown_tuple, rooms.size());
  EXPECT_EQ(peers_removed, peers_.size());  // the vanished by consent, the rest by Stop
}

// Datagram kinds the flood draws from. Each is counted by the shard under a known reason.
enum class Garbage {
  kRandomUnknownClass,
  kTruncatedStun,
  kTruncatedDtls,
  kDtlsRecord,
  kTruncatedSrtp,
  kCorruptSrtp,
  kRandomSrtp,
  kCheckUnknownUfrag,
  kCheckBadPassword
};
constexpr int kGarbageKinds = 9;

TEST_P(FaultTest, GarbageFloodIsDroppedByReasonUnansweredAndForwardingContinues) {
  std::vector<Room> rooms = ConnectRooms(2);
  ASSERT_FALSE(HasFailure());
  std::vector<UdpPeer*> alive, receivers;
  for (const Room& room : rooms) {
    alive.push_back(room.publisher);
    for (UdpPeer* sub : room.subscribers) {
      alive.push_back(sub);
      receivers.push_back(sub);
    }
  }
  KeepAlive(&alive);
  // A stranger per shard: a socket that never passed a check (its SimPeer names no session).
  std::vector<UdpPeer*> strangers;
  for (int k = 0; k < shard_count(); ++k) strangers.push_back(&NewPeer(k));

  SeededRandom random(0x6A7BA6E);
  // The victim's own SRTP, on an SSRC of its own so that its real streams' indexes are untouched.
  constexpr uint32_t kGarbageSsrc = 0xBAD0BAD0;
  uint16_t garbage_seq = 1;
  constexpr int kRounds = 20;
  constexpr int kPerRound = 90;
  int from_stranger_unknown_tuple = 0, from_stranger_malformed = 0, unknown_ufrag = 0,
      stun_auth = 0, from_peer_srtp = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound; ++i) {
      const Room& room = rooms[i % rooms.size()];
      UdpPeer& stranger = *strangers[room.shard];
      UdpPeer& victim = *room.publisher;  // its own, valid 5-tuple
      const Garbage kind = static_cast<Garbage>(random.Next() % kGarbageKinds);
      std::vector<uint8_t> d;
      switch (kind) {
        case Garbage::kRandomUnknownClass:  // RFC 7983: neither STUN, DTLS nor RTP/RTCP
          d.resize(1 + random.Next() % 1200);
          random.Fill(absl::MakeSpan(d));
          d[0] = static_cast<uint8_t>(64 + random.Next() % 64);
          stranger.Send(d);
          ++from_stranger_malformed;
          break;
        case Garbage::kTruncatedStun:  // a real check cut inside its 20-byte header
          d = stranger.sim().BindingRequest();
          d.resize(1 + random.Next() % 19);
          stranger.Send(d);
          ++from_stranger_malformed;
          break;
        case Garbage::kTruncatedDtls:  // a record header cut short
          d = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
          d.resize(1 + random.Next() % 12);
          stranger.Send(d);
          ++from_stranger_unknown_tuple;
          break;
        case Garbage::kDtlsRecord:  // a whole random handshake record
          d.resize(13 + random.Next() % 300);
          random.Fill(absl::MakeSpan(d));
          d[0] = 22;
          stranger.Send(d);
          ++from_stranger_unknown_tuple;
          break;
        case Garbage::kTruncatedSrtp:  // a real SRTP packet of the victim cut short
          d = victim.sim().ProtectRtp(
              MakeRtp(kOpusPt, garbage_seq++, 0, kGarbageSsrc, std::vector<uint8_t>(40, 1)));
          d.resize(2 + random.Next() % 26);
          victim.Send(d);
          ++from_peer_srtp;
          break;
        case Garbage::kCorruptSrtp:  // its tag no longer verifies (RFC 7714 §8.2)
          d = victim.sim().ProtectRtp(
              MakeRtp(kOpusPt, garbage_seq++, 0, kGarbageSsrc, std::vector<uint8_t>(40, 2)));
          d[20 + random.Next() % 20] ^= 0x5A;
          victim.Send(d);
          ++from_peer_srtp;
          break;
        case Garbage::kRandomSrtp:  // random bytes in the RTP range, also from the stranger
          d.resize(2 + random.Next() % 1200);
          random.Fill(absl::MakeSpan(d));
          d[0] = static_cast<uint8_t>(0x80 | (d[0] & 0x3F));
          if (i % 2 == 0) {
            victim.Send(d);
            ++from_peer_srtp;
          } else {
            stranger.Send(d);
            ++from_stranger_unknown_tuple;
          }
          break;
        case Garbage::kCheckUnknownUfrag:  // well-formed, but names no session
          stranger.Send(stranger.sim().BindingRequest());
          ++unknown_ufrag;
          break;
        case Garbage::kCheckBadPassword:  // the victim's ufrag, MESSAGE-INTEGRITY wrong
          stranger.Send(victim.sim().BindingRequest(true, "not-the-password-not-the-pwd"));
          ++stun_auth;
          break;
      }
    }
    // Each round ends with real media, which must still reach every subscriber intact.
    ASSERT_TRUE(MediaStillFlows(rooms, receivers, static_cast<uint16_t>(100 + round),
                                static_cast<uint8_t>(round)))
        << "forwarding stopped in flood round " << round;
  }
  for (UdpPeer* stranger : strangers) {
    EXPECT_EQ(stranger->datagrams_received, 0) << "sfud answered an unknown 5-tuple";
  }
  EXPECT_TRUE(EventsOf<ss::PeerRemoved>().empty()) << "the flood ended a session";

  StopShards();
  ss::ShardStats sum;
  for (auto& loop : loops_) {
    const ss::ShardStats& s = loop->final_stats();
    sum.drop_malformed += s.drop_malformed;
    sum.drop_unknown_5tuple += s.drop_unknown_5tuple;
    sum.drop_unknown_ufrag += s.drop_unknown_ufrag;
    sum.drop_stun_auth += s.drop_stun_auth;
    sum.drop_srtp_auth += s.drop_srtp_auth;
    sum.drop_srtp_malformed += s.drop_srtp_malformed;
    sum.drop_srtp_replay += s.drop_srtp_replay;
    sum.drop_srtp_other += s.drop_srtp_other;
    sum.rtp_out += s.rtp_out;
  }
  EXPECT_EQ(sum.drop_malformed, static_cast<uint64_t>(from_stranger_malformed));
  EXPECT_EQ(sum.drop_unknown_5tuple, static_cast<uint64_t>(from_stranger_unknown_tuple));
  // ConnectPeers may have sent a check or two before its AddPeer arrived.
  EXPECT_GE(sum.drop_unknown_ufrag, static_cast<uint64_t>(unknown_ufrag));
  EXPECT_EQ(sum.drop_stun_auth, static_cast<uint64_t>(stun_auth));
  EXPECT_EQ(
      sum.drop_srtp_auth + sum.drop_srtp_malformed + sum.drop_srtp_replay + sum.drop_srtp_other,
      static_cast<uint64_t>(from_peer_srtp));
  EXPECT_GT(sum.drop_srtp_auth, 0u);
  EXPECT_EQ(sum.rtp_out, receivers.size() * kRounds);  // the real media, once per subscriber
}

INSTANTIATE_TEST_SUITE_P(Backends, FaultTest, AllBackendsAndShardCounts(), DataplaneParamName);

}  // namespace
}  // namespace sfu::net
