// libFuzzer target for everything that reads RTP from the network: the demux, the RTP parser, the
// header-extension walk and the in-place rewriters (which re-parse what they patch).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "core/rtp/demux.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/rtp_rewrite.h"
#include "core/rtp/seq_num.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxPacket = 2048;
  if (size > kMaxPacket) return 0;
  const absl::Span<const uint8_t> in(data, size);
  (void)sfu::rtp::ClassifyDatagram(in);

  const std::optional<sfu::rtp::RtpPacketView> v = sfu::rtp::ParseRtpPacket(in);
  if (v) {
    // Every view must lie inside the input.
    if (v->header_size + v->payload.size() + v->padding_size != size) __builtin_trap();
    sfu::rtp::RtpExtensionIterator it = v->extensions();
    sfu::rtp::RtpExtensionElement e;
    size_t elements = 0;
    while (it.Next(&e)) {
      if (e.data.data() < data || e.data.data() + e.data.size() > data + size) __builtin_trap();
      if (++elements > size) __builtin_trap();  // the walk must consume input
    }
    (void)v->FindExtension(3);
    for (size_t i = 0; i <= v->csrc_count(); ++i) (void)v->csrc(i);
  }

  // Rewrite a copy in place; the parse of the result must agree with the original on everything
  // the rewrite did not change.
  std::array<uint8_t, kMaxPacket> copy;
  std::memcpy(copy.data(), data, size);
  const absl::Span<uint8_t> packet(copy.data(), size);
  sfu::rtp::RtpExtensionIdMap map = sfu::rtp::RtpExtensionIdMap::Identity();
  map.Set(1, 14);
  map.Set(2, 0);
  map.Set(3, size > 0 ? data[0] : 5);
  const sfu::rtp::RemapResult remap = sfu::rtp::RemapRtpExtensionIds(packet, map);
  if (remap != sfu::rtp::RemapResult::kOk && std::memcmp(copy.data(), data, size) != 0) {
    __builtin_trap();  // a refused remap must leave the packet untouched
  }
  (void)sfu::rtp::SetRtpSsrc(packet, 0x01020304);
  (void)sfu::rtp::SetRtpSequenceNumber(packet, 7);
  (void)sfu::rtp::SetRtpPayloadType(packet, 96);
  const std::optional<sfu::rtp::RtpPacketView> after = sfu::rtp::ParseRtpPacket(packet);
  if (v.has_value() != after.has_value()) __builtin_trap();
  if (after && (after->payload.size() != v->payload.size() || after->ssrc != 0x01020304)) {
    __builtin_trap();
  }

  sfu::rtp::SeqNumUnwrapper unwrapper;
  for (size_t i = 0; i + 1 < size; i += 2) {
    (void)unwrapper.Unwrap(static_cast<uint16_t>(data[i] << 8 | data[i + 1]));
  }
  return 0;
}
