// libFuzzer target for the server side of the DTLS engine: arbitrary sequences of client datagrams
// and time steps (format in dtls_fuzz_input.h) go to a DtlsServerContext and then to the endpoint
// it creates, exactly as a shard would deliver them. Everything the engine emits is drained.
//
// Beyond "no crash, no leak, no UB, bounded work", it checks the engine's own invariants that must
// hold whatever the peer sends: no datagram larger than the MTU, at most one Connected and one
// terminal event, and no event after the terminal one.
//
// The seed corpus (dtls_server_fuzz_corpus/) holds real datagrams recorded by dtls_udp_peer
// --record: ClientHellos from `openssl s_client` (plain and fragmented) and whole handshakes from
// s_client and from sfud's own client. The server is deterministic (SeededRandom with the
// recorder's seed), so the recorded second ClientHello carries a valid cookie and the replay
// reaches the server endpoint's handshake.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>

#include "core/common/byte_reader.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"
#include "crypto/certificate.h"
#include "tests/interop/dtls_fuzz_input.h"

namespace sfu::dtls {
namespace {

// Generated once per process: certificate generation costs far more than an input.
std::shared_ptr<const crypto::Certificate> FuzzCertificate() {
  static const std::shared_ptr<const crypto::Certificate> certificate = [] {
    auto cert = crypto::Certificate::GenerateSelfSigned("sfud-fuzz", std::chrono::hours(24));
    if (!cert.ok()) std::abort();  // our own setup, not input
    return std::make_shared<const crypto::Certificate>(*std::move(cert));
  }();
  return certificate;
}

// Tracks what the engine reports and traps on a broken invariant.
class Observer {
 public:
  explicit Observer(size_t mtu) : mtu_(mtu) {}

  void Datagram(absl::Span<const uint8_t> datagram) const {
    if (datagram.empty() || datagram.size() > mtu_) __builtin_trap();
  }

  void Drain(DtlsEndpoint& endpoint) {
    while (auto datagram = endpoint.PollTransmit()) Datagram(*datagram);
    while (auto event = endpoint.PollEvent()) {
      if (terminal_) __builtin_trap();  // nothing after Failed/Closed
      if (event->kind == DtlsEvent::Kind::kConnected) {
        if (connected_) __builtin_trap();
        connected_ = true;
        if (event->srtp.size() > event->srtp.material.size()) __builtin_trap();
      } else {
        terminal_ = true;
      }
    }
  }

 private:
  size_t mtu_;
  bool connected_ = false;
  bool terminal_ = false;
};

void RunInput(absl::Span<const uint8_t> input) {
  ByteReader reader(input);
  uint16_t client_port = 0;
  if (!reader.ReadU16(&client_port)) return;

  DtlsConfig config;
  config.role = Role::kServer;
  SeededRandom random(fuzz::kRandomSeed);
  DtlsServerContext context(config, FuzzCertificate(), random);
  const SocketAddress client{IpAddress::Loopback(IpAddress::Family::kV4), client_port};
  const std::optional<std::array<uint8_t, 32>> any_peer;  // accept any client certificate
  Observer observer(config.mtu);
  std::unique_ptr<DtlsEndpoint> endpoint;
  Instant now = Instant::FromNanos(1'000'000'000);

  for (int step = 0; step < fuzz::kMaxSteps && !reader.empty(); ++step) {
    uint8_t op = 0;
    if (!reader.ReadU8(&op)) break;
    if (op >= fuzz::kOpAdvanceTime) {
      now += (op & 0x7f) * fuzz::kTimeStep;
      if (endpoint) {
        if (auto t = endpoint->NextTimeout(); t && *t <= now) endpoint->HandleTimeout(now);
        observer.Drain(*endpoint);
      }
      continue;
    }
    uint16_t length = 0;
    if (!reader.ReadU16(&length)) break;
    absl::Span<const uint8_t> datagram;
    if (!reader.ReadSpan(std::min<size_t>(length, reader.Remaining()), &datagram)) break;
    if (endpoint) {
      endpoint->HandleDatagram(now, datagram);
    } else {
      DtlsServerContext::Result r = context.HandleInitialDatagram(now, client, datagram, any_peer);
      if (r.kind == DtlsServerContext::Result::Kind::kSendHelloVerifyRequest) {
        observer.Datagram(r.datagram);
      } else if (r.kind == DtlsServerContext::Result::Kind::kNewEndpoint) {
        if (!r.endpoint) __builtin_trap();
        endpoint = std::move(r.endpoint);
      }
    }
    if (endpoint) observer.Drain(*endpoint);
  }
  if (endpoint) {
    endpoint->Close(now);
    observer.Drain(*endpoint);
  }
}

}  // namespace
}  // namespace sfu::dtls

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sfu::dtls::RunInput(absl::MakeConstSpan(data, size));
  return 0;
}
