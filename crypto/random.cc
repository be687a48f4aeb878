#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "crypto/openssl_util.h"

namespace sfu::crypto {

void SystemRandom::Fill(absl::Span<uint8_t> out) {
  // RAND_bytes takes an int length; fill in chunks so any span size works.
  while (!out.empty()) {
    const size_t chunk = out.size() < static_cast<size_t>(INT_MAX) ? out.size() : INT_MAX;
    // A failing DRBG means no key, cookie or random can be trusted: stop rather than continue
    // with predictable bytes.
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      internal::FatalOpenSslError("RAND_bytes");
    }
    out.remove_prefix(chunk);
  }
}

}  // namespace sfu::crypto
