#include "core/dtls/handshake_header.h"

namespace sfu::dtls {

FragmentParse ParseHandshakeFragment(ByteReader& reader, HandshakeFragment* out) {
  uint8_t type = 0;
  uint32_t length = 0, offset = 0, fragment_length = 0;
  uint16_t seq = 0;
  if (!reader.ReadU8(&type) || !reader.ReadU24(&length) || !reader.ReadU16(&seq) ||
      !reader.ReadU24(&offset) || !reader.ReadU24(&fragment_length)) {
    return FragmentParse::kMalformed;
  }
  absl::Span<const uint8_t> body;
  if (!reader.ReadSpan(fragment_length, &body)) return FragmentParse::kMalformed;
  // 24-bit fields: the sum cannot overflow uint32_t.
  if (offset + fragment_length > length) return FragmentParse::kPastLength;
  out->type = type;
  out->length = length;
  out->message_seq = seq;
  out->fragment_offset = offset;
  out->fragment_length = fragment_length;
  out->body = body;
  return FragmentParse::kOk;
}

bool WriteHandshakeHeader(ByteWriter& writer, HandshakeType type, uint32_t length,
                          uint16_t message_seq, uint32_t fragment_offset,
                          uint32_t fragment_length) {
  writer.WriteU8(static_cast<uint8_t>(type));
  writer.WriteU24(length);
  writer.WriteU16(message_seq);
  writer.WriteU24(fragment_offset);
  writer.WriteU24(fragment_length);
  return writer.ok();
}

}  // namespace sfu::dtls
