// The data plane end to end on loopback: real ShardLoops (io_uring and recvmmsg backends, one and
// two shards) with real UDP sockets on 127.0.0.1, driven by this test acting as the control thread
// (AddPeer/RemovePeer through SPSC rings, events back). The browsers are simulated in the test
// process with plain UDP sockets: STUN Binding requests from core/stun's builder, our DtlsEndpoint
// in the client role, SRTP sessions keyed from the client's exporter output. Every wait is bounded
// by a deadline on the real clock.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/net/monotonic_clock.h"
#include "core/net/shard_loop.h"
#include "core/net/spsc_ring.h"
#include "core/net/waker.h"
#include "core/rtp/demux.h"
#include "core/srtp/srtp_keying.h"
#include "core/stun/stun_builder.h"
#include "crypto/certificate.h"
#include "crypto/hmac.h"
#include "gtest/gtest.h"

namespace sfu::net {
namespace {

namespace ss = ::sfu::sfu;
using std::chrono::milliseconds;

constexpr uint8_t kOpusPt = 111;
constexpr uint8_t kVp8Pt = 96;
constexpr uint8_t kSubOpusPt = 109;
constexpr uint8_t kSubVp8Pt = 100;
constexpr uint32_t kPubAudioSsrc = 0x1111;
constexpr uint32_t kPubVideoSsrc = 0x2222;
constexpr auto kStepTimeout = std::chrono::seconds(5);

std::shared_ptr<const crypto::Certificate> MakeCertificate(const char* name) {
  auto cert = crypto::Certificate::GenerateSelfSigned(name, std::chrono::hours(24));
  EXPECT_TRUE(cert.ok()) << cert.status();
  return std::make_shared<const crypto::Certificate>(*std::move(cert));
}

// RFC 3550 §5.1 fixed header, no CSRCs or extensions.
std::vector<uint8_t> MakeRtp(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                             const std::vector<uint8_t>& payload, bool marker) {
  std::vector<uint8_t> p;
  p.reserve(12 + payload.size());
  p.push_back(0x80);
  p.push_back(static_cast<uint8_t>((marker ? 0x80 : 0) | pt));
  p.push_back(static_cast<uint8_t>(seq >> 8));
  p.push_back(static_cast<uint8_t>(seq));
  for (int shift = 24; shift >= 0; shift -= 8) p.push_back(static_cast<uint8_t>(ts >> shift));
  for (int shift = 24; shift >= 0; shift -= 8) p.push_back(static_cast<uint8_t>(ssrc >> shift));
  for (uint8_t b : payload) p.push_back(b);
  return p;
}

// RFC 7741 §4.2 descriptor (S=1, PID=0) and §4.3 payload header (P=0 for a keyframe).
std::vector<uint8_t> Vp8Payload(bool keyframe, uint8_t fill) {
  std::vector<uint8_t> payload = {0x10, static_cast<uint8_t>(keyframe ? 0x00 : 0x01), 0x9D, 0x01,
                                  0x2A};
  for (int i = 0; i < 60; ++i) payload.push_back(static_cast<uint8_t>(fill + i));
  return payload;
}

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
uint32_t GetU32(const std::vector<uint8_t>& p, size_t at) {
  return static_cast<uint32_t>(p[at]) << 24 | p[at + 1] << 16 | p[at + 2] << 8 | p[at + 3];
}

struct Rtp {
  uint8_t pt = 0;
  uint16_t seq = 0;
  uint32_t ssrc = 0;
  std::vector<uint8_t> payload;
};

// Parses the plaintext RTP a subscriber decrypted (header, CSRCs, one extension block, padding).
std::optional<Rtp> ParseRtp(const std::vector<uint8_t>& p) {
  if (p.size() < 12 || (p[0] >> 6) != 2) return std::nullopt;
  Rtp r;
  r.pt = p[1] & 0x7F;
  r.seq = static_cast<uint16_t>(p[2] << 8 | p[3]);
  r.ssrc = GetU32(p, 8);
  size_t offset = 12 + 4 * (p[0] & 0x0F);
  if (p[0] & 0x10) {
    if (p.size() < offset + 4) return std::nullopt;
    offset += 4 + 4 * (p[offset + 2] << 8 | p[offset + 3]);
  }
  size_t end = p.size();
  if (p[0] & 0x20) end -= p.back();
  if (end < offset) return std::nullopt;
  r.payload.assign(p.begin() + offset, p.begin() + end);
  return r;
}

// A simulated browser on its own UDP socket: ICE controlling side (checks only), DTLS client,
// SRTP both ways.
class TestPeer {
 public:
  TestPeer(ss::PeerId id, SocketAddress server, std::array<uint8_t, 32> server_fingerprint)
      : id_(id),
        server_(server),
        server_fingerprint_(server_fingerprint),
        random_(4000 + id),
        certificate_(MakeCertificate("testpeer")) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)), 0);
  }
  ~TestPeer() { close(fd_); }
  TestPeer(const TestPeer&) = delete;
  TestPeer& operator=(const TestPeer&) = delete;

  ss::PeerId id() const { return id_; }
  int fd() const { return fd_; }

  ss::AddPeer BaseCommand(ss::RoomId room) const {
    ss::AddPeer add;
    add.peer = id_;
    add.room = room;
    add.local_ufrag = server_ufrag_;
    add.local_pwd = server_pwd_;
    add.remote_ufrag = ufrag_;
    add.remote_fingerprint = certificate_->fingerprint_sha256();
    return add;
  }

  void Send(absl::Span<const uint8_t> bytes) {
    sockaddr_storage storage{};
    const socklen_t len = server_.ToSockaddr(&storage);
    const ssize_t sent =
        sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&storage), len);
    EXPECT_EQ(sent, static_cast<ssize_t>(bytes.size()));
  }

  // RFC 8445 §7.2.2 check with USERNAME "server:client" and MESSAGE-INTEGRITY keyed with the
  // server's password.
  void SendCheck() {
    auto hmac = crypto::Hmac::Create(
        crypto::HashAlgorithm::kSha1,
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(server_pwd_.data()),
                            server_pwd_.size()));
    ASSERT_TRUE(hmac.ok());
    stun::TransactionId tid{};
    random_.Fill(absl::MakeSpan(tid));
    const std::string username = server_ufrag_ + ":" + ufrag_;
    stun::BindingRequestParams params;
    params.username = username;
    params.priority = 0x6E7F1EFF;
    params.tie_breaker = random_.Next();
    params.use_candidate = true;
    std::vector<uint8_t> buffer(512);
    auto built = stun::BuildBindingRequest(absl::MakeSpan(buffer), tid, params, *hmac);
    ASSERT_TRUE(built.has_value());
    Send(*built);
  }

  void StartDtls(Instant now) {
    dtls::DtlsConfig config;
    config.role = dtls::Role::kClient;
    config.expected_peer_fingerprint = server_fingerprint_;
    auto client = dtls::DtlsEndpoint::CreateClient(config, certificate_, random_);
    ASSERT_TRUE(client.ok()) << client.status();
    dtls_ = *std::move(client);
    dtls_->Start(now);
  }

  // Reads everything waiting on the socket, runs DTLS (timers included), sends what it wants.
  void Service(Instant now) {
    uint8_t buffer[2048];
    for (int i = 0; i < 1024; ++i) {
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      std::vector<uint8_t> datagram(buffer, buffer + n);
      ++datagrams_received;
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
          Unprotectrtcp(std::move(datagram));
          break;
        default:
          ADD_FAILURE() << "sfud sent an unclassifiable datagram";
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
      if (event->kind == dtls::DtlsEvent::Kind::kConnected) {
        auto pair = srtp::CreateSrtpSessions(
            static_cast<srtp::SrtpProfile>(event->srtp.profile),
            absl::MakeConstSpan(event->srtp.material.data(), event->srtp.size()),
            srtp::SrtpRole::kClient);
        EXPECT_TRUE(pair.ok()) << pair.status();
        if (pair.ok()) srtp_.emplace(*std::move(pair));
      }
      dtls_events.push_back(event->kind);
    }
  }

  bool connected() const { return srtp_.has_value(); }
  bool closed_by_server() const {
    for (dtls::DtlsEvent::Kind k : dtls_events) {
      if (k == dtls::DtlsEvent::Kind::kClosed) return true;
    }
    return false;
  }

  void SendRtp(const std::vector<uint8_t>& rtp) {
    std::vector<uint8_t> buffer = rtp;
    buffer.resize(rtp.size() + srtp::kMaxSrtcpTrailer);
    size_t size = 0;
    ASSERT_EQ(srtp_->outbound.ProtectRtp(absl::MakeSpan(buffer), rtp.size(), &size),
              srtp::SrtpResult::kOk);
    Send(absl::MakeConstSpan(buffer.data(), size));
  }
  void SendRtcp(const std::vector<uint8_t>& rtcp) {
    std::vector<uint8_t> buffer = rtcp;
    buffer.resize(rtcp.size() + srtp::kMaxSrtcpTrailer);
    size_t size = 0;
    ASSERT_EQ(srtp_->outbound.ProtectRtcp(absl::MakeSpan(buffer), rtcp.size(), &size),
              srtp::SrtpResult::kOk);
    Send(absl::MakeConstSpan(buffer.data(), size));
  }

  // Decrypts received SRTP packets; `skip` (if set) picks packets to leave undecrypted, as if
  // lost on the way (judged by the clear SRTP header: SSRC and sequence number).
  std::vector<Rtp> TakeRtp(const std::function<bool(uint32_t ssrc, uint16_t seq)>& skip = {}) {
    std::vector<Rtp> out;
    for (std::vector<uint8_t>& packet : rtp_received) {
      if (skip && skip(GetU32(packet, 8), static_cast<uint16_t>(packet[2] << 8 | packet[3]))) {
        continue;
      }
      size_t size = 0;
      EXPECT_EQ(srtp_->inbound.UnprotectRtp(absl::MakeSpan(packet), packet.size(), &size),
                srtp::SrtpResult::kOk);
      packet.resize(size);
      std::optional<Rtp> parsed = ParseRtp(packet);
      EXPECT_TRUE(parsed.has_value());
      if (parsed.has_value()) out.push_back(*std::move(parsed));
    }
    rtp_received.clear();
    return out;
  }

  // Media SSRCs of the PLIs (RFC 4585 §6.3.1: PT 206, FMT 1) in the SRTCP received so far.
  std::vector<uint32_t> pli_ssrcs;
  int rtcp_decrypted = 0;
  int stun_responses = 0;
  int dtls_received = 0;
  int datagrams_received = 0;
  std::vector<dtls::DtlsEvent::Kind> dtls_events;
  std::vector<std::vector<uint8_t>> rtp_received;

 private:
  void Unprotectrtcp(std::vector<uint8_t> packet) {
    if (!srtp_.has_value()) return;
    size_t size = 0;
    if (srtp_->inbound.UnprotectRtcp(absl::MakeSpan(packet), packet.size(), &size) !=
        srtp::SrtpResult::kOk) {
      ADD_FAILURE() << "SRTCP from sfud did not decrypt";
      return;
    }
    ++rtcp_decrypted;
    size_t offset = 0;
    while (offset + 4 <= size) {
      const size_t length = 4 * (1 + (packet[offset + 2] << 8 | packet[offset + 3]));
      if (offset + length > size) break;
      if (packet[offset + 1] == 206 && (packet[offset] & 0x1F) == 1 && length >= 12) {
        pli_ssrcs.push_back(GetU32(packet, offset + 8));
      }
      offset += length;
    }
  }

  ss::PeerId id_;
  SocketAddress server_;
  std::array<uint8_t, 32> server_fingerprint_;
  std::string ufrag_ = "peer" + std::to_string(id_);
  std::string server_ufrag_ = "srv" + std::to_string(id_) + "x";
  std::string server_pwd_ = "serverpassword" + std::to_string(id_) + "x0123456789abcdef";
  SeededRandom random_;
  std::shared_ptr<const crypto::Certificate> certificate_;
  int fd_ = -1;
  std::unique_ptr<dtls::DtlsEndpoint> dtls_;
  std::optional<srtp::SrtpSessionPair> srtp_;
};

// The control thread's end of one shard: SPSC rings both ways and the shard's wake-up.
struct ControlChannel {
  explicit ControlChannel(Waker w) : waker(std::move(w)) {}
  SpscRing<ss::ShardCommand, 256> commands;
  SpscRing<ss::ShardEvent, 1024> events;
  Waker waker;
};

// One room on one shard: a publisher (Opus + VP8) and its subscribers.
struct Room {
  ss::RoomId id = 0;
  int shard = 0;
  TestPeer* publisher = nullptr;
  std::vector<TestPeer*> subscribers;
};

class DataplaneTest : public testing::TestWithParam<std::tuple<IoBackendKind, int>> {
 protected:
  void SetUp() override {
    certificate_ = MakeCertificate("sfud");
    const int shards = std::get<1>(GetParam());
    for (int k = 0; k < shards; ++k) {
      absl::StatusOr<Waker> waker = Waker::Create();
      ASSERT_TRUE(waker.ok());
      channels_.push_back(std::make_unique<ControlChannel>(*std::move(waker)));
      ControlChannel* channel = channels_.back().get();
      ShardLoopOptions options;
      options.index = k;
      options.listen = {SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}};
      options.io.kind = std::get<0>(GetParam());
      options.io.receive_slots_per_socket = 256;
      options.engine.router.keyframe_request_interval = milliseconds(20);
      ShardControl control;
      control.pop_command = [channel]() -> std::optional<ss::ShardCommand> {
        ss::ShardCommand command;
        if (!channel->commands.TryPop(command)) return std::nullopt;
        return command;
      };
      control.push_event = [channel](ss::ShardEvent&& event) {
        return channel->events.TryPush(std::move(event));
      };
      control.waker = &channel->waker;
      absl::StatusOr<std::unique_ptr<ShardLoop>> loop =
          ShardLoop::Start(std::move(options), certificate_, std::move(control));
      ASSERT_TRUE(loop.ok()) << loop.status();
      loops_.push_back(*std::move(loop));
    }
  }

  void TearDown() override {
    for (auto& loop : loops_) loop->Stop();
  }

  TestPeer& NewPeer(int shard) {
    peers_.push_back(std::make_unique<TestPeer>(next_id_++, loops_[shard]->local_addresses()[0],
                                                certificate_->fingerprint_sha256()));
    return *peers_.back();
  }

  void Post(int shard, ss::ShardCommand command) {
    ASSERT_TRUE(channels_[shard]->commands.TryPush(std::move(command)));
    channels_[shard]->waker.Wake();
  }

  void AddPublisher(int shard, const TestPeer& peer, ss::RoomId room) {
    ss::AddPeer add = peer.BaseCommand(room);
    ss::PublisherConfig publisher;
    publisher.tracks.push_back(ss::TrackConfig{"0",
                                               ss::MediaKind::kAudio,
                                               {ss::CodecConfig{kOpusPt, "opus", 48000, 0}},
                                               {},
                                               {ss::LayerConfig{"", kPubAudioSsrc, 0}}});
    publisher.tracks.push_back(ss::TrackConfig{"1",
                                               ss::MediaKind::kVideo,
                                               {ss::CodecConfig{kVp8Pt, "VP8", 90000, 0}},
                                               {},
                                               {ss::LayerConfig{"", kPubVideoSsrc, 0}}});
    publisher.feedback_ssrc = 0x5F5F0000 + peer.id();
    add.media = publisher;
    Post(shard, std::move(add));
  }

  static uint32_t AudioSsrc(const TestPeer& p) { return 0xA0000000 + p.id(); }
  static uint32_t VideoSsrc(const TestPeer& p) { return 0xB0000000 + p.id(); }

  void AddSubscriber(int shard, const TestPeer& peer, ss::RoomId room) {
    ss::AddPeer add = peer.BaseCommand(room);
    ss::SubscriberConfig subscriber;
    subscriber.slots.push_back(ss::SlotConfig{"0",
                                              ss::MediaKind::kAudio,
                                              {ss::CodecConfig{kSubOpusPt, "opus", 48000, 0}},
                                              {},
                                              AudioSsrc(peer),
                                              0});
    subscriber.slots.push_back(ss::SlotConfig{"1",
                                              ss::MediaKind::kVideo,
                                              {ss::CodecConfig{kSubVp8Pt, "VP8", 90000, 0}},
                                              {},
                                              VideoSsrc(peer),
                                              0});
    add.media = subscriber;
    Post(shard, std::move(add));
  }

  // Services every peer and drains every shard's events until `done` or the step timeout.
  bool RunUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kStepTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const Instant now = MonotonicClock::Now();
      for (auto& peer : peers_) peer->Service(now);
      for (auto& channel : channels_) {
        ss::ShardEvent event;
        while (channel->events.TryPop(event)) events_.push_back(event);
      }
      if (done()) return true;
      std::vector<pollfd> fds;
      for (auto& peer : peers_) fds.push_back(pollfd{peer->fd(), POLLIN, 0});
      poll(fds.data(), fds.size(), 2);
    }
    return false;
  }

  // Lets the shard take what is in flight (no condition to wait for: used to show that nothing
  // arrives).
  void RunFor(std::chrono::milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    RunUntil([&] { return std::chrono::steady_clock::now() >= end; });
  }

  template <typename T>
  std::vector<T> EventsOf() const {
    std::vector<T> out;
    for (const ss::ShardEvent& e : events_) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  // Sets up one room per shard (publisher + `subscribers` viewers) and connects everyone.
  std::vector<Room> ConnectRooms(int subscribers) {
    std::vector<Room> rooms;
    for (int k = 0; k < static_cast<int>(loops_.size()); ++k) {
      Room room{static_cast<ss::RoomId>(100 + k), k, &NewPeer(k), {}};
      AddPublisher(k, *room.publisher, room.id);
      for (int i = 0; i < subscribers; ++i) {
        room.subscribers.push_back(&NewPeer(k));
        AddSubscriber(k, *room.subscribers.back(), room.id);
      }
      rooms.push_back(room);
    }
    // Commands first: a check for a ufrag the shard has not registered yet is not answered.
    RunFor(milliseconds(20));
    const Instant now = MonotonicClock::Now();
    for (auto& peer : peers_) {
      peer->SendCheck();
      peer->StartDtls(now);
    }
    const bool connected = RunUntil([&] {
      for (auto& peer : peers_) {
        if (!peer->connected()) return false;
      }
      return EventsOf<ss::PeerConnected>().size() == peers_.size();
    });
    if (!connected) {
      for (auto& peer : peers_) {
        ADD_FAILURE() << "peer " << peer->id() << ": stun responses " << peer->stun_responses
                      << ", dtls datagrams " << peer->dtls_received << ", connected "
                      << peer->connected() << "; shard events " << events_.size();
      }
    }
    return rooms;
  }

  std::shared_ptr<const crypto::Certificate> certificate_;
  std::vector<std::unique_ptr<ControlChannel>> channels_;
  std::vector<std::unique_ptr<ShardLoop>> loops_;
  std::vector<std::unique_ptr<TestPeer>> peers_;
  std::vector<ss::ShardEvent> events_;
  ss::PeerId next_id_ = 1;
};

TEST_P(DataplaneTest, PublisherMediaReachesEverySubscriberByteIdenticalNackAndPli) {
  constexpr int kPackets = 30;
  std::vector<Room> rooms = ConnectRooms(3);
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(EventsOf<ss::PeerRemoved>().empty());

  std::vector<std::vector<uint8_t>> audio_payloads, video_payloads;
  for (int i = 0; i < kPackets; ++i) {
    std::vector<uint8_t> audio(40 + i % 7);
    for (size_t j = 0; j < audio.size(); ++j) audio[j] = static_cast<uint8_t>(i * 13 + j);
    audio_payloads.push_back(audio);
    video_payloads.push_back(Vp8Payload(i == 0, static_cast<uint8_t>(i)));
  }
  for (Room& room : rooms) {
    for (int i = 0; i < kPackets; ++i) {
      room.publisher->SendRtp(MakeRtp(kOpusPt, static_cast<uint16_t>(1000 + i), 960u * i,
                                      kPubAudioSsrc, audio_payloads[i], false));
      room.publisher->SendRtp(MakeRtp(kVp8Pt, static_cast<uint16_t>(5000 + i), 3000u * i,
                                      kPubVideoSsrc, video_payloads[i], true));
    }
  }
  ASSERT_TRUE(RunUntil([&] {
    for (const Room& room : rooms) {
      for (const TestPeer* sub : room.subscribers) {
        if (sub->rtp_received.size() < 2 * kPackets) return false;
      }
    }
    return true;
  })) << "subscribers did not receive every forwarded packet";

  for (Room& room : rooms) {
    for (size_t s = 0; s < room.subscribers.size(); ++s) {
      TestPeer& sub = *room.subscribers[s];
      // The first subscriber "loses" its 4th video packet on the way, to NACK it below.
      std::optional<uint16_t> lost_seq;
      int video_seen = 0;
      std::vector<Rtp> got = sub.TakeRtp([&](uint32_t ssrc, uint16_t seq) {
        if (s != 0 || ssrc != VideoSsrc(sub) || video_seen++ != 3) return false;
        lost_seq = seq;
        return true;
      });
      std::vector<Rtp> audio, video;
      for (Rtp& p : got) (p.ssrc == AudioSsrc(sub) ? audio : video).push_back(p);
      ASSERT_EQ(audio.size(), static_cast<size_t>(kPackets));
      ASSERT_EQ(video.size(), static_cast<size_t>(s == 0 ? kPackets - 1 : kPackets));
      for (int i = 0; i < kPackets; ++i) {
        EXPECT_EQ(audio[i].pt, kSubOpusPt);
        EXPECT_EQ(audio[i].payload, audio_payloads[i]) << "audio packet " << i;
      }
      for (size_t i = 0, v = 0; i < video.size(); ++i, ++v) {
        if (s == 0 && v == 3) ++v;  // the lost one
        EXPECT_EQ(video[i].ssrc, VideoSsrc(sub));
        EXPECT_EQ(video[i].pt, kSubVp8Pt);
        EXPECT_EQ(video[i].payload, video_payloads[v]) << "video packet " << v;
      }
      if (s != 0) continue;

      // RFC 4585 §6.2.1 generic NACK (after an empty RR, RFC 3550 §6.1 compound) for the lost
      // packet: sfud resends it from its buffer, and it decrypts to the original payload.
      ASSERT_TRUE(lost_seq.has_value());
      std::vector<uint8_t> rtcp = {0x80, 201, 0, 1};
      PutU32(rtcp, 0x77000000 + sub.id());
      rtcp.insert(rtcp.end(), {0x81, 205, 0, 3});
      PutU32(rtcp, 0x77000000 + sub.id());
      PutU32(rtcp, VideoSsrc(sub));
      rtcp.insert(rtcp.end(),
                  {static_cast<uint8_t>(*lost_seq >> 8), static_cast<uint8_t>(*lost_seq), 0, 0});
      sub.SendRtcp(rtcp);
      ASSERT_TRUE(RunUntil([&] { return !sub.rtp_received.empty(); }))
          << "no retransmission for the NACKed packet";
      std::vector<Rtp> resent = sub.TakeRtp();
      ASSERT_EQ(resent.size(), 1u);
      EXPECT_EQ(resent[0].ssrc, VideoSsrc(sub));
      EXPECT_EQ(resent[0].seq, *lost_seq);
      EXPECT_EQ(resent[0].payload, video_payloads[3]);
    }

    // A viewer's PLI (RFC 4585 §6.3.1) for the SSRC sfud announced reaches the publisher as a PLI
    // for its own SSRC, once the keyframe-request interval since the connect-time PLI has passed.
    TestPeer& viewer = *room.subscribers.back();
    RunFor(milliseconds(50));
    room.publisher->pli_ssrcs.clear();
    std::vector<uint8_t> pli = {0x81, 206, 0, 2};
    PutU32(pli, 0x77000000 + viewer.id());
    PutU32(pli, VideoSsrc(viewer));
    viewer.SendRtcp(pli);
    ASSERT_TRUE(RunUntil([&] { return !room.publisher->pli_ssrcs.empty(); }))
        << "the subscriber's PLI did not reach the publisher";
    EXPECT_EQ(room.publisher->pli_ssrcs[0], kPubVideoSsrc);
  }

  // Stop: every connected peer gets close_notify and the control thread one PeerRemoved each.
  for (auto& loop : loops_) loop->Stop();
  EXPECT_TRUE(RunUntil([&] {
    for (auto& peer : peers_) {
      if (!peer->closed_by_server()) return false;
    }
    return EventsOf<ss::PeerRemoved>().size() == peers_.size();
  })) << "shutdown did not close every session";
  for (const ss::PeerRemoved& removed : EventsOf<ss::PeerRemoved>()) {
    EXPECT_EQ(removed.reason, ss::RemoveReason::kShutdown);
  }
  uint64_t rtp_in = 0, rtp_out = 0, unroutable = 0, tx_errors = 0;
  for (auto& loop : loops_) {
    rtp_in += loop->final_stats().rtp_in;
    rtp_out += loop->final_stats().rtp_out;
    unroutable += loop->final_unroutable();
    tx_errors += loop->final_io_stats().tx_errors;
  }
  EXPECT_EQ(rtp_in, rooms.size() * 2 * kPackets);
  EXPECT_EQ(rtp_out, rooms.size() * (3 * 2 * kPackets + 1));  // + the one retransmission
  EXPECT_EQ(unroutable, 0u);
  EXPECT_EQ(tx_errors, 0u);
}

TEST_P(DataplaneTest, DtlsFromAnUnknownTupleIsNeverAnswered) {
  std::vector<Room> rooms = ConnectRooms(1);
  ASSERT_FALSE(HasFailure());
  // A stranger (no STUN check ever) opens a real DTLS handshake at every shard.
  for (int k = 0; k < static_cast<int>(loops_.size()); ++k) {
    TestPeer& stranger = NewPeer(k);
    stranger.StartDtls(MonotonicClock::Now());
  }
  RunFor(milliseconds(300));  // long enough for a HelloVerifyRequest and a client retransmission
  for (size_t i = peers_.size() - loops_.size(); i < peers_.size(); ++i) {
    EXPECT_EQ(peers_[i]->datagrams_received, 0) << "sfud answered a tuple that never checked in";
  }
  for (auto& loop : loops_) loop->Stop();
  for (auto& loop : loops_) {
    EXPECT_GE(loop->final_stats().drop_unknown_5tuple, 1u);
    EXPECT_EQ(loop->final_stats().hello_verify_requests, 2u)  // one per connected peer
        << "only the checked-in peers' ClientHellos were answered";
  }
}

TEST_P(DataplaneTest, RemovePeerEndsWithPeerRemovedAndCloseNotify) {
  std::vector<Room> rooms = ConnectRooms(2);
  ASSERT_FALSE(HasFailure());
  TestPeer& leaving = *rooms[0].subscribers[0];
  Post(rooms[0].shard, ss::RemovePeer{leaving.id()});
  ASSERT_TRUE(RunUntil([&] {
    return leaving.closed_by_server() && !EventsOf<ss::PeerRemoved>().empty();
  })) << "no close_notify or no PeerRemoved";
  std::vector<ss::PeerRemoved> removed = EventsOf<ss::PeerRemoved>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].peer, leaving.id());
  EXPECT_EQ(removed[0].reason, ss::RemoveReason::kDeleted);

  // The others still get media.
  rooms[0].publisher->SendRtp(
      MakeRtp(kOpusPt, 1, 0, kPubAudioSsrc, std::vector<uint8_t>(50, 0x42), false));
  TestPeer& staying = *rooms[0].subscribers[1];
  ASSERT_TRUE(RunUntil([&] { return !staying.rtp_received.empty(); }));
  std::vector<Rtp> got = staying.TakeRtp();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, std::vector<uint8_t>(50, 0x42));
  EXPECT_TRUE(leaving.rtp_received.empty());
}

std::string ParamName(const testing::TestParamInfo<std::tuple<IoBackendKind, int>>& info) {
  return std::string(std::get<0>(info.param) == IoBackendKind::kIoUring ? "IoUring" : "Mmsg") +
         "_" + std::to_string(std::get<1>(info.param)) + "shard";
}

INSTANTIATE_TEST_SUITE_P(Backends, DataplaneTest,
                         testing::Combine(testing::Values(IoBackendKind::kIoUring,
                                                          IoBackendKind::kMmsg),
                                          testing::Values(1, 2)),
                         ParamName);

}  // namespace
}  // namespace sfu::net
