// dtls_udp_peer: runs one sfud DtlsEndpoint over a real UDP socket on 127.0.0.1, so the engine can
// be tested against `openssl s_client` / `s_server` (dtls_openssl_interop_test.sh). It is the
// smallest possible driver of the sans-IO engine: poll() on one socket, a steady clock, every
// datagram fed to the endpoint (or, in the server role, to the DtlsServerContext until it creates
// the endpoint), every output drained, the timer re-armed from NextTimeout().
//
//   dtls_udp_peer --role=client --connect=PORT --cert=F --key=F [options]
//   dtls_udp_peer --role=server [--port=PORT] --cert=F --key=F [options]
//   dtls_udp_peer --free-port          prints a UDP port that was free on 127.0.0.1
//
// Options: --mtu=N  --profiles=aes128gcm,aes256gcm,cm80 (preference order)
//   --expect-fingerprint=AB:CD:...  (the peer's SHA-256, as `openssl x509 -fingerprint` prints it)
//   --timeout-ms=N (whole run)  --linger-ms=N (time kept after Connected to answer retransmissions,
//   then close_notify)  --record=FILE (server: writes every received datagram as a
//   dtls_server_fuzz input; also makes the server deterministic with fuzz::kRandomSeed)
//
// Prints "listening PORT", then "connected ...", "keying_material=HEX" (RFC 5764 §4.2 order) or
// "failed ...". Exit status: 0 Connected, 1 handshake failed, 2 usage or setup error, 3 timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"
#include "crypto/certificate.h"
#include "crypto/random.h"
#include "tests/interop/dtls_fuzz_input.h"

namespace sfu::dtls {
namespace {

constexpr int kExitConnected = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTimeout = 3;

struct Options {
  std::map<std::string, std::string> values;
  bool Has(const std::string& k) const { return values.count(k) != 0; }
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = values.find(k);
    return it == values.end() ? def : it->second;
  }
  std::optional<int64_t> GetInt(const std::string& k, int64_t def) const {
    if (!Has(k)) return def;
    int64_t v = 0;
    if (!absl::SimpleAtoi(Get(k), &v)) return std::nullopt;
    return v;
  }
};

Instant Now() { return Instant::FromSteady(std::chrono::steady_clock::now()); }

const char* ProfileName(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmHmacSha1_80:
      return "SRTP_AES128_CM_SHA1_80";
    case SrtpProfile::kAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "SRTP_AEAD_AES_256_GCM";
  }
  return "?";
}

const char* SuiteName(CipherSuite s) {
  switch (s) {
    case CipherSuite::kEcdheEcdsaAes128GcmSha256:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case CipherSuite::kEcdheEcdsaAes256GcmSha384:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
  }
  return "?";
}

const char* GroupName(crypto::NamedGroup g) {
  switch (g) {
    case crypto::NamedGroup::kX25519:
      return "X25519";
    case crypto::NamedGroup::kSecp256r1:
      return "P-256";
  }
  return "?";
}

std::string Hex(absl::Span<const uint8_t> bytes, const char* separator = "") {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%02X", bytes[i]);
    if (i != 0) out += separator;
    out += buf;
  }
  return out;
}

std::optional<std::vector<SrtpProfile>> ParseProfiles(const std::string& text) {
  std::vector<SrtpProfile> out;
  for (absl::string_view name : absl::StrSplit(text, ',')) {
    if (name == "aes128gcm") {
      out.push_back(SrtpProfile::kAeadAes128Gcm);
    } else if (name == "aes256gcm") {
      out.push_back(SrtpProfile::kAeadAes256Gcm);
    } else if (name == "cm80") {
      out.push_back(SrtpProfile::kAes128CmHmacSha1_80);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// A UDP socket on 127.0.0.1, non-blocking.
class UdpSocket {
 public:
  ~UdpSocket() {
    if (fd_ >= 0) close(fd_);
  }
  bool Bind(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) == 0;
  }
  uint16_t LocalPort() const {
    sockaddr_in sa{};
    socklen_t len = sizeof(sa);
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return 0;
    return ntohs(sa.sin_port);
  }
  void SendTo(const SocketAddress& to, absl::Span<const uint8_t> datagram) {
    max_sent_ = std::max(max_sent_, datagram.size());
    sockaddr_storage ss{};
    const socklen_t len = to.ToSockaddr(&ss);
    if (sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) <
        0) {
      std::fprintf(stderr, "sendto: %s\n", std::strerror(errno));
    }
  }
  // One datagram, or nullopt when none is queued.
  std::optional<absl::Span<const uint8_t>> Receive(SocketAddress* from) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    const ssize_t n =
        recvfrom(fd_, buffer_.data(), buffer_.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) return std::nullopt;
    std::optional<SocketAddress> addr =
        SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
    if (!addr) return std::nullopt;
    *from = *addr;
    return absl::Span<const uint8_t>(buffer_.data(), static_cast<size_t>(n));
  }
  // Waits up to `timeout` for a datagram.
  void Wait(Duration timeout) {
    pollfd p{fd_, POLLIN, 0};
    const int64_t ms = std::clamp<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count() + 1, 0, 1000);
    poll(&p, 1, static_cast<int>(ms));
  }
  size_t max_sent() const { return max_sent_; }

 private:
  int fd_ = -1;
  size_t max_sent_ = 0;
  std::array<uint8_t, 65536> buffer_{};
};

void PrintEvent(const DtlsEvent& e) {
  switch (e.kind) {
    case DtlsEvent::Kind::kConnected:
      std::printf("connected profile=%s suite=%s group=%s\n", ProfileName(e.srtp.profile),
                  SuiteName(e.cipher_suite), GroupName(e.group));
      std::printf("peer_fingerprint=%s\n", Hex(e.peer_fingerprint, ":").c_str());
      std::printf("keying_material=%s\n",
                  Hex(absl::MakeConstSpan(e.srtp.material.data(), e.srtp.size())).c_str());
      break;
    case DtlsEvent::Kind::kFailed:
    case DtlsEvent::Kind::kClosed:
      std::printf("%s reason=\"%s\" alert_sent=%d alert_received=%d\n",
                  e.kind == DtlsEvent::Kind::kFailed ? "failed" : "closed", e.reason.c_str(),
                  e.alert_sent ? static_cast<int>(*e.alert_sent) : -1,
                  e.alert_received ? static_cast<int>(*e.alert_received) : -1);
      break;
  }
  std::fflush(stdout);
}

int Run(const Options& opt) {
  const std::string role = opt.Get("role");
  if (role != "client" && role != "server") return kExitUsage;
  const bool server = role == "server";
  const auto mtu = opt.GetInt("mtu", 1200);
  const auto timeout_ms = opt.GetInt("timeout-ms", 10000);
  const auto linger_ms = opt.GetInt("linger-ms", 300);
  const auto port = opt.GetInt("port", 0);
  const auto connect_port = opt.GetInt("connect", 0);
  if (!mtu || !timeout_ms || !linger_ms || !port || !connect_port || *port < 0 || *port > 65535 ||
      *connect_port < 0 || *connect_port > 65535 || (!server && !*connect_port)) {
    std::fprintf(stderr, "bad numeric option\n");
    return kExitUsage;
  }

  auto cert = crypto::Certificate::FromPemFiles(opt.Get("cert"), opt.Get("key"));
  if (!cert.ok()) {
    std::fprintf(stderr, "certificate: %s\n", std::string(cert.status().message()).c_str());
    return kExitUsage;
  }
  auto certificate = std::make_shared<const crypto::Certificate>(*std::move(cert));

  DtlsConfig config;
  config.role = server ? Role::kServer : Role::kClient;
  config.mtu = static_cast<size_t>(*mtu);
  if (opt.Has("profiles")) {
    auto profiles = ParseProfiles(opt.Get("profiles"));
    if (!profiles) return kExitUsage;
    config.srtp_profiles = *profiles;
  }
  std::optional<std::array<uint8_t, 32>> expected;
  if (opt.Has("expect-fingerprint")) {
    auto fp = crypto::ParseSdpFingerprint("sha-256 " + opt.Get("expect-fingerprint"));
    if (!fp.ok()) {
      std::fprintf(stderr, "fingerprint: %s\n", std::string(fp.status().message()).c_str());
      return kExitUsage;
    }
    expected = *fp;
  }
  config.expected_peer_fingerprint = expected;

  // Recording makes the server side repeatable so the fuzzer can replay the cookie exchange.
  const std::string record_path = opt.Get("record");
  crypto::SystemRandom system_random;
  SeededRandom seeded_random(fuzz::kRandomSeed);
  RandomSource& random =
      record_path.empty() ? static_cast<RandomSource&>(system_random) : seeded_random;
  std::vector<uint8_t> recording;

  UdpSocket socket;
  if (!socket.Bind(static_cast<uint16_t>(*port))) {
    std::fprintf(stderr, "bind: %s\n", std::strerror(errno));
    return kExitUsage;
  }
  std::printf("listening %u\n", socket.LocalPort());
  std::fflush(stdout);

  const Instant start = Now();
  const Instant deadline = start + std::chrono::milliseconds(*timeout_ms);
  std::unique_ptr<DtlsServerContext> context;
  std::unique_ptr<DtlsEndpoint> endpoint;
  SocketAddress peer;
  if (server) {
    context = std::make_unique<DtlsServerContext>(config, certificate, random);
  } else {
    auto client = DtlsEndpoint::CreateClient(config, certificate, random);
    if (!client.ok()) {
      std::fprintf(stderr, "client: %s\n", std::string(client.status().message()).c_str());
      return kExitUsage;
    }
    endpoint = *std::move(client);
    peer.ip = IpAddress::Loopback(IpAddress::Family::kV4);
    peer.port = static_cast<uint16_t>(*connect_port);
    endpoint->Start(start);
  }

  // Datagrams the client sent from our HelloVerifyRequest until our first flight: how many the
  // cookie-carrying ClientHello took (2+ when fragmented, RFC 6347 §4.2.3).
  int datagrams_since_hvr = 0;
  int client_hello_datagrams = 0;
  std::optional<Instant> linger_until;
  int result = -1;
  while (true) {
    if (endpoint) {
      while (auto datagram = endpoint->PollTransmit()) {
        if (server && client_hello_datagrams == 0) client_hello_datagrams = datagrams_since_hvr;
        socket.SendTo(peer, *datagram);
      }
      while (auto event = endpoint->PollEvent()) {
        PrintEvent(*event);
        if (event->kind == DtlsEvent::Kind::kConnected) {
          result = kExitConnected;
          linger_until = Now() + std::chrono::milliseconds(*linger_ms);
        } else if (result != kExitConnected) {
          // Keep the socket open a little longer after failing too: closing it at once would
          // answer the peer with ICMP port-unreachable, which can overtake our alert.
          result = kExitFailed;
          linger_until = Now() + std::chrono::milliseconds(*linger_ms);
        }
      }
    }
    Instant now = Now();
    if (linger_until && now >= *linger_until) {
      if (result == kExitFailed) break;
      endpoint->Close(now);
      while (auto datagram = endpoint->PollTransmit()) socket.SendTo(peer, *datagram);
      while (auto event = endpoint->PollEvent()) PrintEvent(*event);
      break;
    }
    if (now >= deadline) {
      std::printf("timeout\n");
      std::fflush(stdout);
      result = result == kExitConnected ? result : kExitTimeout;
      break;
    }
    Instant wake = deadline;
    if (linger_until) wake = std::min(wake, *linger_until);
    if (endpoint) {
      if (auto t = endpoint->NextTimeout()) wake = std::min(wake, *t);
    }
    if (wake > now) socket.Wait(wake - now);

    SocketAddress from;
    for (int i = 0; i < 64; ++i) {  // bounded burst, then timers get their turn
      auto datagram = socket.Receive(&from);
      if (!datagram) break;
      now = Now();
      if (endpoint) {
        if (!(from == peer)) continue;  // one association per run
        if (!record_path.empty()) fuzz::AppendDatagram(&recording, *datagram);
        ++datagrams_since_hvr;
        endpoint->HandleDatagram(now, *datagram);
        while (auto out = endpoint->PollTransmit()) {
          if (client_hello_datagrams == 0) client_hello_datagrams = datagrams_since_hvr;
          socket.SendTo(peer, *out);
        }
        continue;
      }
      if (!record_path.empty()) {
        if (recording.empty()) fuzz::AppendClientPort(&recording, from.port);
        fuzz::AppendDatagram(&recording, *datagram);
      }
      DtlsServerContext::Result r = context->HandleInitialDatagram(now, from, *datagram, expected);
      if (r.kind == DtlsServerContext::Result::Kind::kSendHelloVerifyRequest) {
        socket.SendTo(from, r.datagram);
        datagrams_since_hvr = 0;
      } else if (r.kind == DtlsServerContext::Result::Kind::kNewEndpoint) {
        endpoint = std::move(r.endpoint);
        peer = from;
        datagrams_since_hvr = 1;
      } else {
        std::fprintf(stderr, "dropped initial datagram: %s\n", r.drop_reason ? r.drop_reason : "?");
      }
    }
    now = Now();
    if (endpoint) {
      if (auto t = endpoint->NextTimeout(); t && *t <= now) endpoint->HandleTimeout(now);
    }
  }

  // One line for the test script: what the engine counted, and the largest datagram we sent (MTU).
  std::printf("stats max_datagram_sent=%zu client_hello_datagrams=%d", socket.max_sent(),
              client_hello_datagrams);
  if (endpoint) {
#define SFU_PRINT_STAT(name) \
  std::printf(" " #name "=%llu", static_cast<unsigned long long>(endpoint->stats().name));
    SFU_DTLS_STATS(SFU_PRINT_STAT)
#undef SFU_PRINT_STAT
  }
  std::printf("\n");

  if (!record_path.empty() && !recording.empty()) {
    std::ofstream out(record_path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(recording.data()),
              static_cast<std::streamsize>(recording.size()));
  }
  return result < 0 ? kExitTimeout : result;
}

int PrintFreePort() {
  UdpSocket socket;
  if (!socket.Bind(0)) return kExitUsage;
  std::printf("%u\n", socket.LocalPort());
  return 0;
}

}  // namespace
}  // namespace sfu::dtls

int main(int argc, char** argv) {
  sfu::dtls::Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      std::fprintf(stderr, "unexpected argument %s\n", argv[i]);
      return sfu::dtls::kExitUsage;
    }
    const size_t eq = arg.find('=');
    opt.values[arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2)] =
        eq == std::string::npos ? "" : arg.substr(eq + 1);
  }
  if (opt.Has("free-port")) return sfu::dtls::PrintFreePort();
  const int rc = sfu::dtls::Run(opt);
  if (rc == sfu::dtls::kExitUsage) {
    std::fprintf(stderr,
                 "usage: dtls_udp_peer --role=client|server --cert=F --key=F [--connect=PORT] "
                 "[--port=PORT] [--mtu=N] [--profiles=aes128gcm,aes256gcm,cm80] "
                 "[--expect-fingerprint=HEX] [--timeout-ms=N] [--linger-ms=N] [--record=FILE]\n"
                 "       dtls_udp_peer --free-port\n");
  }
  return rc;
}
