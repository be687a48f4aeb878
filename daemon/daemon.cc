#include "daemon/daemon.h"

#include <poll.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "crypto/random.h"
#include "daemon/control_plane.h"
#include "daemon/http_server.h"
#include "daemon/signal_watcher.h"
#include "daemon/systemd_notifier.h"
#include "metrics/metrics_server.h"

namespace sfu::daemon {
namespace {

using Clock = std::chrono::steady_clock;
// Upper bound on one poll: event fds wake us sooner; handles without one are polled this often.
constexpr auto kPollPeriod = std::chrono::milliseconds(50);
// How often the session and room gauges are recounted (sessions change on HTTP threads and on
// shard events; a scrape every few seconds needs no more).
constexpr auto kGaugePeriod = std::chrono::milliseconds(250);

void UpdateControlGauges(const ControlPlane& control, metrics::ControlMetrics& out) {
  std::vector<metrics::ControlMetrics::SessionCount> counts;
  for (const ControlPlane::SessionCount& c : control.SessionCounts()) {
    counts.push_back({std::string(c.role), std::string(c.state), c.count});
  }
  out.SetSessions(std::move(counts));
  out.SetRooms(static_cast<int64_t>(control.room_count()));
}

// Makes every shard's SRTP use the configured AES-GCM code. The shards create their sessions with
// SrtpConfig::gcm_impl = kAuto, which reads SFUD_GCM_IMPL: an explicit gcm_impl is written there
// (before any shard thread exists); with auto an operator's SFUD_GCM_IMPL is kept. Returns the
// implementation the shards will use, or an error naming the setting.
absl::StatusOr<const char*> SelectGcmImplementation(crypto::GcmImpl impl) {
  if (impl != crypto::GcmImpl::kAuto) {
    if (!crypto::GcmBatch::Supported(impl)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "invalid gcm_impl ", crypto::GcmBatch::ImplName(impl), ": not supported by this CPU"));
    }
    setenv("SFUD_GCM_IMPL", crypto::GcmBatch::ImplName(impl), 1);
  }
  absl::StatusOr<crypto::GcmBatch> batch = crypto::GcmBatch::Create(crypto::GcmImpl::kAuto);
  if (!batch.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "gcm_impl auto: environment SFUD_GCM_IMPL is unusable: ", batch.status().message()));
  }
  return crypto::GcmBatch::ImplName(batch->impl());
}

}  // namespace

ShardFactory NoShardRunnerFactory() {
  return [](const DaemonConfig&, std::shared_ptr<const crypto::Certificate>)
             -> absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> {
    return absl::UnimplementedError("this build has no shard runner linked in");
  };
}

Daemon::Daemon(DaemonConfig config, ShardFactory factory, Logger& logger,
               std::shared_ptr<metrics::SfudCollector> collector)
    : config_(std::move(config)),
      factory_(std::move(factory)),
      logger_(logger),
      collector_(std::move(collector)) {
  if (!collector_) {
    collector_ =
        std::make_shared<metrics::SfudCollector>(metrics::CurrentBuildInfo(), config_.shards);
  }
  absl::StatusOr<net::Waker> waker = net::Waker::Create();
  if (waker.ok()) stop_waker_ = std::make_unique<net::Waker>(*std::move(waker));
}

void Daemon::RequestStop() {
  stop_requested_.store(true);
  if (stop_waker_) stop_waker_->Wake();
}

int Daemon::Run() {
  if (!stop_waker_) {
    logger_.Write(LogLevel::kError, "cannot create an eventfd");
    return kExitRuntimeFailure;
  }
  // Before any thread starts, so every thread inherits the blocked mask.
  absl::StatusOr<SignalWatcher> signals = SignalWatcher::Create();
  if (!signals.ok()) {
    logger_.Log(LogLevel::kError, "%s", signals.status().ToString());
    return kExitRuntimeFailure;
  }

  absl::StatusOr<const char*> gcm = SelectGcmImplementation(config_.gcm_impl);
  if (!gcm.ok()) {
    logger_.Log(LogLevel::kError, "%s", gcm.status().message());
    return kExitBadConfig;
  }
  collector_->set_gcm_implementation(*gcm);

  absl::StatusOr<crypto::Certificate> certificate =
      config_.certificate_path.empty()
          ? crypto::Certificate::GenerateSelfSigned("sfud", std::chrono::hours(24 * 30))
          : crypto::Certificate::FromPemFiles(config_.certificate_path, config_.key_path);
  if (!certificate.ok()) {
    logger_.Log(LogLevel::kError, "invalid cert/key: %s", certificate.status().message());
    return config_.certificate_path.empty() ? kExitRuntimeFailure : kExitBadConfig;
  }
  auto shared_certificate = std::make_shared<const crypto::Certificate>(*std::move(certificate));
  const std::string fingerprint = shared_certificate->SdpFingerprint();

  absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> shards =
      factory_(config_, shared_certificate);
  if (!shards.ok()) {
    logger_.Log(LogLevel::kError, "cannot start shards: %s", shards.status().message());
    return kExitRuntimeFailure;
  }
  std::vector<ShardHandle*> handles;
  for (const auto& shard : *shards) handles.push_back(shard.get());

  crypto::SystemRandom random;
  ControlPlane control(
      ControlPlaneConfig{config_.listen_addresses, config_.base_port, config_.spread_threshold,
                         fingerprint, config_.max_sessions_per_shard},
      handles, random, logger_);
  metrics::ControlMetrics& control_metrics = collector_->control();
  UpdateControlGauges(control, control_metrics);  // zeros are series too, from the start
  HttpServerOptions http_options{config_.auth_token, config_.max_request_bytes};
  http_options.on_request = [&control_metrics](std::string_view route, int status) {
    control_metrics.CountHttpRequest(route, status);
  };
  HttpServer http(control, std::move(http_options), logger_);
  if (absl::Status st = http.Start(config_.http_address); !st.ok()) {
    logger_.Log(LogLevel::kError, "%s (setting http)", st.message());
    return kExitRuntimeFailure;
  }
  http_port_.store(http.port());

  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (config_.metrics_enabled) {
    absl::StatusOr<std::unique_ptr<metrics::MetricsServer>> started =
        metrics::MetricsServer::Start(config_.metrics_address, collector_);
    if (!started.ok()) {
      logger_.Log(LogLevel::kError, "%s (setting metrics; `metrics = off` disables it)",
                  started.status().message());
      return kExitRuntimeFailure;
    }
    metrics_server = *std::move(started);
    metrics_port_.store(metrics_server->port());
  }

  SystemdNotifier notifier;
  control.set_ready(true);
  notifier.Ready();
  const SocketAddress http_bound{config_.http_address.ip, static_cast<uint16_t>(http.port())};
  const std::string metrics_where =
      metrics_server
          ? absl::StrCat(
                "http://",
                SocketAddress{config_.metrics_address.ip, metrics_server->port()}.ToString(),
                "/metrics")
          : std::string("off");
  logger_.Log(LogLevel::kNotice,
              "ready: %u shards; demo page, WHIP and WHEP at http://%s/; metrics %s; SRTP AES-GCM "
              "%s; fingerprint %s",
              static_cast<unsigned>(handles.size()), http_bound.ToString().c_str(), metrics_where,
              *gcm, fingerprint);

  std::vector<pollfd> fds;
  fds.push_back({signals->fd(), POLLIN, 0});
  fds.push_back({stop_waker_->fd(), POLLIN, 0});
  for (ShardHandle* h : handles) {
    if (h->event_fd() >= 0) fds.push_back({h->event_fd(), POLLIN, 0});
  }

  std::optional<Clock::time_point> drain_deadline;
  Clock::time_point next_watchdog = Clock::now();
  Clock::time_point next_gauges = Clock::now();
  while (true) {
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kPollPeriod);
    if (notifier.watchdog_period()) {
      auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_watchdog - Clock::now());
      timeout = std::clamp(until, std::chrono::milliseconds(0), timeout);
    }
    poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));

    bool stop = false;
    while (std::optional<int> signo = signals->Read()) {
      logger_.Log(LogLevel::kNotice, "signal %d", *signo);
      stop = true;
      if (drain_deadline) drain_deadline = Clock::now();  // second signal: stop waiting
    }
    if (stop_waker_->Drain() || stop_requested_.load()) stop = true;
    control.PollShards();
    if (Clock::now() >= next_gauges) {
      UpdateControlGauges(control, control_metrics);
      next_gauges = Clock::now() + kGaugePeriod;
    }

    if (stop && !drain_deadline) {
      notifier.Stopping();
      control.BeginDrain();
      drain_deadline = Clock::now() + config_.drain_timeout;
    }
    if (drain_deadline) {
      if (control.session_count() == 0) break;
      if (Clock::now() >= *drain_deadline) {
        logger_.Log(LogLevel::kWarning, "drain timeout: %u sessions still open",
                    static_cast<unsigned>(control.session_count()));
        break;
      }
    }
    if (notifier.watchdog_period() && Clock::now() >= next_watchdog) {
      notifier.Watchdog();
      next_watchdog = Clock::now() + *notifier.watchdog_period();
    }
  }

  http.Stop();
  http_port_.store(0);
  metrics_server.reset();  // joins the exposer threads (the collector owns what they read)
  metrics_port_.store(0);
  shards->clear();  // joins the shard threads
  logger_.Write(LogLevel::kNotice, "stopped");
  return kExitOk;
}

}  // namespace sfu::daemon
