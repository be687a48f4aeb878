// sfud: the daemon binary. Everything but argument handling lives in the sfud_daemon library.

#include <cstdio>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/logger.h"
#include "daemon/shard_runner.h"

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
  Daemon daemon(command_line->config, ShardLoopFactory(logger), logger);
  return daemon.Run();
}
