#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "core/common/five_tuple.h"
#include "daemon/control_plane.h"
#include "daemon/logger.h"

namespace httplib {
class Server;
}

namespace sfu::daemon {

struct HttpServerOptions {
  std::string auth_token;  // empty: no authentication
  size_t max_request_bytes = 64 * 1024;
  // Called once per answered request (on an HTTP worker thread) with the route template
  // (HttpRouteTemplate) and the status code sent: the request metric. Unset: not counted.
  std::function<void(std::string_view route, int status)> on_request = nullptr;
};

// The route a request path matched, with the variable parts as placeholders, so that a metric
// label has a bounded set of values: "/whip/{room}", "/whip/{room}/{id}", "/whep/{room}",
// "/whep/{room}/{id}", "/api/rooms", "/healthz", "/readyz", "/", anything else "other".
std::string_view HttpRouteTemplate(std::string_view path);

// The daemon's HTTP/1.1 surface on cpp-httplib (DESIGN.md §1 signaling):
//   POST   /whip/{room}, /whep/{room}        offer (application/sdp) → 201 answer, Location, ETag
//   PATCH  /whip|whep/{room}/{id}            trickle-ice-sdpfrag → 204; ICE restart → 422;
//                                            If-Match mismatch → 412 (RFC 9725 §4.3.1)
//   DELETE /whip|whep/{room}/{id}            → 200, session closed
//   OPTIONS on all of the above              → 204 with CORS and Accept-Post/Accept-Patch
//   GET    /api/rooms, /healthz, /readyz, /  JSON state, liveness, readiness, the demo page
// Errors carry a one-line text/plain reason. Auth (when a token is set): POST/PATCH/DELETE and
// /api need `Authorization: Bearer <token>`: missing → 401 with WWW-Authenticate, wrong → 403
// (RFC 6750 §3). Bodies over max_request_bytes → 413; a POST that is not application/sdp or a
// PATCH that is not application/trickle-ice-sdpfrag → 415.
// Handlers run on cpp-httplib's worker threads; all state lives in the (thread-safe) ControlPlane.
class HttpServer {
 public:
  HttpServer(ControlPlane& control, HttpServerOptions options, Logger& logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `address` (port 0: an ephemeral port, see port()) and starts serving on a thread.
  absl::Status Start(const SocketAddress& address);
  int port() const { return port_; }
  // Stops accepting, finishes in-flight requests, joins the thread. Idempotent.
  void Stop();

 private:
  void Route();

  ControlPlane& control_;
  const HttpServerOptions options_;
  Logger& logger_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sfu::daemon
