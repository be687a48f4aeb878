// sfud: the daemon binary. Everything but argument handling lives in the sfud_daemon library.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/logger.h"
#include "daemon/shard_runner.h"
#include "metrics/build_info.h"
#include "metrics/sfud_collector.h"
#include "metrics/shard_observer_adapter.h"

int main(int argc, char** argv) {
  using namespace sfu::daemon;
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CommandLine> command_line = ParseCommandLine(args);
  if (!command_line.ok()) {
    std::fprintf(stderr, "<3>sfud: %s\n(see sfud --help)\n",
                 std::string(command_line.status().message()).c_str());
    return kExitBadConfig;
  }
  if (command_line->help) {
    std::fputs(HelpText().c_str(), stdout);
    return kExitOk;
  }
  Logger logger(stderr, command_line->config.log_level);
  // One ShardMetrics per shard (owned by the collector) and the loop hook writing into it; both
  // outlive the daemon, which joins the shard threads before Run() returns.
  auto collector = std::make_shared<sfu::metrics::SfudCollector>(sfu::metrics::CurrentBuildInfo(),
                                                                 command_line->config.shards);
  std::vector<std::unique_ptr<sfu::metrics::ShardObserverAdapter>> observers;
  for (size_t k = 0; k < collector->shard_count(); ++k) {
    observers.push_back(std::make_unique<sfu::metrics::ShardObserverAdapter>(collector->shard(k)));
  }
  auto observer_for = [&observers](uint32_t shard) -> sfu::net::ShardObserver* {
    return shard < observers.size() ? observers[shard].get() : nullptr;
  };
  Daemon daemon(command_line->config, ShardLoopFactory(logger, observer_for), logger, collector);
  return daemon.Run();
}
