// A stand-in for sfud's /metrics while testing deploy/ (promtool, the dashboard's PromQL against
// a live Prometheus): an SfudCollector with two shards whose every family has data and whose
// counters keep growing, served by MetricsServer on 127.0.0.1.
//
// Usage: metrics_demo_exposer [PORT] [SECONDS]   (PORT 0 = ephemeral; SECONDS bounds the run,
// default 120). Prints "port=N" on stdout once listening, then exits after SECONDS or on
// SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "metrics/metrics_server.h"
#include "metrics/sfud_collector.h"

namespace {

volatile std::sig_atomic_t stop = 0;
void OnSignal(int) { stop = 1; }

// One tick of fake traffic on a shard: every stats field grows, so every rate() has data.
void Tick(sfu::metrics::ShardMetrics& shard, uint64_t t, size_t k) {
  ::sfu::sfu::ShardStats s;
  ::sfu::sfu::RouterStats r;
  ::sfu::net::IoStats io;
  ::sfu::sfu::CrossShardStats x;
  uint64_t v = (t + 1) * (k + 1);
#define SFUD_FILL(name, ...) s.name = v;
  SFU_SHARD_COUNTERS(SFUD_FILL)
  SFU_SHARD_GAUGES(SFUD_FILL)
#undef SFUD_FILL
#define SFUD_FILL(name) r.name = v;
  SFU_ROUTER_STATS(SFUD_FILL)
#undef SFUD_FILL
#define SFUD_FILL(name, ...) x.name = v;
  SFU_CROSS_SHARD_COUNTERS(SFUD_FILL)
#undef SFUD_FILL
  for (uint64_t* p = &io.rx_datagrams; p <= &io.wakeups; ++p) *p = v;
  shard.Publish(s);
  shard.Publish(r);
  shard.Publish(io);
  shard.Publish(x);
  shard.AddLoopTime(std::chrono::milliseconds(20 * (k + 1)), std::chrono::milliseconds(80));
  shard.ObserveHandshake(std::chrono::milliseconds(30 + 40 * (t % 5)));
  shard.ObserveForwardLatency(std::chrono::microseconds(20 + 15 * (t % 7)));
  shard.ObserveReceiveBatch(1 + t % 32);
  shard.ObserveSendBatch(1 + t % 16);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "0";
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 120;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  auto collector =
      std::make_shared<sfu::metrics::SfudCollector>(sfu::metrics::CurrentBuildInfo(), 2);
  collector->control().SetSessions({{"publisher", "connected", 1},
                                    {"subscriber", "connected", 3},
                                    {"subscriber", "connecting", 1}});
  collector->control().SetRooms(1);
  collector->set_gcm_implementation("evp");
  auto server = sfu::metrics::MetricsServer::Start("127.0.0.1:" + port, collector);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("port=%u\n", (*server)->port());
  std::fflush(stdout);
  for (uint64_t t = 0; !stop && t < static_cast<uint64_t>(seconds) * 10; ++t) {
    for (size_t k = 0; k < collector->shard_count(); ++k) Tick(collector->shard(k), t, k);
    collector->control().CountHttpRequest(t % 3 ? "/whep/{room}" : "/whip/{room}", 201);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}
