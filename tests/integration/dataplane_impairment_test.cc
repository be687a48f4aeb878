// Loss, duplication and reordering between peers and sfud, through real ShardLoops on loopback
// (both I/O backends, one and two shards; one room per shard). A seeded LossyRelay sits in front
// of the publisher (uplink: loss, duplication, reordering; downlink: loss of sfud's NACKs) and of
// one subscriber (downlink reordering). The publisher answers sfud's generic NACKs (RFC 4585
// §6.2.1) by resending the packets named, as a sender without RTX does. Asserted on content and
// counts, not timing: every video packet reaches both subscribers exactly once, byte-identical,
// with the sequence numbers sfud assigned forming one gap-free run; duplicates end at sfud's SRTP
// replay check; losses were NACKed and recovered.

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "core/net/monotonic_clock.h"
#include "gtest/gtest.h"
#include "tests/integration/dataplane_harness.h"
#include "tests/integration/lossy_relay.h"
#include "tests/support/rtp_builders.h"
#include "tests/support/udp_peer.h"

namespace sfu::net {
namespace {

namespace ss = ::sfu::sfu;
using std::chrono::milliseconds;
using test_support::MakeRtp;
using test_support::NackedSequenceNumbers;
using test_support::ParsedRtp;
using test_support::UdpPeer;

constexpr int kPackets = 150;
constexpr int kBurst = 10;
constexpr auto kBurstInterval = std::chrono::milliseconds(20);
constexpr uint16_t kFirstSeq = 65500;  // the run crosses the 16-bit wrap

std::vector<uint8_t> VideoPayload(int i) {
  return test_support::Vp8Payload(i == 0, static_cast<uint8_t>(i * 3), 120 + i % 50);
}

class ImpairmentTest : public DataplaneFixture {
 protected:
  void ConfigureShard(ShardLoopOptions& options) override {
    // Retry lost packets quickly and often enough that a NACK lost on the way is asked again,
    // and keep asking for long enough that a test thread starved of CPU on a loaded CI machine
    // (it runs the relay, the publisher and the viewers) still answers in time: the test checks
    // recovery, not its speed.
    options.engine.router.publisher_rtt = milliseconds(20);
    options.engine.router.nack_min_retry_interval = milliseconds(20);
    options.engine.router.nack_max_retries = 500;
    options.engine.router.nack_max_age = std::chrono::seconds(10);
  }

  LossyRelay& NewRelay(int shard, uint64_t seed) {
    relays_.push_back(std::make_unique<LossyRelay>(shard_address(shard), seed));
    LossyRelay* relay = relays_.back().get();
    AddService(relay->peer_side_fd(), [relay](Instant) { relay->Service(); });
    return *relay;
  }

  void Run(bool paced);

  std::vector<std::unique_ptr<LossyRelay>> relays_;
};

struct ImpairedRoom {
  int shard = 0;
  LossyRelay* pub_relay = nullptr;
  LossyRelay* sub_relay = nullptr;
  UdpPeer* pub = nullptr;
  UdpPeer* clean_sub = nullptr;
  UdpPeer* impaired_sub = nullptr;
  std::map<uint16_t, std::vector<uint8_t>> sent;  // SRTP as first sent, by sequence number
  std::set<uint16_t> nacked;
  int resent = 0;
};

// Sends kPackets video packets through the impaired paths and checks what the viewers got.
// `paced`: one burst of kBurst packets every kBurstInterval (500 packets/s, a video-like rate), so
// a retransmission arrives fewer than RFC 3550 A.1's MAX_MISORDER (100) packets behind the
// newest. Unpaced, all bursts go out back to back and retransmissions arrive further behind.
void ImpairmentTest::Run(bool paced) {
  std::vector<std::unique_ptr<ImpairedRoom>> rooms;
  std::vector<UdpPeer*> all;
  for (int k = 0; k < shard_count(); ++k) {
    auto r = std::make_unique<ImpairedRoom>();
    r->shard = k;
    r->pub_relay = &NewRelay(k, 0x5EED0 + k);
    r->sub_relay = &NewRelay(k, 0x5EED8 + k);
    r->pub = &NewPeerVia(r->pub_relay->address());
    r->clean_sub = &NewPeer(k);
    r->impaired_sub = &NewPeerVia(r->sub_relay->address());
    const ss::RoomId room = 700 + k;
    AddPublisher(k, r->pub->sim(), room);
    AddSubscriber(k, r->clean_sub->sim(), room);
    AddSubscriber(k, r->impaired_sub->sim(), room);
    all.insert(all.end(), {r->pub, r->clean_sub, r->impaired_sub});
    // The publisher answers NACKs for its video from what it sent.
    ImpairedRoom* room_ptr = r.get();
    AddService(-1, [room_ptr](Instant) {
      test_support::SimPeer& sim = room_ptr->pub->sim();
      for (uint16_t seq : NackedSequenceNumbers(sim.rtcp_plain, kPubVideoSsrc)) {
        room_ptr->nacked.insert(seq);
        auto it = room_ptr->sent.find(seq);
        if (it == room_ptr->sent.end()) continue;
        room_ptr->pub->Send(it->second);
        ++room_ptr->resent;
      }
      sim.rtcp_plain.clear();
    });
    rooms.push_back(std::move(r));
  }
  ASSERT_TRUE(ConnectPeers(all));

  auto send_video = [&](ImpairedRoom& r, int i) {
    const uint16_t seq = static_cast<uint16_t>(kFirstSeq + i);
    std::vector<uint8_t> srtp = r.pub->sim().ProtectRtp(
        MakeRtp(kVp8Pt, seq, 3000u * i, kPubVideoSsrc, VideoPayload(i), true));
    r.sent[seq] = srtp;
    r.pub->Send(srtp);
  };
  // The keyframe on a clean path, so both viewers start; then the paths degrade.
  for (auto& r : rooms) send_video(*r, 0);
  ASSERT_TRUE(RunUntil([&] {
    for (auto& r : rooms) {
      if (r->clean_sub->sim().rtp_received.empty()) return false;
      if (r->impaired_sub->sim().rtp_received.empty()) return false;
    }
    return true;
  }));
  for (auto& r : rooms) {
    r->pub_relay->set_uplink({/*loss=*/15, /*duplicate=*/10, /*reorder=*/25});
    r->pub_relay->set_downlink({/*loss=*/10, 0, 0});
    r->sub_relay->set_downlink({0, 0, /*reorder=*/30});
  }

  // Bursts of kBurst packets, one burst per service round, until all are sent and every viewer
  // holds one copy of each.
  int next = 1;
  auto received_all = [&] {
    for (auto& r : rooms) {
      for (UdpPeer* sub : {r->clean_sub, r->impaired_sub}) {
        if (sub->sim().rtp_received.size() < static_cast<size_t>(kPackets)) return false;
      }
    }
    return true;
  };
  auto last_burst = std::chrono::steady_clock::time_point{};
  const bool complete = RunUntil(
      [&] {
        const auto wall = std::chrono::steady_clock::now();
        if (!paced || wall - last_burst >= kBurstInterval) {
          last_burst = wall;
          for (int b = 0; b < kBurst && next < kPackets; ++b, ++next) {
            for (auto& r : rooms) send_video(*r, next);
          }
        }
        return next == kPackets && received_all();
      },
      std::chrono::seconds(15));
  for (auto& r : rooms) {
    EXPECT_TRUE(complete) << "shard " << r->shard << ": clean viewer has "
                          << r->clean_sub->sim().rtp_received.size() << ", impaired viewer "
                          << r->impaired_sub->sim().rtp_received.size() << " of " << kPackets
                          << "; uplink dropped " << r->pub_relay->uplink().dropped << ", NACKed "
                          << r->nacked.size() << ", resent " << r->resent;
  }
  if (!complete) {
    for (auto& r : rooms) {
      std::set<int> missing;
      for (int i = 0; i < kPackets; ++i) missing.insert(i);
      for (const ParsedRtp& p : r->clean_sub->sim().TakeRtp()) {
        for (int i = 0; i < kPackets; ++i) {
          if (p.payload == VideoPayload(i)) missing.erase(i);
        }
      }
      std::string list;
      for (int i : missing) list += " " + std::to_string(static_cast<uint16_t>(kFirstSeq + i));
      ADD_FAILURE() << "shard " << r->shard << " never got publisher seqs:" << list;
    }
  }
  ASSERT_TRUE(complete);
  // Gives a late extra copy, if sfud sent one, the chance to show up in the counts below (nothing
  // is waited for; sfud's own rtp_out at the end is the exact check).
  RunFor(milliseconds(100));

  for (auto& r : rooms) {
    EXPECT_GT(r->pub_relay->uplink().dropped, 0);
    EXPECT_GT(r->pub_relay->uplink().duplicated, 0);
    EXPECT_GT(r->pub_relay->uplink().reordered, 0);
    EXPECT_GT(r->sub_relay->downlink().reordered, 0);
    EXPECT_GT(r->resent, 0) << "nothing was recovered by NACK";
    for (UdpPeer* sub : {r->clean_sub, r->impaired_sub}) {
      std::vector<ParsedRtp> got = sub->sim().TakeRtp();
      ASSERT_EQ(got.size(), static_cast<size_t>(kPackets)) << "viewer " << sub->id();
      // sfud's sequence numbers: one gap-free run (modulo the wrap), each payload once, in the
      // publisher's order, starting at the keyframe.
      const uint16_t reference = got[0].seq;
      std::map<uint16_t, const ParsedRtp*> by_offset;
      for (const ParsedRtp& p : got) by_offset[static_cast<uint16_t>(p.seq - reference)] = &p;
      ASSERT_EQ(by_offset.size(), static_cast<size_t>(kPackets)) << "a sequence number twice";
      uint16_t base = 0;
      for (const auto& [offset, p] : by_offset) {
        if (p->payload == VideoPayload(0)) base = offset;
      }
      for (int i = 0; i < kPackets; ++i) {
        auto it = by_offset.find(static_cast<uint16_t>(base + i));
        ASSERT_NE(it, by_offset.end()) << "no packet at offset " << i;
        EXPECT_EQ(it->second->payload, VideoPayload(i))
            << "viewer " << sub->id() << " packet " << i;
        EXPECT_EQ(it->second->ssrc, VideoSsrc(*sub));
      }
    }
  }

  StopShards();
  uint64_t rtp_out = 0, replays = 0;
  for (auto& loop : loops_) {
    rtp_out += loop->final_stats().rtp_out;
    replays += loop->final_stats().drop_srtp_replay;
  }
  // Once per viewer per packet: neither the path's duplicates nor late originals plus their
  // retransmissions were forwarded twice.
  EXPECT_EQ(rtp_out, rooms.size() * 2 * kPackets);
  int duplicated = 0;
  for (auto& r : rooms) duplicated += r->pub_relay->uplink().duplicated;
  EXPECT_GE(replays, static_cast<uint64_t>(duplicated));
}

TEST_P(ImpairmentTest, LossDuplicationReorderingRecoveredByNackForwardedOnce) {
  Run(/*paced=*/true);
}

// Unpaced, the publisher's resends of a burst loss arrive hundreds of packets behind the newest.
// SeqNumUnwrapper used to take two of them in a row for an RFC 3550 A.1 source restart and move
// the index a whole cycle forward, so the other lost packets were never recovered (see
// SeqNumTest.LateRetransmissionsInARowStayLate).
TEST_P(ImpairmentTest, UnpacedRetransmissionsFarBehindAreRecovered) { Run(/*paced=*/false); }

INSTANTIATE_TEST_SUITE_P(Backends, ImpairmentTest, AllBackendsAndShardCounts(), DataplaneParamName);

}  // namespace
}  // namespace sfu::net
