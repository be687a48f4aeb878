#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace httplib {
class Client;
}

namespace sfu::loadgen {

// The outcome of one signaling request: the HTTP status (0 if no response arrived) and, for a
// failure, one line saying why ("HTTP 503: shard is busy", "connection: Read timeout", ...).
struct HttpOutcome {
  bool ok = false;
  int status = 0;
  std::string error;
  std::string location;  // POST: the session resource (Location header), made absolute-path
  std::string answer;    // POST: the SDP answer
  std::chrono::nanoseconds elapsed{0};
};

// WHIP (RFC 9725) and WHEP signaling over cpp-httplib's blocking client: POST an SDP offer to
// /whip/{room} or /whep/{room}, DELETE the session resource at the end. One instance per
// signaling thread (the underlying connection is kept alive between requests); not thread-safe.
// Every request is bounded by `timeout` (connect, read and write each).
class WhipClient {
 public:
  // `base_url` like "http://127.0.0.1:8080"; `token` is sent as "Authorization: Bearer" when
  // not empty.
  WhipClient(const std::string& base_url, std::string token, std::chrono::milliseconds timeout);
  ~WhipClient();
  WhipClient(const WhipClient&) = delete;
  WhipClient& operator=(const WhipClient&) = delete;

  // `kind` is "whip" or "whep".
  HttpOutcome PostOffer(std::string_view kind, std::string_view room, const std::string& offer);
  HttpOutcome Delete(const std::string& location);

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string token_;
};

}  // namespace sfu::loadgen
