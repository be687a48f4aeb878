// DTLS 1.2 handshake cost and per-connection memory: sfud's engine against OpenSSL libssl and
// against the public-key floor, all measured in the same run (these machines are noisy, so only
// the ratios mean much).
//
//   handshake/sfud        sfud client + sfud server (DtlsServerContext), in memory (SfudDtlsPair)
//   handshake/libssl      OpenSSL client + OpenSSL server, memory BIOs (LibsslDtlsPair)
//   handshake/pk_limit    only the unavoidable public-key work of one handshake (PublicKeyLimit)
//   memory_per_conn/...   heap bytes an established server connection keeps, counted by the
//                         replacement allocator in dtls_bench_alloc.cc
//
// The run ends with the ratios (targets: sfud/libssl >= 1.5 handshakes/s, sfud/pk_limit >= 0.6,
// sfud/libssl <= 0.1 bytes per connection).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/dtls_bench_alloc.h"
#include "bench/dtls_bench_openssl.h"
#include "bench/dtls_bench_sfud.h"
#include "bench/ratio_reporter.h"

namespace sfu::bench {
namespace {

constexpr int kMemoryConnections = 1000;

void SetHandshakeRate(benchmark::State& state) {
  state.counters["handshakes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

Instant Now() { return Instant::FromSteady(std::chrono::steady_clock::now()); }

void BM_HandshakeSfud(benchmark::State& state) {
  std::unique_ptr<SfudDtlsPair> pair = SfudDtlsPair::Create();
  if (!pair) return state.SkipWithError("sfud setup failed");
  dtls::SrtpKeyingMaterial keys;
  for (auto _ : state) {
    std::unique_ptr<dtls::DtlsEndpoint> server = pair->Handshake(Now(), &keys);
    if (!server) return state.SkipWithError("sfud handshake failed");
    benchmark::DoNotOptimize(keys);
  }
  SetHandshakeRate(state);
}
BENCHMARK(BM_HandshakeSfud)->Name("handshake/sfud");

void BM_HandshakeLibssl(benchmark::State& state) {
  std::unique_ptr<LibsslDtlsPair> pair = LibsslDtlsPair::Create();
  if (!pair) return state.SkipWithError("libssl setup failed");
  std::array<uint8_t, 56> keys;
  for (auto _ : state) {
    SslPtr server = pair->Handshake(/*minimal_footprint=*/false, &keys);
    if (!server) return state.SkipWithError("libssl handshake failed");
    benchmark::DoNotOptimize(keys);
  }
  SetHandshakeRate(state);
}
BENCHMARK(BM_HandshakeLibssl)->Name("handshake/libssl");

void BM_HandshakePublicKeyLimit(benchmark::State& state) {
  std::unique_ptr<PublicKeyLimit> limit = PublicKeyLimit::Create();
  if (!limit) return state.SkipWithError("key generation failed");
  for (auto _ : state) {
    if (!limit->RunHandshakeEquivalent()) return state.SkipWithError("public-key work failed");
  }
  SetHandshakeRate(state);
}
BENCHMARK(BM_HandshakePublicKeyLimit)->Name("handshake/pk_limit");

// Live heap bytes per established sfud server endpoint, counted twice: right after the handshake
// (the endpoint still keeps its final flight to answer a retransmitted client Finished, RFC 6347
// §4.2.4) and once that grace period has passed and the endpoint has dropped its handshake state,
// keeping only what forwarding needs (epoch-1 record keys, sequence numbers, replay windows).
// The client endpoints are freed; the DtlsServerContext is per shard, not per connection.
void BM_MemorySfud(benchmark::State& state) {
  if (!OpenSslAllocationsCounted()) return state.SkipWithError("OpenSSL allocations not counted");
  std::unique_ptr<SfudDtlsPair> pair = SfudDtlsPair::Create();
  if (!pair) return state.SkipWithError("sfud setup failed");
  dtls::SrtpKeyingMaterial keys;
  const Instant start = Now();
  if (!pair->Handshake(start, &keys)) return state.SkipWithError("handshake failed");  // warm-up
  for (auto _ : state) {
    std::vector<std::unique_ptr<dtls::DtlsEndpoint>> servers;
    servers.reserve(kMemoryConnections);
    const int64_t before = LiveHeapBytes();
    for (int i = 0; i < kMemoryConnections; ++i) {
      servers.push_back(pair->Handshake(start, &keys));
      if (!servers.back()) return state.SkipWithError("handshake failed");
    }
    const int64_t in_grace = LiveHeapBytes();
    const Instant later = start + dtls::DtlsConfig().final_flight_grace + std::chrono::seconds(1);
    for (auto& server : servers) {
      server->HandleTimeout(later);
      while (server->PollTransmit()) {
      }
      if (server->holds_handshake_state() || !server->connected()) {
        return state.SkipWithError("handshake state not released after the grace period");
      }
    }
    const int64_t after = LiveHeapBytes();
    state.counters["bytes/conn"] =
        static_cast<double>(after - before) / static_cast<double>(kMemoryConnections);
    state.counters["bytes/conn_in_grace"] =
        static_cast<double>(in_grace - before) / static_cast<double>(kMemoryConnections);
  }
}
BENCHMARK(BM_MemorySfud)->Name("memory_per_conn/sfud")->Iterations(1);

// Live heap bytes per established libssl server connection: the SSL object with its two memory
// BIOs, after the client side is freed and the keys exported. The SSL must be kept: it answers a
// retransmitted Finished and carries alerts for the connection's lifetime.
void MemoryPerConnectionLibssl(benchmark::State& state, bool minimal_footprint) {
  if (!OpenSslAllocationsCounted()) return state.SkipWithError("OpenSSL allocations not counted");
  std::unique_ptr<LibsslDtlsPair> pair = LibsslDtlsPair::Create();
  if (!pair) return state.SkipWithError("libssl setup failed");
  std::array<uint8_t, 56> keys;
  // Warm-up: first-use allocations (error queues, fetched algorithms) are per process, not per
  // connection.
  if (!pair->Handshake(minimal_footprint, &keys)) return state.SkipWithError("handshake failed");
  for (auto _ : state) {
    std::vector<SslPtr> servers;
    servers.reserve(kMemoryConnections);
    const int64_t before = LiveHeapBytes();
    for (int i = 0; i < kMemoryConnections; ++i) {
      servers.push_back(pair->Handshake(minimal_footprint, &keys));
      if (!servers.back()) return state.SkipWithError("handshake failed");
    }
    const int64_t after = LiveHeapBytes();
    state.counters["bytes/conn"] =
        static_cast<double>(after - before) / static_cast<double>(kMemoryConnections);
  }
}

void BM_MemoryLibssl(benchmark::State& state) { MemoryPerConnectionLibssl(state, false); }
BENCHMARK(BM_MemoryLibssl)->Name("memory_per_conn/libssl")->Iterations(1);

void BM_MemoryLibsslMinimal(benchmark::State& state) { MemoryPerConnectionLibssl(state, true); }
BENCHMARK(BM_MemoryLibsslMinimal)->Name("memory_per_conn/libssl_min")->Iterations(1);

// Console output plus a copy of every run's counters, for the ratio lines after the run.

}  // namespace
}  // namespace sfu::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  sfu::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  reporter.PrintRatio("handshakes/s sfud/libssl", "handshake/sfud handshakes/s",
                      "handshake/libssl handshakes/s", "target >= 1.5");
  reporter.PrintRatio("handshakes/s sfud/pk_limit", "handshake/sfud handshakes/s",
                      "handshake/pk_limit handshakes/s", "target >= 0.6");
  reporter.PrintRatio("bytes/conn sfud/libssl", "memory_per_conn/sfud bytes/conn",
                      "memory_per_conn/libssl bytes/conn", "target <= 0.1");
  reporter.PrintRatio("bytes/conn sfud/libssl_min", "memory_per_conn/sfud bytes/conn",
                      "memory_per_conn/libssl_min bytes/conn", "target <= 0.1");
  reporter.PrintRatio("bytes/conn sfud_in_grace/libssl", "memory_per_conn/sfud bytes/conn_in_grace",
                      "memory_per_conn/libssl bytes/conn", "reference");
  reporter.PrintRatio("handshakes/s libssl/pk_limit", "handshake/libssl handshakes/s",
                      "handshake/pk_limit handshakes/s", "reference");
  reporter.PrintRatio("bytes/conn libssl_min/libssl", "memory_per_conn/libssl_min bytes/conn",
                      "memory_per_conn/libssl bytes/conn", "reference");
  benchmark::Shutdown();
  return 0;
}
