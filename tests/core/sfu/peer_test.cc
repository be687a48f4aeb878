#include "core/sfu/peer.h"

#include <memory>
#include <vector>

#include "core/srtp/srtp_keying.h"
#include "gtest/gtest.h"

namespace sfu::sfu {
namespace {

const Instant kNow = Instant::FromNanos(2'000'000'000);

AddPeer Command(PeerId id) {
  AddPeer add;
  add.peer = id;
  add.room = 3;
  add.local_ufrag = "localUfrag";
  add.local_pwd = "abcdefghijklmnopqrstuvwxyz";
  add.remote_ufrag = "remoteUfrag";
  add.remote_fingerprint[0] = 0xAB;
  add.media = PublisherConfig{};
  return add;
}

TEST(PeerTest, CreateTakesIdentityFromTheCommandAndStartsNew) {
  Peer::Limits limits;
  limits.consent_timeout = std::chrono::seconds(10);
  auto peer = Peer::Create(Command(5), limits, kNow);
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ((*peer)->id(), 5u);
  EXPECT_EQ((*peer)->room(), 3u);
  EXPECT_EQ((*peer)->role(), PeerRole::kPublisher);
  EXPECT_EQ((*peer)->state(), PeerState::kNew);
  EXPECT_EQ((*peer)->local_ufrag(), "localUfrag");
  EXPECT_EQ((*peer)->remote_fingerprint()[0], 0xAB);
  EXPECT_EQ((*peer)->dtls(), nullptr);
  EXPECT_FALSE((*peer)->srtp_keyed());
  EXPECT_FALSE((*peer)->media_tuple().has_value());
  // The consent clock runs from creation (RFC 7675): the only timer before any check.
  EXPECT_EQ((*peer)->NextTimeout(), kNow + std::chrono::seconds(10));

  AddPeer subscriber = Command(6);
  subscriber.media = SubscriberConfig{};
  EXPECT_EQ((*Peer::Create(subscriber, limits, kNow))->role(), PeerRole::kSubscriber);
}

TEST(PeerTest, CreateRefusesCredentialsOutsideRfc8839) {
  AddPeer short_ufrag = Command(1);
  short_ufrag.local_ufrag = "abc";
  EXPECT_FALSE(Peer::Create(short_ufrag, Peer::Limits{}, kNow).ok());
  AddPeer short_pwd = Command(1);
  short_pwd.local_pwd = "tooshort";
  EXPECT_FALSE(Peer::Create(short_pwd, Peer::Limits{}, kNow).ok());
  AddPeer bad_chars = Command(1);
  bad_chars.local_pwd = "abcdefghijklmnopqrstuvwxyz-";
  EXPECT_FALSE(Peer::Create(bad_chars, Peer::Limits{}, kNow).ok());
}

// The keying material a DTLS server exported; the peer keys as the server, a test-side client
// keys from the same bytes as the client (RFC 5764 §4.2), and each side opens what the other
// sealed.
void CheckKeying(dtls::SrtpProfile profile) {
  dtls::SrtpKeyingMaterial material;
  material.profile = profile;
  material.role = dtls::Role::kServer;
  for (size_t i = 0; i < material.material.size(); ++i) {
    material.material[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  auto peer = *Peer::Create(Command(1), Peer::Limits{}, kNow);
  ASSERT_TRUE(peer->KeySrtp(material, srtp::SrtpConfig{}).ok());
  ASSERT_TRUE(peer->srtp_keyed());
  auto client = srtp::CreateSrtpSessions(
      static_cast<srtp::SrtpProfile>(profile),
      absl::MakeConstSpan(material.material.data(), material.size()), srtp::SrtpRole::kClient);
  ASSERT_TRUE(client.ok());

  const std::vector<uint8_t> rtp = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 9, 0xCA, 0xFE,
                                    0xBA, 0xBE, 1,    2,    3, 4, 5, 6, 7,    8};
  // client -> peer
  std::vector<uint8_t> buffer = rtp;
  buffer.resize(rtp.size() + srtp::kMaxSrtpTrailer);
  size_t size = 0;
  ASSERT_EQ(client->outbound.ProtectRtp(absl::MakeSpan(buffer), rtp.size(), &size),
            srtp::SrtpResult::kOk);
  ASSERT_EQ(peer->srtp_in().UnprotectRtp(absl::MakeSpan(buffer), size, &size),
            srtp::SrtpResult::kOk);
  EXPECT_EQ(std::vector<uint8_t>(buffer.begin(), buffer.begin() + size), rtp);
  // peer -> client
  buffer = rtp;
  buffer.resize(rtp.size() + srtp::kMaxSrtpTrailer);
  ASSERT_EQ(peer->srtp_out().ProtectRtp(absl::MakeSpan(buffer), rtp.size(), &size),
            srtp::SrtpResult::kOk);
  ASSERT_EQ(client->inbound.UnprotectRtp(absl::MakeSpan(buffer), size, &size),
            srtp::SrtpResult::kOk);
  EXPECT_EQ(std::vector<uint8_t>(buffer.begin(), buffer.begin() + size), rtp);
  // The peer cannot open its own output: the directions use different keys. (A fresh sequence
  // number, so the inbound replay window has not seen it.)
  buffer = rtp;
  buffer[3] = 2;
  buffer.resize(rtp.size() + srtp::kMaxSrtpTrailer);
  ASSERT_EQ(peer->srtp_out().ProtectRtp(absl::MakeSpan(buffer), rtp.size(), &size),
            srtp::SrtpResult::kOk);
  EXPECT_EQ(peer->srtp_in().UnprotectRtp(absl::MakeSpan(buffer), size, &size),
            srtp::SrtpResult::kAuthFailed);
}

TEST(PeerTest, KeysSrtpAsTheDtlsServerForEveryProfile) {
  CheckKeying(dtls::SrtpProfile::kAeadAes128Gcm);
  CheckKeying(dtls::SrtpProfile::kAeadAes256Gcm);
  CheckKeying(dtls::SrtpProfile::kAes128CmHmacSha1_80);
}

TEST(PeerTest, StateNamesForLogs) {
  EXPECT_EQ(ToString(PeerState::kNew), "new");
  EXPECT_EQ(ToString(PeerState::kIceConnected), "ice_connected");
  EXPECT_EQ(ToString(PeerState::kDtlsConnected), "dtls_connected");
  EXPECT_EQ(ToString(PeerState::kRemoved), "removed");
  EXPECT_EQ(ToString(RemoveReason::kConsentExpired), "consent_expired");
  EXPECT_EQ(ToString(RemoveReason::kDtlsClosed), "dtls_closed");
}

}  // namespace
}  // namespace sfu::sfu
