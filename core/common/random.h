#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace sfu {

// Where protocol engines get randomness (TLS randoms, cookie secrets, ICE-lite tie breakers).
// Engines take a RandomSource& instead of calling a global generator, so tests can make a handshake
// byte-for-byte repeatable. Production code passes crypto::SystemRandom (OpenSSL's DRBG).
// Implementations must be usable by the one thread that owns the engine.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(absl::Span<uint8_t> out) = 0;
};

// A repeatable, NOT cryptographically secure generator (splitmix64) for tests and for simulated
// peers' non-secret choices. Never use it for keys or cookies in production.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(absl::Span<uint8_t> out) override {
    for (size_t i = 0; i < out.size(); i += 8) {
      uint64_t v = Next();
      for (size_t j = 0; j < 8 && i + j < out.size(); ++j)
        out[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
  }
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace sfu
