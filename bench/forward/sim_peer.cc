#include "bench/forward/sim_peer.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/rtp/demux.h"
#include "core/stun/stun_builder.h"
#include "crypto/hmac.h"

namespace sfu::bench::forward {

absl::StatusOr<std::unique_ptr<SimPeer>> SimPeer::Create(
    sfu::PeerId id, const SocketAddress& server, const std::array<uint8_t, 32>& server_fingerprint,
    std::shared_ptr<const crypto::Certificate> certificate, int receive_buffer_bytes) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes,
                 sizeof(receive_buffer_bytes)) != 0) {
    // Not root: the kernel caps SO_RCVBUF at net.core.rmem_max, which is still usable.
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes,
                     sizeof(receive_buffer_bytes));
  }
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    const int error = errno;
    close(fd);
    return absl::ErrnoToStatus(error, "bind 127.0.0.1:0");
  }
  return std::unique_ptr<SimPeer>(
      new SimPeer(id, server, server_fingerprint, std::move(certificate), fd));
}

SimPeer::SimPeer(sfu::PeerId id, const SocketAddress& server,
                 const std::array<uint8_t, 32>& server_fingerprint,
                 std::shared_ptr<const crypto::Certificate> certificate, int fd)
    : id_(id),
      server_(server),
      server_fingerprint_(server_fingerprint),
      certificate_(std::move(certificate)),
      fd_(fd),
      ufrag_(absl::StrCat("bp", id)),
      server_ufrag_(absl::StrCat("bs", id, "x")),
      server_pwd_(absl::StrCat("benchpassword", id, "x0123456789abcdef")),
      random_(9000 + id) {}

SimPeer::~SimPeer() { close(fd_); }

sfu::AddPeer SimPeer::BaseCommand(sfu::RoomId room) const {
  sfu::AddPeer add;
  add.peer = id_;
  add.room = room;
  add.local_ufrag = server_ufrag_;
  add.local_pwd = server_pwd_;
  add.remote_ufrag = ufrag_;
  add.remote_fingerprint = certificate_->fingerprint_sha256();
  return add;
}

void SimPeer::Send(absl::Span<const uint8_t> bytes) {
  sockaddr_storage storage{};
  const socklen_t len = server_.ToSockaddr(&storage);
  // Loopback with a large socket buffer: a failed send here is retried by DTLS or the check loop.
  (void)sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&storage), len);
}

void SimPeer::SendCheck() {
  absl::StatusOr<crypto::Hmac> hmac =
      crypto::Hmac::Create(crypto::HashAlgorithm::kSha1,
                           absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(server_pwd_.data()),
                                               server_pwd_.size()));
  if (!hmac.ok()) {
    failed_ = true;
    return;
  }
  stun::TransactionId tid{};
  random_.Fill(absl::MakeSpan(tid));
  const std::string username = absl::StrCat(server_ufrag_, ":", ufrag_);
  stun::BindingRequestParams params;
  params.username = username;
  params.priority = 0x6E7F1EFF;
  params.tie_breaker = random_.Next();
  params.use_candidate = true;
  uint8_t buffer[512];
  std::optional<absl::Span<const uint8_t>> built =
      stun::BuildBindingRequest(absl::MakeSpan(buffer), tid, params, *hmac);
  if (!built.has_value()) {
    failed_ = true;
    return;
  }
  Send(*built);
}

void SimPeer::StartDtls(Instant now) {
  dtls::DtlsConfig config;
  config.role = dtls::Role::kClient;
  config.expected_peer_fingerprint = server_fingerprint_;
  absl::StatusOr<std::unique_ptr<dtls::DtlsEndpoint>> client =
      dtls::DtlsEndpoint::CreateClient(config, certificate_, random_);
  if (!client.ok()) {
    failed_ = true;
    return;
  }
  dtls_ = *std::move(client);
  dtls_->Start(now);
}

void SimPeer::Service(Instant now) {
  uint8_t buffer[2048];
  for (int i = 0; i < 256; ++i) {
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    const absl::Span<const uint8_t> datagram(buffer, static_cast<size_t>(n));
    switch (rtp::ClassifyDatagram(datagram)) {
      case rtp::PacketClass::kStun:
        stun_answered_ = true;
        break;
      case rtp::PacketClass::kDtls:
        if (dtls_ != nullptr) dtls_->HandleDatagram(now, datagram);
        break;
      case rtp::PacketClass::kRtp:
        last_rtp_.assign(datagram.begin(), datagram.end());
        break;
      default:  // SRTCP (reports, keyframe requests) and anything else: not needed here
        break;
    }
  }
  if (dtls_ == nullptr) return;
  if (std::optional<Instant> t = dtls_->NextTimeout(); t.has_value() && *t <= now) {
    dtls_->HandleTimeout(now);
  }
  for (int i = 0; i < 64; ++i) {
    std::optional<absl::Span<const uint8_t>> datagram = dtls_->PollTransmit();
    if (!datagram.has_value()) break;
    Send(*datagram);
  }
  while (std::optional<dtls::DtlsEvent> event = dtls_->PollEvent()) {
    if (event->kind != dtls::DtlsEvent::Kind::kConnected) {
      failed_ = true;
      continue;
    }
    absl::StatusOr<srtp::SrtpSessionPair> pair = srtp::CreateSrtpSessions(
        static_cast<srtp::SrtpProfile>(event->srtp.profile),
        absl::MakeConstSpan(event->srtp.material.data(), event->srtp.size()),
        srtp::SrtpRole::kClient);
    if (pair.ok()) {
      srtp_.emplace(*std::move(pair));
    } else {
      failed_ = true;
    }
  }
}

}  // namespace sfu::bench::forward
