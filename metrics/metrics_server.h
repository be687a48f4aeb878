#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/common/five_tuple.h"
#include "prometheus/collectable.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace sfu::metrics {

// The /metrics HTTP endpoint: a prometheus::Exposer (civetweb, its own small thread pool) bound
// to a configured address, serving one Collectable. The daemon creates it on the control thread
// at start-up and destroys it at shutdown (the destructor stops the HTTP threads); the collectable
// must stay alive while the server runs (the server holds it too).
class MetricsServer {
 public:
  // `bind` is "127.0.0.1:9464", "[::1]:9464" or port 0 for an ephemeral port (tests). Failure to
  // bind (address in use, bad address) is an error status, not an exception.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const SocketAddress& bind, std::shared_ptr<prometheus::Collectable> collectable);
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& bind, std::shared_ptr<prometheus::Collectable> collectable);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port (the ephemeral one when started with port 0).
  uint16_t port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                std::shared_ptr<prometheus::Collectable> collectable, uint16_t port);

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Collectable> collectable_;
  uint16_t port_;
};

}  // namespace sfu::metrics
