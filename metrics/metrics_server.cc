#include "metrics/metrics_server.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace sfu::metrics {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const SocketAddress& bind, std::shared_ptr<prometheus::Collectable> collectable) {
  return Start(bind.ToString(), std::move(collectable));
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& bind, std::shared_ptr<prometheus::Collectable> collectable) {
  if (collectable == nullptr) return absl::InvalidArgumentError("metrics: no collectable");
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // Two HTTP threads: a scrape and a concurrent health probe never queue behind each other.
    exposer = std::make_unique<prometheus::Exposer>(bind, 2);
  } catch (const std::exception& e) {
    // civetweb reports bind failures (EADDRINUSE, a bad address) by throwing.
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", bind, ": ", e.what()));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty() || ports.front() <= 0 || ports.front() > 65535) {
    return absl::UnavailableError(absl::StrCat("metrics: no listening port for ", bind));
  }
  exposer->RegisterCollectable(collectable);
  return std::unique_ptr<MetricsServer>(new MetricsServer(
      std::move(exposer), std::move(collectable), static_cast<uint16_t>(ports.front())));
}

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                             std::shared_ptr<prometheus::Collectable> collectable, uint16_t port)
    : exposer_(std::move(exposer)), collectable_(std::move(collectable)), port_(port) {}

MetricsServer::~MetricsServer() = default;

}  // namespace sfu::metrics
