// libFuzzer target for the Router's packet path: the input is a sequence of records
//   [op: 1 byte][length: 2 bytes, big endian][datagram: length bytes]
// where op's low 2 bits pick the input (0: RTP from the publisher, 1: RTCP from the publisher,
// 2: RTCP from a subscriber, 3: RTP from a subscriber) and its upper 6 bits advance the clock in
// milliseconds. Timers run whenever they are due. A publisher with audio, a signalled video track
// and an RID-discovered simulcast track, and two subscribers (with and without RTX), are set up
// first.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/common/byte_reader.h"
#include "core/sfu/router.h"
#include "tests/core/sfu/router_test_util.h"

using namespace sfu::sfu::router_testing;  // NOLINT: test vocabulary

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sfu::sfu::LayerConfig;
  using sfu::sfu::OutputBatch;
  using sfu::sfu::PublisherConfig;
  using sfu::sfu::Router;
  static OutputBatch* batch = new OutputBatch(512, 512 * 1600);
  // Small buffers keep each run cheap; the ring logic is the same at any size.
  sfu::sfu::RouterConfig config;
  config.video_buffer_packets = 64;
  config.audio_buffer_packets = 16;
  config.sent_history_packets = 64;
  config.max_nack_gap = 64;
  Router router(config);
  PublisherConfig pc = AvPublisher();
  sfu::sfu::TrackConfig sim = VideoTrack({LayerConfig{"q", 0, 0}, LayerConfig{"f", 0, 0}});
  sim.mid = "2";
  sim.extensions.push_back({10, std::string(sfu::sfu::kUriRid)});
  sim.extensions.push_back({11, std::string(sfu::sfu::kUriRepairedRid)});
  pc.tracks.push_back(sim);
  if (!router.AddPublisher(kPublisher, pc).ok()) return 0;
  auto sub = AvSubscriber(10, true);
  sub.slots.push_back(sub.slots[1]);
  sub.slots[2].ssrc += 0x100;
  sub.slots[2].rtx_ssrc += 0x100;
  if (!router.AddSubscriber(10, sub).ok()) return 0;
  if (!router.AddSubscriber(11, AvSubscriber(11, false)).ok()) return 0;

  sfu::ByteReader r(absl::MakeConstSpan(data, size));
  sfu::Instant now = sfu::Instant() + std::chrono::seconds(1);
  uint8_t op = 0;
  uint16_t length = 0;
  absl::Span<const uint8_t> datagram;
  while (r.ReadU8(&op) && r.ReadU16(&length) && r.ReadSpan(length, &datagram)) {
    now += std::chrono::milliseconds(op >> 2);
    switch (op & 3) {
      case 0:
        router.OnRtp(now, kPublisher, datagram, batch);
        break;
      case 1:
        router.OnRtcp(now, kPublisher, datagram, batch);
        break;
      case 2:
        router.OnRtcp(now, 10 + (length & 1), datagram, batch);
        break;
      default:
        router.OnRtp(now, 10, datagram, batch);
        break;
    }
    if (router.NextTimeout() <= now) router.OnTimeout(now, batch);
    batch->Clear();
  }
  return 0;
}
