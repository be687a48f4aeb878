// libFuzzer target for everything in core/stun that reads untrusted bytes: the parser, the
// integrity/fingerprint checks, the ufrag peek and the ICE-lite agent. To reach the agent's
// authenticated paths (420, 487, binding, nomination), each input is also replayed with its
// MESSAGE-INTEGRITY and FINGERPRINT recomputed for the agent's password.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/common/byte_writer.h"
#include "core/stun/crc32.h"
#include "core/stun/ice_lite_agent.h"
#include "core/stun/stun_integrity.h"
#include "core/stun/stun_message.h"
#include "core/stun/stun_peek.h"

namespace {

using namespace sfu;        // NOLINT
using namespace sfu::stun;  // NOLINT

constexpr char kPassword[] = "VOkJxbRl1RmTxUk/WvJxBt";  // RFC 5769's, so its vectors verify

crypto::Hmac& FuzzHmac() {
  static crypto::Hmac hmac = *crypto::Hmac::Create(
      crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(kPassword), sizeof(kPassword) - 1));
  return hmac;
}

void Drain(IceLiteAgent& agent) {
  while (auto t = agent.PollTransmit()) {
    StunMessage m;
    if (ParseStunMessage(t->data, &m) != StunParseStatus::kOk) __builtin_trap();
    if (!VerifyMessageIntegrity(m, FuzzHmac()) || !VerifyFingerprint(m)) __builtin_trap();
  }
  while (agent.PollEvent()) {
  }
}

// Rewrites MESSAGE-INTEGRITY and FINGERPRINT of a parsed message in place so they verify.
void Resign(std::vector<uint8_t>& bytes) {
  StunMessage m;
  if (ParseStunMessage(bytes, &m) != StunParseStatus::kOk) return;
  if (m.integrity_offset.has_value()) {
    const size_t at = *m.integrity_offset;
    std::array<uint8_t, kHeaderSize> header;
    std::memcpy(header.data(), bytes.data(), kHeaderSize);
    ByteWriter w(absl::MakeSpan(header));
    w.Reserve(2);
    w.WriteU16(static_cast<uint16_t>(at - kHeaderSize + 24));
    std::array<uint8_t, crypto::kMaxDigestSize> mac;
    if (!FuzzHmac().Compute(
            {header, absl::MakeConstSpan(bytes).subspan(kHeaderSize, at - kHeaderSize)},
            absl::MakeSpan(mac))) {
      return;
    }
    std::memcpy(bytes.data() + at + 4, mac.data(), kMessageIntegritySize);
  }
  if (m.fingerprint_offset.has_value()) {
    const size_t at = *m.fingerprint_offset;
    const uint32_t crc = Crc32(absl::MakeConstSpan(bytes.data(), at)) ^ kFingerprintXor;
    ByteWriter w(absl::MakeSpan(bytes).subspan(at + 4, 4));
    w.WriteU32(crc);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Span<const uint8_t> input(data, size);
  StunMessage m;
  if (ParseStunMessage(input, &m) == StunParseStatus::kOk) {
    (void)VerifyMessageIntegrity(m, FuzzHmac());
    (void)VerifyFingerprint(m);
    for (size_t i = 0; i < m.listed_unknown_attributes_count(); ++i) {
      (void)m.ListedUnknownAttribute(i);
    }
  }
  (void)LooksLikeStun(input);
  (void)PeekLocalUfrag(input);

  auto agent = IceLiteAgent::Create(
      {.local_ufrag = "evtj", .local_pwd = kPassword, .remote_ufrag = "h6vY", .max_tuples = 2},
      Instant::FromNanos(0));
  if (!agent.ok()) __builtin_trap();
  const FiveTuple tuples[] = {
      {SocketAddress{IpAddress::V4({192, 0, 2, 10}), 3478},
       SocketAddress{IpAddress::V4({192, 0, 2, 1}), 32853}},
      {SocketAddress{IpAddress::V6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                     3478},
       SocketAddress{IpAddress::V6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}),
                     9}},
      {SocketAddress{IpAddress::V4({192, 0, 2, 10}), 3478},
       SocketAddress{IpAddress::V4({198, 51, 100, 1}), 1}},
  };
  Instant now = Instant::FromNanos(0);
  agent->HandleStun(now, tuples[0], input);
  Drain(*agent);

  std::vector<uint8_t> resigned(input.begin(), input.end());
  Resign(resigned);
  for (const FiveTuple& tuple : tuples) {
    now += std::chrono::seconds(11);
    agent->HandleStun(now, tuple, resigned);
    Drain(*agent);
    agent->HandleTimeout(now);
    Drain(*agent);
    // After HandleTimeout, a deadline at or before `now` would make the driver spin.
    if (auto deadline = agent->NextTimeout(); deadline.has_value() && *deadline <= now) {
      __builtin_trap();
    }
  }
  return 0;
}
