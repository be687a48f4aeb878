#include "tests/support/engine_harness.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace sfu::test_support {

Browser::Browser(sfu::PeerId id, const char* remote_ip, uint16_t port)
    : tuple{SocketAddress{*IpAddress::Parse("192.0.2.1"), 40000},
            SocketAddress{*IpAddress::Parse(remote_ip), port}},
      sim(SimPeerConfig{id,
                        "brw" + std::to_string(id),
                        "srv" + std::to_string(id) + "u",
                        "serverpassword" + std::to_string(id) + "abcdefghijkl",
                        500 + id,
                        {},
                        "browser"}) {}

EngineHarness::EngineHarness(sfu::ShardEngineConfig config, uint64_t seed)
    : cert_(MakeCertificate("sfud")), random_(seed), engine_(std::move(config), cert_, random_) {}

void EngineHarness::Send(Browser& from, std::vector<uint8_t> datagram) {
  engine_.HandleDatagram(now_, from.tuple, absl::MakeSpan(datagram));
  Deliver();
}

void EngineHarness::Deliver() {
  std::vector<std::pair<FiveTuple, std::vector<uint8_t>>> out;
  for (const sfu::Transmit& t : engine_.transmits()) {
    out.emplace_back(t.destination, std::vector<uint8_t>(t.data.begin(), t.data.end()));
  }
  engine_.ClearTransmits();
  for (auto& [tuple, bytes] : out) {
    for (Browser* b : browsers_) {
      if (b->tuple == tuple) b->sim.Receive(now_, bytes);
    }
  }
  while (engine_.PollEvent().has_value()) {
  }
}

bool EngineHarness::Connect(const std::vector<Browser*>& browsers) {
  for (Browser* b : browsers) {
    browsers_.push_back(b);
    Send(*b, b->sim.BindingRequest());
    b->sim.set_server_fingerprint(cert_->fingerprint_sha256());
    b->sim.StartDtls(now_);
    if (b->sim.dtls() == nullptr) return false;
  }
  for (int step = 0; step < 200; ++step) {
    bool all = true;
    for (Browser* b : browsers) {
      for (int i = 0; i < 64; ++i) {
        std::optional<std::vector<uint8_t>> d = b->sim.PollTransmit();
        if (!d.has_value()) break;
        Send(*b, *std::move(d));
      }
      b->sim.PollEvents();
      all = all && b->sim.connected();
    }
    if (all) return true;
    now_ += std::chrono::milliseconds(10);
    engine_.HandleTimeout(now_);
    for (Browser* b : browsers) b->sim.dtls()->HandleTimeout(now_);
    Deliver();
  }
  return false;
}

}  // namespace sfu::test_support
