#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "crypto/vaes/gcm_batch.h"

namespace sfu::daemon {

enum class LogLevel : uint8_t { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };
enum class IoBackendKind : uint8_t { kIoUring, kMmsg };

// Every setting of the daemon, each with its default. Filled from defaults, then the config file,
// then command-line flags (flags win). Owned by the control thread; shards get copies of what
// they need.
struct DaemonConfig {
  // Host candidates: one UDP socket per address per shard; shard k listens on base_port + k.
  std::vector<IpAddress> listen_addresses = {IpAddress::Loopback(IpAddress::Family::kV4)};
  uint16_t base_port = 10000;
  uint32_t shards = 1;            // DefaultConfig() sets the number of CPUs
  SocketAddress http_address;     // 127.0.0.1:8080
  SocketAddress metrics_address;  // 127.0.0.1:9464
  bool metrics_enabled = true;    // `metrics = off` disables the exposer
  std::string certificate_path;   // empty: generate one at start, kept in memory only
  std::string key_path;
  uint32_t mtu = 1200;     // bytes of UDP payload per datagram sfud sends
  std::string auth_token;  // empty: no authentication
  LogLevel log_level = LogLevel::kInfo;
  IoBackendKind io_backend = IoBackendKind::kIoUring;
  std::chrono::milliseconds drain_timeout{5000};
  size_t max_request_bytes = 64 * 1024;  // HTTP bodies above this get 413
  // Subscribers of one room placed on its home shard before the room spreads over shards: later
  // ones go to the shard holding the fewest of the room's subscribers, and the home shard hands
  // each publisher packet once to each such shard through an SPSC ring. One shard forwards
  // ~300k packets/s (bench/forward), about 4,000 viewers of 600 kbps video, so a room of 1000
  // stays whole with room to spare for other rooms. 0 never spreads.
  uint32_t spread_threshold = 1000;
  // Sessions (peers) one shard holds. The connection table and timer heap are reserved for it at
  // start (a few hundred bytes per session); the per-session state is allocated as sessions
  // come. One shard forwards ~4,000 viewers of 600 kbps video (bench/forward).
  uint32_t max_sessions_per_shard = 4096;
  // The AES-GCM code of every shard's SRTP (crypto/vaes/gcm_batch.h). kAuto: the SFUD_GCM_IMPL
  // environment variable if set, else the fastest this CPU runs; an explicit choice the CPU lacks
  // is refused when the setting is read.
  crypto::GcmImpl gcm_impl = crypto::GcmImpl::kAuto;
};

// Defaults, with shards = the number of CPUs this process may run on.
DaemonConfig DefaultConfig();

// Exit codes of the sfud binary (documented in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeFailure = 1;
inline constexpr int kExitBadConfig = 2;

// The outcome of reading the command line.
struct CommandLine {
  DaemonConfig config;
  bool help = false;
};

// Config file format: one `key = value` per line; `#` starts a comment (whole line or after the
// value); blank lines ignored; keys are the flag names without the leading `--`. Unknown keys and
// bad values are errors naming the key and the line. Applies on top of `config`.
absl::Status ApplyConfigText(std::string_view text, DaemonConfig& config);

// Flags: `--key=value` or `--key value`, the same keys as the file, plus `--config FILE` (read
// first, whatever its position, so flags override the file) and `--help`. Errors name the setting.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// Cross-setting checks (port range for all shards, cert and key given together).
absl::Status ValidateConfig(const DaemonConfig& config);

// The --help text: every setting with its default and meaning, the file format, exit codes.
std::string HelpText();

std::string_view ToString(LogLevel level);
std::string_view ToString(IoBackendKind kind);

// "127.0.0.1:8080" or "[::1]:8080" (the port is required).
std::optional<SocketAddress> ParseHostPort(std::string_view text);

}  // namespace sfu::daemon
