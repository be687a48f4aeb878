#include "core/rtp/rtcp_sdes.h"

namespace sfu::rtp {
namespace {

constexpr uint8_t kSdesEnd = 0;

}  // namespace

bool SdesItemIterator::Next(SdesItem* out) {
  uint8_t length = 0;
  return !reader_.empty() && reader_.ReadU8(&out->type) && reader_.ReadU8(&length) &&
         reader_.ReadSpan(length, &out->value);
}

std::optional<absl::Span<const uint8_t>> SdesChunk::FindItem(uint8_t type) const {
  SdesItemIterator it = item_iterator();
  SdesItem item;
  while (it.Next(&item)) {
    if (item.type == type) return item.value;
  }
  return std::nullopt;
}

SdesChunkIterator::SdesChunkIterator(const RtcpPacketView& packet)
    : reader_(packet.packet_type == kRtcpSdes ? packet.body : absl::Span<const uint8_t>()),
      remaining_chunks_(packet.packet_type == kRtcpSdes ? packet.count : 0),
      malformed_(packet.packet_type != kRtcpSdes) {}

bool SdesChunkIterator::Next(SdesChunk* out) {
  if (malformed_ || remaining_chunks_ == 0) return false;
  if (!reader_.ReadU32(&out->ssrc)) return Fail();
  const absl::Span<const uint8_t> rest = reader_.remaining_view();
  const size_t items_start = reader_.position();
  // Items until the null item (RFC 3550 §6.5: "terminated by one or more null octets").
  for (;;) {
    uint8_t type = 0, length = 0;
    if (!reader_.ReadU8(&type)) return Fail();
    if (type == kSdesEnd) break;
    if (!reader_.ReadU8(&length) || !reader_.Skip(length)) return Fail();
  }
  out->items = rest.first(reader_.position() - 1 - items_start);
  // The body starts 32-bit aligned in the packet, so body offsets give the alignment.
  const size_t misalignment = reader_.position() % 4;
  if (misalignment != 0 && !reader_.Skip(4 - misalignment)) return Fail();
  --remaining_chunks_;
  return true;
}

bool WriteSdes(absl::Span<const SdesCnameEntry> entries, ByteWriter* w) {
  if (entries.size() > kRtcpMaxCount) return false;
  for (const SdesCnameEntry& e : entries) {
    if (e.cname.size() > 255) return false;
  }
  RtcpPacketWriter p(w, static_cast<uint8_t>(entries.size()), kRtcpSdes);
  for (const SdesCnameEntry& e : entries) {
    const size_t chunk_start = w->position();
    w->WriteU32(e.ssrc);
    w->WriteU8(kSdesCname);
    w->WriteU8(static_cast<uint8_t>(e.cname.size()));
    w->WriteBytes(absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(e.cname.data()),
                                            e.cname.size()));
    // At least one null octet ends the item list, then zeros to the next 32-bit boundary.
    const size_t used = w->position() - chunk_start + 1;
    w->WriteZeros(1 + (4 - used % 4) % 4);
  }
  return p.Finish();
}

}  // namespace sfu::rtp
