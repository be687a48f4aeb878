#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sfu::loadgen {

// Everything a run does, from the command line. Defaults are a small smoke test.
struct Scenario {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string room_prefix = "loadgen";
  uint32_t rooms = 1;
  uint32_t publishers = 1;   // per room
  uint32_t subscribers = 4;  // per room
  bool audio = true;
  uint32_t video_kbps = 600;  // 0: no video
  uint32_t video_fps = 30;
  // Video leaves paced at this many times video_kbps, like libwebrtc's paced sender; 0 = each
  // frame as one burst.
  double pacing_factor = 2.5;
  std::chrono::milliseconds duration{10000};
  double ramp = 0;   // joins per second; 0 = as fast as signaling allows
  double churn = 0;  // subscriber leave+rejoin per second
  bool join_storm = false;
  uint32_t threads = 1;
  // A loop thread with nothing due polls epoll this long before sleeping (0: sleeps at once).
  uint32_t spin_us = 0;
  uint32_t http_concurrency = 8;
  std::chrono::milliseconds http_timeout{5000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds grace{1000};  // after media stops, before peers close
  // Latency is measured from this long after the last join (handshakes in the load generator's
  // own threads delay packets during the join phase).
  std::chrono::milliseconds warmup{1000};
  std::string local_ip = "127.0.0.1";
  std::string json_path;
  bool quiet = false;         // no progress line
  std::string scenario_file;  // --scenario FILE, if one was read (for the report)
  // SLOs (unset: not checked).
  std::optional<double> max_loss;  // fraction, e.g. 0.001 for "0.1%"
  std::optional<double> max_p99_latency_ms;
  std::optional<double> min_connected;  // fraction of planned peers
  std::optional<int> sfud_pid;

  uint32_t total_peers() const { return rooms * (publishers + subscribers); }
};

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // could not run (sfud unreachable is NOT this: see SLOs)
inline constexpr int kExitBadFlags = 2;
inline constexpr int kExitSloViolated = 3;

struct ParsedArgs {
  Scenario scenario;
  bool help = false;
};
// `--key=value` or `--key value`; booleans also as `--key` / `--no-key`. Errors name the flag.
// `--scenario FILE` reads settings from a file first, one `key = value` a line (keys are the long
// flag names; `#` starts a comment at the start of a line or after a blank; blank lines are
// skipped); every flag on the command line then overrides the file, wherever it stands. Errors in
// the file name FILE:LINE. Each setting goes through the same setter from either source, so a
// value is validated in exactly one place.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args);
// Every flag a scenario file (or the command line) can set, without the leading "--".
std::vector<std::string> ScenarioKeys();
std::string HelpText();
// "0.1%" -> 0.001, "0.001" -> 0.001.
std::optional<double> ParseFraction(const std::string& text);

}  // namespace sfu::loadgen
