// Fuzzes the whole sans-IO shard: one engine with a publisher and a subscriber added by command,
// fed a sequence of records, each a datagram from one of a few 5-tuples after a time step.
//
// Record layout (big-endian; a short tail ends the input):
//   [0] time advance in units of 8 ms (so consent, DTLS retransmission and Router timers fire)
//   [1] bits 0-1: source tuple (publisher's, subscriber's, a v4 stranger, a v6 stranger)
//       bit 2: instead of the bytes, send a valid Binding request (correct MESSAGE-INTEGRITY)
//              for the peer in bit 4 (0 publisher, 1 subscriber), USE-CANDIDATE from bit 3;
//              this binds the tuple so DTLS and SRTP from it reach the session
//   [2..3] datagram length (clamped to what is left and to 1500)
//   [...]  datagram bytes
// Invariants checked beyond "no crash": nothing is ever sent to a 5-tuple that did not pass a
// valid check (RFC 7675 consent, no amplification), and every transmit is non-empty and from the
// shard's own address.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/sfu/shard_engine.h"
#include "core/stun/stun_builder.h"
#include "crypto/certificate.h"
#include "crypto/hmac.h"

namespace {

using sfu::FiveTuple;
using sfu::Instant;
using sfu::IpAddress;
using sfu::SocketAddress;
namespace sfu_sfu = sfu::sfu;

constexpr size_t kMaxRecords = 64;
constexpr size_t kMaxDatagram = 1500;

struct PeerSpec {
  sfu_sfu::PeerId id;
  const char* local_ufrag;
  const char* local_pwd;
  const char* remote_ufrag;
};
constexpr PeerSpec kPublisher{1, "pubu", "publisherpassword0123456789", "brwa"};
constexpr PeerSpec kSubscriber{2, "subu", "subscriberpassword012345678", "brwb"};

// Generating a certificate costs milliseconds: once per process.
const std::shared_ptr<const sfu::crypto::Certificate>& Certificate() {
  static const auto* cert = [] {
    auto generated =
        sfu::crypto::Certificate::GenerateSelfSigned("sfud-fuzz", std::chrono::hours(24));
    if (!generated.ok()) __builtin_trap();
    return new std::shared_ptr<const sfu::crypto::Certificate>(
        std::make_shared<const sfu::crypto::Certificate>(*std::move(generated)));
  }();
  return *cert;
}

SocketAddress Address(const char* ip, uint16_t port) {
  return SocketAddress{*IpAddress::Parse(ip), port};
}

sfu_sfu::AddPeer Command(const PeerSpec& spec, bool publisher) {
  sfu_sfu::AddPeer add;
  add.peer = spec.id;
  add.room = 1;
  add.local_ufrag = spec.local_ufrag;
  add.local_pwd = spec.local_pwd;
  add.remote_ufrag = spec.remote_ufrag;
  add.remote_fingerprint.fill(0x5A);
  if (publisher) {
    sfu_sfu::PublisherConfig p;
    p.tracks.push_back(sfu_sfu::TrackConfig{"0",
                                            sfu_sfu::MediaKind::kAudio,
                                            {sfu_sfu::CodecConfig{111, "opus", 48000, 0}},
                                            {},
                                            {sfu_sfu::LayerConfig{"", 0x10, 0}}});
    p.tracks.push_back(sfu_sfu::TrackConfig{"1",
                                            sfu_sfu::MediaKind::kVideo,
                                            {sfu_sfu::CodecConfig{96, "VP8", 90000, 0}},
                                            {},
                                            {sfu_sfu::LayerConfig{"", 0x20, 0}}});
    p.feedback_ssrc = 0x5F5F0001;
    add.media = p;
  } else {
    sfu_sfu::SubscriberConfig s;
    s.slots.push_back(sfu_sfu::SlotConfig{"0",
                                          sfu_sfu::MediaKind::kAudio,
                                          {sfu_sfu::CodecConfig{109, "opus", 48000, 0}},
                                          {},
                                          0x30,
                                          0});
    s.slots.push_back(sfu_sfu::SlotConfig{"1",
                                          sfu_sfu::MediaKind::kVideo,
                                          {sfu_sfu::CodecConfig{100, "VP8", 90000, 0}},
                                          {},
                                          0x40,
                                          0});
    add.media = s;
  }
  return add;
}

// A Binding request the engine accepts: USERNAME "local:remote", keyed with the local password.
absl::Span<const uint8_t> ValidCheck(const PeerSpec& spec, bool use_candidate,
                                     sfu::SeededRandom& random, absl::Span<uint8_t> buffer) {
  const std::string_view pwd = spec.local_pwd;
  auto hmac = sfu::crypto::Hmac::Create(
      sfu::crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size()));
  if (!hmac.ok()) __builtin_trap();
  sfu::stun::TransactionId tid{};
  random.Fill(absl::MakeSpan(tid));
  const std::string username = std::string(spec.local_ufrag) + ":" + spec.remote_ufrag;
  sfu::stun::BindingRequestParams params;
  params.username = username;
  params.priority = 0x6E7F1EFF;
  params.tie_breaker = random.Next();
  params.use_candidate = use_candidate;
  auto built = sfu::stun::BuildBindingRequest(buffer, tid, params, *hmac);
  if (!built.has_value()) __builtin_trap();
  return *built;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const SocketAddress server = Address("192.0.2.1", 40000);
  const std::array<FiveTuple, 4> tuples = {
      FiveTuple{server, Address("198.51.100.7", 50001)},
      FiveTuple{server, Address("198.51.100.7", 50002)},
      FiveTuple{server, Address("203.0.113.5", 9)},
      FiveTuple{server, Address("2001:db8::1", 443)},
  };
  std::array<bool, 4> checked{};  // tuples that sent a valid check (may be answered)

  sfu_sfu::ShardEngineConfig config;
  config.max_peers = 4;
  config.max_transmits = 256;
  config.control_arena_bytes = 64 * 1024;
  config.router_outputs = 256;
  config.router_arena_bytes = 256 * 1300;
  config.max_events = 64;
  sfu::SeededRandom random(0x5EED);
  sfu_sfu::ShardEngine engine(config, Certificate(), random);
  Instant now = Instant::FromNanos(1'000'000'000);
  if (!engine.AddPeer(now, Command(kPublisher, true)).ok()) __builtin_trap();
  if (!engine.AddPeer(now, Command(kSubscriber, false)).ok()) __builtin_trap();

  auto drain = [&] {
    for (const sfu_sfu::Transmit& t : engine.transmits()) {
      if (t.data.empty() || !(t.destination.local == server)) __builtin_trap();
      bool allowed = false;
      for (size_t i = 0; i < tuples.size(); ++i) {
        allowed = allowed || (checked[i] && t.destination.remote == tuples[i].remote);
      }
      if (!allowed) __builtin_trap();  // answered a tuple that never proved consent
    }
    engine.ClearTransmits();
    while (engine.PollEvent().has_value()) {
    }
  };

  std::array<uint8_t, kMaxDatagram> buffer;
  size_t offset = 0;
  for (size_t record = 0; record < kMaxRecords && offset + 4 <= size; ++record) {
    const uint8_t advance = data[offset];
    const uint8_t selector = data[offset + 1];
    size_t length = static_cast<size_t>(data[offset + 2]) << 8 | data[offset + 3];
    offset += 4;
    length = std::min({length, size - offset, kMaxDatagram});
    const size_t which = selector & 0x03;

    now += std::chrono::milliseconds(8 * advance);
    if (engine.NextTimeout() <= now) engine.HandleTimeout(now);
    drain();

    if (selector & 0x04) {
      const PeerSpec& spec = (selector & 0x10) ? kSubscriber : kPublisher;
      const absl::Span<const uint8_t> check =
          ValidCheck(spec, (selector & 0x08) != 0, random, absl::MakeSpan(buffer));
      checked[which] = true;
      // The engine may rewrite the datagram in place; `check` already lives in `buffer`.
      engine.HandleDatagram(now, tuples[which], absl::MakeSpan(buffer.data(), check.size()));
    } else {
      if (length > 0) std::memcpy(buffer.data(), data + offset, length);
      engine.HandleDatagram(now, tuples[which], absl::MakeSpan(buffer.data(), length));
    }
    offset += length;
    drain();
  }
  engine.Shutdown(now);
  drain();
  return 0;
}
