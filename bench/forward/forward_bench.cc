// Issue 5's forwarding benchmark: sfud's real data plane (net::ShardLoop + sfu::ShardEngine, one
// shard pinned to CPU 0) forwarding one publisher to N subscribers on loopback, next to a bare
// recvmmsg → EVP open → per-subscriber EVP seal → sendmmsg loop on the same CPU with the same
// traffic, for both I/O backends, in one run. The traffic side (publisher and receivers) runs on
// CPU 1. See README.md beside this file for what is measured and how to read it.
//
//   forward_bench [--subscribers=1,10,100,1000] [--steady_ms=2000] [--no_evp]
//                 [--engine_outputs=K]   (resize the shard engine's per-batch output queues)
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bench/forward/alloc_hooks.h"
#include "bench/forward/cases.h"
#include "core/srtp/srtp_session.h"

namespace sfu::bench::forward {
namespace {

struct Options {
  std::vector<size_t> subscribers = {1, 10, 100, 1000};
  int steady_ms = 2000;
  bool evp_column = true;
  size_t engine_outputs = 0;  // 0: ShardEngineConfig's defaults
};

bool ParseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--subscribers=", 0) == 0) {
      options->subscribers.clear();
      for (absl::string_view part : absl::StrSplit(arg.substr(14), ',')) {
        size_t n = 0;
        if (!absl::SimpleAtoi(part, &n) || n == 0 || n > 1000) return false;
        options->subscribers.push_back(n);
      }
    } else if (arg.rfind("--steady_ms=", 0) == 0) {
      if (!absl::SimpleAtoi(arg.substr(12), &options->steady_ms) || options->steady_ms < 200 ||
          options->steady_ms > 20000) {
        return false;
      }
    } else if (arg.rfind("--engine_outputs=", 0) == 0) {
      if (!absl::SimpleAtoi(arg.substr(17), &options->engine_outputs) ||
          options->engine_outputs > (1u << 17)) {
        return false;
      }
    } else if (arg == "--no_evp") {
      options->evp_column = false;
    } else {
      return false;
    }
  }
  return !options->subscribers.empty();
}

// 1000 subscriber sockets plus the shard's, the epoll and io_uring fds exceed the usual 1024.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &limit);
}

// Other processes share these two CPUs: the load average says how much.
std::string LoadAverage() {
  char text[128] = {};
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fgets(text, sizeof(text), f) == nullptr) text[0] = '\0';
    std::fclose(f);
  }
  std::string s = text;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

bool PinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

std::string Kpps(double pps) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", pps / 1000.0);
  return buffer;
}

const char* kCaseNames[] = {"sfud io_uring", "sfud mmsg", "sfud io_uring evp", "bare EVP loop"};

void PrintCase(size_t n, int which, const CaseResult& r) {
  if (!r.ok) {
    std::printf("  N=%-4zu %-18s FAILED: %s\n", n, kCaseNames[which], r.error.c_str());
    return;
  }
  const TrafficResult& t = r.traffic;
  std::string ramp;
  for (const RampPoint& p : t.ramp) {
    ramp += " " + Kpps(p.offered_input_pps) + "→" + Kpps(p.out_pps);
  }
  const double fanout =
      r.media_in == 0 ? 0
                      : static_cast<double>(r.media_out) / (static_cast<double>(r.media_in) * n);
  std::printf(
      "  N=%-4zu %-18s out %8s kpps (read %8s) | offered in %7s sent in %7s kpps | "
      "fwd CPU %3.0f%% (%s kpps/core-s) traffic CPU %3.0f%% | fan-out %5.1f%% queue-full %llu "
      "tx-err %llu "
      "auth-fail %llu | "
      "allocs/pkt %.3f | setup %.1fs\n",
      n, kCaseNames[which], Kpps(t.out_pps).c_str(), Kpps(t.received_pps).c_str(),
      Kpps(t.offered_input_pps).c_str(), Kpps(t.sent_input_pps).c_str(), 100 * t.forwarder_cpu,
      Kpps(t.out_per_cpu_second).c_str(), 100 * t.traffic_cpu, 100 * fanout,
      static_cast<unsigned long long>(r.queue_full_drops),
      static_cast<unsigned long long>(r.tx_errors),
      static_cast<unsigned long long>(r.auth_failures), r.allocations_per_packet(),
      r.setup_seconds);
  // A forwarder that delivered (nearly) all it was offered in the window was not measured at
  // its limit.
  const bool kept_up = t.out_pps >= 0.9 * t.offered_input_pps * static_cast<double>(n);
  std::printf("         ramp (input kpps→out kpps):%s%s%s\n", ramp.c_str(),
              t.saturated ? "" : "  (ramp capped before saturation)",
              kept_up ? "  WARNING: kept up with the offered load in the window" : "");
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: %s [--subscribers=1,10,100,1000] [--steady_ms=2000] [--no_evp] "
                 "[--engine_outputs=K]\n",
                 argv[0]);
    return 2;
  }
  RaiseFileLimit();
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || !PinTo(kTrafficCpu)) {
    std::fprintf(stderr, "needs CPUs 0 and 1 (forwarder on 0, traffic on 1)\n");
    return 1;
  }
  // Control for the allocation counter: certificate generation allocates, so a zero here would
  // mean the malloc replacement is not in effect and the allocs/pkt column could not fail.
  const uint64_t allocations_before_setup = AllocationsTotal();
  Certificates certificates;
  auto sfud = crypto::Certificate::GenerateSelfSigned("sfud", std::chrono::hours(24));
  auto client = crypto::Certificate::GenerateSelfSigned("bench-peer", std::chrono::hours(24));
  if (!sfud.ok() || !client.ok()) {
    std::fprintf(stderr, "certificate generation failed\n");
    return 1;
  }
  certificates.sfud = std::make_shared<const crypto::Certificate>(*std::move(sfud));
  certificates.client = std::make_shared<const crypto::Certificate>(*std::move(client));

  const uint64_t setup_allocations = AllocationsTotal() - allocations_before_setup;
  if (setup_allocations == 0) {
    std::fprintf(stderr, "the allocation counter saw no allocation during setup: not in effect\n");
    return 1;
  }
  TrafficPlan plan;
  plan.steady = std::chrono::milliseconds(options.steady_ms);
  const char* env = std::getenv("SFUD_GCM_IMPL");
  std::printf(
      "forward_bench: forwarder on CPU %d, traffic on CPU %d, 1200-byte VP8 RTP (%zu-byte "
      "SRTP, AEAD_AES_128_GCM), loopback\n",
      kForwarderCpu, kTrafficCpu, Publisher::kSrtpBytes);
  std::printf(
      "sfud GCM implementation: %s (SFUD_GCM_IMPL=%s); 'evp' column: "
      "ShardEngineConfig.srtp.gcm_impl = kEvp, the same as SFUD_GCM_IMPL=evp\n",
      srtp::SrtpGcmImplementation(), env != nullptr ? env : "unset");
  std::printf(
      "out = SRTP datagrams that reached the subscribers' sockets per second in a %d ms "
      "window at the top of the ramp (read by the receivers + dropped by a full socket "
      "buffer, SO_MEMINFO)\n",
      options.steady_ms);
  if (options.engine_outputs > 0) {
    std::printf("shard engine output queues resized to %zu per batch (--engine_outputs)\n",
                options.engine_outputs);
  }
  std::printf(
      "allocation counter control: %llu allocations counted while generating two "
      "certificates\n",
      static_cast<unsigned long long>(setup_allocations));
  std::printf(
      "per core-second = out / CPU time of the forwarding thread in the window (from "
      "/proc schedstat): its rate had it a whole core; load average at the start: %s\n\n",
      LoadAverage().c_str());

  struct Row {
    size_t n;
    CaseResult cases[4];
  };
  std::vector<Row> rows;
  for (size_t n : options.subscribers) {
    Row row{n, {}};
    row.cases[0] = RunSfudCase(n, net::IoBackendKind::kIoUring, crypto::GcmImpl::kAuto,
                               certificates, plan, options.engine_outputs);
    PrintCase(n, 0, row.cases[0]);
    row.cases[1] = RunSfudCase(n, net::IoBackendKind::kMmsg, crypto::GcmImpl::kAuto, certificates,
                               plan, options.engine_outputs);
    PrintCase(n, 1, row.cases[1]);
    if (options.evp_column) {
      row.cases[2] = RunSfudCase(n, net::IoBackendKind::kIoUring, crypto::GcmImpl::kEvp,
                                 certificates, plan, options.engine_outputs);
      PrintCase(n, 2, row.cases[2]);
    }
    row.cases[3] = RunBareCase(n, plan);
    PrintCase(n, 3, row.cases[3]);
    rows.push_back(std::move(row));
  }

  auto pps = [](const CaseResult& r) { return r.ok ? r.traffic.out_pps : 0.0; };
  auto core = [](const CaseResult& r) { return r.ok ? r.traffic.out_per_cpu_second : 0.0; };
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf(
      "\nSRTP packets/s out of the forwarder, one shard on CPU %d, in kpps as 'wall / per "
      "core-second of the forwarding thread'; ratios to bare on both (target >= 0.85)\n",
      kForwarderCpu);
  std::printf("%5s | %15s | %15s | %17s | %15s | %13s | %13s | %10s\n", "N", "sfud io_uring",
              "sfud mmsg", "sfud io_uring evp", "bare EVP loop", "io_uring/bare", "mmsg/bare",
              "allocs/pkt");
  auto cell = [&](const CaseResult& r) { return Kpps(pps(r)) + " / " + Kpps(core(r)); };
  double log_wall = 0, log_core = 0;
  int compared = 0;
  bool all_ok = true;
  double worst_allocs = 0;
  for (const Row& row : rows) {
    const CaseResult& bare = row.cases[3];
    double allocs = 0;
    for (int c = 0; c < 3; ++c) {
      if (row.cases[c].ok) allocs = std::max(allocs, row.cases[c].allocations_per_packet());
      if (c != 2 || options.evp_column) all_ok = all_ok && row.cases[c].ok;
    }
    all_ok = all_ok && bare.ok;
    worst_allocs = std::max(worst_allocs, allocs);
    char uring_ratio[32], mmsg_ratio[32];
    std::snprintf(uring_ratio, sizeof(uring_ratio), "%.2f / %.2f",
                  ratio(pps(row.cases[0]), pps(bare)), ratio(core(row.cases[0]), core(bare)));
    std::snprintf(mmsg_ratio, sizeof(mmsg_ratio), "%.2f / %.2f",
                  ratio(pps(row.cases[1]), pps(bare)), ratio(core(row.cases[1]), core(bare)));
    std::printf("%5zu | %15s | %15s | %17s | %15s | %13s | %13s | %10.3f\n", row.n,
                cell(row.cases[0]).c_str(), cell(row.cases[1]).c_str(),
                options.evp_column ? cell(row.cases[2]).c_str() : "-", cell(bare).c_str(),
                uring_ratio, mmsg_ratio, allocs);
    if (pps(row.cases[0]) > 0 && pps(row.cases[1]) > 0 && core(row.cases[0]) > 0 &&
        core(row.cases[1]) > 0) {
      log_wall += std::log(pps(row.cases[0]) / pps(row.cases[1]));
      log_core += std::log(core(row.cases[0]) / core(row.cases[1]));
      ++compared;
    }
  }
  if (compared > 0) {
    const double wall = std::exp(log_wall / compared);
    const double per_core = std::exp(log_core / compared);
    auto faster = [](double g) { return g >= 1 ? "io_uring" : "mmsg"; };
    auto by = [](double g) { return 100 * ((g >= 1 ? g : 1 / g) - 1); };
    std::printf(
        "\nFaster backend here: %s, by %.1f%% per core-second of the shard (geometric mean "
        "of io_uring/mmsg over %d N values = %.3f); by wall-clock packets/s: %s by %.1f%% "
        "(%.3f)\n",
        faster(per_core), by(per_core), compared, per_core, faster(wall), by(wall), wall);
  }
  std::printf(
      "Heap allocations per forwarded packet on the shard thread (steady state, worst "
      "sfud case): %.3f\n",
      worst_allocs);
  std::printf("Load average at the end: %s\n", LoadAverage().c_str());
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace sfu::bench::forward

int main(int argc, char** argv) { return sfu::bench::forward::Main(argc, argv); }
