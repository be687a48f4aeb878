#include "tests/support/sim_peer.h"

#include "core/rtp/demux.h"
#include "core/stun/stun_builder.h"
#include "crypto/hmac.h"
#include "gtest/gtest.h"

namespace sfu::test_support {

std::shared_ptr<const crypto::Certificate> MakeCertificate(const char* name) {
  auto cert = crypto::Certificate::GenerateSelfSigned(name, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok()) << cert.status();
  return std::make_shared<const crypto::Certificate>(*std::move(cert));
}

SimPeer::SimPeer(SimPeerConfig config)
    : config_(std::move(config)),
      random_(config_.seed),
      certificate_(MakeCertificate(config_.certificate_name)) {}

sfu::AddPeer SimPeer::BaseCommand(sfu::RoomId room) const {
  sfu::AddPeer add;
  add.peer = config_.id;
  add.room = room;
  add.local_ufrag = config_.server_ufrag;
  add.local_pwd = config_.server_pwd;
  add.remote_ufrag = config_.ufrag;
  add.remote_fingerprint = certificate_->fingerprint_sha256();
  return add;
}

std::vector<uint8_t> SimPeer::BindingRequest(bool use_candidate, std::string_view password) {
  auto hmac = crypto::Hmac::Create(
      crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
  EXPECT_TRUE(hmac.ok());
  if (!hmac.ok()) return {};
  stun::TransactionId tid{};
  random_.Fill(absl::MakeSpan(tid));
  const std::string username = config_.server_ufrag + ":" + config_.ufrag;
  stun::BindingRequestParams params;
  params.username = username;
  params.priority = 0x6E7F1EFF;
  params.tie_breaker = random_.Next();
  params.use_candidate = use_candidate;
  std::vector<uint8_t> buffer(512);
  auto built = stun::BuildBindingRequest(absl::MakeSpan(buffer), tid, params, *hmac);
  EXPECT_TRUE(built.has_value());
  if (!built.has_value()) return {};
  return std::vector<uint8_t>(built->begin(), built->end());
}

void SimPeer::StartDtls(Instant now) {
  dtls::DtlsConfig config;
  config.role = dtls::Role::kClient;
  config.expected_peer_fingerprint = config_.server_fingerprint;
  auto client = dtls::DtlsEndpoint::CreateClient(config, certificate_, random_);
  ASSERT_TRUE(client.ok()) << client.status();
  dtls_ = *std::move(client);
  dtls_->Start(now);
}

void SimPeer::Receive(Instant now, std::vector<uint8_t> datagram) {
  switch (rtp::ClassifyDatagram(datagram)) {
    case rtp::PacketClass::kStun:
      ++stun_responses;
      break;
    case rtp::PacketClass::kDtls:
      ++dtls_received;
      if (dtls_ != nullptr) dtls_->HandleDatagram(now, datagram);
      break;
    case rtp::PacketClass::kRtp:
      rtp_received.push_back(std::move(datagram));
      break;
    case rtp::PacketClass::kRtcp:
      rtcp_received.push_back(std::move(datagram));
      break;
    default:
      ADD_FAILURE() << "sfud sent an unclassifiable datagram";
  }
}

void SimPeer::HandleTimeout(Instant now) {
  if (dtls_ == nullptr) return;
  if (std::optional<Instant> t = dtls_->NextTimeout(); t.has_value() && *t <= now) {
    dtls_->HandleTimeout(now);
  }
}

std::optional<std::vector<uint8_t>> SimPeer::PollTransmit() {
  if (dtls_ == nullptr) return std::nullopt;
  std::optional<absl::Span<const uint8_t>> datagram = dtls_->PollTransmit();
  if (!datagram.has_value()) return std::nullopt;
  return std::vector<uint8_t>(datagram->begin(), datagram->end());
}

void SimPeer::PollEvents() {
  if (dtls_ == nullptr) return;
  while (std::optional<dtls::DtlsEvent> event = dtls_->PollEvent()) {
    if (event->kind == dtls::DtlsEvent::Kind::kConnected) {
      auto pair = srtp::CreateSrtpSessions(
          static_cast<srtp::SrtpProfile>(event->srtp.profile),
          absl::MakeConstSpan(event->srtp.material.data(), event->srtp.size()),
          srtp::SrtpRole::kClient);
      EXPECT_TRUE(pair.ok()) << pair.status();
      if (pair.ok()) srtp_.emplace(*std::move(pair));
    }
    dtls_events.push_back(*event);
  }
}

bool SimPeer::closed_by_server() const {
  for (const dtls::DtlsEvent& e : dtls_events) {
    if (e.kind == dtls::DtlsEvent::Kind::kClosed) return true;
  }
  return false;
}

std::vector<uint8_t> SimPeer::ProtectRtp(const std::vector<uint8_t>& rtp) {
  EXPECT_TRUE(srtp_.has_value()) << "protecting before DTLS keyed SRTP";
  if (!srtp_.has_value()) return {};
  std::vector<uint8_t> buffer = rtp;
  buffer.resize(rtp.size() + srtp::kMaxSrtcpTrailer);
  size_t size = 0;
  EXPECT_EQ(srtp_->outbound.ProtectRtp(absl::MakeSpan(buffer), rtp.size(), &size),
            srtp::SrtpResult::kOk);
  buffer.resize(size);
  return buffer;
}

std::vector<uint8_t> SimPeer::ProtectRtcp(const std::vector<uint8_t>& rtcp) {
  EXPECT_TRUE(srtp_.has_value()) << "protecting before DTLS keyed SRTP";
  if (!srtp_.has_value()) return {};
  std::vector<uint8_t> buffer = rtcp;
  buffer.resize(rtcp.size() + srtp::kMaxSrtcpTrailer);
  size_t size = 0;
  EXPECT_EQ(srtp_->outbound.ProtectRtcp(absl::MakeSpan(buffer), rtcp.size(), &size),
            srtp::SrtpResult::kOk);
  buffer.resize(size);
  return buffer;
}

std::vector<ParsedRtp> SimPeer::TakeRtp(
    const std::function<bool(uint32_t ssrc, uint16_t seq)>& skip) {
  std::vector<ParsedRtp> out;
  EXPECT_TRUE(srtp_.has_value() || rtp_received.empty()) << "SRTP before DTLS keyed SRTP";
  if (!srtp_.has_value()) return out;
  for (std::vector<uint8_t>& packet : rtp_received) {
    if (skip && skip(GetU32(packet, 8), static_cast<uint16_t>(packet[2] << 8 | packet[3]))) {
      continue;
    }
    size_t size = 0;
    EXPECT_EQ(srtp_->inbound.UnprotectRtp(absl::MakeSpan(packet), packet.size(), &size),
              srtp::SrtpResult::kOk);
    packet.resize(size);
    std::optional<ParsedRtp> parsed = ParseRtp(packet);
    EXPECT_TRUE(parsed.has_value());
    if (parsed.has_value()) out.push_back(*std::move(parsed));
  }
  rtp_received.clear();
  return out;
}

void SimPeer::TakeRtcp() {
  if (!srtp_.has_value()) return;
  for (std::vector<uint8_t>& packet : rtcp_received) {
    size_t size = 0;
    if (srtp_->inbound.UnprotectRtcp(absl::MakeSpan(packet), packet.size(), &size) !=
        srtp::SrtpResult::kOk) {
      ADD_FAILURE() << "SRTCP from sfud did not decrypt";
      continue;
    }
    ++rtcp_decrypted;
    rtcp_plain.emplace_back(packet.begin(), packet.begin() + size);
  }
  rtcp_received.clear();
}

}  // namespace sfu::test_support
