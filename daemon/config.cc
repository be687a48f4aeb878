#include "daemon/config.h"

#include <sched.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"
#include "daemon/text_util.h"

namespace sfu::daemon {
namespace {

// One setting: the same table drives the config file, the flags and --help, so the three can
// never disagree on a name or a default.
struct Setting {
  std::string_view name;
  std::string_view help;
  // Parses `value` into the config; the error says what was expected (the caller adds the name).
  absl::Status (*set)(std::string_view value, DaemonConfig& config);
  std::string (*show)(const DaemonConfig& config);
};

template <typename T>
bool ParseUnsigned(std::string_view text, T min, T max, T& out) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return false;
  if (v < min || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

absl::Status Bad(std::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat("expected ", Sv(expected)));
}

const Setting kSettings[] = {
    {"listen", "comma-separated IP addresses for the media UDP sockets (host candidates)",
     [](std::string_view v, DaemonConfig& c) -> absl::Status {
       std::vector<IpAddress> out;
       for (std::string_view part : Split(v, ',')) {
         auto ip = IpAddress::Parse(Trim(part));
         if (!ip) return Bad("IPv4 or IPv6 addresses separated by commas");
         out.push_back(*ip);
       }
       c.listen_addresses = std::move(out);
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) {
       std::vector<std::string> parts;
       for (const IpAddress& ip : c.listen_addresses) parts.push_back(ip.ToString());
       return absl::StrJoin(parts, ",");
     }},
    {"port", "base UDP port; shard k listens on port + k",
     [](std::string_view v, DaemonConfig& c) {
       return ParseUnsigned<uint16_t>(v, 1, 65535, c.base_port) ? absl::OkStatus()
                                                                : Bad("a port 1..65535");
     },
     [](const DaemonConfig& c) { return std::to_string(c.base_port); }},
    {"shards", "number of shard threads (default: the number of CPUs)",
     [](std::string_view v, DaemonConfig& c) {
       return ParseUnsigned<uint32_t>(v, 1, 1024, c.shards) ? absl::OkStatus()
                                                            : Bad("an integer 1..1024");
     },
     [](const DaemonConfig& c) { return std::to_string(c.shards); }},
    {"http", "address:port of the WHIP/WHEP/API HTTP server",
     [](std::string_view v, DaemonConfig& c) {
       auto a = ParseHostPort(v);
       if (!a) return Bad("address:port, e.g. 127.0.0.1:8080 or [::1]:8080");
       c.http_address = *a;
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return c.http_address.ToString(); }},
    {"metrics", "address:port of the Prometheus /metrics exposer, or off to run without it",
     [](std::string_view v, DaemonConfig& c) {
       if (v == "off") {
         c.metrics_enabled = false;
         return absl::OkStatus();
       }
       auto a = ParseHostPort(v);
       if (!a) return Bad("address:port, e.g. 127.0.0.1:9464, or off");
       c.metrics_address = *a;
       c.metrics_enabled = true;
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) {
       return c.metrics_enabled ? c.metrics_address.ToString() : std::string("off");
     }},
    {"cert", "PEM certificate file for DTLS (empty: generate one at start, kept in memory)",
     [](std::string_view v, DaemonConfig& c) {
       c.certificate_path = std::string(v);
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return c.certificate_path; }},
    {"key", "PEM ECDSA P-256 private key file matching --cert",
     [](std::string_view v, DaemonConfig& c) {
       c.key_path = std::string(v);
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return c.key_path; }},
    {"mtu", "largest UDP payload sfud sends, bytes",
     [](std::string_view v, DaemonConfig& c) {
       return ParseUnsigned<uint32_t>(v, 576, 9000, c.mtu) ? absl::OkStatus()
                                                           : Bad("an integer 576..9000");
     },
     [](const DaemonConfig& c) { return std::to_string(c.mtu); }},
    {"auth_token", "bearer token WHIP/WHEP/API clients must send (empty: no authentication)",
     [](std::string_view v, DaemonConfig& c) {
       for (char ch : v) {
         // RFC 6750 §2.1 b64token characters.
         if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) &&
             std::string_view("-._~+/=").find(ch) == std::string_view::npos) {
           return Bad("a token of letters, digits and -._~+/=");
         }
       }
       c.auth_token = std::string(v);
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return c.auth_token; }},
    {"log_level", "error | warning | notice | info | debug",
     [](std::string_view v, DaemonConfig& c) {
       for (LogLevel l : {LogLevel::kError, LogLevel::kWarning, LogLevel::kNotice, LogLevel::kInfo,
                          LogLevel::kDebug}) {
         if (v == ToString(l)) {
           c.log_level = l;
           return absl::OkStatus();
         }
       }
       return Bad("one of error, warning, notice, info, debug");
     },
     [](const DaemonConfig& c) { return std::string(ToString(c.log_level)); }},
    {"io_backend", "io_uring | mmsg (recvmmsg/sendmmsg)",
     [](std::string_view v, DaemonConfig& c) {
       if (v == "io_uring") {
         c.io_backend = IoBackendKind::kIoUring;
       } else if (v == "mmsg") {
         c.io_backend = IoBackendKind::kMmsg;
       } else {
         return Bad("io_uring or mmsg");
       }
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return std::string(ToString(c.io_backend)); }},
    {"drain_timeout_ms", "on SIGTERM/SIGINT, longest wait for sessions to close, ms",
     [](std::string_view v, DaemonConfig& c) {
       uint32_t ms = 0;
       if (!ParseUnsigned<uint32_t>(v, 0, 600000, ms)) return Bad("an integer 0..600000");
       c.drain_timeout = std::chrono::milliseconds(ms);
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return std::to_string(c.drain_timeout.count()); }},
    {"max_request_bytes", "largest HTTP request body accepted (larger: 413), bytes",
     [](std::string_view v, DaemonConfig& c) {
       return ParseUnsigned<size_t>(v, 1024, 1024 * 1024, c.max_request_bytes)
                  ? absl::OkStatus()
                  : Bad("an integer 1024..1048576");
     },
     [](const DaemonConfig& c) { return std::to_string(c.max_request_bytes); }},
    {"spread_threshold",
     "subscribers per room on its home shard before spreading over shards (0: never spread)",
     [](std::string_view v, DaemonConfig& c) {
       return ParseUnsigned<uint32_t>(v, 0, 1000000, c.spread_threshold)
                  ? absl::OkStatus()
                  : Bad("an integer 0..1000000");
     },
     [](const DaemonConfig& c) { return std::to_string(c.spread_threshold); }},
    {"max_sessions_per_shard",
     "WHIP/WHEP sessions one shard holds; beyond it a new session on that shard is refused",
     [](std::string_view v, DaemonConfig& c) {
       return ParseUnsigned<uint32_t>(v, 1, 65536, c.max_sessions_per_shard)
                  ? absl::OkStatus()
                  : Bad("an integer 1..65536");
     },
     [](const DaemonConfig& c) { return std::to_string(c.max_sessions_per_shard); }},
    {"gcm_impl",
     "AES-GCM code for SRTP: auto (SFUD_GCM_IMPL if set, else the fastest this CPU runs) | evp "
     "(OpenSSL) | vaes256 | vaes512 (needs VAES+VPCLMULQDQ, and AVX-512 for vaes512)",
     [](std::string_view v, DaemonConfig& c) {
       absl::StatusOr<crypto::GcmImpl> impl = crypto::GcmBatch::ParseImpl(v);
       if (!impl.ok()) return Bad("auto, evp, vaes256 or vaes512");
       if (!crypto::GcmBatch::Supported(*impl)) {
         return absl::InvalidArgumentError(
             absl::StrCat(Sv(v), " is not supported by this CPU (best available: ",
                          crypto::GcmBatch::ImplName(crypto::GcmBatch::Best()), ")"));
       }
       c.gcm_impl = *impl;
       return absl::OkStatus();
     },
     [](const DaemonConfig& c) { return std::string(crypto::GcmBatch::ImplName(c.gcm_impl)); }},
};

const Setting* FindSetting(std::string_view name) {
  for (const Setting& s : kSettings) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

absl::Status Apply(const Setting& s, std::string_view value, DaemonConfig& config,
                   std::string_view where) {
  absl::Status st = s.set(value, config);
  if (!st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", Sv(s.name), " \"", Sv(value), "\"",
                                                   Sv(where), ": ", st.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("invalid config: cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 1024 * 1024) {
    return absl::InvalidArgumentError(absl::StrCat("invalid config: ", path, " exceeds 1 MiB"));
  }
  return text.str();
}

}  // namespace

std::string_view ToString(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

std::string_view ToString(IoBackendKind kind) {
  return kind == IoBackendKind::kIoUring ? "io_uring" : "mmsg";
}

std::optional<SocketAddress> ParseHostPort(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with("[")) {
    text.remove_prefix(1);
    size_t close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(0, close);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs brackets
  }
  auto ip = IpAddress::Parse(host);
  SocketAddress out;
  if (!ip || !ParseUnsigned<uint16_t>(port, 1, 65535, out.port)) return std::nullopt;
  out.ip = *ip;
  return out;
}

DaemonConfig DefaultConfig() {
  DaemonConfig c;
  const IpAddress loopback = IpAddress::Loopback(IpAddress::Family::kV4);
  c.http_address = SocketAddress{loopback, 8080};
  c.metrics_address = SocketAddress{loopback, 9464};
  cpu_set_t set;
  CPU_ZERO(&set);
  int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
  if (cpus <= 0) cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  c.shards = cpus > 0 ? static_cast<uint32_t>(cpus) : 1;
  return c;
}

absl::Status ApplyConfigText(std::string_view text, DaemonConfig& config) {
  int line_number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    const std::string where = absl::StrCat(" (config line ", line_number, ")");
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid config line ", line_number, ": expected key = value"));
    }
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    const Setting* s = FindSetting(key);
    if (s == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown setting ", Sv(key), where));
    }
    SFU_RETURN_IF_ERROR(Apply(*s, value, config, where));
  }
  return absl::OkStatus();
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  struct Flag {
    std::string name;
    std::string value;
  };
  std::vector<Flag> flags;
  std::string config_path;
  CommandLine out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", Sv(arg), "\""));
    }
    arg.remove_prefix(2);
    Flag flag;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      flag.name = std::string(arg.substr(0, eq));
      flag.value = std::string(arg.substr(eq + 1));
    } else {
      flag.name = std::string(arg);
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("invalid ", flag.name, ": missing value"));
      }
      flag.value = args[++i];
    }
    if (flag.name == "config") {
      config_path = flag.value;
    } else if (FindSetting(flag.name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown setting --", flag.name));
    } else {
      flags.push_back(std::move(flag));
    }
  }
  out.config = DefaultConfig();
  if (out.help) return out;
  if (!config_path.empty()) {
    SFU_ASSIGN_OR_RETURN(std::string text, ReadFile(config_path));
    absl::Status st = ApplyConfigText(text, out.config);
    if (!st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(config_path, ": ", st.message()));
    }
  }
  for (const Flag& flag : flags) {
    SFU_RETURN_IF_ERROR(Apply(*FindSetting(flag.name), flag.value, out.config, " (flag)"));
  }
  SFU_RETURN_IF_ERROR(ValidateConfig(out.config));
  return out;
}

absl::Status ValidateConfig(const DaemonConfig& config) {
  if (config.listen_addresses.empty()) {
    return absl::InvalidArgumentError("invalid listen: at least one address is needed");
  }
  if (uint32_t{config.base_port} + config.shards - 1 > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port ", config.base_port, ": with ",
                                                   config.shards,
                                                   " shards the last port exceeds 65535"));
  }
  if (config.certificate_path.empty() != config.key_path.empty()) {
    return absl::InvalidArgumentError(config.certificate_path.empty()
                                          ? "invalid cert: key is set but cert is not"
                                          : "invalid key: cert is set but key is not");
  }
  return absl::OkStatus();
}

std::string HelpText() {
  const DaemonConfig defaults = DefaultConfig();
  std::string out =
      "sfud: WebRTC SFU (WHIP publish, WHEP play)\n\n"
      "usage: sfud [--config FILE] [--KEY=VALUE | --KEY VALUE]...\n\n"
      "Settings (flags override the config file; every one has a default):\n";
  for (const Setting& s : kSettings) {
    absl::StrAppend(&out, "  --", Sv(s.name), " (default \"", s.show(defaults), "\")\n      ",
                    Sv(s.help), "\n");
  }
  absl::StrAppend(
      &out,
      "  --config FILE\n      read settings from FILE first\n  --help\n      this text\n\n"
      "Config file: one `key = value` per line, keys as the flags above without `--`;\n"
      "`#` starts a comment; blank lines are ignored; unknown keys are errors.\n\n"
      "Logs: stderr, one line per message, prefixed with a syslog priority `<N>` (3 error,\n"
      "4 warning, 5 notice, 6 info, 7 debug) as journald and `systemd-cat` understand.\n\n"
      "Exit codes: 0 clean shutdown, 1 runtime failure, 2 invalid configuration.\n");
  return out;
}

}  // namespace sfu::daemon
