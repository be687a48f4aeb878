// Behaviour of SrtpSession for every profile: round trips through the keying factory, replay,
// tamper, truncation, reordering, rollover, SSRC cap, batches.
#include "core/srtp/srtp_session.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "core/srtp/srtp_keying.h"
#include "gtest/gtest.h"

namespace sfu::srtp {
namespace {

constexpr SrtpProfile kProfiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                     SrtpProfile::kAes128CmHmacSha1_80};

std::vector<uint8_t> Material(SrtpProfile profile) {
  std::vector<uint8_t> m(KeyingMaterialSize(profile));
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i * 7 + 3);
  return m;
}

// RTP with 2 CSRCs and a one-byte-header extension (RFC 8285), payload of `payload` bytes.
std::vector<uint8_t> RtpPacket(uint32_t ssrc, uint16_t seq, size_t payload) {
  std::vector<uint8_t> p = {0x92, 0x60, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
                            0x00, 0x01, 0x02, 0x03, static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16), static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc),
                            // CSRCs
                            0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
                            // 0xBEDE, length 2 words: id 1 len 2 (3 bytes), id 3 len 1, padding
                            0xbe, 0xde, 0x00, 0x02, 0x12, 0xaa, 0xbb, 0xcc, 0x30, 0x55, 0x00, 0x00};
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(seq + i));
  return p;
}

std::vector<uint8_t> RtcpPacket(uint32_t ssrc, uint8_t fill) {
  // Receiver report with one report block (RFC 3550 §6.4.2), 32 bytes.
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

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  void SetUp() override { Rekey({}); }
  void Rekey(const SrtpConfig& config) {
    const std::vector<uint8_t> m = Material(GetParam());
    auto client = CreateSrtpSessions(GetParam(), m, SrtpRole::kClient, config);
    auto server = CreateSrtpSessions(GetParam(), m, SrtpRole::kServer, config);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(server.ok()) << server.status();
    client_.emplace(*std::move(client));
    server_.emplace(*std::move(server));
  }
  SrtpSession& tx() { return client_->outbound; }
  SrtpSession& rx() { return server_->inbound; }

  std::vector<uint8_t> Protect(SrtpSession& s, std::vector<uint8_t> p, bool rtcp) {
    const size_t len = p.size();
    p.resize(len + kMaxSrtcpTrailer);
    size_t out_len = 0;
    const SrtpResult r = rtcp ? s.ProtectRtcp(absl::MakeSpan(p), len, &out_len)
                              : s.ProtectRtp(absl::MakeSpan(p), len, &out_len);
    EXPECT_EQ(r, SrtpResult::kOk) << SrtpResultName(r);
    EXPECT_EQ(out_len, len + (rtcp ? RtcpTrailerSize(GetParam()) : RtpTrailerSize(GetParam())));
    p.resize(out_len);
    return p;
  }
  SrtpResult Unprotect(SrtpSession& s, std::vector<uint8_t> p, bool rtcp,
                       std::vector<uint8_t>* plain = nullptr) {
    size_t out_len = 0;
    const SrtpResult r = rtcp ? s.UnprotectRtcp(absl::MakeSpan(p), p.size(), &out_len)
                              : s.UnprotectRtp(absl::MakeSpan(p), p.size(), &out_len);
    if (plain != nullptr && r == SrtpResult::kOk) *plain = {p.begin(), p.begin() + out_len};
    return r;
  }

  std::optional<SrtpSessionPair> client_;
  std::optional<SrtpSessionPair> server_;
};

TEST_P(SrtpSessionTest, RoundTripBothRolesAndBothDirections) {
  const std::vector<uint8_t> rtp = RtpPacket(0x1234, 7, 160);
  const std::vector<uint8_t> rtcp = RtcpPacket(0x1234, 9);
  std::vector<uint8_t> plain;
  // client → server
  EXPECT_EQ(Unprotect(rx(), Protect(tx(), rtp, false), false, &plain), SrtpResult::kOk);
  EXPECT_EQ(plain, rtp);
  EXPECT_EQ(Unprotect(rx(), Protect(tx(), rtcp, true), true, &plain), SrtpResult::kOk);
  EXPECT_EQ(plain, rtcp);
  // server → client
  EXPECT_EQ(Unprotect(client_->inbound, Protect(server_->outbound, rtp, false), false, &plain),
            SrtpResult::kOk);
  EXPECT_EQ(plain, rtp);
  // A session keyed for the other direction cannot read it.
  EXPECT_EQ(Unprotect(client_->inbound, Protect(tx(), RtpPacket(1, 1, 10), false), false),
            SrtpResult::kAuthFailed);
  EXPECT_EQ(rx().stats().rtp_unprotected, 1u);
  EXPECT_EQ(rx().stats().rtcp_unprotected, 1u);
}

TEST_P(SrtpSessionTest, CiphertextDiffersFromPlaintext) {
  const std::vector<uint8_t> rtp = RtpPacket(0x1234, 7, 64);
  const std::vector<uint8_t> wire = Protect(tx(), rtp, false);
  const size_t header = 12 + 8 + 12;
  EXPECT_TRUE(std::equal(rtp.begin(), rtp.begin() + header, wire.begin()));
  EXPECT_FALSE(std::equal(rtp.begin() + header, rtp.end(), wire.begin() + header));
}

TEST_P(SrtpSessionTest, ReplayIsDroppedAndCounted) {
  const std::vector<uint8_t> wire = Protect(tx(), RtpPacket(5, 100, 40), false);
  EXPECT_EQ(Unprotect(rx(), wire, false), SrtpResult::kOk);
  EXPECT_EQ(Unprotect(rx(), wire, false), SrtpResult::kReplay);
  const std::vector<uint8_t> rtcp = Protect(tx(), RtcpPacket(5, 1), true);
  EXPECT_EQ(Unprotect(rx(), rtcp, true), SrtpResult::kOk);
  EXPECT_EQ(Unprotect(rx(), rtcp, true), SrtpResult::kReplay);
  EXPECT_EQ(rx().stats().dropped(SrtpResult::kReplay), 2u);
}

TEST_P(SrtpSessionTest, EveryFlippedBitIsRejectedAndLeavesNoState) {
  for (bool rtcp : {false, true}) {
    const std::vector<uint8_t> wire =
        rtcp ? Protect(tx(), RtcpPacket(77, 3), true) : Protect(tx(), RtpPacket(77, 9, 24), false);
    const size_t ssrcs_before = rx().ssrc_count();
    for (size_t bit = 0; bit < wire.size() * 8; ++bit) {
      std::vector<uint8_t> bad = wire;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      const SrtpResult r = Unprotect(rx(), bad, rtcp);
      ASSERT_NE(r, SrtpResult::kOk) << "rtcp=" << rtcp << " bit " << bit;
      // Byte 0 holds the version (and for RTP the CSRC count and X bit) and bytes 22-23 the
      // extension length: those may make the header unparseable instead.
      const bool header_shape = bit / 8 == 0 || (!rtcp && (bit / 8 == 22 || bit / 8 == 23));
      if (!header_shape) {
        ASSERT_EQ(r, SrtpResult::kAuthFailed) << "rtcp=" << rtcp << " bit " << bit;
      }
    }
    EXPECT_EQ(rx().ssrc_count(), ssrcs_before);  // forgeries created no SSRC state
    std::vector<uint8_t> plain;
    EXPECT_EQ(Unprotect(rx(), wire, rtcp, &plain), SrtpResult::kOk);
  }
  EXPECT_GT(rx().stats().dropped(SrtpResult::kAuthFailed), 0u);
}

TEST_P(SrtpSessionTest, EveryTruncationIsDropped) {
  for (bool rtcp : {false, true}) {
    const std::vector<uint8_t> wire =
        rtcp ? Protect(tx(), RtcpPacket(78, 3), true) : Protect(tx(), RtpPacket(78, 9, 24), false);
    for (size_t len = 0; len < wire.size(); ++len) {
      std::vector<uint8_t> cut(wire.begin(), wire.begin() + len);
      ASSERT_NE(Unprotect(rx(), cut, rtcp), SrtpResult::kOk) << "rtcp=" << rtcp << " len " << len;
    }
    EXPECT_EQ(Unprotect(rx(), wire, rtcp), SrtpResult::kOk);
  }
  EXPECT_GT(rx().stats().dropped(SrtpResult::kTooShort), 0u);
}

TEST_P(SrtpSessionTest, OutOfOrderInsideWindowAcceptedOnceTooOldRejected) {
  std::vector<std::vector<uint8_t>> wires;
  for (uint16_t seq = 0; seq < 300; ++seq)
    wires.push_back(Protect(tx(), RtpPacket(9, seq, 20), false));
  std::vector<size_t> order(wires.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  for (size_t i : order) ASSERT_EQ(Unprotect(rx(), wires[i], false), SrtpResult::kOk) << i;
  for (size_t i : order) ASSERT_EQ(Unprotect(rx(), wires[i], false), SrtpResult::kReplay) << i;
  // Move the top far ahead: seq 299 falls out of the 1024-packet window.
  for (uint16_t seq = 300; seq < 1400; ++seq) Protect(tx(), RtpPacket(9, seq, 20), false);
  const std::vector<uint8_t> late = Protect(tx(), RtpPacket(9, 299 + 1024 + 2, 20), false);
  const std::vector<uint8_t> top = Protect(tx(), RtpPacket(9, 1400, 20), false);
  EXPECT_EQ(Unprotect(rx(), top, false), SrtpResult::kOk);
  EXPECT_EQ(Unprotect(rx(), wires[299], false), SrtpResult::kTooOld);
  EXPECT_EQ(Unprotect(rx(), late, false), SrtpResult::kOk);  // 1325 is within 1400 - 1023
  EXPECT_EQ(rx().stats().dropped(SrtpResult::kTooOld), 1u);
}

TEST_P(SrtpSessionTest, SrtcpOutOfOrderAndTooOld) {
  std::vector<std::vector<uint8_t>> wires;
  for (int i = 0; i < 200; ++i) wires.push_back(Protect(tx(), RtcpPacket(3, i), true));
  EXPECT_EQ(Unprotect(rx(), wires[150], true), SrtpResult::kOk);
  EXPECT_EQ(Unprotect(rx(), wires[100], true), SrtpResult::kOk);
  EXPECT_EQ(Unprotect(rx(), wires[100], true), SrtpResult::kReplay);
  EXPECT_EQ(Unprotect(rx(), wires[10], true), SrtpResult::kTooOld);  // 150 - 10 >= 128
  EXPECT_EQ(Unprotect(rx(), wires[199], true), SrtpResult::kOk);
}

TEST_P(SrtpSessionTest, SequenceWrapAdvancesRoc) {
  std::vector<std::vector<uint8_t>> wires;
  uint16_t seq = 65530;
  for (int i = 0; i < 12; ++i) wires.push_back(Protect(tx(), RtpPacket(0xabc, seq++, 50), false));
  // Deliver with some reordering across the wrap (65535 after 0 and 1).
  std::vector<size_t> order = {0, 1, 2, 3, 4, 6, 7, 5, 8, 9, 11, 10};
  for (size_t i : order) {
    std::vector<uint8_t> plain;
    ASSERT_EQ(Unprotect(rx(), wires[i], false, &plain), SrtpResult::kOk) << i;
    EXPECT_EQ(plain, RtpPacket(0xabc, static_cast<uint16_t>(65530 + i), 50));
  }
  // A receiver that starts after the wrap assumes ROC 0 and cannot authenticate ROC-1 packets.
  Rekey({});
  for (int i = 0; i < 6; ++i)
    Protect(tx(), RtpPacket(0xabc, static_cast<uint16_t>(65530 + i), 5), false);
  EXPECT_EQ(Unprotect(rx(), Protect(tx(), RtpPacket(0xabc, 0, 5), false), false),
            SrtpResult::kAuthFailed);
}

TEST_P(SrtpSessionTest, InterleavedSsrcsKeepSeparateState) {
  // A wraps (ROC 1) while B does not; alternating exercises the last-SSRC cache on both sides.
  std::vector<std::vector<uint8_t>> a, b;
  for (int i = 0; i < 8; ++i) {
    a.push_back(Protect(tx(), RtpPacket(0xa, static_cast<uint16_t>(65532 + i), 30), false));
    b.push_back(Protect(tx(), RtpPacket(0xb, static_cast<uint16_t>(10 + i), 30), false));
  }
  for (int i = 0; i < 8; ++i) {
    std::vector<uint8_t> plain;
    ASSERT_EQ(Unprotect(rx(), a[i], false, &plain), SrtpResult::kOk) << i;
    EXPECT_EQ(plain, RtpPacket(0xa, static_cast<uint16_t>(65532 + i), 30));
    ASSERT_EQ(Unprotect(rx(), b[i], false, &plain), SrtpResult::kOk) << i;
    EXPECT_EQ(plain, RtpPacket(0xb, static_cast<uint16_t>(10 + i), 30));
  }
  EXPECT_EQ(Unprotect(rx(), a[7], false), SrtpResult::kReplay);
  EXPECT_EQ(Unprotect(rx(), b[0], false), SrtpResult::kReplay);
  EXPECT_EQ(rx().ssrc_count(), 2u);
  // Moving a session keeps its state (and drops the cached pointer safely).
  SrtpSession moved = std::move(server_->inbound);
  EXPECT_EQ(Unprotect(moved, a[3], false), SrtpResult::kReplay);
  EXPECT_EQ(Unprotect(moved, Protect(tx(), RtpPacket(0xb, 18, 30), false), false), SrtpResult::kOk);
}

TEST_P(SrtpSessionTest, SetRolloverCounterMatchesAWrappedStream) {
  for (int i = 0; i < 10; ++i)
    Protect(tx(), RtpPacket(0xdef, static_cast<uint16_t>(65530 + i), 5), false);
  const std::vector<uint8_t> wrapped = Protect(tx(), RtpPacket(0xdef, 4, 5), false);  // ROC 1
  Rekey({});
  ASSERT_TRUE(tx().SetRolloverCounter(0xdef, 1, 4));
  EXPECT_EQ(Protect(tx(), RtpPacket(0xdef, 4, 5), false), wrapped);
}

TEST_P(SrtpSessionTest, SsrcCapDropsNewSsrcs) {
  Rekey(SrtpConfig{.max_ssrcs = 2});
  EXPECT_EQ(Unprotect(rx(), Protect(tx(), RtpPacket(1, 1, 10), false), false), SrtpResult::kOk);
  EXPECT_EQ(Unprotect(rx(), Protect(tx(), RtpPacket(2, 1, 10), false), false), SrtpResult::kOk);
  std::vector<uint8_t> p = RtpPacket(3, 1, 10);
  p.resize(p.size() + 16);
  size_t out_len = 0;
  EXPECT_EQ(tx().ProtectRtp(absl::MakeSpan(p), p.size() - 16, &out_len), SrtpResult::kSsrcLimit);
  EXPECT_EQ(tx().stats().dropped(SrtpResult::kSsrcLimit), 1u);
  // The receiver refuses a third SSRC too (protected by a sender with room for it).
  SrtpSessionPair other = *CreateSrtpSessions(GetParam(), Material(GetParam()), SrtpRole::kClient);
  EXPECT_EQ(Unprotect(rx(), Protect(other.outbound, RtpPacket(3, 1, 10), false), false),
            SrtpResult::kSsrcLimit);
  EXPECT_EQ(rx().stats().dropped(SrtpResult::kSsrcLimit), 1u);
  // Known SSRCs still flow.
  EXPECT_EQ(Unprotect(rx(), Protect(tx(), RtpPacket(1, 2, 10), false), false), SrtpResult::kOk);
}

TEST_P(SrtpSessionTest, StreamsBeyondTheInitialRoomKeepTheirState) {
  // The per-SSRC tables start small and grow (a rehash moves every stream's state): 40 SSRCs
  // interleaved, each with its own sequence, must all keep their replay windows and ROCs.
  constexpr uint32_t kStreams = 40;
  std::vector<std::vector<uint8_t>> first;
  for (uint16_t seq = 0; seq < 3; ++seq) {
    for (uint32_t ssrc = 1; ssrc <= kStreams; ++ssrc) {
      const std::vector<uint8_t> packet = Protect(tx(), RtpPacket(ssrc, seq, 10), false);
      ASSERT_EQ(Unprotect(rx(), packet, false), SrtpResult::kOk) << ssrc << " " << seq;
      if (seq == 0) first.push_back(packet);
    }
  }
  // Every stream's window still remembers its first packet after the table grew past it.
  for (uint32_t ssrc = 1; ssrc <= kStreams; ++ssrc) {
    EXPECT_EQ(Unprotect(rx(), first[ssrc - 1], false), SrtpResult::kReplay) << ssrc;
  }
}

TEST_P(SrtpSessionTest, ProtectNeedsTailroomAndDirection) {
  std::vector<uint8_t> p = RtpPacket(1, 1, 10);
  const size_t len = p.size();
  p.resize(len + RtpTrailerSize(GetParam()) - 1);
  size_t out_len = 0;
  EXPECT_EQ(tx().ProtectRtp(absl::MakeSpan(p), len, &out_len), SrtpResult::kNoTailroom);
  p.resize(len + RtpTrailerSize(GetParam()));
  EXPECT_EQ(rx().ProtectRtp(absl::MakeSpan(p), len, &out_len), SrtpResult::kWrongDirection);
  EXPECT_EQ(tx().UnprotectRtp(absl::MakeSpan(p), len, &out_len), SrtpResult::kWrongDirection);
  EXPECT_EQ(tx().ProtectRtp(absl::MakeSpan(p), len, &out_len), SrtpResult::kOk);
  // RTCP needs tag + 4.
  std::vector<uint8_t> r = RtcpPacket(1, 0);
  const size_t rlen = r.size();
  r.resize(rlen + RtcpTrailerSize(GetParam()) - 1);
  EXPECT_EQ(tx().ProtectRtcp(absl::MakeSpan(r), rlen, &out_len), SrtpResult::kNoTailroom);
}

TEST_P(SrtpSessionTest, MalformedHeadersAreDropped) {
  std::vector<uint8_t> p = RtpPacket(1, 1, 10);
  p[0] = 0x40 | (p[0] & 0x3f);  // version 1
  p.resize(p.size() + 16);
  size_t out_len = 0;
  EXPECT_EQ(tx().ProtectRtp(absl::MakeSpan(p), p.size() - 16, &out_len),
            SrtpResult::kMalformedHeader);
  // Extension length pointing past the end.
  std::vector<uint8_t> q = RtpPacket(1, 1, 0);
  q[23] = 0x40;
  q.resize(q.size() + 16);
  EXPECT_EQ(tx().ProtectRtp(absl::MakeSpan(q), q.size() - 16, &out_len),
            SrtpResult::kMalformedHeader);
}

TEST_P(SrtpSessionTest, SrtcpIndexExhaustion) {
  ASSERT_TRUE(tx().SetNextSrtcpIndex(4, 0x7fffffff));
  EXPECT_FALSE(tx().SetNextSrtcpIndex(4, 0x80000000));
  const std::vector<uint8_t> last = Protect(tx(), RtcpPacket(4, 0), true);
  EXPECT_EQ(Unprotect(rx(), last, true), SrtpResult::kOk);
  std::vector<uint8_t> r = RtcpPacket(4, 0);
  const size_t len = r.size();
  r.resize(len + kMaxSrtcpTrailer);
  size_t out_len = 0;
  EXPECT_EQ(tx().ProtectRtcp(absl::MakeSpan(r), len, &out_len), SrtpResult::kBadIndex);
}

TEST_P(SrtpSessionTest, BatchesMatchSinglePackets) {
  constexpr size_t kBurst = 16;
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<SrtpPacket> batch;
  for (size_t i = 0; i < kBurst; ++i) {
    bufs.push_back(RtpPacket(0x55, static_cast<uint16_t>(1000 + i), 100 + i));
    bufs.back().resize(bufs.back().size() + kMaxSrtpTrailer);
  }
  bufs[5].resize(10);  // one runt in the burst
  for (auto& b : bufs) {
    const size_t len = b.size() > 10 ? b.size() - kMaxSrtpTrailer : b.size();
    batch.push_back(SrtpPacket{b.data(), len, b.size(), SrtpResult::kOk});
  }
  EXPECT_EQ(tx().ProtectRtpBatch(absl::MakeSpan(batch)), kBurst - 1);
  EXPECT_EQ(batch[5].result, SrtpResult::kTooShort);
  std::vector<SrtpPacket> in;
  for (size_t i = 0; i < kBurst; ++i) {
    if (i != 5) in.push_back(batch[i]);
  }
  in.push_back(in[0]);  // duplicate in the same burst
  EXPECT_EQ(rx().UnprotectRtpBatch(absl::MakeSpan(in)), kBurst - 1);
  EXPECT_EQ(in.back().result, SrtpResult::kReplay);
  for (size_t i = 0; i + 1 < in.size(); ++i) {
    const size_t orig = i < 5 ? i : i + 1;
    std::vector<uint8_t> expect = RtpPacket(0x55, static_cast<uint16_t>(1000 + orig), 100 + orig);
    ASSERT_EQ(in[i].len, expect.size());
    EXPECT_TRUE(std::equal(expect.begin(), expect.end(), in[i].data)) << i;
  }
  // RTCP batches.
  std::vector<std::vector<uint8_t>> rbufs;
  std::vector<SrtpPacket> rbatch;
  for (int i = 0; i < 4; ++i) {
    rbufs.push_back(RtcpPacket(0x55, static_cast<uint8_t>(i)));
    rbufs.back().resize(rbufs.back().size() + kMaxSrtcpTrailer);
    rbatch.push_back(SrtpPacket{rbufs.back().data(), rbufs.back().size() - kMaxSrtcpTrailer,
                                rbufs.back().size(), SrtpResult::kOk});
  }
  EXPECT_EQ(tx().ProtectRtcpBatch(absl::MakeSpan(rbatch)), 4u);
  EXPECT_EQ(rx().UnprotectRtcpBatch(absl::MakeSpan(rbatch)), 4u);
  EXPECT_EQ(rbatch[3].len, 32u);
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, SrtpSessionTest, ::testing::ValuesIn(kProfiles),
                         [](const ::testing::TestParamInfo<SrtpProfile>& info) {
                           return std::string(ProfileName(info.param));
                         });

TEST(SrtpKeyingTest, SplitFollowsRfc5764Layout) {
  std::vector<uint8_t> m(56);
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i);
  auto server = SplitKeyingMaterial(SrtpProfile::kAeadAes128Gcm, m, SrtpRole::kServer);
  ASSERT_TRUE(server.ok());
  // client_key[0,16) server_key[16,32) client_salt[32,44) server_salt[44,56)
  EXPECT_EQ(server->local.key[0], 16);
  EXPECT_EQ(server->local.salt[0], 44);
  EXPECT_EQ(server->remote.key[0], 0);
  EXPECT_EQ(server->remote.salt[0], 32);
  EXPECT_EQ(server->local.salt.size(), 12u);
  auto client = SplitKeyingMaterial(SrtpProfile::kAeadAes128Gcm, m, SrtpRole::kClient);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->local.key[0], 0);
  EXPECT_EQ(client->remote.salt[0], 44);
  EXPECT_FALSE(SplitKeyingMaterial(SrtpProfile::kAeadAes128Gcm, absl::MakeConstSpan(m).first(55),
                                   SrtpRole::kClient)
                   .ok());
  EXPECT_EQ(KeyingMaterialSize(SrtpProfile::kAeadAes256Gcm), 88u);
  EXPECT_EQ(KeyingMaterialSize(SrtpProfile::kAes128CmHmacSha1_80), 60u);
}

}  // namespace
}  // namespace sfu::srtp
