#include "tests/support/rtp_builders.h"

namespace sfu::test_support {

std::vector<uint8_t> MakeRtp(uint8_t pt, uint16_t seq, uint32_t timestamp, uint32_t ssrc,
                             const std::vector<uint8_t>& payload, bool marker) {
  std::vector<uint8_t> p;
  p.reserve(12 + payload.size());
  p.push_back(0x80);
  p.push_back(static_cast<uint8_t>((marker ? 0x80 : 0) | pt));
  p.push_back(static_cast<uint8_t>(seq >> 8));
  p.push_back(static_cast<uint8_t>(seq));
  PutU32(p, timestamp);
  PutU32(p, ssrc);
  for (uint8_t b : payload) p.push_back(b);  // (gcc 12 misreads insert() here: -Warray-bounds)
  return p;
}

std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill, int fill_bytes) {
  std::vector<uint8_t> payload = {0x10, static_cast<uint8_t>(keyframe ? 0x00 : 0x01), 0x9D, 0x01,
                                  0x2A};
  for (int i = 0; i < fill_bytes; ++i) payload.push_back(static_cast<uint8_t>(fill + i));
  return payload;
}

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t GetU32(const std::vector<uint8_t>& p, size_t at) {
  return static_cast<uint32_t>(p[at]) << 24 | p[at + 1] << 16 | p[at + 2] << 8 | p[at + 3];
}

std::optional<ParsedRtp> ParseRtp(const std::vector<uint8_t>& p) {
  if (p.size() < 12 || (p[0] >> 6) != 2) return std::nullopt;
  ParsedRtp r;
  r.pt = p[1] & 0x7F;
  r.marker = (p[1] & 0x80) != 0;
  r.seq = static_cast<uint16_t>(p[2] << 8 | p[3]);
  r.timestamp = GetU32(p, 4);
  r.ssrc = GetU32(p, 8);
  size_t offset = 12 + 4 * (p[0] & 0x0F);
  if (p[0] & 0x10) {
    if (p.size() < offset + 4) return std::nullopt;
    r.extension_profile = static_cast<uint16_t>(p[offset] << 8 | p[offset + 1]);
    const size_t length = 4 * (p[offset + 2] << 8 | p[offset + 3]);
    if (p.size() < offset + 4 + length) return std::nullopt;
    r.extension.assign(p.begin() + offset + 4, p.begin() + offset + 4 + length);
    offset += 4 + length;
  }
  if (p.size() < offset) return std::nullopt;
  size_t end = p.size();
  if (p[0] & 0x20) end -= p.back();  // padding
  if (end < offset) return std::nullopt;
  r.payload.assign(p.begin() + offset, p.begin() + end);
  return r;
}

std::optional<std::vector<uint8_t>> FindOneByteExtension(const ParsedRtp& rtp, uint8_t id) {
  if (rtp.extension_profile != 0xBEDE) return std::nullopt;
  size_t offset = 0;
  while (offset < rtp.extension.size()) {
    const uint8_t header = rtp.extension[offset];
    if (header == 0) {  // padding
      ++offset;
      continue;
    }
    const uint8_t element_id = header >> 4;
    if (element_id == 15) break;  // RFC 8285 §4.2: stop processing
    const size_t length = (header & 0x0F) + 1u;
    if (offset + 1 + length > rtp.extension.size()) break;
    if (element_id == id) {
      return std::vector<uint8_t>(rtp.extension.begin() + offset + 1,
                                  rtp.extension.begin() + offset + 1 + length);
    }
    offset += 1 + length;
  }
  return std::nullopt;
}

namespace {

// Calls `visit(packet_offset, length)` for each packet of a compound RTCP datagram.
template <typename F>
void ForEachRtcp(const std::vector<uint8_t>& c, F visit) {
  size_t offset = 0;
  while (offset + 4 <= c.size()) {
    const size_t length = 4 * (1 + (c[offset + 2] << 8 | c[offset + 3]));
    if (offset + length > c.size()) break;
    visit(offset, length);
    offset += length;
  }
}

}  // namespace

std::vector<uint32_t> PliMediaSsrcs(const std::vector<std::vector<uint8_t>>& compounds) {
  std::vector<uint32_t> out;
  for (const std::vector<uint8_t>& c : compounds) {
    ForEachRtcp(c, [&](size_t offset, size_t length) {
      if (c[offset + 1] == 206 && (c[offset] & 0x1F) == 1 && length >= 12) {
        out.push_back(GetU32(c, offset + 8));
      }
    });
  }
  return out;
}

std::vector<uint16_t> NackedSequenceNumbers(const std::vector<std::vector<uint8_t>>& compounds,
                                            uint32_t media_ssrc) {
  std::vector<uint16_t> out;
  for (const std::vector<uint8_t>& c : compounds) {
    ForEachRtcp(c, [&](size_t offset, size_t length) {
      if (c[offset + 1] != 205 || (c[offset] & 0x1F) != 1 || length < 16) return;
      if (GetU32(c, offset + 8) != media_ssrc) return;
      for (size_t fci = offset + 12; fci + 4 <= offset + length; fci += 4) {
        const uint16_t pid = static_cast<uint16_t>(c[fci] << 8 | c[fci + 1]);
        const uint16_t blp = static_cast<uint16_t>(c[fci + 2] << 8 | c[fci + 3]);
        out.push_back(pid);
        for (int bit = 0; bit < 16; ++bit) {
          if (blp & (1u << bit)) out.push_back(static_cast<uint16_t>(pid + bit + 1));
        }
      }
    });
  }
  return out;
}

}  // namespace sfu::test_support
