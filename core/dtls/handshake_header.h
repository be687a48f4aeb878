#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"

namespace sfu::dtls {

// Handshake message types used by DTLS 1.2 (RFC 5246 §7.4, RFC 6347 §4.2.2).
enum class HandshakeType : uint8_t {
  kHelloRequest = 0,
  kClientHello = 1,
  kServerHello = 2,
  kHelloVerifyRequest = 3,
  kCertificate = 11,
  kServerKeyExchange = 12,
  kCertificateRequest = 13,
  kServerHelloDone = 14,
  kCertificateVerify = 15,
  kClientKeyExchange = 16,
  kFinished = 20,
};

// RFC 6347 §4.2.2: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3).
inline constexpr size_t kHandshakeHeaderSize = 12;
// Largest handshake message body we accept (a certificate chain fits comfortably).
inline constexpr uint32_t kMaxHandshakeMessageLength = 1u << 16;

// One handshake fragment inside a record. `body` views the record plaintext: valid as long as it.
struct HandshakeFragment {
  uint8_t type = 0;
  uint32_t length = 0;  // of the whole message
  uint16_t message_seq = 0;
  uint32_t fragment_offset = 0;
  uint32_t fragment_length = 0;
  absl::Span<const uint8_t> body;  // fragment_length bytes

  bool is_whole() const { return fragment_offset == 0 && fragment_length == length; }
};

enum class FragmentParse : uint8_t { kOk, kMalformed, kPastLength };

// Reads the next fragment off a handshake record (several may share one record).
// kPastLength: fragment_offset + fragment_length exceeds the declared message length.
FragmentParse ParseHandshakeFragment(ByteReader& reader, HandshakeFragment* out);

bool WriteHandshakeHeader(ByteWriter& writer, HandshakeType type, uint32_t length,
                          uint16_t message_seq, uint32_t fragment_offset, uint32_t fragment_length);

}  // namespace sfu::dtls
