// libFuzzer target for compound RTCP: walks every packet and runs every parser and iterator on it,
// with hard caps on what the lazy expansions may produce.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/rtp/rtcp_bye.h"
#include "core/rtp/rtcp_nack.h"
#include "core/rtp/rtcp_packet.h"
#include "core/rtp/rtcp_psfb.h"
#include "core/rtp/rtcp_remb.h"
#include "core/rtp/rtcp_report.h"
#include "core/rtp/rtcp_sdes.h"
#include "core/rtp/rtcp_twcc.h"

namespace {

using namespace sfu::rtp;  // NOLINT: a fuzz driver touching every parser

void CheckInside(absl::Span<const uint8_t> inner, absl::Span<const uint8_t> outer) {
  if (inner.empty()) return;
  if (inner.data() < outer.data() || inner.data() + inner.size() > outer.data() + outer.size()) {
    __builtin_trap();
  }
}

void Exercise(const RtcpPacketView& p) {
  switch (ClassifyRtcp(p)) {
    case RtcpKind::kSenderReport:
    case RtcpKind::kReceiverReport: {
      ReportBlockIterator blocks;
      if (auto sr = ParseSenderReport(p)) blocks = sr->blocks();
      if (auto rr = ParseReceiverReport(p)) blocks = rr->blocks();
      ReportBlock b;
      int n = 0;
      while (blocks.Next(&b)) {
        if (++n > 31) __builtin_trap();
      }
      break;
    }
    case RtcpKind::kSdes: {
      SdesChunkIterator chunks(p);
      SdesChunk chunk;
      while (chunks.Next(&chunk)) {
        CheckInside(chunk.items, p.body);
        SdesItemIterator items = chunk.item_iterator();
        SdesItem item;
        while (items.Next(&item)) CheckInside(item.value, chunk.items);
        (void)chunk.FindItem(kSdesCname);
      }
      break;
    }
    case RtcpKind::kBye:
      if (auto bye = ParseBye(p)) {
        CheckInside(bye->reason, p.body);
        (void)bye->ssrc(0);
      }
      break;
    case RtcpKind::kNack:
      if (auto nack = ParseNack(p)) {
        std::array<uint16_t, 256> lost;
        const size_t n = ExpandNack(*nack, absl::MakeSpan(lost));
        if (n > lost.size() || n > nack->entry_count() * 17) __builtin_trap();
      }
      break;
    case RtcpKind::kTransportCc:
      if (auto fb = ParseTransportFeedback(p)) {
        // Walk everything (at most 65535) and check the totals the parser promised.
        TwccStatusIterator it = fb->packets();
        TwccPacketStatus s;
        uint32_t total = 0, received = 0;
        while (it.Next(&s)) {
          ++total;
          if (s.received()) ++received;
        }
        if (total != fb->packet_status_count || received != fb->received_count) __builtin_trap();
        std::array<TwccPacketStatus, 64> capped;
        if (ExpandTransportFeedback(*fb, absl::MakeSpan(capped)) > capped.size()) {
          __builtin_trap();
        }
      }
      break;
    case RtcpKind::kPli:
      (void)ParsePli(p);
      break;
    case RtcpKind::kFir:
      if (auto fir = ParseFir(p)) {
        FirEntryIterator it = fir->entries();
        FirEntry e;
        size_t n = 0;
        while (it.Next(&e)) ++n;
        if (n != fir->entry_count()) __builtin_trap();
      }
      break;
    case RtcpKind::kRemb:
      if (auto remb = ParseRemb(p)) {
        CheckInside(remb->ssrcs, p.body);
        (void)remb->ssrc(0);
      }
      break;
    case RtcpKind::kApp:
    case RtcpKind::kUnknown:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const absl::Span<const uint8_t> in(data, size);
  RtcpCompoundIterator it(in);
  RtcpPacketView p;
  size_t packets = 0;
  while (it.Next(&p)) {
    CheckInside(p.packet, in);
    CheckInside(p.body, p.packet);
    if (++packets > size / 4) __builtin_trap();  // every packet is at least 4 bytes
    Exercise(p);
  }
  return 0;
}
