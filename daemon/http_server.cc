#include "daemon/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "daemon/demo_page.h"
#include "daemon/text_util.h"

namespace sfu::daemon {
namespace {

constexpr char kEndpointPattern[] = R"(/(whip|whep)/([^/]+))";
constexpr char kResourcePattern[] = R"(/(whip|whep)/([^/]+)/([^/]+))";

SessionKind KindOf(const httplib::Request& req) {
  return req.matches[1] == "whip" ? SessionKind::kWhip : SessionKind::kWhep;
}

// The media type of a Content-Type field, lowercased, without parameters (RFC 9110 §8.3.1).
std::string MediaType(const httplib::Request& req) {
  std::string value = req.get_header_value("Content-Type");
  if (size_t semi = value.find(';'); semi != std::string::npos) value.resize(semi);
  std::string out(Trim(value));
  for (char& c : out) c = AsciiLower(c);
  return out;
}

void SetError(httplib::Response& res, int status, std::string_view reason) {
  res.status = status;
  res.set_content(absl::StrCat(Sv(reason), "\n"), "text/plain");
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
      return 412;
    case absl::StatusCode::kUnimplemented:
      return 422;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SetStatusError(httplib::Response& res, const absl::Status& status) {
  // The status message is already one line (core/sdp reasons name the offending line).
  std::string reason(status.message());
  for (char& c : reason) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  SetError(res, HttpStatusFor(status), reason);
  if (status.code() == absl::StatusCode::kUnavailable) res.set_header("Retry-After", "5");
}

// Constant-time comparison: the token check must not leak how many leading bytes matched.
bool TokenEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace

std::string_view HttpRouteTemplate(std::string_view path) {
  for (std::string_view fixed : {"/", "/api/rooms", "/healthz", "/readyz"}) {
    if (path == fixed) return fixed;
  }
  // /(whip|whep)/{room}[/{id}], segments non-empty, as kEndpointPattern/kResourcePattern match.
  const bool whip = path.starts_with("/whip/");
  if (!whip && !path.starts_with("/whep/")) return "other";
  std::string_view rest = path.substr(6);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    if (rest.empty()) return "other";
    return whip ? "/whip/{room}" : "/whep/{room}";
  }
  std::string_view id = rest.substr(slash + 1);
  if (slash == 0 || id.empty() || id.find('/') != std::string_view::npos) return "other";
  return whip ? "/whip/{room}/{id}" : "/whep/{room}/{id}";
}

HttpServer::HttpServer(ControlPlane& control, HttpServerOptions options, Logger& logger)
    : control_(control),
      options_(std::move(options)),
      logger_(logger),
      server_(std::make_unique<httplib::Server>()) {
  Route();
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route() {
  httplib::Server& s = *server_;
  s.set_payload_max_length(options_.max_request_bytes);
  // cpp-httplib's default sets SO_REUSEPORT, which would let a second sfud share the port and
  // take half of the connections; SO_REUSEADDR alone still allows a quick restart.
  //
  // TCP_NODELAY: an answer is one small write after the headers; with Nagle and the client's
  // delayed ACK every WHIP/WHEP POST waited ~40 ms (measured with sfud-loadgen). Set on the
  // listening socket, Linux copies it to every accepted one.
  s.set_tcp_nodelay(true);
  // stop() waits for idle keep-alive connections to time out: with the default 5 s one open
  // demo page held up the exit after a drain by 5 s. Signaling is a few requests per session;
  // reconnecting after 1 s idle costs nothing.
  s.set_keep_alive_timeout(1);
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  // CORS on every response, so a page on another origin can read Location and ETag
  // (RFC 9725 §4.2 relies on them).
  s.set_default_headers({{"Access-Control-Allow-Origin", "*"},
                         {"Access-Control-Expose-Headers", "Location, ETag, Accept-Patch"}});
  s.set_error_handler(httplib::Server::Handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* reason = res.status == 413   ? "request body too large"
                         : res.status == 404 ? "not found"
                         : res.status == 405 ? "method not allowed"
                                             : "request failed";
    res.set_content(absl::StrCat(reason, "\n"), "text/plain");
  }));
  if (options_.on_request) {
    // Runs after every response is written, the error handler's 404/405/413 included.
    s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      options_.on_request(HttpRouteTemplate(req.path), res.status);
    });
  }
  s.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        logger_.Write(LogLevel::kError, "HTTP handler failed with an exception");
        SetError(res, 500, "internal error");
      });

  // Returns true if the request may proceed; otherwise `res` holds the 401/403.
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
    if (options_.auth_token.empty()) return true;
    std::string value = req.get_header_value("Authorization");
    std::string_view v = value;
    // RFC 6750 §2.1: "Bearer" is case-insensitive; the token itself is compared exactly.
    if (v.size() < 7 || !EqualsIgnoreCase(v.substr(0, 7), "Bearer ")) {
      SetError(res, 401, "missing bearer token");
      res.set_header("WWW-Authenticate", "Bearer realm=\"sfud\"");
      return false;
    }
    if (!TokenEquals(Trim(v.substr(7)), options_.auth_token)) {
      SetError(res, 403, "invalid bearer token");
      return false;
    }
    return true;
  };

  s.Post(kEndpointPattern, [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    if (control_.draining()) {
      SetStatusError(res, absl::UnavailableError("sfud is shutting down"));
      return;
    }
    if (MediaType(req) != "application/sdp") {
      SetError(res, 415, "Content-Type must be application/sdp");
      res.set_header("Accept-Post", "application/sdp");
      return;
    }
    absl::StatusOr<CreatedSession> created =
        control_.CreateSession(KindOf(req), req.matches[2].str(), req.body);
    if (!created.ok()) {
      SetStatusError(res, created.status());
      return;
    }
    res.status = 201;
    res.set_header("Location", created->location);
    res.set_header("ETag", created->etag);
    res.set_header("Accept-Patch", "application/trickle-ice-sdpfrag");
    res.set_content(created->answer_sdp, "application/sdp");
  });

  s.Delete(kResourcePattern,
           [this, authorized](const httplib::Request& req, httplib::Response& res) {
             if (!authorized(req, res)) return;
             absl::Status st =
                 control_.DeleteSession(KindOf(req), req.matches[2].str(), req.matches[3].str());
             if (!st.ok()) {
               SetStatusError(res, st);
               return;
             }
             res.status = 200;
           });

  s.Patch(kResourcePattern,
          [this, authorized](const httplib::Request& req, httplib::Response& res) {
            if (!authorized(req, res)) return;
            if (MediaType(req) != "application/trickle-ice-sdpfrag") {
              SetError(res, 415, "Content-Type must be application/trickle-ice-sdpfrag");
              res.set_header("Accept-Patch", "application/trickle-ice-sdpfrag");
              return;
            }
            std::optional<std::string_view> if_match;
            std::string if_match_value = req.get_header_value("If-Match");
            if (req.has_header("If-Match")) if_match = if_match_value;
            absl::Status st = control_.PatchSession(KindOf(req), req.matches[2].str(),
                                                    req.matches[3].str(), if_match, req.body);
            if (!st.ok()) {
              SetStatusError(res, st);
              return;
            }
            res.status = 204;
          });

  // Methods a URL does not support get 405 with Allow (RFC 9110 §15.5.6), e.g. PATCH on the
  // WHIP endpoint itself.
  auto not_allowed = [](const char* allow) {
    return [allow](const httplib::Request&, httplib::Response& res) {
      SetError(res, 405, "method not allowed");
      res.set_header("Allow", allow);
    };
  };
  s.Patch(kEndpointPattern, not_allowed("POST, OPTIONS"));
  s.Delete(kEndpointPattern, not_allowed("POST, OPTIONS"));
  s.Post(kResourcePattern, not_allowed("PATCH, DELETE, OPTIONS"));

  // CORS preflight (no credentials are sent with it, so no auth).
  s.Options(kEndpointPattern, [](const httplib::Request&, httplib::Response& res) {
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
    res.set_header("Access-Control-Max-Age", "86400");
    res.set_header("Accept-Post", "application/sdp");
    res.set_header("Allow", "POST, OPTIONS");
  });
  s.Options(kResourcePattern, [](const httplib::Request&, httplib::Response& res) {
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "PATCH, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
    res.set_header("Access-Control-Max-Age", "86400");
    res.set_header("Accept-Patch", "application/trickle-ice-sdpfrag");
    res.set_header("Allow", "PATCH, DELETE, OPTIONS");
  });

  s.Get("/api/rooms", [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    res.set_content(control_.RoomsJson(), "application/json");
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  s.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (control_.ready()) {
      res.set_content("ready\n", "text/plain");
    } else {
      SetError(res, 503, control_.draining() ? "draining" : "starting");
    }
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(DemoPageHtml()), "text/html; charset=utf-8");
  });
}

absl::Status HttpServer::Start(const SocketAddress& address) {
  const std::string host = address.ip.ToString();
  if (address.port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) {
      return absl::UnavailableError(absl::StrCat("cannot bind HTTP to ", host, ":0"));
    }
  } else {
    if (!server_->bind_to_port(host, address.port)) {
      return absl::UnavailableError(absl::StrCat("cannot bind HTTP to ", address.ToString()));
    }
    port_ = address.port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // listen_after_bind marks the server running before it accepts; wait until it does, bounded.
  for (int i = 0; i < 1000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sfu::daemon
