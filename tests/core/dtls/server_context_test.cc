#include <vector>

#include "core/common/byte_writer.h"
#include "core/dtls/dtls_server_context.h"
#include "core/dtls/handshake_header.h"
#include "core/dtls/handshake_messages.h"
#include "core/dtls/record_layer.h"
#include "gtest/gtest.h"

namespace sfu::dtls {
namespace {

std::shared_ptr<const crypto::Certificate> ServerCert() {
  static auto cert = std::make_shared<const crypto::Certificate>(
      *crypto::Certificate::GenerateSelfSigned("server", std::chrono::hours(24)));
  return cert;
}

struct HelloOptions {
  std::vector<uint8_t> cookie;
  bool extended_master_secret = true;
  uint16_t message_seq = 0;
  uint64_t record_seq = 0;
};

// A ClientHello body written independently of the engine's writer (so a missing extension can
// be tested): suites C02B, X25519, uncompressed points, ecdsa_secp256r1_sha256, AEAD_AES_128_GCM.
std::vector<uint8_t> HelloBody(const HelloOptions& o) {
  std::vector<uint8_t> body(512);
  ByteWriter w(absl::MakeSpan(body));
  w.WriteU16(0xFEFD);
  for (int i = 0; i < 32; ++i) w.WriteU8(static_cast<uint8_t>(i));
  w.WriteU8(0);
  w.WriteU8(static_cast<uint8_t>(o.cookie.size()));
  w.WriteBytes(o.cookie);
  w.WriteU16(2);
  w.WriteU16(0xC02B);
  w.WriteU8(1);
  w.WriteU8(0);
  const size_t ext = w.position();
  w.WriteU16(0);
  if (o.extended_master_secret) {
    w.WriteU16(23);
    w.WriteU16(0);
  }
  w.WriteU16(10), w.WriteU16(4), w.WriteU16(2), w.WriteU16(29);
  w.WriteU16(11), w.WriteU16(2), w.WriteU8(1), w.WriteU8(0);
  w.WriteU16(13), w.WriteU16(4), w.WriteU16(2), w.WriteU16(0x0403);
  w.WriteU16(14), w.WriteU16(5), w.WriteU16(2), w.WriteU16(7), w.WriteU8(0);
  w.WriteU16(43), w.WriteU16(5), w.WriteU8(4), w.WriteU16(0xFEFC), w.WriteU16(0xFEFD);
  w.WriteU16(0x4469), w.WriteU16(3), w.WriteU8(1), w.WriteU8(2), w.WriteU8(3);  // unknown
  w.PatchU16(ext, w.position() - ext - 2);
  body.resize(w.position());
  return body;
}

// One record carrying the fragment [offset, offset+length) of a handshake message.
std::vector<uint8_t> FragmentDatagram(HandshakeType type, const std::vector<uint8_t>& body,
                                      uint16_t message_seq, uint64_t record_seq, uint32_t offset,
                                      uint32_t length, uint32_t declared_length = 0) {
  std::vector<uint8_t> d(13 + 12 + length);
  ByteWriter w(absl::MakeSpan(d));
  WriteRecordHeader(w, ContentType::kHandshake, 0xFEFF, 0, record_seq,
                    static_cast<uint16_t>(12 + length));
  WriteHandshakeHeader(w, type, declared_length ? declared_length : body.size(), message_seq,
                       offset, length);
  w.WriteBytes(absl::MakeConstSpan(body).subspan(offset, length));
  return d;
}

HelloOptions Hello(std::vector<uint8_t> cookie = {}, uint16_t message_seq = 0,
                   uint64_t record_seq = 0, bool extended_master_secret = true) {
  HelloOptions o;
  o.cookie = std::move(cookie);
  o.message_seq = message_seq;
  o.record_seq = record_seq;
  o.extended_master_secret = extended_master_secret;
  return o;
}

std::vector<uint8_t> HelloDatagram(const HelloOptions& o) {
  const auto body = HelloBody(o);
  return FragmentDatagram(HandshakeType::kClientHello, body, o.message_seq, o.record_seq, 0,
                          static_cast<uint32_t>(body.size()));
}

class ServerContextTest : public ::testing::Test {
 protected:
  ServerContextTest() : random_(42), context_(DtlsConfig{}, ServerCert(), random_) {}

  std::vector<uint8_t> GetCookie(const SocketAddress& from, Instant now) {
    auto result =
        context_.HandleInitialDatagram(now, from, HelloDatagram(Hello({}, 0, 5)), std::nullopt);
    EXPECT_EQ(result.kind, DtlsServerContext::Result::Kind::kSendHelloVerifyRequest);
    ByteReader r(result.datagram);
    Record record;
    EXPECT_EQ(ParseRecord(r, &record), RecordParse::kOk);
    EXPECT_EQ(record.sequence_number, 5u);  // RFC 6347 §4.2.1: copied from the ClientHello
    ByteReader h(record.fragment);
    HandshakeFragment f;
    EXPECT_EQ(ParseHandshakeFragment(h, &f), FragmentParse::kOk);
    EXPECT_EQ(f.type, static_cast<uint8_t>(HandshakeType::kHelloVerifyRequest));
    HelloVerifyRequest hvr;
    EXPECT_TRUE(ParseHelloVerifyRequest(f.body, &hvr));
    return std::vector<uint8_t>(hvr.cookie.begin(), hvr.cookie.end());
  }

  SeededRandom random_;
  DtlsServerContext context_;
  SocketAddress client_{IpAddress::V4({192, 0, 2, 1}), 5000};
  Instant now_ = Instant::FromNanos(5'000'000'000);
};

TEST_F(ServerContextTest, ValidCookieCreatesEndpointThatAnswers) {
  const auto cookie = GetCookie(client_, now_);
  ASSERT_EQ(cookie.size(), DtlsServerContext::kCookieSize);
  auto result = context_.HandleInitialDatagram(now_, client_, HelloDatagram(Hello(cookie, 1, 6)),
                                               std::nullopt);
  ASSERT_EQ(result.kind, DtlsServerContext::Result::Kind::kNewEndpoint);
  ASSERT_TRUE(result.endpoint);
  auto first = result.endpoint->PollTransmit();
  ASSERT_TRUE(first);
  // ServerHello mirrors the second ClientHello's message_seq (1).
  EXPECT_EQ((*first)[13], static_cast<uint8_t>(HandshakeType::kServerHello));
  EXPECT_EQ((*first)[17], 0);
  EXPECT_EQ((*first)[18], 1);
  EXPECT_TRUE(result.endpoint->NextTimeout());
}

TEST_F(ServerContextTest, WrongCookieOrOtherAddressGetsAnotherHelloVerifyRequest) {
  auto cookie = GetCookie(client_, now_);
  auto bad = cookie;
  bad[7] ^= 1;
  auto r1 = context_.HandleInitialDatagram(now_, client_, HelloDatagram(Hello(bad)), std::nullopt);
  EXPECT_EQ(r1.kind, DtlsServerContext::Result::Kind::kSendHelloVerifyRequest);
  EXPECT_FALSE(r1.endpoint);
  SocketAddress other = client_;
  other.port = 5001;
  auto r2 = context_.HandleInitialDatagram(now_, other, HelloDatagram(Hello(cookie)), std::nullopt);
  EXPECT_EQ(r2.kind, DtlsServerContext::Result::Kind::kSendHelloVerifyRequest);
  auto r3 =
      context_.HandleInitialDatagram(now_, client_, HelloDatagram(Hello({1, 2, 3})), std::nullopt);
  EXPECT_EQ(r3.kind, DtlsServerContext::Result::Kind::kSendHelloVerifyRequest);
}

TEST_F(ServerContextTest, CookieSurvivesOneRotationNotTwo) {
  auto cookie = GetCookie(client_, now_);
  context_.RotateCookieSecret();
  auto r1 =
      context_.HandleInitialDatagram(now_, client_, HelloDatagram(Hello(cookie)), std::nullopt);
  EXPECT_EQ(r1.kind, DtlsServerContext::Result::Kind::kNewEndpoint);
  // Automatic rotation by time: two periods later the cookie has expired.
  auto later = now_ + DtlsServerContext::kCookieRotation;
  context_.HandleInitialDatagram(later, client_, {}, std::nullopt);
  auto r2 = context_.HandleInitialDatagram(later + DtlsServerContext::kCookieRotation, client_,
                                           HelloDatagram(Hello(cookie)), std::nullopt);
  EXPECT_EQ(r2.kind, DtlsServerContext::Result::Kind::kSendHelloVerifyRequest);
}

TEST_F(ServerContextTest, DropsWhatIsNotAClientHelloStart) {
  EXPECT_EQ(context_.HandleInitialDatagram(now_, client_, {}, std::nullopt).kind,
            DtlsServerContext::Result::Kind::kDrop);
  const auto body = HelloBody(Hello());
  auto later_fragment = FragmentDatagram(HandshakeType::kClientHello, body, 0, 0, 40, 20);
  auto r = context_.HandleInitialDatagram(now_, client_, later_fragment, std::nullopt);
  EXPECT_EQ(r.kind, DtlsServerContext::Result::Kind::kDrop);
  auto not_hello = FragmentDatagram(HandshakeType::kFinished, body, 0, 0, 0, 12);
  EXPECT_EQ(context_.HandleInitialDatagram(now_, client_, not_hello, std::nullopt).kind,
            DtlsServerContext::Result::Kind::kDrop);
  std::vector<uint8_t> garbage = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 1};
  EXPECT_EQ(context_.HandleInitialDatagram(now_, client_, garbage, std::nullopt).kind,
            DtlsServerContext::Result::Kind::kDrop);
}

TEST_F(ServerContextTest, FragmentedClientHelloIsReassembled) {
  const auto cookie = GetCookie(client_, now_);
  const auto body = HelloBody(Hello(cookie));
  // The first fragment carries the cookie (as every real fragmented ClientHello does).
  const uint32_t half = 80;
  auto first = FragmentDatagram(HandshakeType::kClientHello, body, 1, 1, 0, half);
  auto second = FragmentDatagram(HandshakeType::kClientHello, body, 1, 2, half,
                                 static_cast<uint32_t>(body.size()) - half);
  auto result = context_.HandleInitialDatagram(now_, client_, first, std::nullopt);
  ASSERT_EQ(result.kind, DtlsServerContext::Result::Kind::kNewEndpoint);
  auto& endpoint = *result.endpoint;
  EXPECT_FALSE(endpoint.PollTransmit());
  // Oversized and out-of-bounds fragments are dropped and counted, the handshake goes on.
  std::vector<uint8_t> huge(70000);
  endpoint.HandleDatagram(now_,
                          FragmentDatagram(HandshakeType::kCertificate, huge, 2, 3, 0, 100, 70000));
  EXPECT_EQ(endpoint.stats().drop_too_long, 1u);
  auto past = FragmentDatagram(HandshakeType::kClientHello, body, 1, 4, half, 30);
  past[13 + 3] = 0;  // declared length 0x00_00_xx: shrink it below offset+length
  past[13 + 1] = 0;
  past[13 + 2] = 0;
  endpoint.HandleDatagram(now_, past);
  EXPECT_EQ(endpoint.stats().drop_too_long, 2u);
  endpoint.HandleDatagram(now_, second);
  auto flight = endpoint.PollTransmit();
  ASSERT_TRUE(flight);
  EXPECT_EQ((*flight)[13], static_cast<uint8_t>(HandshakeType::kServerHello));
  EXPECT_FALSE(endpoint.failed());
}

TEST_F(ServerContextTest, AbandonedHalfClientHelloTimesOut) {
  const auto cookie = GetCookie(client_, now_);
  const auto body = HelloBody(Hello(cookie));
  auto first = FragmentDatagram(HandshakeType::kClientHello, body, 1, 1, 0, 80);
  auto result = context_.HandleInitialDatagram(now_, client_, first, std::nullopt);
  ASSERT_EQ(result.kind, DtlsServerContext::Result::Kind::kNewEndpoint);
  auto& endpoint = *result.endpoint;
  for (int i = 0; i < 20 && endpoint.NextTimeout(); ++i) {
    endpoint.HandleTimeout(*endpoint.NextTimeout());
    EXPECT_FALSE(endpoint.PollTransmit());
  }
  EXPECT_TRUE(endpoint.failed());
  auto event = endpoint.PollEvent();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->reason, "timeout");
  EXPECT_EQ(endpoint.stats().retransmissions, 0u);
}

TEST_F(ServerContextTest, NoExtendedMasterSecretIsHandshakeFailure) {
  const auto cookie = GetCookie(client_, now_);
  auto result = context_.HandleInitialDatagram(
      now_, client_, HelloDatagram(Hello(cookie, 0, 0, false)), std::nullopt);
  ASSERT_EQ(result.kind, DtlsServerContext::Result::Kind::kNewEndpoint);
  auto alert = result.endpoint->PollTransmit();
  ASSERT_TRUE(alert);
  ASSERT_EQ(alert->size(), 15u);
  EXPECT_EQ((*alert)[0], static_cast<uint8_t>(ContentType::kAlert));
  EXPECT_EQ((*alert)[13], 2);  // fatal
  EXPECT_EQ((*alert)[14], static_cast<uint8_t>(AlertDescription::kHandshakeFailure));
  auto event = result.endpoint->PollEvent();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->reason, "no extended master secret");
  EXPECT_FALSE(result.endpoint->holds_handshake_state());
}

}  // namespace
}  // namespace sfu::dtls
