#pragma once

#include <cstdint>
#include <string>

namespace sfu::metrics::testing {

// GET http://127.0.0.1:<port><path> over a plain blocking socket (HTTP/1.0, so the server closes
// the connection after the body); waits at most 5 s for the whole response. Returns the full
// response (status line, headers, body) or "" on any failure.
std::string HttpGet(uint16_t port, const std::string& path);

// The body of an HTTP response ("" when there is no header/body separator).
std::string Body(const std::string& response);

}  // namespace sfu::metrics::testing
