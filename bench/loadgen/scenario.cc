#include "bench/loadgen/scenario.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"

namespace sfu::loadgen {
namespace {

// A scenario file is a handful of lines; anything much larger is not one.
constexpr size_t kMaxScenarioFileBytes = 64 * 1024;

// One setting from the command line or a scenario file, before it is applied.
struct Setting {
  std::string name;                  // without "--"
  std::optional<std::string> value;  // none: a bare boolean flag
  bool negated = false;              // --no-NAME
};

// Every flag, bound to the Scenario field it sets. Each setter parses and range-checks its own
// value, so a setting is validated in one place whether it came from the command line or a file.
// Only what depends on several settings is checked afterwards (Validate).
class FlagTable {
 public:
  explicit FlagTable(Scenario& s);

  bool IsBoolean(const std::string& name) const { return booleans_.contains(name); }
  bool IsValued(const std::string& name) const { return valued_.contains(name); }
  std::vector<std::string> Names() const;
  // `spelling` is how the error names the setting: "--rooms" or "rooms".
  absl::Status Apply(const Setting& setting, const std::string& spelling) const;

 private:
  using Setter = std::function<bool(const std::string&)>;
  std::map<std::string, Setter> valued_;
  std::map<std::string, bool*> booleans_;
};

FlagTable::FlagTable(Scenario& s) {
  auto u32 = [](uint32_t* out, uint32_t min, uint32_t max) -> Setter {
    return [out, min, max](const std::string& v) {
      uint32_t parsed = 0;
      if (!absl::SimpleAtoi(v, &parsed) || parsed < min || parsed > max) return false;
      *out = parsed;
      return true;
    };
  };
  auto dbl = [](double* out) -> Setter {
    return [out](const std::string& v) {
      double parsed = 0;
      if (!absl::SimpleAtod(v, &parsed) || !(parsed >= 0)) return false;
      *out = parsed;
      return true;
    };
  };
  auto ms = [](std::chrono::milliseconds* out, double scale) -> Setter {
    return [out, scale](const std::string& v) {
      double d = 0;
      if (!absl::SimpleAtod(v, &d) || !(d >= 0) || d * scale > 1e12) return false;
      *out = std::chrono::milliseconds(static_cast<int64_t>(d * scale));
      return true;
    };
  };
  auto str = [](std::string* out) -> Setter {
    return [out](const std::string& v) {
      *out = v;
      return true;
    };
  };
  auto fraction = [](std::optional<double>* out) -> Setter {
    return [out](const std::string& v) {
      std::optional<double> parsed = ParseFraction(v);
      if (!parsed.has_value()) return false;
      *out = parsed;
      return true;
    };
  };
  constexpr uint32_t kAny = UINT32_MAX;
  valued_ = {
      {"url", str(&s.url)},
      {"token", str(&s.token)},
      {"room-prefix", str(&s.room_prefix)},
      {"rooms", u32(&s.rooms, 1, kAny)},
      {"publishers", u32(&s.publishers, 0, kAny)},
      {"subscribers", u32(&s.subscribers, 0, kAny)},
      {"video-kbps", u32(&s.video_kbps, 0, kAny)},
      {"fps", u32(&s.video_fps, 1, 120)},
      // 0 is off; below 1 the pacer could never catch up with the stream.
      {"pacing-factor",
       [&s](const std::string& v) {
         double d = 0;
         if (!absl::SimpleAtod(v, &d) || !(d == 0 || (d >= 1 && d <= 100))) return false;
         s.pacing_factor = d;
         return true;
       }},
      {"duration", ms(&s.duration, 1000)},
      {"ramp", dbl(&s.ramp)},
      {"churn", dbl(&s.churn)},
      {"threads", u32(&s.threads, 1, 256)},
      {"spin-us", u32(&s.spin_us, 0, 1'000'000)},
      {"http-concurrency", u32(&s.http_concurrency, 1, 256)},
      {"http-timeout-ms", ms(&s.http_timeout, 1)},
      {"connect-timeout-ms", ms(&s.connect_timeout, 1)},
      {"grace-ms", ms(&s.grace, 1)},
      {"warmup-ms", ms(&s.warmup, 1)},
      {"local-ip", str(&s.local_ip)},
      {"json", str(&s.json_path)},
      {"max-loss", fraction(&s.max_loss)},
      {"min-connected", fraction(&s.min_connected)},
      {"max-p99-latency-ms",
       [&s](const std::string& v) {
         double d = 0;
         if (!absl::SimpleAtod(v, &d) || !(d >= 0)) return false;
         s.max_p99_latency_ms = d;
         return true;
       }},
      {"sfud-pid",
       [&s](const std::string& v) {
         int pid = 0;
         if (!absl::SimpleAtoi(v, &pid) || pid <= 0) return false;
         s.sfud_pid = pid;
         return true;
       }},
  };
  booleans_ = {{"audio", &s.audio}, {"join-storm", &s.join_storm}, {"quiet", &s.quiet}};
}

std::vector<std::string> FlagTable::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, setter] : valued_) names.push_back(name);
  for (const auto& [name, field] : booleans_) names.push_back(name);
  return names;
}

absl::Status FlagTable::Apply(const Setting& setting, const std::string& spelling) const {
  if (auto b = booleans_.find(setting.name); b != booleans_.end()) {
    if (setting.negated || !setting.value.has_value()) {
      *b->second = !setting.negated;
      return absl::OkStatus();
    }
    const std::string& v = *setting.value;
    if (v != "true" && v != "false" && v != "1" && v != "0") {
      return absl::InvalidArgumentError(absl::StrCat(spelling, " takes true or false, not ", v));
    }
    *b->second = v == "true" || v == "1";
    return absl::OkStatus();
  }
  auto it = valued_.find(setting.name);
  if (it == valued_.end()) return absl::InvalidArgumentError("unknown flag " + spelling);
  if (!setting.value.has_value()) return absl::InvalidArgumentError(spelling + " needs a value");
  if (!it->second(*setting.value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad value for ", spelling, ": ", *setting.value));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read scenario file ", path, ": ", std::strerror(errno)));
  }
  std::string text(kMaxScenarioFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return absl::InvalidArgumentError("cannot read scenario file " + path);
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxScenarioFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": larger than ", kMaxScenarioFileBytes, " bytes, not a scenario file"));
  }
  return text;
}

// Applies a scenario file's settings in order. `#` starts a comment at the start of a line or
// after a blank, so a URL fragment or a token may still contain one.
absl::Status ApplyScenarioFile(const FlagTable& table, const std::string& path,
                               const std::string& text) {
  std::map<std::string, size_t> seen;  // key -> the line that set it
  size_t line_number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_number;
    const std::string where = absl::StrCat(path, ":", line_number, ": ");
    std::string line(raw);
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' &&
          (i == 0 || absl::ascii_isspace(static_cast<unsigned char>(line[i - 1])))) {
        line.resize(i);
        break;
      }
    }
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty()) continue;
    const size_t eq = stripped.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected `key = value`, got `", stripped, "`"));
    }
    Setting setting;
    setting.name = std::string(absl::StripAsciiWhitespace(stripped.substr(0, eq)));
    setting.value = std::string(absl::StripAsciiWhitespace(stripped.substr(eq + 1)));
    const std::string& key = setting.name;
    if (key == "scenario") {
      return absl::InvalidArgumentError(where + "a scenario file cannot name another");
    }
    if (key.rfind("no-", 0) == 0 && table.IsBoolean(key.substr(3))) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "write `", key.substr(3), " = false`, not ", key));
    }
    if (!table.IsBoolean(key) && !table.IsValued(key)) {
      return absl::InvalidArgumentError(absl::StrCat(where, "unknown key `", key, "`"));
    }
    if (auto [it, inserted] = seen.emplace(key, line_number); !inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "`", key, "` is already set on line ", it->second));
    }
    if (setting.value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "`", key, "` has no value"));
    }
    if (absl::Status st = table.Apply(setting, key); !st.ok()) {
      return absl::InvalidArgumentError(where + std::string(st.message()));
    }
  }
  return absl::OkStatus();
}

// What depends on more than one setting, checked once everything is applied.
absl::Status Validate(Scenario& s) {
  if (uint64_t{s.publishers} + s.subscribers == 0) {
    return absl::InvalidArgumentError("--publishers + --subscribers must be > 0");
  }
  if (!s.audio && s.video_kbps == 0 && s.publishers > 0) {
    return absl::InvalidArgumentError("publishers need --audio or --video-kbps > 0");
  }
  if (s.join_storm) s.ramp = 0;
  return absl::OkStatus();
}

}  // namespace

std::optional<double> ParseFraction(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double v = 0;
  if (text.back() == '%') {
    if (!absl::SimpleAtod(text.substr(0, text.size() - 1), &v)) return std::nullopt;
    v /= 100.0;
  } else if (!absl::SimpleAtod(text, &v)) {
    return std::nullopt;
  }
  if (v < 0) return std::nullopt;
  return v;
}

std::string HelpText() {
  return R"(sfud-loadgen: simulated WebRTC peers (WHIP publishers, WHEP subscribers) against a running sfud.

Each peer POSTs a browser-like SDP offer, runs ICE checks with integrity, a DTLS 1.2 handshake as
client (checking sfud's fingerprint), SRTP, then media: publishers send Opus-like audio (50 pps,
~100 B) and VP8-like video; subscribers measure loss, duplicates, reorder, end-to-end latency and
jitter, and send receiver reports, NACKs and PLIs. Every step has a timeout.

Target:
  --url URL                 sfud's HTTP address (default http://127.0.0.1:8080)
  --token TOKEN             bearer token for WHIP/WHEP
  --room-prefix NAME        rooms are NAME-0, NAME-1, ... (default loadgen)
Scenario:
  --scenario FILE           settings from FILE, one `key = value` a line (keys are these flags'
                            names without --, e.g. `rooms = 4`, `audio = false`; # comments);
                            flags on the command line override the file
  --rooms N                 rooms (default 1)
  --publishers N            publishers per room (default 1)
  --subscribers N           subscribers per room (default 4)
  --video-kbps N            video bitrate per publisher, 0 for none (default 600)
  --fps N                   video frame rate (default 30)
  --audio / --no-audio      send audio (default on)
  --pacing-factor X         send video paced at X times its bitrate, as a browser's pacer does
                            (default 2.5; 0 = each frame as one burst; else 1..100)
  --duration SECONDS        length of the run from the first join (default 10)
  --ramp N                  joins per second (default 0: as fast as signaling allows)
  --churn N                 subscribers per second that leave and rejoin (default 0)
  --join-storm              connect every peer at once and report handshakes per second
Machinery:
  --threads N               event loop threads (default 1)
  --spin-us N               a loop thread with nothing due polls epoll for up to N us before
                            it sleeps, so sfud is not charged for waking it on loopback; burns
                            the load generator's cores (default 0 = off; at most 1000000)
  --http-concurrency N      signaling requests in flight (default 8)
  --http-timeout-ms N       timeout of each HTTP request (default 5000)
  --connect-timeout-ms N    from the answer to DTLS connected (default 10000)
  --grace-ms N              wait after media stops before peers close (default 1000)
  --warmup-ms N             latency counts from this long after the last join (default 1000)
  --local-ip IP             address the peers' sockets bind (default 127.0.0.1)
  --sfud-pid PID            report sfud's CPU use from /proc/PID/stat
  --quiet                   no progress line
Output and SLOs:
  --json FILE               write the full report as JSON
  --max-loss X              e.g. 0.1% or 0.001: fail if subscriber loss is higher
  --max-p99-latency-ms N    fail if p99 end-to-end latency is higher
  --min-connected X         e.g. 100% or 0.99: fail if fewer peers connected

Exit status: 0 ok, 1 could not run (or no peer connected), 2 bad flags, 3 an SLO was violated.
)";
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  Scenario& s = parsed.scenario;
  const FlagTable table(s);
  std::vector<Setting> settings;
  std::optional<std::string> scenario_file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return absl::InvalidArgumentError("unexpected argument: " + arg);
    Setting setting;
    setting.name = arg.substr(2);
    if (size_t eq = setting.name.find('='); eq != std::string::npos) {
      setting.value = setting.name.substr(eq + 1);
      setting.name.resize(eq);
    }
    const std::string& name = setting.name;
    const bool valued = name == "scenario" || table.IsValued(name);
    if (!valued && !table.IsBoolean(name)) {
      if (name.rfind("no-", 0) != 0 || !table.IsBoolean(name.substr(3))) {
        return absl::InvalidArgumentError("unknown flag --" + name);
      }
      if (setting.value.has_value()) {
        return absl::InvalidArgumentError("--" + name + " takes no value");
      }
      setting.name = name.substr(3);
      setting.negated = true;
    }
    if (valued && !setting.value.has_value()) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError("--" + name + " needs a value");
      setting.value = args[++i];
    }
    if (setting.name == "scenario") {
      if (scenario_file.has_value()) return absl::InvalidArgumentError("--scenario given twice");
      scenario_file = *setting.value;
      continue;
    }
    settings.push_back(std::move(setting));
  }
  // The file first, then the command line over it: a flag beats the file wherever it stands.
  if (scenario_file.has_value()) {
    SFU_ASSIGN_OR_RETURN(std::string text, ReadScenarioFile(*scenario_file));
    SFU_RETURN_IF_ERROR(ApplyScenarioFile(table, *scenario_file, text));
  }
  for (const Setting& setting : settings) {
    SFU_RETURN_IF_ERROR(table.Apply(setting, "--" + setting.name));
  }
  SFU_RETURN_IF_ERROR(Validate(s));
  s.scenario_file = scenario_file.value_or("");
  return parsed;
}

std::vector<std::string> ScenarioKeys() {
  Scenario scratch;
  return FlagTable(scratch).Names();
}

}  // namespace sfu::loadgen
