// libFuzzer target for what sfud-loadgen reads from the network: the SDP answer (ParseAnswer),
// the probe trailer of a received payload (MediaProbe::ReadFrom) and any datagram reaching a
// simulated peer that is checking or handshaking (SimPeer::HandleDatagram: STUN responses, DTLS
// records, stray RTP/RTCP). The first byte picks the target; the rest is the input.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "bench/loadgen/media_probe.h"
#include "bench/loadgen/signaling_sdp.h"
#include "bench/loadgen/sim_peer.h"
#include "crypto/certificate.h"

namespace {

std::shared_ptr<const sfu::crypto::Certificate> Certificate() {
  static auto* cert = [] {
    auto c = sfu::crypto::Certificate::GenerateSelfSigned("fuzz", std::chrono::hours(24));
    return new std::shared_ptr<const sfu::crypto::Certificate>(
        std::make_shared<const sfu::crypto::Certificate>(*std::move(c)));
  }();
  return *cert;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sfu;
  using namespace sfu::loadgen;
  if (size == 0) return 0;
  const uint8_t selector = data[0] % 3;
  std::vector<uint8_t> input(data + 1, data + size);
  switch (selector) {
    case 0:
      (void)ParseAnswer(
          std::string_view(reinterpret_cast<const char*>(input.data()), input.size()));
      break;
    case 1:
      (void)MediaProbe::ReadFrom(input);
      break;
    case 2: {
      SeededRandom random(7);
      LatencyHistogram latency;
      Outbox out(64);
      SimPeerConfig config;
      config.local_ufrag = "fuzzlocal";
      config.local_pwd = "fuzzlocalpassword0123456789";
      config.remote_ufrag = "fuzzremote";
      config.remote_pwd = "fuzzremotepassword012345678";
      config.certificate = Certificate();
      SimPeer peer(config, random, &latency);
      Instant now = Instant() + std::chrono::seconds(1);
      peer.Start(now, out);
      // The input as a sequence of datagrams: 2-byte length, then that many bytes.
      size_t at = 0;
      for (int i = 0; i < 64 && at + 2 <= input.size(); ++i) {
        const size_t len = std::min<size_t>(input[at] << 8 | input[at + 1], input.size() - at - 2);
        std::vector<uint8_t> datagram(input.begin() + at + 2, input.begin() + at + 2 + len);
        at += 2 + len;
        now += std::chrono::milliseconds(10);
        peer.HandleDatagram(now, absl::MakeSpan(datagram), out);
        out.Clear();
        if (peer.NextTimeout() <= now) peer.HandleTimeout(now, out);
        out.Clear();
      }
      break;
    }
  }
  return 0;
}
