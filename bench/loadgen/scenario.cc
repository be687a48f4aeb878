#include "bench/loadgen/scenario.h"

#include <cstdlib>
#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sfu::loadgen {

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
  --rooms N                 rooms (default 1)
  --publishers N            publishers per room (default 1)
  --subscribers N           subscribers per room (default 4)
  --video-kbps N            video bitrate per publisher, 0 for none (default 600)
  --fps N                   video frame rate (default 30)
  --audio / --no-audio      send audio (default on)
  --duration SECONDS        length of the run from the first join (default 10)
  --ramp N                  joins per second (default 0: as fast as signaling allows)
  --churn N                 subscribers per second that leave and rejoin (default 0)
  --join-storm              connect every peer at once and report handshakes per second
Machinery:
  --threads N               event loop threads (default 1)
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
  auto u32 = [](uint32_t* out) {
    return [out](const std::string& v) { return absl::SimpleAtoi(v, out); };
  };
  auto dbl = [](double* out) {
    return [out](const std::string& v) { return absl::SimpleAtod(v, out) && *out >= 0; };
  };
  auto ms = [](std::chrono::milliseconds* out, double scale) {
    return [out, scale](const std::string& v) {
      double d = 0;
      if (!absl::SimpleAtod(v, &d) || d < 0) return false;
      *out = std::chrono::milliseconds(static_cast<int64_t>(d * scale));
      return true;
    };
  };
  auto str = [](std::string* out) {
    return [out](const std::string& v) {
      *out = v;
      return true;
    };
  };
  auto fraction = [](std::optional<double>* out) {
    return [out](const std::string& v) {
      *out = ParseFraction(v);
      return out->has_value();
    };
  };
  const std::map<std::string, std::function<bool(const std::string&)>> valued = {
      {"url", str(&s.url)},
      {"token", str(&s.token)},
      {"room-prefix", str(&s.room_prefix)},
      {"rooms", u32(&s.rooms)},
      {"publishers", u32(&s.publishers)},
      {"subscribers", u32(&s.subscribers)},
      {"video-kbps", u32(&s.video_kbps)},
      {"fps", u32(&s.video_fps)},
      {"duration", ms(&s.duration, 1000)},
      {"ramp", dbl(&s.ramp)},
      {"churn", dbl(&s.churn)},
      {"threads", u32(&s.threads)},
      {"http-concurrency", u32(&s.http_concurrency)},
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
         if (!absl::SimpleAtod(v, &d) || d < 0) return false;
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
  const std::map<std::string, bool*> flags = {
      {"audio", &s.audio}, {"join-storm", &s.join_storm}, {"quiet", &s.quiet}};

  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return absl::InvalidArgumentError("unexpected argument: " + arg);
    arg = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (auto f = flags.find(arg); f != flags.end()) {
      if (value.has_value()) {
        if (*value != "true" && *value != "false" && *value != "1" && *value != "0") {
          return absl::InvalidArgumentError(absl::StrCat("--", arg, " takes true or false"));
        }
        *f->second = *value == "true" || *value == "1";
      } else {
        *f->second = true;
      }
      continue;
    }
    if (arg.rfind("no-", 0) == 0) {
      if (auto f = flags.find(arg.substr(3)); f != flags.end()) {
        *f->second = false;
        continue;
      }
    }
    auto it = valued.find(arg);
    if (it == valued.end()) return absl::InvalidArgumentError("unknown flag --" + arg);
    if (!value.has_value()) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError("--" + arg + " needs a value");
      value = args[++i];
    }
    if (!it->second(*value)) {
      return absl::InvalidArgumentError(absl::StrCat("bad value for --", arg, ": ", *value));
    }
  }
  if (s.rooms == 0 || s.publishers + s.subscribers == 0) {
    return absl::InvalidArgumentError("--rooms and --publishers + --subscribers must be > 0");
  }
  if (s.threads == 0 || s.threads > 256) return absl::InvalidArgumentError("--threads 1..256");
  if (s.http_concurrency == 0 || s.http_concurrency > 256) {
    return absl::InvalidArgumentError("--http-concurrency 1..256");
  }
  if (s.video_fps == 0 || s.video_fps > 120) return absl::InvalidArgumentError("--fps 1..120");
  if (!s.audio && s.video_kbps == 0 && s.publishers > 0) {
    return absl::InvalidArgumentError("publishers need --audio or --video-kbps > 0");
  }
  if (s.join_storm) s.ramp = 0;
  return parsed;
}

}  // namespace sfu::loadgen
