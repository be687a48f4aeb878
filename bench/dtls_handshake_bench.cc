// DTLS 1.2 handshake cost and per-connection memory: sfud's engine against OpenSSL libssl and
// against the public-key floor, all measured in the same run (these machines are noisy, so only
// the ratios mean much).
//
//   handshake/libssl      OpenSSL client + OpenSSL server, memory BIOs (LibsslDtlsPair)
//   handshake/pk_limit    only the unavoidable public-key work of one handshake (PublicKeyLimit)
//   memory_per_conn/...   heap bytes an established server connection keeps, counted by the
//                         replacement allocator in dtls_bench_alloc.cc
//
// The run ends with the ratios (targets: sfud/libssl >= 1.5 handshakes/s, sfud/pk_limit >= 0.6,
// sfud/libssl <= 0.1 bytes per connection).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/dtls_bench_alloc.h"
#include "bench/dtls_bench_openssl.h"

namespace sfu::bench {
namespace {

constexpr int kMemoryConnections = 1000;

void SetHandshakeRate(benchmark::State& state) {
  state.counters["handshakes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_HandshakeLibssl(benchmark::State& state) {
  std::unique_ptr<LibsslDtlsPair> pair = LibsslDtlsPair::Create();
  if (!pair) return state.SkipWithError("libssl setup failed");
  std::array<uint8_t, 56> keys;
  for (auto _ : state) {
    SslPtr server = pair->Handshake(/*release_buffers=*/false, &keys);
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

// Live heap bytes per established libssl server connection: the SSL object with its two memory
// BIOs, after the client side is freed and the keys exported. The SSL must be kept: it answers a
// retransmitted Finished and carries alerts for the connection's lifetime.
void MemoryPerConnectionLibssl(benchmark::State& state, bool release_buffers) {
  if (!OpenSslAllocationsCounted()) return state.SkipWithError("OpenSSL allocations not counted");
  std::unique_ptr<LibsslDtlsPair> pair = LibsslDtlsPair::Create();
  if (!pair) return state.SkipWithError("libssl setup failed");
  std::array<uint8_t, 56> keys;
  // Warm-up: first-use allocations (error queues, fetched algorithms) are per process, not per
  // connection.
  if (!pair->Handshake(release_buffers, &keys)) return state.SkipWithError("handshake failed");
  for (auto _ : state) {
    std::vector<SslPtr> servers;
    servers.reserve(kMemoryConnections);
    const int64_t before = LiveHeapBytes();
    for (int i = 0; i < kMemoryConnections; ++i) {
      servers.push_back(pair->Handshake(release_buffers, &keys));
      if (!servers.back()) return state.SkipWithError("handshake failed");
    }
    const int64_t after = LiveHeapBytes();
    state.counters["bytes/conn"] =
        static_cast<double>(after - before) / static_cast<double>(kMemoryConnections);
  }
}

void BM_MemoryLibssl(benchmark::State& state) { MemoryPerConnectionLibssl(state, false); }
BENCHMARK(BM_MemoryLibssl)->Name("memory_per_conn/libssl")->Iterations(1);

void BM_MemoryLibsslReleaseBuffers(benchmark::State& state) {
  MemoryPerConnectionLibssl(state, true);
}
BENCHMARK(BM_MemoryLibsslReleaseBuffers)
    ->Name("memory_per_conn/libssl_release_buffers")
    ->Iterations(1);

// Console output plus a copy of every run's counters, for the ratio lines after the run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      for (const auto& [name, counter] : run.counters) {
        values_[run.run_name.function_name + " " + name] = counter.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Prints "what = a/b" if both were measured in this run.
  void PrintRatio(const std::string& what, const std::string& a, const std::string& b,
                  const char* target) const {
    auto ia = values_.find(a);
    auto ib = values_.find(b);
    if (ia == values_.end() || ib == values_.end() || ib->second == 0) return;
    std::printf("%-44s = %8.3f   (%s)\n", what.c_str(), ia->second / ib->second, target);
  }

 private:
  std::map<std::string, double> values_;
};

}  // namespace
}  // namespace sfu::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  sfu::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  reporter.PrintRatio("handshakes/s libssl/pk_limit", "handshake/libssl handshakes/s",
                      "handshake/pk_limit handshakes/s", "reference");
  reporter.PrintRatio("bytes/conn libssl_release_buffers/libssl",
                      "memory_per_conn/libssl_release_buffers bytes/conn",
                      "memory_per_conn/libssl bytes/conn", "reference");
  benchmark::Shutdown();
  return 0;
}
