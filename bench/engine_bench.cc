// engine_bench: what sfud's shard engine itself costs, in memory, with no sockets (so none of the
// kernel's per-datagram cost and none of its noise), next to baselines measured in the same run:
//
//   fanout/sfud/N      one 1200-byte SRTP video packet from a publisher through HandleDatagram
//                      (demux, 5-tuple lookup, SRTP unprotect, Router fan-out to N subscribers,
//                      SRTP protect of every copy) -> transmits() -> ClearTransmits; per copy.
//   fanout/bare/N      the least any SFU does per copy in user space: copy the packet, rewrite
//                      SSRC/sequence/timestamp, seal it with that subscriber's own key (the same
//                      vectorised GCM, bursts of 32), each subscriber's state a separate object.
//   session/sfud       one WHEP subscriber's whole life on the shard: AddPeer, the ICE check,
//                      the DTLS 1.2 handshake as server (X25519, ECDSA P-256), SRTP keying, the
//                      Router slot, then RemovePeer; only the engine's calls are timed (the
//                      simulated browser's own DTLS client is not); and the heap bytes a
//                      connected session holds (its engine calls' net allocation).
//   session/pk_floor   the public-key work that server side cannot avoid (X25519 key pair and
//                      shared secret, one ECDSA P-256 signature, one verification), via EVP.
//
// Prints ratios at the end (sfud / baseline, per copy and per session). Not a test: speed is
// never asserted.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/ratio_reporter.h"
#include "core/rtp/rtp_rewrite.h"
#include "crypto/random.h"
#include "crypto/vaes/gcm_batch.h"
#include "tests/support/engine_harness.h"
#include "tests/support/rtp_builders.h"

namespace sfu::bench {
namespace {

using test_support::Browser;
using test_support::EngineHarness;

constexpr size_t kPayloadBytes = 1200 - 12 - 16;  // a full 1200-byte SRTP datagram

sfu::ShardEngineConfig EngineConfig(size_t peers) {
  sfu::ShardEngineConfig config;
  config.max_peers = peers + 8;
  return config;
}

sfu::SubscriberConfig VideoSubscriber(uint32_t ssrc) {
  sfu::SubscriberConfig subscriber;
  subscriber.slots.push_back(sfu::SlotConfig{
      "0", sfu::MediaKind::kVideo, {sfu::CodecConfig{100, "VP8", 90000, 0}}, {}, ssrc, 0});
  return subscriber;
}

// One publisher and N connected video subscribers in one room, a keyframe already delivered.
struct Room {
  explicit Room(size_t n) : harness(EngineConfig(n + 1)), publisher(1, "198.51.100.1", 40000) {
    sfu::AddPeer add = publisher.sim.BaseCommand(1);
    sfu::PublisherConfig config;
    config.tracks.push_back(sfu::TrackConfig{"0",
                                             sfu::MediaKind::kVideo,
                                             {sfu::CodecConfig{96, "VP8", 90000, 0}},
                                             {},
                                             {sfu::LayerConfig{"", 0x20, 0}}});
    config.feedback_ssrc = 0x5F5F0001;
    add.media = config;
    ok = harness.engine().AddPeer(harness.now(), std::move(add)).ok();
    std::vector<Browser*> all{&publisher};
    for (size_t i = 0; i < n && ok; ++i) {
      const sfu::PeerId id = 2 + i;
      subscribers.push_back(
          std::make_unique<Browser>(id, "198.51.100.2", static_cast<uint16_t>(1024 + i % 60000)));
      if (i >= 60000) subscribers.back()->tuple.remote.ip = *IpAddress::Parse("198.51.100.3");
      sfu::AddPeer sub = subscribers.back()->sim.BaseCommand(1);
      sub.media = VideoSubscriber(0xA0000 + static_cast<uint32_t>(i));
      ok = harness.engine().AddPeer(harness.now(), std::move(sub)).ok();
      all.push_back(subscribers.back().get());
    }
    ok = ok && harness.Connect(all);
    if (ok) harness.Send(publisher, NextPacket(/*keyframe=*/true));
    ok = ok && subscribers.back()->sim.rtp_received.size() == 1;
  }

  std::vector<uint8_t> NextPacket(bool keyframe) {
    ++seq;
    timestamp += 3000;
    return publisher.sim.ProtectRtp(test_support::MakeRtp(
        96, seq, timestamp, 0x20,
        test_support::Vp8Payload(keyframe, static_cast<uint8_t>(seq), kPayloadBytes - 3)));
  }

  EngineHarness harness;
  Browser publisher;
  std::vector<std::unique_ptr<Browser>> subscribers;
  uint16_t seq = 100;
  uint32_t timestamp = 0;
  bool ok = false;
};

void BM_FanoutSfud(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Room room(n);
  if (!room.ok) return state.SkipWithError("room setup failed");
  sfu::ShardEngine& engine = room.harness.engine();
  std::array<uint8_t, 1500> buffer;
  size_t copies = 0;
  double seconds = 0;
  for (auto _ : state) {
    // Sealing the publisher's next packet is the publisher's work, not timed.
    const std::vector<uint8_t> packet = room.NextPacket(false);
    std::memcpy(buffer.data(), packet.data(), packet.size());
    const auto start = std::chrono::steady_clock::now();
    engine.HandleDatagram(room.harness.now(), room.publisher.tuple,
                          absl::MakeSpan(buffer.data(), packet.size()));
    copies += engine.transmits().size();
    engine.ClearTransmits();
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += t;
    state.SetIterationTime(t);
  }
  if (copies != n * state.iterations()) return state.SkipWithError("a copy went missing");
  state.counters["ns/copy"] = seconds * 1e9 / static_cast<double>(copies);
}

// The baseline's per-subscriber state: its own key and header values, a separate allocation.
struct BareSubscriber {
  crypto::GcmKey key;
  uint32_t ssrc;
  uint16_t seq;
  uint32_t timestamp_offset;
  std::array<uint8_t, 12> salt;
  std::array<uint8_t, 12> iv;
};

void BM_FanoutBare(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  absl::StatusOr<crypto::GcmBatch> gcm = crypto::GcmBatch::Create();
  if (!gcm.ok()) return state.SkipWithError("no GCM");
  std::vector<std::unique_ptr<BareSubscriber>> subs;
  for (size_t i = 0; i < n; ++i) {
    std::array<uint8_t, 16> key;
    crypto::SystemRandom().Fill(absl::MakeSpan(key));
    absl::StatusOr<crypto::GcmKey> k = crypto::GcmKey::Create(key);
    if (!k.ok()) return state.SkipWithError("key");
    subs.push_back(std::make_unique<BareSubscriber>(
        BareSubscriber{*std::move(k), static_cast<uint32_t>(0xA0000 + i), 0, 0, {}, {}}));
  }
  const std::vector<uint8_t> plain = test_support::MakeRtp(
      96, 1, 3000, 0x20, test_support::Vp8Payload(false, 7, kPayloadBytes - 3));
  constexpr size_t kBurst = 32;
  constexpr size_t kSlot = 1536;
  std::vector<uint8_t> arena(n * kSlot);
  std::array<crypto::GcmPacket, kBurst> burst;
  double seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    size_t pending = 0;
    for (size_t i = 0; i < n; ++i) {
      BareSubscriber& s = *subs[i];
      uint8_t* out = arena.data() + i * kSlot;
      std::memcpy(out, plain.data(), plain.size());
      rtp::SetRtpSsrc(absl::MakeSpan(out, plain.size()), s.ssrc);
      rtp::SetRtpSequenceNumber(absl::MakeSpan(out, plain.size()), ++s.seq);
      rtp::SetRtpTimestamp(absl::MakeSpan(out, plain.size()), 3000 + s.timestamp_offset);
      s.iv = s.salt;
      s.iv[11] ^= static_cast<uint8_t>(s.seq);
      s.iv[10] ^= static_cast<uint8_t>(s.seq >> 8);
      burst[pending++] =
          crypto::GcmPacket{&s.key, s.iv.data(), absl::MakeConstSpan(out, 12),
                            absl::MakeSpan(out + 12, plain.size() - 12), out + plain.size()};
      if (pending == kBurst || i + 1 == n) {
        gcm->Seal(absl::MakeSpan(burst.data(), pending));
        pending = 0;
      }
    }
    benchmark::DoNotOptimize(arena.data());
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += t;
    state.SetIterationTime(t);
  }
  if (!burst[0].ok) return state.SkipWithError("seal failed");
  state.counters["ns/copy"] =
      seconds * 1e9 / static_cast<double>(n * static_cast<size_t>(state.iterations()));
}

void BM_SessionSfud(benchmark::State& state) {
  EngineHarness harness(EngineConfig(16));
  sfu::ShardEngine& engine = harness.engine();
  sfu::PeerId next_id = 100;
  Instant now = harness.now();
  double engine_seconds = 0;  // this iteration's
  double total_seconds = 0;
  // Heap bytes the engine's own calls leave allocated (glibc's count of bytes in use, read
  // outside the timed part): what one live session holds once connected.
  int64_t session_bytes = 0;
  int64_t total_session_bytes = 0;
  const auto timed = [&](auto&& call) {
    const int64_t heap_before = static_cast<int64_t>(mallinfo2().uordblks);
    const auto start = std::chrono::steady_clock::now();
    call();
    engine_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    session_bytes += static_cast<int64_t>(mallinfo2().uordblks) - heap_before;
  };
  std::vector<std::pair<FiveTuple, std::vector<uint8_t>>> out;
  const auto take = [&] {
    out.clear();
    for (const sfu::Transmit& t : engine.transmits()) {
      out.emplace_back(t.destination, std::vector<uint8_t>(t.data.begin(), t.data.end()));
    }
    timed([&] {
      engine.ClearTransmits();
      while (engine.PollEvent().has_value()) {
      }
    });
  };
  for (auto _ : state) {
    // The browser (its certificate, its DTLS client) is set up outside the timed calls.
    const sfu::PeerId id = next_id++;
    engine_seconds = 0;
    session_bytes = 0;
    Browser browser(id, "198.51.100.9", static_cast<uint16_t>(1024 + id % 60000));
    browser.sim.set_server_fingerprint(harness.certificate().fingerprint_sha256());
    sfu::AddPeer add = browser.sim.BaseCommand(1);
    add.media = VideoSubscriber(0xB0000 + id);
    absl::Status added;
    timed([&] { added = engine.AddPeer(now, std::move(add)); });
    if (!added.ok()) return state.SkipWithError("AddPeer failed");
    std::vector<uint8_t> check = browser.sim.BindingRequest();
    timed([&] { engine.HandleDatagram(now, browser.tuple, absl::MakeSpan(check)); });
    take();
    browser.sim.StartDtls(now);
    bool connected = false;
    for (int round = 0; round < 16 && !connected; ++round) {
      while (std::optional<std::vector<uint8_t>> d = browser.sim.PollTransmit()) {
        timed([&] { engine.HandleDatagram(now, browser.tuple, absl::MakeSpan(*d)); });
        take();
        for (auto& [tuple, bytes] : out) browser.sim.Receive(now, std::move(bytes));
      }
      browser.sim.PollEvents();
      connected =
          engine.peer_state(id) == sfu::PeerState::kDtlsConnected && browser.sim.connected();
    }
    if (!connected) return state.SkipWithError("handshake did not complete");
    total_session_bytes += session_bytes;
    timed([&] { engine.RemovePeer(now, id); });
    take();
    now += std::chrono::milliseconds(1);
    total_seconds += engine_seconds;
    state.SetIterationTime(engine_seconds);
  }
  state.counters["us/session"] = total_seconds * 1e6 / static_cast<double>(state.iterations());
  state.counters["bytes/session"] =
      static_cast<double>(total_session_bytes) / static_cast<double>(state.iterations());
}

// The server half of a handshake's public-key work, by EVP with keys made once (the signing key
// is the shard's certificate key; the client's key signs outside the timed part).
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

PkeyPtr Generate(const char* type, const char* group) {
  EVP_PKEY* key = group == nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type, group);
  return PkeyPtr(key, EVP_PKEY_free);
}

bool Sign(EVP_PKEY* key, const std::vector<uint8_t>& message, std::vector<uint8_t>* signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return false;
  }
  signature->resize(len);
  if (EVP_DigestSign(ctx.get(), signature->data(), &len, message.data(), message.size()) != 1) {
    return false;
  }
  signature->resize(len);
  return true;
}

bool Verify(EVP_PKEY* key, const std::vector<uint8_t>& message,
            const std::vector<uint8_t>& signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

void BM_SessionPublicKeyFloor(benchmark::State& state) {
  PkeyPtr server_key = Generate("EC", "P-256");
  PkeyPtr client_key = Generate("EC", "P-256");
  PkeyPtr client_share = Generate("X25519", nullptr);
  const std::vector<uint8_t> params(100, 1), transcript(1024, 2);
  std::vector<uint8_t> client_signature, server_signature;
  if (!server_key || !client_key || !client_share ||
      !Sign(client_key.get(), transcript, &client_signature)) {
    return state.SkipWithError("key setup failed");
  }
  double seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    // ServerKeyExchange: an ephemeral X25519 share, signed (RFC 8422 §5.4); then the client's
    // CertificateVerify checked (RFC 5246 §7.4.8) and the premaster secret derived.
    PkeyPtr share = Generate("X25519", nullptr);
    bool ok = share != nullptr && Sign(server_key.get(), params, &server_signature) &&
              Verify(client_key.get(), transcript, client_signature);
    PkeyCtxPtr derive(EVP_PKEY_CTX_new(share.get(), nullptr), EVP_PKEY_CTX_free);
    std::array<uint8_t, 32> secret;
    size_t len = secret.size();
    ok = ok && derive != nullptr && EVP_PKEY_derive_init(derive.get()) == 1 &&
         EVP_PKEY_derive_set_peer(derive.get(), client_share.get()) == 1 &&
         EVP_PKEY_derive(derive.get(), secret.data(), &len) == 1;
    if (!ok) return state.SkipWithError("public-key operation failed");
    benchmark::DoNotOptimize(secret);
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += t;
    state.SetIterationTime(t);
  }
  state.counters["us/session"] = seconds * 1e6 / static_cast<double>(state.iterations());
}

BENCHMARK(BM_FanoutSfud)->Name("fanout/sfud")->Arg(100)->Arg(1000)->Arg(4000)->UseManualTime();
BENCHMARK(BM_FanoutBare)->Name("fanout/bare")->Arg(100)->Arg(1000)->Arg(4000)->UseManualTime();
BENCHMARK(BM_SessionSfud)->Name("session/sfud")->UseManualTime()->MinTime(1.0);
BENCHMARK(BM_SessionPublicKeyFloor)->Name("session/pk_floor")->UseManualTime()->MinTime(1.0);

}  // namespace
}  // namespace sfu::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  sfu::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\ncost ratios (sfud / baseline; 1.00 = no cost beyond the baseline's):\n");
  const auto ratio = [&](const std::string& what, const std::string& a, const std::string& b) {
    const std::optional<double> va = reporter.Value(a), vb = reporter.Value(b);
    if (va && vb) reporter.PrintRatio(what, a, b, absl::StrFormat("%.0f vs %.0f", *va, *vb));
  };
  for (const char* n : {"100", "1000", "4000"}) {
    ratio(std::string("ns/copy sfud/bare N=") + n, std::string("fanout/sfud/") + n + " ns/copy",
          std::string("fanout/bare/") + n + " ns/copy");
  }
  ratio("us/session sfud/pk_floor", "session/sfud us/session", "session/pk_floor us/session");
  benchmark::Shutdown();
  return 0;
}
