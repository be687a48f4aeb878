// sfud's DTLS engine pumped against itself in memory (see dtls_bench_sfud.h).
#include "bench/dtls_bench_sfud.h"

#include <chrono>
#include <optional>
#include <utility>

namespace sfu::bench {
namespace {

constexpr int kMaxPumpRounds = 32;

std::shared_ptr<const crypto::Certificate> MakeCertificate(const char* name) {
  auto cert = crypto::Certificate::GenerateSelfSigned(name, std::chrono::hours(24 * 30));
  if (!cert.ok()) return nullptr;
  return std::make_shared<const crypto::Certificate>(*std::move(cert));
}

// Drains an endpoint's events; false if it failed or closed.
bool DrainEvents(dtls::DtlsEndpoint& endpoint, dtls::SrtpKeyingMaterial* keys) {
  while (auto event = endpoint.PollEvent()) {
    if (event->kind != dtls::DtlsEvent::Kind::kConnected) return false;
    if (keys != nullptr) *keys = event->srtp;
  }
  return true;
}

}  // namespace

std::unique_ptr<SfudDtlsPair> SfudDtlsPair::Create() {
  std::unique_ptr<SfudDtlsPair> pair(new SfudDtlsPair());
  pair->client_certificate_ = MakeCertificate("sfud-bench-client");
  pair->server_certificate_ = MakeCertificate("sfud-bench-server");
  if (!pair->client_certificate_ || !pair->server_certificate_) return nullptr;
  dtls::DtlsConfig server_config;
  server_config.role = dtls::Role::kServer;
  pair->context_ = std::make_unique<dtls::DtlsServerContext>(
      server_config, pair->server_certificate_, pair->random_);
  pair->client_config_.role = dtls::Role::kClient;
  pair->client_config_.expected_peer_fingerprint = pair->server_certificate_->fingerprint_sha256();
  pair->client_address_ = SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 50000};
  return pair;
}

std::unique_ptr<dtls::DtlsEndpoint> SfudDtlsPair::Handshake(Instant now,
                                                            dtls::SrtpKeyingMaterial* server_keys) {
  auto created = dtls::DtlsEndpoint::CreateClient(client_config_, client_certificate_, random_);
  if (!created.ok()) return nullptr;
  std::unique_ptr<dtls::DtlsEndpoint> client = *std::move(created);
  std::unique_ptr<dtls::DtlsEndpoint> server;
  const std::optional<std::array<uint8_t, 32>> client_fingerprint =
      client_certificate_->fingerprint_sha256();
  client->Start(now);
  dtls::SrtpKeyingMaterial client_keys;
  for (int round = 0; round < kMaxPumpRounds; ++round) {
    // Client -> server: to the context until it hands over an endpoint.
    to_client_.clear();
    while (auto datagram = client->PollTransmit()) {
      if (server) {
        server->HandleDatagram(now, *datagram);
        continue;
      }
      dtls::DtlsServerContext::Result r =
          context_->HandleInitialDatagram(now, client_address_, *datagram, client_fingerprint);
      if (r.kind == dtls::DtlsServerContext::Result::Kind::kSendHelloVerifyRequest) {
        to_client_.emplace_back(r.datagram.begin(), r.datagram.end());
      } else if (r.kind == dtls::DtlsServerContext::Result::Kind::kNewEndpoint) {
        server = std::move(r.endpoint);
      }
    }
    // Server -> client.
    for (const std::vector<uint8_t>& datagram : to_client_) client->HandleDatagram(now, datagram);
    if (server) {
      while (auto datagram = server->PollTransmit()) client->HandleDatagram(now, *datagram);
    }
    if (!DrainEvents(*client, &client_keys) || (server && !DrainEvents(*server, server_keys))) {
      return nullptr;
    }
    if (server && client->connected() && server->connected()) {
      // The client's last flight may still be queued (nothing for the server to act on).
      while (client->PollTransmit()) {
      }
      if (client_keys.material != server_keys->material) return nullptr;
      return server;
    }
  }
  return nullptr;
}

}  // namespace sfu::bench
