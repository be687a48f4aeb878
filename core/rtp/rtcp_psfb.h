#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/rtp/rtcp_packet.h"

namespace sfu::rtp {

// Picture Loss Indication (RFC 4585 §6.3.1): PSFB FMT 1, no FCI. The SSRCs are the peer's claims.
struct PliView {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
};
std::optional<PliView> ParsePli(const RtcpPacketView& packet);
bool WritePli(uint32_t sender_ssrc, uint32_t media_ssrc, ByteWriter* w);

// One Full Intra Request entry (RFC 5104 §4.3.1.1): the SSRC that should send a key frame and the
// request's command sequence number (a repeat of the same number is a retransmitted request).
struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t seq_nr = 0;
};

class FirEntryIterator {
 public:
  FirEntryIterator() = default;
  explicit FirEntryIterator(absl::Span<const uint8_t> fci) : reader_(fci) {}
  bool Next(FirEntry* out);

 private:
  ByteReader reader_;
};

// FIR (PSFB FMT 4). Views into the datagram (lifetime as RtcpPacketView).
struct FirView {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;        // RFC 5104 §4.3.1.2: unused, should be 0
  absl::Span<const uint8_t> fci;  // 8 bytes per entry
  size_t entry_count() const { return fci.size() / 8; }
  FirEntryIterator entries() const { return FirEntryIterator(fci); }
};
// nullopt if not PSFB FMT 4, without entries, or the FCI is not a whole number of entries.
std::optional<FirView> ParseFir(const RtcpPacketView& packet);
// The media SSRC field is written as 0 (RFC 5104 §4.3.1.2). False if `entries` is empty.
bool WriteFir(uint32_t sender_ssrc, absl::Span<const FirEntry> entries, ByteWriter* w);

}  // namespace sfu::rtp
