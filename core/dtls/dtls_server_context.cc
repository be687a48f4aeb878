#include "core/dtls/dtls_server_context.h"

#include <utility>

#include "core/dtls/handshake_header.h"
#include "core/dtls/handshake_messages.h"
#include "core/dtls/record_layer.h"
#include "crypto/hmac.h"

namespace sfu::dtls {

namespace {

bool ConstantTimeEqual(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

DtlsServerContext::Result Drop(const char* reason) {
  DtlsServerContext::Result result;
  result.kind = DtlsServerContext::Result::Kind::kDrop;
  result.drop_reason = reason;
  return result;
}

}  // namespace

DtlsServerContext::DtlsServerContext(DtlsConfig config,
                                     std::shared_ptr<const crypto::Certificate> certificate,
                                     RandomSource& random)
    : config_(std::move(config)), certificate_(std::move(certificate)), random_(random) {
  config_.role = Role::kServer;
  random_.Fill(absl::MakeSpan(secret_));
  random_.Fill(absl::MakeSpan(previous_secret_));
}

void DtlsServerContext::RotateCookieSecret() {
  previous_secret_ = secret_;
  random_.Fill(absl::MakeSpan(secret_));
}

bool DtlsServerContext::ComputeCookie(const std::array<uint8_t, 32>& secret,
                                      const SocketAddress& client, uint16_t client_version,
                                      absl::Span<const uint8_t> random,
                                      absl::Span<const uint8_t> session_id,
                                      std::array<uint8_t, kCookieSize>* out) const {
  std::array<uint8_t, 128> input;
  ByteWriter w(absl::MakeSpan(input));
  w.WriteU8(static_cast<uint8_t>(client.ip.family()));
  w.WriteBytes(client.ip.bytes());
  w.WriteU16(client.port);
  w.WriteU16(client_version);
  w.WriteBytes(random);
  w.WriteU8(static_cast<uint8_t>(session_id.size()));
  w.WriteBytes(session_id);
  if (!w.ok()) return false;
  auto written =
      crypto::HmacOnce(crypto::HashAlgorithm::kSha256, secret, w.written(), absl::MakeSpan(*out));
  return written.ok() && *written == kCookieSize;
}

DtlsServerContext::Result DtlsServerContext::HandleInitialDatagram(
    Instant now, const SocketAddress& client_address, absl::Span<const uint8_t> datagram,
    const std::optional<std::array<uint8_t, 32>>& expected_peer_fingerprint) {
  if (!last_rotation_) {
    last_rotation_ = now;
  } else if (now - *last_rotation_ >= kCookieRotation) {
    RotateCookieSecret();
    last_rotation_ = now;
  }
  // Only the first record and its first fragment are read: the ClientHello (or, for a
  // fragmented one, its first fragment) must lead the datagram.
  ByteReader reader(datagram);
  Record record;
  if (ParseRecord(reader, &record) != RecordParse::kOk) return Drop("malformed record");
  if (record.content_type != static_cast<uint8_t>(ContentType::kHandshake) || record.epoch != 0) {
    return Drop("not a handshake record");
  }
  if (record.version != kDtls10Version && record.version != kDtls12Version) {
    return Drop("bad record version");
  }
  ByteReader handshake(record.fragment);
  HandshakeFragment fragment;
  if (ParseHandshakeFragment(handshake, &fragment) != FragmentParse::kOk) {
    return Drop("malformed handshake fragment");
  }
  if (fragment.type != static_cast<uint8_t>(HandshakeType::kClientHello)) {
    return Drop("not a ClientHello");
  }
  // A later fragment cannot be checked without state; the client resends the whole flight.
  if (fragment.fragment_offset != 0) return Drop("ClientHello fragment without its start");
  ClientHelloPrefix hello;
  if (!ParseClientHelloPrefix(fragment.body, &hello)) return Drop("truncated ClientHello");

  std::array<uint8_t, kCookieSize> expected;
  if (!ComputeCookie(secret_, client_address, hello.client_version, hello.random, hello.session_id,
                     &expected)) {
    return Drop("cookie computation failed");
  }
  bool valid = ConstantTimeEqual(expected, hello.cookie);
  if (!valid && hello.cookie.size() == kCookieSize) {
    std::array<uint8_t, kCookieSize> previous;
    valid = ComputeCookie(previous_secret_, client_address, hello.client_version, hello.random,
                          hello.session_id, &previous) &&
            ConstantTimeEqual(previous, hello.cookie);
  }
  if (!valid) {
    // RFC 6347 §4.2.1: HelloVerifyRequest with a fresh cookie, its record sequence number copied
    // from the ClientHello, server_version DTLS 1.0; message_seq mirrors the ClientHello's.
    ByteWriter w(absl::MakeSpan(hvr_datagram_));
    const uint32_t body_length = 3 + kCookieSize;
    WriteRecordHeader(w, ContentType::kHandshake, kDtls10Version, 0, record.sequence_number,
                      static_cast<uint16_t>(kHandshakeHeaderSize + body_length));
    WriteHandshakeHeader(w, HandshakeType::kHelloVerifyRequest, body_length, fragment.message_seq,
                         0, body_length);
    WriteHelloVerifyRequest(w, expected);
    if (!w.ok()) return Drop("cannot build HelloVerifyRequest");
    Result result;
    result.kind = Result::Kind::kSendHelloVerifyRequest;
    result.datagram = w.written();
    return result;
  }

  DtlsConfig config = config_;
  config.expected_peer_fingerprint = expected_peer_fingerprint;
  auto endpoint = DtlsEndpoint::CreateServer(config, certificate_, random_, fragment.message_seq,
                                             record.sequence_number);
  if (!endpoint.ok()) return Drop("cannot create endpoint");
  (*endpoint)->HandleDatagram(now, datagram);
  Result result;
  result.kind = Result::Kind::kNewEndpoint;
  result.endpoint = std::move(*endpoint);
  return result;
}

}  // namespace sfu::dtls
