#pragma once

#include "absl/types/span.h"
#include "core/common/random.h"

namespace sfu::crypto {

// The production RandomSource: OpenSSL's DRBG (RAND_bytes). Safe for use from any thread.
class SystemRandom final : public RandomSource {
 public:
  void Fill(absl::Span<uint8_t> out) override;
};

}  // namespace sfu::crypto
