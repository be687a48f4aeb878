// The AEAD burst path: SrtpSession's batch calls and ProtectRtpFanout (one plaintext, many
// subscriber sessions, one GcmBatch call) must give exactly what the single-packet calls give, run
// one by one in the same order: same bytes out, same results, same replay/ROC state, same stats.
// ctest runs this binary once per AES-GCM implementation (srtp_test, srtp_test_evp, ...).
#include <algorithm>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "core/srtp/srtp_keying.h"
#include "core/srtp/srtp_session.h"
#include "gtest/gtest.h"

namespace sfu::srtp {
namespace {

constexpr SrtpProfile kProfiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                     SrtpProfile::kAes128CmHmacSha1_80};

// Distinct keying material per `seed`, so every subscriber has its own keys.
std::vector<uint8_t> Material(SrtpProfile profile, uint32_t seed) {
  std::vector<uint8_t> m(KeyingMaterialSize(profile));
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i * 13 + seed * 101 + 5);
  return m;
}

SrtpSessionPair Pair(SrtpProfile profile, uint32_t seed, SrtpRole role) {
  auto pair = CreateSrtpSessions(profile, Material(profile, seed), role);
  EXPECT_TRUE(pair.ok()) << pair.status();
  return *std::move(pair);
}

std::vector<uint8_t> Rtp(uint32_t ssrc, uint16_t seq, size_t payload) {
  std::vector<uint8_t> p = {0x80,
                            0x6f,
                            static_cast<uint8_t>(seq >> 8),
                            static_cast<uint8_t>(seq),
                            0x00,
                            0x00,
                            0x10,
                            0x00,
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(i * 3 + seq));
  return p;
}

std::vector<uint8_t> Rtcp(uint32_t ssrc, uint8_t fill) {
  std::vector<uint8_t> p = {0x81,
                            201,
                            0x00,
                            0x07,
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<uint8_t>(fill + i));
  return p;
}

// A packet with tailroom, as a send path would hold it.
struct Buf {
  std::vector<uint8_t> bytes;
  size_t len = 0;
  explicit Buf(const std::vector<uint8_t>& p) : bytes(p), len(p.size()) {
    bytes.resize(p.size() + kMaxSrtcpTrailer);
  }
  std::vector<uint8_t> view() const { return {bytes.begin(), bytes.begin() + len}; }
};

std::vector<uint8_t> ProtectOne(SrtpSession& s, const std::vector<uint8_t>& p, bool rtcp) {
  Buf b(p);
  size_t out = 0;
  const SrtpResult r = rtcp ? s.ProtectRtcp(absl::MakeSpan(b.bytes), b.len, &out)
                            : s.ProtectRtp(absl::MakeSpan(b.bytes), b.len, &out);
  EXPECT_EQ(r, SrtpResult::kOk) << SrtpResultName(r);
  b.len = out;
  return b.view();
}

SrtpResult UnprotectOne(SrtpSession& s, std::vector<uint8_t>* p, bool rtcp) {
  size_t out = 0;
  const SrtpResult r = rtcp ? s.UnprotectRtcp(absl::MakeSpan(*p), p->size(), &out)
                            : s.UnprotectRtp(absl::MakeSpan(*p), p->size(), &out);
  if (r == SrtpResult::kOk) p->resize(out);
  return r;
}

void ExpectSameStats(const SrtpStats& a, const SrtpStats& b) {
  EXPECT_EQ(a.rtp_protected, b.rtp_protected);
  EXPECT_EQ(a.rtp_unprotected, b.rtp_unprotected);
  EXPECT_EQ(a.rtcp_protected, b.rtcp_protected);
  EXPECT_EQ(a.rtcp_unprotected, b.rtcp_unprotected);
  for (size_t i = 0; i < kSrtpResultCount; ++i) EXPECT_EQ(a.drops[i], b.drops[i]) << i;
}

class SrtpBurstTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpBurstTest, ImplementationIsNamed) {
  const SrtpSessionPair p = Pair(GetParam(), 1, SrtpRole::kClient);
  const std::string_view name = p.outbound.gcm_implementation();
  if (ProfileParams(GetParam()).aead) {
    EXPECT_EQ(name, SrtpGcmImplementation());
    EXPECT_TRUE(name == "evp" || name == "vaes256" || name == "vaes512") << name;
  } else {
    EXPECT_EQ(name, "none");
  }
  // An explicit choice overrides kAuto and the environment.
  SrtpConfig config;
  config.gcm_impl = crypto::GcmImpl::kEvp;
  auto evp = CreateSrtpSessions(GetParam(), Material(GetParam(), 1), SrtpRole::kClient, config);
  ASSERT_TRUE(evp.ok());
  if (ProfileParams(GetParam()).aead) {
    EXPECT_EQ(std::string_view(evp->outbound.gcm_implementation()), "evp");
  }
}

// A receiver fed in random bursts ends up exactly where one fed packet by packet does, through
// reordering, duplicates, forgeries, jumps that move the ROC inside a burst, and bursts longer
// than kMaxGcmBurst. The sender side is checked the same way: a batch sender's bytes equal a
// single-call sender's.
TEST_P(SrtpBurstTest, RandomTrafficBatchEqualsSequential) {
  for (const bool rtcp : {false, true}) {
    std::mt19937 rng(rtcp ? 11 : 7);
    SrtpSessionPair tx_single = Pair(GetParam(), 3, SrtpRole::kClient);
    SrtpSessionPair tx_batch = Pair(GetParam(), 3, SrtpRole::kClient);
    SrtpSessionPair rx_single = Pair(GetParam(), 3, SrtpRole::kServer);
    SrtpSessionPair rx_batch = Pair(GetParam(), 3, SrtpRole::kServer);
    // Sender: two SSRCs; RTP sequence numbers walk with small steps and jumps just under and
    // over half the sequence space, so the ROC moves (also backwards for late packets).
    std::vector<std::vector<uint8_t>> plain;
    uint32_t seq[2] = {65000, 100};
    for (int i = 0; i < 300; ++i) {
      const int s = static_cast<int>(rng() % 2);
      const uint32_t pick = rng() % 100;
      const uint32_t step = pick < 80 ? 1 + rng() % 3 : pick < 90 ? 32000 + rng() % 700 : 1;
      seq[s] += step;
      const uint32_t ssrc = 0xabc0 + static_cast<uint32_t>(s);
      plain.push_back(rtcp ? Rtcp(ssrc, static_cast<uint8_t>(i))
                           : Rtp(ssrc, static_cast<uint16_t>(seq[s]), 20 + rng() % 200));
    }
    std::vector<std::vector<uint8_t>> sent;
    for (const auto& p : plain) sent.push_back(ProtectOne(tx_single.outbound, p, rtcp));
    std::vector<Buf> bufs;
    for (const auto& p : plain) bufs.emplace_back(p);
    for (size_t at = 0; at < bufs.size();) {
      const size_t n = std::min(bufs.size() - at, size_t{1} + rng() % 45);
      std::vector<SrtpPacket> burst;
      for (size_t i = at; i < at + n; ++i) {
        burst.push_back({bufs[i].bytes.data(), bufs[i].len, bufs[i].bytes.size()});
      }
      const size_t ok = rtcp ? tx_batch.outbound.ProtectRtcpBatch(absl::MakeSpan(burst))
                             : tx_batch.outbound.ProtectRtpBatch(absl::MakeSpan(burst));
      EXPECT_EQ(ok, n);
      for (size_t i = 0; i < n; ++i) bufs[at + i].len = burst[i].len;
      at += n;
    }
    for (size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(bufs[i].view(), sent[i]) << i;
    ExpectSameStats(tx_single.outbound.stats(), tx_batch.outbound.stats());

    // Network: local reordering, duplicates, forged copies, some of it far out of order.
    std::vector<std::vector<uint8_t>> wire;
    for (size_t i = 0; i < sent.size(); ++i) {
      wire.push_back(sent[i]);
      const uint32_t pick = rng() % 100;
      if (pick < 8) wire.push_back(sent[i]);
      if (pick >= 8 && pick < 14) {
        std::vector<uint8_t> forged = sent[i];
        forged[forged.size() - 1 - rng() % 20] ^= static_cast<uint8_t>(1 + rng() % 255);
        wire.push_back(forged);
      }
      if (pick >= 14 && pick < 17) wire.push_back(sent[rng() % sent.size()]);
    }
    for (size_t i = 0; i + 1 < wire.size(); ++i) {
      if (rng() % 4 == 0) std::swap(wire[i], wire[i + 1]);
    }
    std::vector<SrtpResult> want;
    std::vector<std::vector<uint8_t>> want_plain;
    for (auto p : wire) {
      want.push_back(UnprotectOne(rx_single.inbound, &p, rtcp));
      want_plain.push_back(p);
    }
    std::vector<std::vector<uint8_t>> got_bytes = wire;
    for (size_t at = 0; at < wire.size();) {
      const size_t n = std::min(wire.size() - at, size_t{1} + rng() % 45);
      std::vector<SrtpPacket> burst;
      for (size_t i = at; i < at + n; ++i) {
        burst.push_back({got_bytes[i].data(), got_bytes[i].size(), got_bytes[i].size()});
      }
      const size_t ok = rtcp ? rx_batch.inbound.UnprotectRtcpBatch(absl::MakeSpan(burst))
                             : rx_batch.inbound.UnprotectRtpBatch(absl::MakeSpan(burst));
      size_t want_ok = 0;
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(burst[i].result, want[at + i])
            << "packet " << at + i << ": " << SrtpResultName(burst[i].result) << " vs "
            << SrtpResultName(want[at + i]);
        if (want[at + i] == SrtpResult::kOk) {
          ++want_ok;
          got_bytes[at + i].resize(burst[i].len);
          EXPECT_EQ(got_bytes[at + i], want_plain[at + i]) << at + i;
        }
      }
      EXPECT_EQ(ok, want_ok);
      at += n;
    }
    ExpectSameStats(rx_single.inbound.stats(), rx_batch.inbound.stats());
    // Both paths accepted something and refused something, so the comparison meant something.
    EXPECT_GT(rx_batch.inbound.stats().drops[static_cast<size_t>(SrtpResult::kAuthFailed)], 0u);
    EXPECT_GT(rx_batch.inbound.stats().drops[static_cast<size_t>(SrtpResult::kReplay)], 0u);
  }
}

// The burst case DoUnprotectRtp cannot meet: packet A moves the window so far that packet B's
// ROC estimate, made before A authenticated, is wrong; B must still be accepted, as it would be
// one by one (RFC 3711 §3.3.1 estimates against the highest authenticated index).
TEST_P(SrtpBurstTest, RocEstimateFollowsEarlierPacketsOfTheBurst) {
  SrtpSessionPair tx = Pair(GetParam(), 4, SrtpRole::kClient);
  SrtpSessionPair rx = Pair(GetParam(), 4, SrtpRole::kServer);
  // Indices 10000, 42700, 75400 (ROC 1, SEQ 9864): 75400 is nearer 42700 than 9864 is, but
  // against 10000 the ROC-0 reading 9864 looks new and in the window.
  std::vector<std::vector<uint8_t>> sent;
  for (const uint16_t seq : {uint16_t{10000}, uint16_t{42700}, uint16_t{9864}}) {
    sent.push_back(ProtectOne(tx.outbound, Rtp(7, seq, 50), false));
  }
  std::vector<uint8_t> first = sent[0];
  ASSERT_EQ(UnprotectOne(rx.inbound, &first, false), SrtpResult::kOk);
  std::vector<SrtpPacket> burst;
  for (size_t i = 1; i < 3; ++i) burst.push_back({sent[i].data(), sent[i].size(), sent[i].size()});
  EXPECT_EQ(rx.inbound.UnprotectRtpBatch(absl::MakeSpan(burst)), 2u);
  EXPECT_EQ(burst[1].result, SrtpResult::kOk);
  EXPECT_EQ(std::vector<uint8_t>(sent[2].begin(), sent[2].begin() + burst[1].len),
            Rtp(7, 9864, 50));
}

TEST_P(SrtpBurstTest, FanoutEqualsPerSessionProtectAndEachSubscriberVerifies) {
  // 40 subscribers (more than one kMaxGcmBurst chunk), profiles mixed: this test's profile for
  // most, every third one cycling through all profiles.
  constexpr size_t kSubscribers = 40;
  std::vector<SrtpSessionPair> senders, twins, receivers;
  std::vector<SrtpProfile> profiles;
  for (uint32_t i = 0; i < kSubscribers; ++i) {
    const SrtpProfile profile = i % 3 == 0 ? kProfiles[(i / 3) % 3] : GetParam();
    profiles.push_back(profile);
    senders.push_back(Pair(profile, 100 + i, SrtpRole::kServer));
    twins.push_back(Pair(profile, 100 + i, SrtpRole::kServer));
    receivers.push_back(Pair(profile, 100 + i, SrtpRole::kClient));
  }
  std::vector<std::vector<uint8_t>> on_wire(kSubscribers);
  // Three 1200-byte packets per subscriber, across the sequence wrap (0xfffe, 0xffff, then
  // 0x0000 with ROC 1), one fan-out burst each.
  for (uint16_t round = 0; round < 3; ++round) {
    const std::vector<uint8_t> p = Rtp(0x5eed, static_cast<uint16_t>(0xfffe + round), 1200 - 12);
    std::vector<Buf> bufs(kSubscribers, Buf(p));
    std::vector<SrtpFanoutPacket> burst;
    for (size_t i = 0; i < kSubscribers; ++i) {
      burst.push_back(
          {&senders[i].outbound, bufs[i].bytes.data(), bufs[i].len, bufs[i].bytes.size()});
    }
    EXPECT_EQ(SrtpSession::ProtectRtpFanout(absl::MakeSpan(burst)), kSubscribers);
    for (size_t i = 0; i < kSubscribers; ++i) {
      ASSERT_EQ(burst[i].result, SrtpResult::kOk);
      EXPECT_EQ(burst[i].len, p.size() + RtpTrailerSize(profiles[i]));
      bufs[i].len = burst[i].len;
      // Byte-equal to the twin session protecting alone.
      EXPECT_EQ(bufs[i].view(), ProtectOne(twins[i].outbound, p, false)) << i;
      std::vector<uint8_t> got = bufs[i].view();
      ASSERT_EQ(UnprotectOne(receivers[i].inbound, &got, false), SrtpResult::kOk) << i;
      EXPECT_EQ(got, p);
      // Another subscriber's keys cannot read it.
      std::vector<uint8_t> other = bufs[i].view();
      EXPECT_NE(UnprotectOne(receivers[(i + 1) % kSubscribers].inbound, &other, false),
                SrtpResult::kOk);
      on_wire[i] = bufs[i].view();
    }
  }
  for (size_t i = 0; i < kSubscribers; ++i) {
    EXPECT_EQ(senders[i].outbound.stats().rtp_protected, 3u);
    // ROC 1 after the wrap: the last packet replayed is refused, proving the window moved.
    std::vector<uint8_t> replay = on_wire[i];
    EXPECT_EQ(UnprotectOne(receivers[i].inbound, &replay, false), SrtpResult::kReplay);
  }
}

TEST_P(SrtpBurstTest, FanoutTamperedOrInvalidPacketFailsAlone) {
  constexpr size_t kSubscribers = 12;
  std::vector<SrtpSessionPair> senders, receivers;
  for (uint32_t i = 0; i < kSubscribers; ++i) {
    senders.push_back(Pair(GetParam(), 200 + i, SrtpRole::kClient));
    receivers.push_back(Pair(GetParam(), 200 + i, SrtpRole::kServer));
  }
  const std::vector<uint8_t> p = Rtp(0x77, 500, 300);
  std::vector<Buf> bufs(kSubscribers, Buf(p));
  bufs[4].bytes.resize(p.size() + 3);  // no tailroom
  std::vector<SrtpFanoutPacket> burst;
  for (size_t i = 0; i < kSubscribers; ++i) {
    burst.push_back(
        {&senders[i].outbound, bufs[i].bytes.data(), bufs[i].len, bufs[i].bytes.size()});
  }
  burst[6].session = &receivers[6].inbound;  // an inbound session cannot protect
  burst[8].session = nullptr;
  EXPECT_EQ(SrtpSession::ProtectRtpFanout(absl::MakeSpan(burst)), kSubscribers - 3);
  EXPECT_EQ(burst[4].result, SrtpResult::kNoTailroom);
  EXPECT_EQ(burst[4].len, p.size());
  EXPECT_EQ(burst[6].result, SrtpResult::kWrongDirection);
  EXPECT_EQ(burst[8].result, SrtpResult::kWrongDirection);
  EXPECT_EQ(senders[4].outbound.stats().dropped(SrtpResult::kNoTailroom), 1u);
  EXPECT_EQ(receivers[6].inbound.stats().dropped(SrtpResult::kWrongDirection), 1u);
  // Tamper with subscriber 2's packet on the wire, then deliver the whole burst as one receive
  // burst per subscriber: only 2 fails, and fails without creating state.
  std::vector<std::vector<uint8_t>> wire(kSubscribers);
  for (size_t i = 0; i < kSubscribers; ++i) {
    bufs[i].len = burst[i].len;
    wire[i] = bufs[i].view();
  }
  std::vector<uint8_t> original2 = wire[2];
  wire[2][20] ^= 0x01;
  for (size_t i = 0; i < kSubscribers; ++i) {
    if (i == 4 || i == 6 || i == 8) continue;
    std::vector<uint8_t> got = wire[i];
    EXPECT_EQ(UnprotectOne(receivers[i].inbound, &got, false),
              i == 2 ? SrtpResult::kAuthFailed : SrtpResult::kOk)
        << i;
    if (i != 2) {
      EXPECT_EQ(got, p);
    }
  }
  EXPECT_EQ(receivers[2].inbound.ssrc_count(), 0u);
  EXPECT_EQ(UnprotectOne(receivers[2].inbound, &original2, false), SrtpResult::kOk);
  EXPECT_EQ(original2, p);
}

// The same outbound session several times in one fan-out burst (several tracks to one
// subscriber): each packet gets its own index, as consecutive ProtectRtp calls would.
TEST_P(SrtpBurstTest, FanoutRepeatedSessionAdvancesState) {
  SrtpSessionPair tx = Pair(GetParam(), 9, SrtpRole::kClient);
  SrtpSessionPair twin = Pair(GetParam(), 9, SrtpRole::kClient);
  SrtpSessionPair rx = Pair(GetParam(), 9, SrtpRole::kServer);
  std::vector<std::vector<uint8_t>> plain;
  for (uint16_t s = 0xfffc; s != 4; ++s) plain.push_back(Rtp(0x99, s, 64));
  std::vector<Buf> bufs;
  for (const auto& p : plain) bufs.emplace_back(p);
  std::vector<SrtpFanoutPacket> burst;
  for (Buf& b : bufs) burst.push_back({&tx.outbound, b.bytes.data(), b.len, b.bytes.size()});
  EXPECT_EQ(SrtpSession::ProtectRtpFanout(absl::MakeSpan(burst)), plain.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    bufs[i].len = burst[i].len;
    EXPECT_EQ(bufs[i].view(), ProtectOne(twin.outbound, plain[i], false)) << i;
    std::vector<uint8_t> got = bufs[i].view();
    EXPECT_EQ(UnprotectOne(rx.inbound, &got, false), SrtpResult::kOk) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, SrtpBurstTest, ::testing::ValuesIn(kProfiles),
                         [](const ::testing::TestParamInfo<SrtpProfile>& info) {
                           std::string name(ProfileName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace sfu::srtp
