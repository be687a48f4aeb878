// sfud-loadgen: simulated WebRTC peers against a running sfud (see bench/loadgen/README.md).

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench/loadgen/runner.h"
#include "bench/loadgen/scenario.h"

int main(int argc, char** argv) {
  // A peer's socket can get ECONNREFUSED/EPIPE-like errors; never die of SIGPIPE on a dead HTTP
  // connection either.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<sfu::loadgen::ParsedArgs> parsed = sfu::loadgen::ParseArgs(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "sfud-loadgen: %s\n(see --help)\n",
                 std::string(parsed.status().message()).c_str());
    return sfu::loadgen::kExitBadFlags;
  }
  if (parsed->help) {
    std::fputs(sfu::loadgen::HelpText().c_str(), stdout);
    return sfu::loadgen::kExitOk;
  }
  sfu::loadgen::Runner runner(parsed->scenario);
  absl::StatusOr<sfu::loadgen::Report> report = runner.Run();
  if (!report.ok()) {
    std::fprintf(stderr, "sfud-loadgen: %s\n", report.status().ToString().c_str());
    return sfu::loadgen::kExitError;
  }
  std::fputs(sfu::loadgen::FormatTable(*report).c_str(), stdout);
  if (!parsed->scenario.json_path.empty()) {
    std::ofstream out(parsed->scenario.json_path);
    out << sfu::loadgen::ToJson(*report);
    if (!out) {
      std::fprintf(stderr, "sfud-loadgen: cannot write %s\n", parsed->scenario.json_path.c_str());
      return sfu::loadgen::kExitError;
    }
  }
  if (!report->slo_ok()) return sfu::loadgen::kExitSloViolated;
  // Without SLOs a run still fails if not a single peer got media going: nothing was measured.
  if (report->publishers_connected + report->subscribers_connected == 0) {
    std::fprintf(stderr, "sfud-loadgen: no peer connected\n");
    return sfu::loadgen::kExitError;
  }
  return sfu::loadgen::kExitOk;
}
