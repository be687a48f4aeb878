// The server side of the handshake (flights 4 and 6; flight 2 is stateless, in
// DtlsServerContext): negotiate from the cookie-verified ClientHello, send ServerHello ..
// ServerHelloDone, then take the client's Certificate, ClientKeyExchange, CertificateVerify and
// Finished and answer with ChangeCipherSpec + Finished.

#include <algorithm>

#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/handshake_messages.h"
#include "core/dtls/handshake_state.h"
#include "crypto/hash.h"

namespace sfu::dtls {

namespace {

constexpr uint16_t kEcdsaSecp256r1Sha256 = 0x0403;

bool ConstantTimeEqual(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

}  // namespace

void DtlsEndpoint::ProcessHandshakeMessages(Instant now) {
  while (hs_ != nullptr && state_ == State::kHandshaking) {
    std::optional<HandshakeMessage> message = hs_->reassembler.Pop();
    if (!message) return;
    ++stats_.handshake_messages_received;
    StepResult error =
        role_ == Role::kServer ? ServerOnMessage(now, *message) : ClientOnMessage(now, *message);
    if (error) {
      Fail(error->alert, error->reason);
      return;
    }
  }
}

DtlsEndpoint::StepResult DtlsEndpoint::ServerOnMessage(Instant now,
                                                       const HandshakeMessage& message) {
  switch (hs_->step) {
    case HandshakeStep::kServerAwaitClientHello:
      return ServerOnClientHello(now, message);
    case HandshakeStep::kServerAwaitFlight5:
      return ServerOnFlight5(now, message);
    default:
      ++stats_.drop_unexpected;
      return std::nullopt;
  }
}

DtlsEndpoint::StepResult DtlsEndpoint::ServerOnClientHello(Instant now,
                                                           const HandshakeMessage& message) {
  if (message.type != HandshakeType::kClientHello || message.epoch != 0) {
    return HandshakeError{AlertDescription::kUnexpectedMessage, "expected ClientHello"};
  }
  ClientHello hello;
  if (!ParseClientHello(message.body, &hello)) {
    return HandshakeError{AlertDescription::kDecodeError, "malformed ClientHello"};
  }
  const DtlsConfig& config = hs_->config;
  // DTLS versions count down: 0xFEFD (1.2) < 0xFEFF (1.0). A 1.3-capable client still offers
  // 1.2 here (its supported_versions is ignored, RFC 9147 §5.3).
  if (hello.client_version > kDtls12Version) {
    return HandshakeError{AlertDescription::kProtocolVersion, "client does not offer DTLS 1.2"};
  }
  if (std::find(hello.compression_methods.begin(), hello.compression_methods.end(), 0) ==
      hello.compression_methods.end()) {
    return HandshakeError{AlertDescription::kIllegalParameter, "no null compression"};
  }
  if (!hello.extended_master_secret) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no extended master secret"};
  }
  if (hello.renegotiation_info && !hello.renegotiation_info_data.empty()) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "bad renegotiation_info"};
  }
  auto suite = std::find_if(
      config.cipher_suites.begin(), config.cipher_suites.end(),
      [&](CipherSuite s) { return hello.cipher_suites.Contains(static_cast<uint16_t>(s)); });
  if (suite == config.cipher_suites.end()) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no common cipher suite"};
  }
  // RFC 8422 §4: without supported_groups a client is assumed to accept P-256.
  auto group = std::find_if(config.groups.begin(), config.groups.end(), [&](crypto::NamedGroup g) {
    return hello.supported_groups ? hello.supported_groups->Contains(static_cast<uint16_t>(g))
                                  : g == crypto::NamedGroup::kSecp256r1;
  });
  if (group == config.groups.end()) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no common group"};
  }
  if (hello.ec_point_formats &&
      std::find(hello.ec_point_formats->begin(), hello.ec_point_formats->end(), 0) ==
          hello.ec_point_formats->end()) {
    return HandshakeError{AlertDescription::kIllegalParameter, "no uncompressed point format"};
  }
  // We sign ServerKeyExchange with our P-256 key and SHA-256 (RFC 5246 §7.4.1.4.1: without the
  // extension the client expects SHA-1, which we do not sign with).
  if (!hello.signature_algorithms || !hello.signature_algorithms->Contains(kEcdsaSecp256r1Sha256)) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no ecdsa_secp256r1_sha256"};
  }
  // RFC 5764 §4.1.1: WebRTC never runs without SRTP keys, so no use_srtp is a failure rather
  // than a session without it.
  if (!hello.srtp_profiles) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no use_srtp"};
  }
  auto profile = std::find_if(
      config.srtp_profiles.begin(), config.srtp_profiles.end(),
      [&](SrtpProfile p) { return hello.srtp_profiles->Contains(static_cast<uint16_t>(p)); });
  if (profile == config.srtp_profiles.end()) {
    return HandshakeError{AlertDescription::kHandshakeFailure, "no common srtp profile"};
  }
  hs_->suite = *suite;
  hs_->group = *group;
  hs_->srtp_profile = *profile;
  std::copy(hello.random.begin(), hello.random.end(), hs_->client_random.begin());
  hs_->random->Fill(absl::MakeSpan(hs_->server_random));
  const bool renegotiation_info =
      hello.renegotiation_info || hello.cipher_suites.Contains(kEmptyRenegotiationInfoScsv);

  auto ecdhe = crypto::EcdheKey::Generate(hs_->group);
  if (!ecdhe.ok()) return HandshakeError{AlertDescription::kInternalError, "ECDHE keygen"};
  hs_->ecdhe.emplace(std::move(*ecdhe));

  AppendToTranscript(HandshakeType::kClientHello, message.message_seq, message.body);
  hs_->flight.clear();

  // Flight 4.
  const ServerHelloParams sh{hs_->server_random, hs_->suite, hs_->srtp_profile, renegotiation_info,
                             hello.ec_point_formats.has_value()};
  bool ok = AppendMessage(HandshakeType::kServerHello, 0, 128,
                          [&](ByteWriter& w) { return WriteServerHello(w, sh); });
  const auto der = hs_->certificate->der();
  ok = ok && AppendMessage(HandshakeType::kCertificate, 0, der.size() + 6,
                           [&](ByteWriter& w) { return WriteCertificate(w, der); });
  ok = ok && AppendMessage(HandshakeType::kServerKeyExchange, 0, 256, [&](ByteWriter& w) {
         const size_t params_at = w.position();
         if (!WriteEcdhParams(w, hs_->group, hs_->ecdhe->public_key())) return false;
         // RFC 8422 §5.4: the signature covers client_random + server_random + ServerECDHParams.
         std::vector<uint8_t> signed_content(hs_->client_random.begin(), hs_->client_random.end());
         signed_content.insert(signed_content.end(), hs_->server_random.begin(),
                               hs_->server_random.end());
         const auto params = w.written().subspan(params_at);
         signed_content.insert(signed_content.end(), params.begin(), params.end());
         auto signature = hs_->certificate->key().SignSha256(signed_content);
         if (!signature.ok()) return false;
         return WriteDigitallySigned(w, kEcdsaSecp256r1Sha256, *signature);
       });
  ok = ok && AppendMessage(HandshakeType::kCertificateRequest, 0, 64,
                           [](ByteWriter& w) { return WriteCertificateRequest(w); });
  ok = ok && AppendMessage(HandshakeType::kServerHelloDone, 0, 0, [](ByteWriter&) { return true; });
  if (!ok) return HandshakeError{AlertDescription::kInternalError, "cannot build flight 4"};
  hs_->step = HandshakeStep::kServerAwaitFlight5;
  SendFlight(now, /*final_flight=*/false);
  return std::nullopt;
}

DtlsEndpoint::StepResult DtlsEndpoint::CheckPeerCertificate(absl::Span<const uint8_t> body) {
  absl::Span<const uint8_t> leaf;
  if (!ParseCertificate(body, &leaf)) {
    return HandshakeError{AlertDescription::kDecodeError, "malformed Certificate"};
  }
  // WebRTC authenticates both ends by certificate fingerprint: an empty certificate fails.
  if (leaf.empty()) return HandshakeError{AlertDescription::kHandshakeFailure, "no certificate"};
  auto certificate = crypto::PeerCertificate::FromDer(leaf);
  if (!certificate.ok()) {
    return HandshakeError{AlertDescription::kBadCertificate, "unparseable certificate"};
  }
  if (!certificate->is_ecdsa_p256() && !certificate->is_rsa()) {
    return HandshakeError{AlertDescription::kUnsupportedCertificate, "unsupported key type"};
  }
  hs_->peer_fingerprint = certificate->fingerprint_sha256();
  if (hs_->config.expected_peer_fingerprint &&
      !ConstantTimeEqual(*hs_->config.expected_peer_fingerprint, hs_->peer_fingerprint)) {
    return HandshakeError{AlertDescription::kBadCertificate, "fingerprint mismatch"};
  }
  hs_->peer_certificate.emplace(std::move(*certificate));
  hs_->peer_sent_certificate = true;
  return std::nullopt;
}

DtlsEndpoint::StepResult DtlsEndpoint::VerifyFinished(const HandshakeMessage& message,
                                                      bool from_client) {
  // RFC 6347 §4.1: Finished is the first message of the new epoch.
  if (message.epoch != 1) {
    return HandshakeError{AlertDescription::kUnexpectedMessage, "Finished outside epoch 1"};
  }
  if (message.body.size() != kVerifyDataSize) {
    return HandshakeError{AlertDescription::kDecodeError, "malformed Finished"};
  }
  std::array<uint8_t, crypto::kMaxDigestSize> hash;
  const size_t hash_size = TranscriptHash(hs_->suite, hs_->transcript, absl::MakeSpan(hash));
  std::array<uint8_t, 12> expected;
  if (!ComputeVerifyData(hs_->suite, hs_->master_secret, from_client,
                         absl::MakeConstSpan(hash.data(), hash_size), &expected)
           .ok()) {
    return HandshakeError{AlertDescription::kInternalError, "PRF failed"};
  }
  if (!ConstantTimeEqual(expected, message.body)) {
    return HandshakeError{AlertDescription::kDecryptError, "Finished mismatch"};
  }
  AppendToTranscript(HandshakeType::kFinished, message.message_seq, message.body);
  return std::nullopt;
}

DtlsEndpoint::StepResult DtlsEndpoint::ServerOnFlight5(Instant now,
                                                       const HandshakeMessage& message) {
  const bool epoch0 = message.epoch == 0;
  switch (message.type) {
    case HandshakeType::kCertificate: {
      if (hs_->peer_sent_certificate || !epoch0) break;
      if (StepResult error = CheckPeerCertificate(message.body)) return error;
      AppendToTranscript(message.type, message.message_seq, message.body);
      return std::nullopt;
    }
    case HandshakeType::kClientKeyExchange: {
      // We sent CertificateRequest; a client that skips Certificate is refused.
      if (!hs_->peer_sent_certificate) {
        return HandshakeError{AlertDescription::kHandshakeFailure, "no certificate"};
      }
      if (hs_->keys_ready || !epoch0) break;
      absl::Span<const uint8_t> pub;
      if (!ParseClientKeyExchange(message.body, &pub)) {
        return HandshakeError{AlertDescription::kDecodeError, "malformed ClientKeyExchange"};
      }
      hs_->peer_ecdhe_public.assign(pub.begin(), pub.end());
      AppendToTranscript(message.type, message.message_seq, message.body);
      return DeriveKeys();
    }
    case HandshakeType::kCertificateVerify: {
      if (!hs_->keys_ready || !epoch0 || hs_->transcript.size() != hs_->transcript_through_cke) {
        break;
      }
      CertificateVerify verify;
      if (!ParseCertificateVerify(message.body, &verify)) {
        return HandshakeError{AlertDescription::kDecodeError, "malformed CertificateVerify"};
      }
      const auto accepted = AcceptedSignatureSchemes();
      if (std::find(accepted.begin(), accepted.end(), verify.signature_scheme) == accepted.end()) {
        return HandshakeError{AlertDescription::kIllegalParameter, "signature scheme not offered"};
      }
      // RFC 5246 §7.4.8: the signature covers every handshake message before CertificateVerify.
      if (!hs_->peer_certificate->Verify(
              static_cast<crypto::SignatureScheme>(verify.signature_scheme),
              absl::MakeConstSpan(hs_->transcript.data(), hs_->transcript_through_cke),
              verify.signature)) {
        return HandshakeError{AlertDescription::kDecryptError, "CertificateVerify failed"};
      }
      AppendToTranscript(message.type, message.message_seq, message.body);
      return std::nullopt;
    }
    case HandshakeType::kFinished: {
      if (!hs_->keys_ready || hs_->transcript.size() == hs_->transcript_through_cke) {
        return HandshakeError{AlertDescription::kUnexpectedMessage, "Finished too early"};
      }
      if (StepResult error = VerifyFinished(message, /*from_client=*/true)) return error;
      peer_finished_seq_ = message.message_seq;
      // Flight 6: ChangeCipherSpec, then Finished in epoch 1.
      std::array<uint8_t, crypto::kMaxDigestSize> hash;
      const size_t hash_size = TranscriptHash(hs_->suite, hs_->transcript, absl::MakeSpan(hash));
      std::array<uint8_t, 12> verify_data;
      if (!ComputeVerifyData(hs_->suite, hs_->master_secret, /*client=*/false,
                             absl::MakeConstSpan(hash.data(), hash_size), &verify_data)
               .ok()) {
        return HandshakeError{AlertDescription::kInternalError, "PRF failed"};
      }
      hs_->flight.clear();
      AppendChangeCipherSpec();
      write_epoch_ = 1;
      if (!AppendMessage(HandshakeType::kFinished, 1, kVerifyDataSize,
                         [&](ByteWriter& w) { return w.WriteBytes(verify_data); })) {
        return HandshakeError{AlertDescription::kInternalError, "cannot build flight 6"};
      }
      final_verify_data_ = verify_data;
      final_message_seq_ = hs_->next_send_seq - 1;
      SendFlight(now, /*final_flight=*/true);
      if (state_ == State::kHandshaking) Complete(now);
      return std::nullopt;
    }
    default:
      break;
  }
  return HandshakeError{AlertDescription::kUnexpectedMessage, "unexpected message in flight 5"};
}

}  // namespace sfu::dtls
