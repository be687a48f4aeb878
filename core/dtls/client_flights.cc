// The client side of the handshake (flights 1, 3 and 5): ClientHello without and then with the
// server's cookie, the server's flight 4 checked message by message, then Certificate,
// ClientKeyExchange, CertificateVerify, ChangeCipherSpec and Finished, and the server's Finished.
// sfud is always the DTLS server towards browsers; this role serves the load generator and tests.

#include <algorithm>

#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/handshake_messages.h"
#include "core/dtls/handshake_state.h"

namespace sfu::dtls {

namespace {

constexpr uint16_t kEcdsaSecp256r1Sha256 = 0x0403;
constexpr int kMaxHelloVerifyRequests = 4;

// The groups we put on the wire: the configured ones, plus P-256 which a server with an ECDSA
// P-256 certificate needs to see (RFC 8422 §5.1.1).
std::vector<crypto::NamedGroup> OfferedGroups(const DtlsConfig& config) {
  std::vector<crypto::NamedGroup> groups = config.groups;
  if (std::find(groups.begin(), groups.end(), crypto::NamedGroup::kSecp256r1) == groups.end()) {
    groups.push_back(crypto::NamedGroup::kSecp256r1);
  }
  return groups;
}

}  // namespace

DtlsEndpoint::StepResult DtlsEndpoint::ClientSendHello(Instant now) {
  if (hs_->cookie.empty()) hs_->random->Fill(absl::MakeSpan(hs_->client_random));
  const std::vector<crypto::NamedGroup> groups = OfferedGroups(hs_->config);
  const ClientHelloParams params{hs_->client_random, hs_->cookie, hs_->config.cipher_suites, groups,
                                 hs_->config.srtp_profiles};
  hs_->flight.clear();
  if (!AppendMessage(HandshakeType::kClientHello, 0, 512 + hs_->cookie.size(),
                     [&](ByteWriter& w) { return WriteClientHello(w, params); })) {
    return HandshakeError{AlertDescription::kInternalError, "cannot build ClientHello"};
  }
  SendFlight(now, /*final_flight=*/false);
  return std::nullopt;
}

DtlsEndpoint::StepResult DtlsEndpoint::ClientOnMessage(Instant now,
                                                       const HandshakeMessage& message) {
  switch (hs_->step) {
    case HandshakeStep::kClientAwaitServerHello:
      if (message.type == HandshakeType::kHelloVerifyRequest && message.epoch == 0) {
        HelloVerifyRequest hvr;
        if (!ParseHelloVerifyRequest(message.body, &hvr) || hvr.cookie.empty()) {
          return HandshakeError{AlertDescription::kDecodeError, "malformed HelloVerifyRequest"};
        }
        if (++hs_->hello_verify_requests > kMaxHelloVerifyRequests) {
          return HandshakeError{AlertDescription::kHandshakeFailure, "too many cookies"};
        }
        // RFC 6347 §4.2.6: neither the first ClientHello nor HelloVerifyRequest is hashed.
        hs_->transcript.clear();
        hs_->cookie.assign(hvr.cookie.begin(), hvr.cookie.end());
        return ClientSendHello(now);
      }
      return ClientOnServerHello(message);
    case HandshakeStep::kClientAwaitFlight4:
      return ClientOnFlight4(now, message);
    case HandshakeStep::kClientAwaitFinished:
      return ClientOnFinished(now, message);
    default:
      ++stats_.drop_unexpected;
      return std::nullopt;
  }
}

DtlsEndpoint::StepResult DtlsEndpoint::ClientOnServerHello(const HandshakeMessage& message) {
  if (message.type != HandshakeType::kServerHello || message.epoch != 0) {
    return HandshakeError{AlertDescription::kUnexpectedMessage, "expected ServerHello"};
  }
  ServerHello hello;
  if (!ParseServerHello(message.body, &hello)) {
    return HandshakeError{AlertDescription::kDecodeError, "malformed ServerHello"};
  }
  if (hello.server_version != kDtls12Version) {
    return HandshakeError{AlertDescription::kProtocolVersion, "server did not pick DTLS 1.2"};
  }
  const auto& suites = hs_->config.cipher_suites;
  auto suite = std::find_if(suites.begin(), suites.end(), [&](CipherSuite s) {
    return static_cast<uint16_t>(s) == hello.cipher_suite;
  });
  if (suite == suites.end() || hello.compression_method != 0) {
    return HandshakeError{AlertDescription::kIllegalParameter, "suite or compression not offered"};
  }
  if (!hello.extended_master_secret) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no extended master secret"};
  }
  if (hello.renegotiation_info && !hello.renegotiation_info_data.empty()) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "bad renegotiation_info"};
  }
  // A server that finds no common profile may complete without use_srtp (OpenSSL does): without
  // SRTP keys the association is useless, so refuse (RFC 5764 §4.1.1).
  if (!hello.srtp_profiles) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no use_srtp"};
  }
  const auto& profiles = hs_->config.srtp_profiles;
  auto profile = std::find_if(profiles.begin(), profiles.end(), [&](SrtpProfile p) {
    return hello.srtp_profiles->size() == 1 &&
           hello.srtp_profiles->at(0) == static_cast<uint16_t>(p);
  });
  if (profile == profiles.end() || !hello.srtp_mki.empty()) {
    return HandshakeError{AlertDescription::kIllegalParameter, "srtp profile not offered"};
  }
  hs_->suite = *suite;
  hs_->srtp_profile = *profile;
  std::copy(hello.random.begin(), hello.random.end(), hs_->server_random.begin());
  AppendToTranscript(message.type, message.message_seq, message.body);
  hs_->step = HandshakeStep::kClientAwaitFlight4;
  return std::nullopt;
}

DtlsEndpoint::StepResult DtlsEndpoint::ClientOnFlight4(Instant now,
                                                       const HandshakeMessage& message) {
  if (message.epoch != 0) {
    return HandshakeError{AlertDescription::kUnexpectedMessage, "flight 4 outside epoch 0"};
  }
  const bool have_ske = !hs_->peer_ecdhe_public.empty();
  switch (message.type) {
    case HandshakeType::kCertificate: {
      if (hs_->peer_sent_certificate) break;
      if (StepResult error = CheckPeerCertificate(message.body)) return error;
      AppendToTranscript(message.type, message.message_seq, message.body);
      return std::nullopt;
    }
    case HandshakeType::kServerKeyExchange: {
      if (!hs_->peer_sent_certificate || have_ske) break;
      ServerKeyExchange ske;
      if (!ParseServerKeyExchange(message.body, &ske)) {
        return HandshakeError{AlertDescription::kDecodeError, "malformed ServerKeyExchange"};
      }
      const std::vector<crypto::NamedGroup> groups = OfferedGroups(hs_->config);
      auto group = std::find_if(groups.begin(), groups.end(), [&](crypto::NamedGroup g) {
        return static_cast<uint16_t>(g) == ske.named_group;
      });
      if (group == groups.end()) {
        return HandshakeError{AlertDescription::kIllegalParameter, "group not offered"};
      }
      const auto accepted = AcceptedSignatureSchemes();
      if (std::find(accepted.begin(), accepted.end(), ske.signature_scheme) == accepted.end()) {
        return HandshakeError{AlertDescription::kIllegalParameter, "signature scheme not offered"};
      }
      std::vector<uint8_t> signed_content(hs_->client_random.begin(), hs_->client_random.end());
      signed_content.insert(signed_content.end(), hs_->server_random.begin(),
                            hs_->server_random.end());
      signed_content.insert(signed_content.end(), ske.params.begin(), ske.params.end());
      if (!hs_->peer_certificate->Verify(static_cast<crypto::SignatureScheme>(ske.signature_scheme),
                                         signed_content, ske.signature)) {
        return HandshakeError{AlertDescription::kDecryptError, "ServerKeyExchange signature"};
      }
      hs_->group = *group;
      hs_->peer_ecdhe_public.assign(ske.public_key.begin(), ske.public_key.end());
      AppendToTranscript(message.type, message.message_seq, message.body);
      return std::nullopt;
    }
    case HandshakeType::kCertificateRequest: {
      if (!have_ske || hs_->certificate_requested) break;
      CertificateRequest request;
      if (!ParseCertificateRequest(message.body, &request)) {
        return HandshakeError{AlertDescription::kDecodeError, "malformed CertificateRequest"};
      }
      if (std::find(request.certificate_types.begin(), request.certificate_types.end(),
                    kCertificateTypeEcdsaSign) == request.certificate_types.end() ||
          !request.signature_algorithms.Contains(kEcdsaSecp256r1Sha256)) {
        return HandshakeError{AlertDescription::kHandshakeFailure, "server refuses ECDSA P-256"};
      }
      hs_->certificate_requested = true;
      AppendToTranscript(message.type, message.message_seq, message.body);
      return std::nullopt;
    }
    case HandshakeType::kServerHelloDone: {
      if (!have_ske) break;
      if (!message.body.empty()) {
        return HandshakeError{AlertDescription::kDecodeError, "malformed ServerHelloDone"};
      }
      AppendToTranscript(message.type, message.message_seq, message.body);
      return ClientSendFlight5(now);
    }
    default:
      break;
  }
  return HandshakeError{AlertDescription::kUnexpectedMessage, "unexpected message in flight 4"};
}

DtlsEndpoint::StepResult DtlsEndpoint::ClientSendFlight5(Instant now) {
  auto ecdhe = crypto::EcdheKey::Generate(hs_->group);
  if (!ecdhe.ok()) return HandshakeError{AlertDescription::kInternalError, "ECDHE keygen"};
  hs_->ecdhe.emplace(std::move(*ecdhe));
  hs_->flight.clear();
  if (hs_->certificate_requested) {
    const auto der = hs_->certificate->der();
    if (!AppendMessage(HandshakeType::kCertificate, 0, der.size() + 6,
                       [&](ByteWriter& w) { return WriteCertificate(w, der); })) {
      return HandshakeError{AlertDescription::kInternalError, "cannot build Certificate"};
    }
  }
  const auto pub = hs_->ecdhe->public_key();
  if (!AppendMessage(HandshakeType::kClientKeyExchange, 0, pub.size() + 1,
                     [&](ByteWriter& w) { return WriteClientKeyExchange(w, pub); })) {
    return HandshakeError{AlertDescription::kInternalError, "cannot build ClientKeyExchange"};
  }
  if (StepResult error = DeriveKeys()) return error;
  if (hs_->certificate_requested) {
    auto signature = hs_->certificate->key().SignSha256(
        absl::MakeConstSpan(hs_->transcript.data(), hs_->transcript_through_cke));
    if (!signature.ok() || !AppendMessage(HandshakeType::kCertificateVerify, 0,
                                          signature->size() + 4, [&](ByteWriter& w) {
                                            return WriteDigitallySigned(w, kEcdsaSecp256r1Sha256,
                                                                        *signature);
                                          })) {
      return HandshakeError{AlertDescription::kInternalError, "cannot build CertificateVerify"};
    }
  }
  std::array<uint8_t, crypto::kMaxDigestSize> hash;
  const size_t hash_size = TranscriptHash(hs_->suite, hs_->transcript, absl::MakeSpan(hash));
  std::array<uint8_t, 12> verify_data;
  if (!ComputeVerifyData(hs_->suite, hs_->master_secret, /*client=*/true,
                         absl::MakeConstSpan(hash.data(), hash_size), &verify_data)
           .ok()) {
    return HandshakeError{AlertDescription::kInternalError, "PRF failed"};
  }
  AppendChangeCipherSpec();
  write_epoch_ = 1;
  if (!AppendMessage(HandshakeType::kFinished, 1, kVerifyDataSize,
                     [&](ByteWriter& w) { return w.WriteBytes(verify_data); })) {
    return HandshakeError{AlertDescription::kInternalError, "cannot build Finished"};
  }
  hs_->step = HandshakeStep::kClientAwaitFinished;
  SendFlight(now, /*final_flight=*/false);
  return std::nullopt;
}

DtlsEndpoint::StepResult DtlsEndpoint::ClientOnFinished(Instant now,
                                                        const HandshakeMessage& message) {
  if (message.type != HandshakeType::kFinished) {
    return HandshakeError{AlertDescription::kUnexpectedMessage, "expected Finished"};
  }
  if (StepResult error = VerifyFinished(message, /*from_client=*/false)) return error;
  Complete(now);
  return std::nullopt;
}

}  // namespace sfu::dtls
