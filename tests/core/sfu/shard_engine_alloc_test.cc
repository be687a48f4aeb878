// Steady-state media through the whole shard allocates nothing: a publisher's SRTP packets go
// HandleDatagram (demux, 5-tuple lookup, SRTP unprotect, Router fan-out, SRTP protect for two
// subscribers) → transmits() → ClearTransmits() inside a counting scope (alloc_counter.h).
//
// The setup is a minimal in-memory browser (the shard_engine_test.cc approach): a Binding request
// from core/stun's builder, our DtlsEndpoint as the client, SRTP keyed from its exporter output.
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
#include "core/dtls/dtls_endpoint.h"
#include "core/rtp/demux.h"
#include "core/sfu/shard_engine.h"
#include "core/srtp/srtp_keying.h"
#include "core/stun/stun_builder.h"
#include "crypto/certificate.h"
#include "crypto/hmac.h"
#include "gtest/gtest.h"
#include "tests/core/sfu/alloc_counter.h"

namespace sfu::sfu {
namespace {

using std::chrono::milliseconds;
using testing_alloc::AllocationCounter;

std::shared_ptr<const crypto::Certificate> MakeCertificate(const char* name) {
  auto cert = crypto::Certificate::GenerateSelfSigned(name, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok()) << cert.status();
  return std::make_shared<const crypto::Certificate>(*std::move(cert));
}

SocketAddress Address(const char* ip, uint16_t port) {
  return SocketAddress{*IpAddress::Parse(ip), port};
}

const SocketAddress kServer = Address("192.0.2.1", 40000);

// RFC 3550 §5.1 fixed header, no CSRCs or extensions.
std::vector<uint8_t> MakeRtp(uint8_t pt, uint16_t seq, uint32_t timestamp, uint32_t ssrc,
                             const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> p = {0x80,
                            pt,
                            static_cast<uint8_t>(seq >> 8),
                            static_cast<uint8_t>(seq),
                            static_cast<uint8_t>(timestamp >> 24),
                            static_cast<uint8_t>(timestamp >> 16),
                            static_cast<uint8_t>(timestamp >> 8),
                            static_cast<uint8_t>(timestamp),
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  p.reserve(p.size() + payload.size());
  for (uint8_t b : payload) p.push_back(b);  // (gcc 12 misreads insert() here: -Warray-bounds)
  return p;
}

// RFC 7741 §4.2/§4.3: S=1, PID=0; P bit 0 marks a keyframe.
std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill) {
  std::vector<uint8_t> payload = {0x10, static_cast<uint8_t>(keyframe ? 0x00 : 0x01), 0x9D, 0x01,
                                  0x2A};
  for (int i = 0; i < 600; ++i) payload.push_back(static_cast<uint8_t>(fill + i));
  return payload;
}

// One browser: checks, DTLS client, SRTP keyed from the handshake.
struct Browser {
  Browser(PeerId id_in, uint16_t port)
      : id(id_in),
        tuple{kServer, Address("198.51.100.7", port)},
        local_ufrag("srv" + std::to_string(id_in) + "u"),
        local_pwd("serverpassword" + std::to_string(id_in) + "abcdefghijkl"),
        remote_ufrag("brw" + std::to_string(id_in)),
        random(500 + id_in),
        certificate(MakeCertificate("browser")) {}

  std::vector<uint8_t> Check() {
    auto hmac = crypto::Hmac::Create(
        crypto::HashAlgorithm::kSha1,
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(local_pwd.data()), local_pwd.size()));
    EXPECT_TRUE(hmac.ok());
    stun::TransactionId tid{};
    random.Fill(absl::MakeSpan(tid));
    const std::string username = local_ufrag + ":" + remote_ufrag;
    stun::BindingRequestParams params;
    params.username = username;
    params.priority = 0x6E7F1EFF;
    params.tie_breaker = random.Next();
    params.use_candidate = true;
    std::vector<uint8_t> buffer(512);
    auto built = stun::BuildBindingRequest(absl::MakeSpan(buffer), tid, params, *hmac);
    EXPECT_TRUE(built.has_value());
    return std::vector<uint8_t>(built->begin(), built->end());
  }

  AddPeer Command(RoomId room) const {
    AddPeer add;
    add.peer = id;
    add.room = room;
    add.local_ufrag = local_ufrag;
    add.local_pwd = local_pwd;
    add.remote_ufrag = remote_ufrag;
    add.remote_fingerprint = certificate->fingerprint_sha256();
    return add;
  }

  std::vector<uint8_t> Protect(const std::vector<uint8_t>& rtp) {
    std::vector<uint8_t> buffer = rtp;
    buffer.resize(rtp.size() + srtp::kMaxSrtcpTrailer);
    size_t size = 0;
    EXPECT_EQ(srtp->outbound.ProtectRtp(absl::MakeSpan(buffer), rtp.size(), &size),
              srtp::SrtpResult::kOk);
    buffer.resize(size);
    return buffer;
  }

  PeerId id;
  FiveTuple tuple;
  std::string local_ufrag, local_pwd, remote_ufrag;
  SeededRandom random;
  std::shared_ptr<const crypto::Certificate> certificate;
  std::unique_ptr<dtls::DtlsEndpoint> dtls;
  std::optional<srtp::SrtpSessionPair> srtp;
  int media_received = 0;
};

class AllocHarness {
 public:
  AllocHarness() : cert_(MakeCertificate("sfud")), random_(7), engine_({}, cert_, random_) {}

  ShardEngine& engine() { return engine_; }
  Instant now() const { return now_; }

  void Send(Browser& from, std::vector<uint8_t> datagram) {
    engine_.HandleDatagram(now_, from.tuple, absl::MakeSpan(datagram));
    Deliver();
  }

  void Deliver() {
    std::vector<std::pair<FiveTuple, std::vector<uint8_t>>> out;
    for (const Transmit& t : engine_.transmits()) {
      out.emplace_back(t.destination, std::vector<uint8_t>(t.data.begin(), t.data.end()));
    }
    engine_.ClearTransmits();
    for (auto& [tuple, bytes] : out) {
      for (Browser* b : browsers_) {
        if (!(b->tuple == tuple)) continue;
        const rtp::PacketClass kind = rtp::ClassifyDatagram(bytes);
        if (kind == rtp::PacketClass::kDtls && b->dtls != nullptr) {
          b->dtls->HandleDatagram(now_, bytes);
        } else if (kind == rtp::PacketClass::kRtp) {
          ++b->media_received;
        }
      }
    }
    while (engine_.PollEvent().has_value()) {
    }
  }

  // Checks, then runs every DTLS client against the engine until all have SRTP keys. Bounded.
  bool Connect(std::initializer_list<Browser*> browsers) {
    for (Browser* b : browsers) {
      browsers_.push_back(b);
      Send(*b, b->Check());
      dtls::DtlsConfig config;
      config.role = dtls::Role::kClient;
      config.expected_peer_fingerprint = cert_->fingerprint_sha256();
      auto client = dtls::DtlsEndpoint::CreateClient(config, b->certificate, b->random);
      if (!client.ok()) return false;
      b->dtls = *std::move(client);
      b->dtls->Start(now_);
    }
    for (int step = 0; step < 200; ++step) {
      bool all = true;
      for (Browser* b : browsers) {
        for (int i = 0; i < 64; ++i) {
          std::optional<absl::Span<const uint8_t>> d = b->dtls->PollTransmit();
          if (!d.has_value()) break;
          Send(*b, std::vector<uint8_t>(d->begin(), d->end()));
        }
        while (std::optional<dtls::DtlsEvent> event = b->dtls->PollEvent()) {
          if (event->kind != dtls::DtlsEvent::Kind::kConnected) continue;
          auto pair = srtp::CreateSrtpSessions(
              static_cast<srtp::SrtpProfile>(event->srtp.profile),
              absl::MakeConstSpan(event->srtp.material.data(), event->srtp.size()),
              srtp::SrtpRole::kClient);
          if (!pair.ok()) return false;
          b->srtp.emplace(*std::move(pair));
        }
        all = all && b->srtp.has_value();
      }
      if (all) return true;
      now_ += milliseconds(10);
      engine_.HandleTimeout(now_);
      for (Browser* b : browsers) b->dtls->HandleTimeout(now_);
      Deliver();
    }
    return false;
  }

 private:
  std::shared_ptr<const crypto::Certificate> cert_;
  SeededRandom random_;
  ShardEngine engine_;
  Instant now_ = Instant::FromNanos(5'000'000'000);
  std::vector<Browser*> browsers_;
};

TEST(ShardEngineAllocationTest, SteadyStateSrtpFanOutAllocatesNothing) {
  AllocHarness h;
  Browser pub(1, 50001), sub_a(2, 50002), sub_b(3, 50003);

  AddPeer add_pub = pub.Command(1);
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
    AddPeer add = sub->Command(1);
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
    h.Send(pub, pub.Protect(MakeRtp(111, audio_seq++, audio_ts += 960, 0x10,
                                    std::vector<uint8_t>(80, static_cast<uint8_t>(i)))));
    h.Send(pub, pub.Protect(MakeRtp(96, video_seq++, video_ts += 3000, 0x20,
                                    Vp8Payload(i == 0, static_cast<uint8_t>(i)))));
  }
  ASSERT_EQ(sub_a.media_received, 40);
  ASSERT_EQ(sub_b.media_received, 40);

  // The measured packets are protected beforehand; the loop copies each into a fixed buffer
  // (the I/O driver's receive buffer) so the test itself allocates nothing either.
  constexpr int kPackets = 400;
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < kPackets; ++i) {
    if (i % 2 == 0) {
      packets.push_back(pub.Protect(MakeRtp(111, audio_seq++, audio_ts += 960, 0x10,
                                            std::vector<uint8_t>(120, static_cast<uint8_t>(i)))));
    } else {
      packets.push_back(pub.Protect(MakeRtp(96, video_seq++, video_ts += 3000, 0x20,
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
