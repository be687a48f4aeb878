#pragma once

// Plaintext RTP/RTCP as the tests' simulated browsers write and read it. Test-side code: it
// trusts its own packets and checks sizes only enough not to read past a vector.

#include <cstdint>
#include <optional>
#include <vector>

namespace sfu::test_support {

// A plaintext RTP packet (RFC 3550 §5.1) with no CSRCs and no extensions.
std::vector<uint8_t> MakeRtp(uint8_t pt, uint16_t seq, uint32_t timestamp, uint32_t ssrc,
                             const std::vector<uint8_t>& payload, bool marker = false);

// A VP8 payload (RFC 7741): §4.2 descriptor S=1, PID=0; §4.3 payload header whose P bit (bit 0)
// is 0 for a keyframe; then `fill_bytes` bytes counting up from `fill`.
std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill, int fill_bytes);

struct ParsedRtp {
  uint8_t pt = 0;
  bool marker = false;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::vector<uint8_t> extension;  // the header-extension block's data (after profile/length)
  uint16_t extension_profile = 0;  // 0xBEDE for RFC 8285 one-byte headers; 0 if none
  std::vector<uint8_t> payload;
};

// What a subscriber decrypted: fixed header, CSRCs, one extension block, padding.
std::optional<ParsedRtp> ParseRtp(const std::vector<uint8_t>& packet);

// The value of one-byte-header extension `id` (RFC 8285 §4.2) in a parsed packet, if present.
std::optional<std::vector<uint8_t>> FindOneByteExtension(const ParsedRtp& rtp, uint8_t id);

void PutU32(std::vector<uint8_t>& out, uint32_t v);
uint32_t GetU32(const std::vector<uint8_t>& p, size_t at);

// The media SSRCs of every PLI (RFC 4585 §6.3.1: PT 206, FMT 1) in compound RTCP packets.
std::vector<uint32_t> PliMediaSsrcs(const std::vector<std::vector<uint8_t>>& compounds);

// The lost sequence numbers of every generic NACK (RFC 4585 §6.2.1: PT 205, FMT 1) for
// `media_ssrc` in compound RTCP packets, PID and BLP expanded.
std::vector<uint16_t> NackedSequenceNumbers(const std::vector<std::vector<uint8_t>>& compounds,
                                            uint32_t media_ssrc);

}  // namespace sfu::test_support
