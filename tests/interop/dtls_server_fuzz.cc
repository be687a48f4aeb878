// libFuzzer target for the server side of the DTLS engine: arbitrary sequences of client datagrams
// and time steps (format in dtls_fuzz_input.h) go to a DtlsServerContext and then to the endpoint
// it creates, exactly as a shard would deliver them. Everything the engine emits is drained.
//
// A client port of 0 (never a real one) selects live mode instead: see LivePump.
//
// Beyond "no crash, no leak, no UB, bounded work", it checks the engine's own invariants that must
// hold whatever the peer sends: no datagram larger than the MTU, at most one Connected and one
// terminal event, no event after the terminal one, and (live mode) equal keys on both sides.
//
// The seed corpus (dtls_server_fuzz_corpus/) holds real datagrams recorded by dtls_udp_peer
// --record: ClientHellos from `openssl s_client` (plain and fragmented) and whole handshakes from
// s_client and from sfud's own client. The server is deterministic (SeededRandom with the
// recorder's seed), so the recorded second ClientHello carries a valid cookie and the replay
// reaches the server endpoint's handshake.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

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

  // Checks and discards everything the endpoint has to send and report.
  void Drain(DtlsEndpoint& endpoint) {
    while (auto datagram = endpoint.PollTransmit()) Datagram(*datagram);
    DrainEvents(endpoint);
  }

  void DrainEvents(DtlsEndpoint& endpoint) {
    while (auto event = endpoint.PollEvent()) {
      if (terminal_) __builtin_trap();  // nothing after Failed/Closed
      if (event->kind == DtlsEvent::Kind::kConnected) {
        if (connected_) __builtin_trap();
        if (event->srtp.size() > event->srtp.material.size()) __builtin_trap();
        connected_ = event->srtp;
      } else {
        terminal_ = true;
      }
    }
  }

  const std::optional<SrtpKeyingMaterial>& connected() const { return connected_; }

 private:
  size_t mtu_;
  std::optional<SrtpKeyingMaterial> connected_;
  bool terminal_ = false;
};

// Live mode: sfud's own client handshakes with the server in memory, and the input decides what
// the network does to each datagram in either direction. Unlike recorded client datagrams (whose
// later messages cannot verify against this run's server keys), this reaches the Finished
// exchange, epoch-1 records, retransmission, alerts and close_notify, on both roles' parsers.
// One op byte per datagram (input exhausted: deliver):
//   bit 7 set: first let (bits 3..6) * kTimeStep pass and deliver due timeouts
//   bits 0..2: 0-2 deliver, 3 drop, 4 deliver twice, 5 deliver with one byte XORed (u8 position,
//              u8 mask follow), 6 deliver truncated (u8 length follows), 7 send to the back of the
//              queue (reordering)
// and a datagram of input bytes (0xff, u16 length, bytes) may be injected towards the server
// wherever an op byte is expected.
class LivePump {
 public:
  explicit LivePump(ByteReader& reader) : reader_(reader) {}

  void Run() {
    DtlsConfig server_config;
    server_config.role = Role::kServer;
    DtlsConfig client_config;
    client_config.role = Role::kClient;
    client_config.mtu = 512;  // fragmented client flights too
    SeededRandom random(fuzz::kRandomSeed);
    DtlsServerContext context(server_config, FuzzCertificate(), random);
    auto created = DtlsEndpoint::CreateClient(client_config, FuzzCertificate(), random);
    if (!created.ok()) __builtin_trap();  // our own configuration
    std::unique_ptr<DtlsEndpoint> client = *std::move(created);
    Observer client_observer(client_config.mtu);
    Observer server_observer(server_config.mtu);
    const SocketAddress client_address{IpAddress::Loopback(IpAddress::Family::kV4), 50000};
    std::unique_ptr<DtlsEndpoint> server;

    client->Start(now_);
    for (int step = 0; step < fuzz::kMaxSteps; ++step) {
      Collect(*client, /*to_server=*/true, client_observer);
      if (server) Collect(*server, /*to_server=*/false, server_observer);
      if (queue_.empty()) {
        // Nothing in flight: only timers can make progress.
        std::optional<Instant> next = client->NextTimeout();
        if (server) {
          if (auto t = server->NextTimeout(); t && (!next || *t < *next)) next = t;
        }
        if (!next) break;
        now_ = std::max(now_, *next);
        Timeouts(*client, server.get());
        continue;
      }
      Datagram d = std::move(queue_.front());
      queue_.pop_front();
      int deliveries = Mutate(d, client.get(), server.get());
      for (; deliveries > 0; --deliveries) {
        if (!d.to_server) {
          client->HandleDatagram(now_, d.bytes);
        } else if (server) {
          server->HandleDatagram(now_, d.bytes);
        } else {
          DtlsServerContext::Result r = context.HandleInitialDatagram(
              now_, client_address, d.bytes, std::optional<std::array<uint8_t, 32>>());
          if (r.kind == DtlsServerContext::Result::Kind::kSendHelloVerifyRequest) {
            server_observer.Datagram(r.datagram);
            queue_.push_back({false, std::vector<uint8_t>(r.datagram.begin(), r.datagram.end())});
          } else if (r.kind == DtlsServerContext::Result::Kind::kNewEndpoint) {
            if (!r.endpoint) __builtin_trap();
            server = std::move(r.endpoint);
          }
        }
      }
    }
    client->Close(now_);
    client_observer.Drain(*client);
    if (server) {
      server->Close(now_);
      server_observer.Drain(*server);
    }
    // Whatever the network did, two endpoints that both report Connected agree on the keys.
    if (client_observer.connected() && server_observer.connected() &&
        client_observer.connected()->material != server_observer.connected()->material) {
      __builtin_trap();
    }
  }

 private:
  struct Datagram {
    bool to_server;
    std::vector<uint8_t> bytes;
  };

  void Collect(DtlsEndpoint& endpoint, bool to_server, Observer& observer) {
    while (auto datagram = endpoint.PollTransmit()) {
      observer.Datagram(*datagram);
      if (queue_.size() < kMaxInFlight) {
        queue_.push_back({to_server, std::vector<uint8_t>(datagram->begin(), datagram->end())});
      }
    }
    observer.DrainEvents(endpoint);
  }

  void Timeouts(DtlsEndpoint& client, DtlsEndpoint* server) {
    if (auto t = client.NextTimeout(); t && *t <= now_) client.HandleTimeout(now_);
    if (server != nullptr) {
      if (auto t = server->NextTimeout(); t && *t <= now_) server->HandleTimeout(now_);
    }
  }

  // Applies the next op to `d`; returns how many times to deliver it.
  int Mutate(Datagram& d, DtlsEndpoint* client, DtlsEndpoint* server) {
    uint8_t op = 0;
    if (!reader_.ReadU8(&op)) return 1;
    if (op == 0xff) {  // inject input bytes towards the server, then treat `d` normally
      uint16_t length = 0;
      absl::Span<const uint8_t> bytes;
      if (reader_.ReadU16(&length) &&
          reader_.ReadSpan(std::min<size_t>(length, reader_.Remaining()), &bytes)) {
        queue_.push_front({true, std::vector<uint8_t>(bytes.begin(), bytes.end())});
      }
      queue_.push_back(std::move(d));
      return 0;
    }
    if (op & 0x80) {
      now_ += ((op >> 3) & 0x0f) * fuzz::kTimeStep;
      Timeouts(*client, server);
    }
    uint8_t a = 0, b = 0;
    switch (op & 0x07) {
      case 3:
        return 0;
      case 4:
        return 2;
      case 5:
        if (!d.bytes.empty() && reader_.ReadU8(&a) && reader_.ReadU8(&b)) {
          d.bytes[a % d.bytes.size()] ^= static_cast<uint8_t>(b | 1);
        }
        return 1;
      case 6:
        if (reader_.ReadU8(&a)) d.bytes.resize(std::min<size_t>(a, d.bytes.size()));
        return 1;
      case 7:
        if (queue_.size() < kMaxInFlight) {
          queue_.push_back(std::move(d));
          return 0;
        }
        return 1;
      default:
        return 1;
    }
  }

  static constexpr size_t kMaxInFlight = 64;
  ByteReader& reader_;
  Instant now_ = Instant::FromNanos(1'000'000'000);
  std::deque<Datagram> queue_;
};

void RunInput(absl::Span<const uint8_t> input) {
  ByteReader reader(input);
  uint16_t client_port = 0;
  if (!reader.ReadU16(&client_port)) return;
  if (client_port == fuzz::kLivePort) {
    LivePump(reader).Run();
    return;
  }

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
