#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sfu::crypto::testing {

// Hex text (whitespace ignored, either case) to bytes, for writing published vectors as printed.
// Aborts on malformed text: a typo in a vector is a bug in the test itself.
std::vector<uint8_t> Hex(std::string_view text);
// Lowercase hex of `bytes`, so a failing comparison prints something readable.
std::string ToHex(absl::Span<const uint8_t> bytes);
// The bytes of an ASCII string.
inline absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // `name` inside the directory.
  std::string Path(std::string_view name) const;

 private:
  std::string path_;
};

void WriteFile(const std::string& path, std::string_view contents);
std::string ReadFile(const std::string& path);

// Runs `command` with /bin/sh (the openssl CLI, as an independent implementation), returning its
// stdout, or nothing if it exits non-zero. Commands here are short and bounded.
std::optional<std::string> RunCommand(const std::string& command);

// The DER encoding of an RFC 6979-style (r, s) pair, built with OpenSSL's ECDSA_SIG encoder.
std::vector<uint8_t> EcdsaDer(absl::Span<const uint8_t> r, absl::Span<const uint8_t> s);

// A P-256 public key from its uncompressed point (0x04 || X || Y), or nullptr. Caller frees with
// EVP_PKEY_free.
EVP_PKEY* P256PublicKey(absl::Span<const uint8_t> point);

}  // namespace sfu::crypto::testing
