#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "crypto/hash.h"

namespace sfu::crypto {

// The TLS 1.2 PRF (RFC 5246 §5): P_<hash>(secret, label || seed), filling `out`. `alg` is kSha256
// or kSha384 (the cipher suite's PRF hash). `seed` is given in parts so callers need not
// concatenate (e.g. client_random, server_random).
absl::Status TlsPrf(HashAlgorithm alg, absl::Span<const uint8_t> secret, std::string_view label,
                    std::initializer_list<absl::Span<const uint8_t>> seed, absl::Span<uint8_t> out);

}  // namespace sfu::crypto
