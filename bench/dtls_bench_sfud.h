#pragma once

#include <memory>
#include <vector>

#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"
#include "crypto/certificate.h"
#include "crypto/random.h"

namespace sfu::bench {

// sfud's engine as both DTLS 1.2 client and server, in memory: a client DtlsEndpoint against a
// DtlsServerContext (one per shard, created once) and the server endpoint it creates, datagrams
// passed as the network would, including the stateless HelloVerifyRequest round. Configured like
// LibsslDtlsPair: ECDHE_ECDSA_AES_128_GCM_SHA256, X25519, AEAD_AES_128_GCM, MTU 1200, client
// certificate required and pinned by fingerprint on both sides. Randomness from the production
// source (OpenSSL's DRBG). Single-threaded.
class SfudDtlsPair {
 public:
  static std::unique_ptr<SfudDtlsPair> Create();

  // Runs one complete handshake; on success returns the established server endpoint (the client
  // is dropped) and fills `server_keys`; nullptr on failure. `now` is the handshake's time.
  std::unique_ptr<dtls::DtlsEndpoint> Handshake(Instant now, dtls::SrtpKeyingMaterial* server_keys);

 private:
  SfudDtlsPair() = default;
  crypto::SystemRandom random_;
  std::shared_ptr<const crypto::Certificate> client_certificate_;
  std::shared_ptr<const crypto::Certificate> server_certificate_;
  dtls::DtlsConfig client_config_;
  std::unique_ptr<dtls::DtlsServerContext> context_;
  SocketAddress client_address_;
  std::vector<std::vector<uint8_t>> to_client_;  // datagrams in flight towards the client
};

}  // namespace sfu::bench
