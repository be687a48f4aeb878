#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/common/instant.h"

namespace sfu::dtls::fuzz {

// The input format of dtls_server_fuzz.cc, shared with dtls_udp_peer (which records real
// handshakes in it as seed corpus):
//
//   u16 client_port                    the cookie binds to 127.0.0.1:client_port
//   then, until the input ends, one of
//     op < 0x80:  u16 length, `length` bytes   a datagram from the client (truncated at the end)
//     op >= 0x80:                              time advances (op & 0x7f) * kTimeStep, then a
//                                              timeout is delivered
//
// The server side is deterministic: its RandomSource is SeededRandom(kRandomSeed), so a recorded
// second ClientHello carries a cookie the fuzzer's DtlsServerContext accepts, as long as the
// recorder built its context with the same seed and the same 127.0.0.1 client port.
inline constexpr uint64_t kRandomSeed = 0x5fd75eed;
// client_port 0 selects the fuzzer's live mode (its own format, see dtls_server_fuzz.cc).
inline constexpr uint16_t kLivePort = 0;
inline constexpr uint8_t kOpAdvanceTime = 0x80;
inline constexpr Duration kTimeStep = std::chrono::milliseconds(50);
inline constexpr int kMaxSteps = 256;  // bounds the work per input

inline void AppendClientPort(std::vector<uint8_t>* out, uint16_t port) {
  out->push_back(static_cast<uint8_t>(port >> 8));
  out->push_back(static_cast<uint8_t>(port));
}

inline void AppendDatagram(std::vector<uint8_t>* out, absl::Span<const uint8_t> datagram) {
  const size_t n = datagram.size() > 0xffff ? 0xffff : datagram.size();
  out->push_back(0);
  out->push_back(static_cast<uint8_t>(n >> 8));
  out->push_back(static_cast<uint8_t>(n));
  out->insert(out->end(), datagram.begin(), datagram.begin() + n);
}

}  // namespace sfu::dtls::fuzz
