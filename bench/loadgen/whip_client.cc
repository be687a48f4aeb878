#include "bench/loadgen/whip_client.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"

namespace sfu::loadgen {
namespace {

std::string FirstLine(const std::string& body) {
  std::string line = body.substr(0, body.find('\n'));
  if (line.size() > 160) line.resize(160);
  return line;
}

}  // namespace

WhipClient::WhipClient(const std::string& base_url, std::string token,
                       std::chrono::milliseconds timeout)
    : client_(std::make_unique<httplib::Client>(base_url)), token_(std::move(token)) {
  client_->set_connection_timeout(timeout);
  client_->set_read_timeout(timeout);
  client_->set_write_timeout(timeout);
  client_->set_keep_alive(true);
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus the server's
  // delayed ACK would add ~40 ms to every request.
  client_->set_tcp_nodelay(true);
}

WhipClient::~WhipClient() = default;

HttpOutcome WhipClient::PostOffer(std::string_view kind, std::string_view room,
                                  const std::string& offer) {
  const auto start = std::chrono::steady_clock::now();
  httplib::Headers headers;
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  const std::string path = absl::StrCat("/", std::string(kind), "/", std::string(room));
  httplib::Result result = client_->Post(path, headers, offer, "application/sdp");
  HttpOutcome out;
  out.elapsed = std::chrono::steady_clock::now() - start;
  if (!result) {
    out.error = absl::StrCat("no HTTP response (", httplib::to_string(result.error()), ")");
    return out;
  }
  out.status = result->status;
  if (result->status != 201) {
    out.error = absl::StrCat("HTTP ", result->status, ": ", FirstLine(result->body));
    return out;
  }
  out.location = result->get_header_value("Location");
  if (out.location.empty()) {
    out.error = "HTTP 201 without a Location header";
    return out;
  }
  // RFC 9725 §4.2: Location may be absolute; keep the path, we talk to one server.
  if (size_t scheme = out.location.find("://"); scheme != std::string::npos) {
    const size_t path_at = out.location.find('/', scheme + 3);
    out.location = path_at == std::string::npos ? "/" : out.location.substr(path_at);
  }
  out.answer = std::move(result->body);
  out.ok = true;
  return out;
}

HttpOutcome WhipClient::Delete(const std::string& location) {
  const auto start = std::chrono::steady_clock::now();
  httplib::Headers headers;
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  httplib::Result result = client_->Delete(location, headers);
  HttpOutcome out;
  out.elapsed = std::chrono::steady_clock::now() - start;
  if (!result) {
    out.error = absl::StrCat("no HTTP response (", httplib::to_string(result.error()), ")");
    return out;
  }
  out.status = result->status;
  out.ok = result->status == 200 || result->status == 204;
  if (!out.ok) out.error = absl::StrCat("HTTP ", result->status, ": ", FirstLine(result->body));
  return out;
}

}  // namespace sfu::loadgen
