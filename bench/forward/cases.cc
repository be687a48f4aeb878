#include "bench/forward/cases.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/forward/bare_forwarder.h"
#include "bench/forward/sim_peer.h"
#include "core/net/monotonic_clock.h"
#include "core/net/shard_loop.h"
#include "core/net/spsc_ring.h"
#include "core/net/waker.h"
#include "core/srtp/srtp_kdf.h"

namespace sfu::bench::forward {
namespace {

namespace ss = ::sfu::sfu;
using Clock = std::chrono::steady_clock;

constexpr uint8_t kPublisherPt = 96;    // VP8 as the publisher negotiated it
constexpr uint8_t kSubscriberPt = 100;  // VP8 as every viewer negotiated it: sfud rewrites the PT
constexpr uint32_t kPublisherSsrc = 0x2222;
constexpr ss::RoomId kRoom = 7;
constexpr size_t kWave = 64;  // peers handed to the shard and connected at a time
constexpr auto kWaveTimeout = std::chrono::seconds(20);
constexpr auto kCheckRetry = std::chrono::milliseconds(20);

uint32_t SubscriberSsrc(ss::PeerId id) { return 0xB0000000 + id; }

// Subscriber sockets get room for a burst of the whole steady window at low N; at N = 1000 the
// kernel buffers of 1000 sockets would otherwise be far more than needed.
int SubscriberBufferBytes(size_t subscribers) {
  if (subscribers <= 10) return 8 << 20;
  if (subscribers <= 100) return 2 << 20;
  return 512 << 10;
}

// The control thread's end of the shard: SPSC rings both ways and the shard's wake-up.
struct Channel {
  explicit Channel(net::Waker w) : waker(std::move(w)) {}
  net::SpscRing<ss::ShardCommand, 256> commands;
  net::SpscRing<ss::ShardEvent, 1024> events;
  net::Waker waker;
};

ss::AddPeer PublisherCommand(const SimPeer& peer) {
  ss::AddPeer add = peer.BaseCommand(kRoom);
  ss::PublisherConfig publisher;
  publisher.tracks.push_back(ss::TrackConfig{"0",
                                             ss::MediaKind::kVideo,
                                             {ss::CodecConfig{kPublisherPt, "VP8", 90000, 0}},
                                             {},
                                             {ss::LayerConfig{"", kPublisherSsrc, 0}}});
  publisher.feedback_ssrc = 0x5F5F0000;
  add.media = publisher;
  return add;
}

ss::AddPeer SubscriberCommand(const SimPeer& peer) {
  ss::AddPeer add = peer.BaseCommand(kRoom);
  ss::SubscriberConfig subscriber;
  subscriber.slots.push_back(ss::SlotConfig{"0",
                                            ss::MediaKind::kVideo,
                                            {ss::CodecConfig{kSubscriberPt, "VP8", 90000, 0}},
                                            {},
                                            SubscriberSsrc(peer.id()),
                                            0});
  add.media = subscriber;
  return add;
}

// Pumps the shard's events; counts connections and removals (any removal is a failure here).
struct EventCounts {
  size_t connected = 0;
  size_t removed = 0;
  std::string first_removal;
};
void DrainEvents(Channel& channel, EventCounts& counts) {
  ss::ShardEvent event;
  for (int i = 0; i < 4096 && channel.events.TryPop(event); ++i) {
    if (std::holds_alternative<ss::PeerConnected>(event)) ++counts.connected;
    if (const auto* removed = std::get_if<ss::PeerRemoved>(&event)) {
      if (counts.removed++ == 0) {
        counts.first_removal = absl::StrCat(
            "peer ", removed->peer, " removed: ", std::string(ss::ToString(removed->reason)), " ",
            removed->detail);
      }
    }
  }
}

// Hands `peers` to the shard and brings every one through ICE and DTLS. Bounded by kWaveTimeout.
absl::Status ConnectWave(Channel& channel, absl::Span<std::unique_ptr<SimPeer>> peers,
                         bool first_is_publisher, EventCounts& counts) {
  const Clock::time_point deadline = Clock::now() + kWaveTimeout;
  for (size_t i = 0; i < peers.size(); ++i) {
    const ss::AddPeer add =
        i == 0 && first_is_publisher ? PublisherCommand(*peers[i]) : SubscriberCommand(*peers[i]);
    // The shard takes up to 64 commands per iteration: a full ring drains within milliseconds.
    while (!channel.commands.TryPush(ss::ShardCommand{add})) {
      if (Clock::now() > deadline) return absl::DeadlineExceededError("command ring stayed full");
      channel.waker.Wake();
      DrainEvents(channel, counts);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  channel.waker.Wake();

  const size_t target = counts.connected + peers.size();
  std::vector<Clock::time_point> last_check(peers.size());
  std::vector<pollfd> fds;
  for (const auto& peer : peers) fds.push_back(pollfd{peer->fd(), POLLIN, 0});
  while (Clock::now() < deadline) {
    const Instant now = net::MonotonicClock::Now();
    bool all = true;
    for (size_t i = 0; i < peers.size(); ++i) {
      SimPeer& peer = *peers[i];
      peer.Service(now);
      if (peer.failed()) return absl::InternalError(absl::StrCat("peer ", peer.id(), " failed"));
      // A check that reached the shard before its AddPeer is not answered: repeat it.
      if (!peer.stun_answered() && Clock::now() - last_check[i] > kCheckRetry) {
        peer.SendCheck();
        last_check[i] = Clock::now();
      }
      if (peer.stun_answered() && !peer.dtls_started()) peer.StartDtls(now);
      all = all && peer.connected();
    }
    DrainEvents(channel, counts);
    if (counts.removed > 0) return absl::InternalError(counts.first_removal);
    if (all && counts.connected >= target) return absl::OkStatus();
    (void)poll(fds.data(), fds.size(), 1);
  }
  return absl::DeadlineExceededError(
      absl::StrCat("handshakes incomplete: ", counts.connected, " of ", target, " connected"));
}

// The subscribers' first packet, a keyframe, must decrypt to the publisher's payload with the
// subscriber's PT and SSRC: the forwarding being measured is real.
size_t VerifyFirstPacket(Publisher& publisher, absl::Span<std::unique_ptr<SimPeer>> subscribers) {
  for (auto& sub : subscribers) sub->last_rtp().clear();
  if (!publisher.SendKeyframe()) return 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(5);
  size_t arrived = 0;
  while (Clock::now() < deadline && arrived < subscribers.size()) {
    arrived = 0;
    for (auto& sub : subscribers) {
      if (sub->last_rtp().empty()) sub->Service(net::MonotonicClock::Now());
      arrived += sub->last_rtp().empty() ? 0 : 1;
    }
    if (arrived < subscribers.size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  size_t verified = 0;
  const absl::Span<const uint8_t> expected = publisher.last_payload();
  for (auto& sub : subscribers) {
    std::vector<uint8_t>& packet = sub->last_rtp();
    size_t size = 0;
    if (packet.empty() || sub->srtp_in().UnprotectRtp(absl::MakeSpan(packet), packet.size(),
                                                      &size) != srtp::SrtpResult::kOk) {
      continue;
    }
    const uint32_t ssrc =
        static_cast<uint32_t>(packet[8]) << 24 | packet[9] << 16 | packet[10] << 8 | packet[11];
    const bool ok = size == Publisher::kRtpBytes && (packet[1] & 0x7F) == kSubscriberPt &&
                    ssrc == SubscriberSsrc(sub->id()) &&
                    std::equal(expected.begin(), expected.end(), packet.begin() + 12);
    verified += ok ? 1 : 0;
  }
  return verified;
}

}  // namespace

CaseResult RunSfudCase(size_t subscribers, net::IoBackendKind backend, crypto::GcmImpl gcm,
                       const Certificates& certificates, const TrafficPlan& plan,
                       size_t engine_outputs) {
  CaseResult result;
  const Clock::time_point setup_start = Clock::now();
  absl::StatusOr<net::Waker> waker = net::Waker::Create();
  if (!waker.ok()) {
    result.error = waker.status().ToString();
    return result;
  }
  Channel channel(*std::move(waker));

  net::ShardLoopOptions options;
  options.index = 0;
  options.cpu = kForwarderCpu;
  options.listen = {SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}};
  options.io.kind = backend;
  options.engine.srtp.gcm_impl = gcm;  // kAuto: what sfud runs by default (SFUD_GCM_IMPL or CPUID)
  options.engine.max_peers = std::max<size_t>(options.engine.max_peers, subscribers + 1);
  if (engine_outputs > 0) {
    options.engine.router_outputs = engine_outputs;
    options.engine.router_arena_bytes = engine_outputs * 1300;
    options.engine.max_transmits = engine_outputs;
  }
  net::ShardControl control;
  control.pop_command = [&channel]() -> std::optional<ss::ShardCommand> {
    ss::ShardCommand command;
    if (!channel.commands.TryPop(command)) return std::nullopt;
    return command;
  };
  control.push_event = [&channel](ss::ShardEvent&& event) {
    return channel.events.TryPush(std::move(event));
  };
  control.waker = &channel.waker;
  absl::StatusOr<std::unique_ptr<net::ShardLoop>> started =
      net::ShardLoop::Start(std::move(options), certificates.sfud, std::move(control));
  if (!started.ok()) {
    result.error = started.status().ToString();
    return result;
  }
  std::unique_ptr<net::ShardLoop> loop = *std::move(started);
  const SocketAddress server = loop->local_addresses()[0];

  // Peer 1 publishes; 2..N+1 view.
  std::vector<std::unique_ptr<SimPeer>> peers;
  for (size_t i = 0; i <= subscribers; ++i) {
    absl::StatusOr<std::unique_ptr<SimPeer>> peer = SimPeer::Create(
        static_cast<ss::PeerId>(i + 1), server, certificates.sfud->fingerprint_sha256(),
        certificates.client, i == 0 ? 8 << 20 : SubscriberBufferBytes(subscribers));
    if (!peer.ok()) {
      result.error = peer.status().ToString();
      return result;
    }
    peers.push_back(*std::move(peer));
  }
  EventCounts counts;
  for (size_t first = 0; first < peers.size(); first += kWave) {
    const size_t count = std::min(kWave, peers.size() - first);
    absl::Status status =
        ConnectWave(channel, absl::MakeSpan(peers).subspan(first, count), first == 0, counts);
    if (!status.ok()) {
      result.error = status.ToString();
      return result;
    }
  }

  Publisher publisher(peers[0]->fd(), server, &peers[0]->srtp_out(), kPublisherSsrc, kPublisherPt);
  auto viewers = absl::MakeSpan(peers).subspan(1);
  result.verified = VerifyFirstPacket(publisher, viewers);
  if (result.verified != subscribers) {
    result.error = absl::StrCat("only ", result.verified, " of ", subscribers,
                                " subscribers decrypted the forwarded keyframe");
    return result;
  }
  result.setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start).count();

  std::vector<int> fds;
  for (const auto& viewer : viewers) fds.push_back(viewer->fd());
  Receiver receiver(fds, peers[0]->fd());
  if (!receiver.ok()) {
    result.error = "epoll setup failed";
    return result;
  }
  const pid_t shard_tid = FindThread(loop->thread().name().c_str());
  result.traffic = RunTraffic(publisher, receiver, shard_tid, subscribers, plan);

  loop->Stop();
  DrainEvents(channel, counts);
  const ss::ShardStats& stats = loop->final_stats();
  result.media_in = stats.rtp_in;
  result.media_out = stats.rtp_out;
  result.queue_full_drops = stats.drop_queue_full;
  result.auth_failures = stats.drop_srtp_auth + stats.drop_srtp_replay;
  result.tx_errors = loop->final_io_stats().tx_errors;
  result.rx_no_buffers = loop->final_io_stats().rx_no_buffers;
  result.ok = true;
  return result;
}

CaseResult RunBareCase(size_t subscribers, const TrafficPlan& plan) {
  CaseResult result;
  const Clock::time_point setup_start = Clock::now();
  // The publisher's SRTP session from a fixed master key: the bare loop opens with the derived
  // session key, as sfud opens with the one DTLS gave it.
  const std::array<uint8_t, 16> master_key = {1, 2,  3,  4,  5,  6,  7,  8,
                                              9, 10, 11, 12, 13, 14, 15, 16};
  const std::array<uint8_t, 12> master_salt = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  absl::StatusOr<srtp::SrtpSessionKeys> keys =
      srtp::DeriveSessionKeys(srtp::SrtpProfile::kAeadAes128Gcm, master_key, master_salt);
  if (!keys.ok()) {
    result.error = keys.status().ToString();
    return result;
  }
  absl::StatusOr<srtp::SrtpSession> session =
      srtp::SrtpSession::Create(*keys, srtp::SrtpSession::Direction::kOutbound);
  if (!session.ok()) {
    result.error = session.status().ToString();
    return result;
  }
  // Plain sockets (no DTLS): the bare loop has no handshakes.
  std::vector<std::unique_ptr<SimPeer>> peers;
  std::vector<SocketAddress> addresses;
  const SocketAddress unused{IpAddress::Loopback(IpAddress::Family::kV4), 9};
  for (size_t i = 0; i <= subscribers; ++i) {
    absl::StatusOr<std::unique_ptr<SimPeer>> peer =
        SimPeer::Create(static_cast<ss::PeerId>(i + 1), unused, {}, nullptr,
                        i == 0 ? 8 << 20 : SubscriberBufferBytes(subscribers));
    if (!peer.ok()) {
      result.error = peer.status().ToString();
      return result;
    }
    peers.push_back(*std::move(peer));
  }
  std::vector<int> fds;
  for (size_t i = 1; i < peers.size(); ++i) {
    sockaddr_storage storage{};
    socklen_t len = sizeof(storage);
    getsockname(peers[i]->fd(), reinterpret_cast<sockaddr*>(&storage), &len);
    addresses.push_back(*SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&storage), len));
    fds.push_back(peers[i]->fd());
  }
  absl::StatusOr<std::unique_ptr<BareForwarder>> bare =
      BareForwarder::Start(*keys, addresses, kForwarderCpu);
  if (!bare.ok()) {
    result.error = bare.status().ToString();
    return result;
  }
  Publisher publisher(peers[0]->fd(), (*bare)->local_address(), &*session, kPublisherSsrc,
                      kPublisherPt);
  Receiver receiver(fds, peers[0]->fd());
  if (!receiver.ok()) {
    result.error = "epoll setup failed";
    return result;
  }
  result.verified = subscribers;
  result.setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start).count();
  result.traffic =
      RunTraffic(publisher, receiver, FindThread(BareForwarder::kThreadName), subscribers, plan);
  (*bare)->Stop();
  result.media_in = (*bare)->received() - (*bare)->open_failed();
  result.media_out = (*bare)->sent();
  result.tx_errors = (*bare)->send_errors();
  result.auth_failures = (*bare)->open_failed();
  result.ok = true;
  return result;
}

}  // namespace sfu::bench::forward
