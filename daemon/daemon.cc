#include "daemon/daemon.h"

#include <poll.h>

#include <algorithm>
#include <chrono>

#include "crypto/random.h"
#include "daemon/control_plane.h"
#include "daemon/http_server.h"
#include "daemon/signal_watcher.h"
#include "daemon/systemd_notifier.h"

namespace sfu::daemon {
namespace {

using Clock = std::chrono::steady_clock;
// Upper bound on one poll: event fds wake us sooner; handles without one are polled this often.
constexpr auto kPollPeriod = std::chrono::milliseconds(50);

}  // namespace

ShardFactory NoShardRunnerFactory() {
  return [](const DaemonConfig&, std::shared_ptr<const crypto::Certificate>)
             -> absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> {
    return absl::UnimplementedError("this build has no shard runner linked in");
  };
}

Daemon::Daemon(DaemonConfig config, ShardFactory factory, Logger& logger)
    : config_(std::move(config)), factory_(std::move(factory)), logger_(logger) {
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
  ControlPlane control(ControlPlaneConfig{config_.listen_addresses, config_.base_port,
                                          config_.spread_threshold, fingerprint},
                       handles, random, logger_);
  HttpServer http(control, HttpServerOptions{config_.auth_token, config_.max_request_bytes},
                  logger_);
  if (absl::Status st = http.Start(config_.http_address); !st.ok()) {
    logger_.Log(LogLevel::kError, "%s", st.message());
    return kExitRuntimeFailure;
  }
  http_port_.store(http.port());

  SystemdNotifier notifier;
  control.set_ready(true);
  notifier.Ready();
  const SocketAddress http_bound{config_.http_address.ip, static_cast<uint16_t>(http.port())};
  logger_.Log(LogLevel::kNotice,
              "ready: %u shards; demo page, WHIP and WHEP at http://%s/; fingerprint %s",
              static_cast<unsigned>(handles.size()), http_bound.ToString().c_str(), fingerprint);

  std::vector<pollfd> fds;
  fds.push_back({signals->fd(), POLLIN, 0});
  fds.push_back({stop_waker_->fd(), POLLIN, 0});
  for (ShardHandle* h : handles) {
    if (h->event_fd() >= 0) fds.push_back({h->event_fd(), POLLIN, 0});
  }

  std::optional<Clock::time_point> drain_deadline;
  Clock::time_point next_watchdog = Clock::now();
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
  shards->clear();  // joins the shard threads
  logger_.Write(LogLevel::kNotice, "stopped");
  return kExitOk;
}

}  // namespace sfu::daemon
