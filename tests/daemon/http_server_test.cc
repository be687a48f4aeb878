// WHIP/WHEP/API status codes over loopback HTTP: cpp-httplib's client against HttpServer on an
// ephemeral port, with recording ShardHandles standing in for the shards.
#include "daemon/http_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "core/sdp/sdp_parser.h"
#include "daemon/control_plane.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

sfu::PeerConnected Connected(sfu::PeerId peer) {
  sfu::PeerConnected e;
  e.peer = peer;
  return e;
}

sfu::PeerRemoved Removed(sfu::PeerId peer, sfu::RemoveReason reason, const char* detail = "") {
  sfu::PeerRemoved e;
  e.peer = peer;
  e.reason = reason;
  e.detail = detail;
  return e;
}

// Records what the control plane posts; the test injects the shard's events.
class RecordingShard final : public ShardHandle {
 public:
  explicit RecordingShard(uint32_t index) : index_(index) {}
  uint32_t index() const override { return index_; }
  bool Post(sfu::ShardCommand&& command) override {
    if (!accept) return false;
    commands.push_back(std::move(command));
    return true;
  }
  size_t DrainEvents(std::vector<sfu::ShardEvent>& out) override {
    size_t n = events.size();
    for (auto& e : events) out.push_back(std::move(e));
    events.clear();
    return n;
  }
  int event_fd() const override { return -1; }

  bool accept = true;
  std::vector<sfu::ShardCommand> commands;
  std::vector<sfu::ShardEvent> events;

 private:
  uint32_t index_;
};

std::string ReadFixture(const char* name) {
  std::ifstream in(std::string(SDP_FIXTURE_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(""); }

  void Start(const std::string& token, size_t max_request_bytes = 64 * 1024,
             uint32_t max_sessions_per_shard = 0) {
    http_.reset();
    control_.reset();
    shards_.clear();
    for (uint32_t i = 0; i < 2; ++i) shards_.push_back(std::make_unique<RecordingShard>(i));
    std::vector<ShardHandle*> handles;
    for (auto& s : shards_) handles.push_back(s.get());
    ControlPlaneConfig config;
    config.listen_addresses = {IpAddress::Loopback(IpAddress::Family::kV4)};
    config.base_port = 10000;
    config.fingerprint =
        "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
        "67:89:AB:CD:EF";
    config.max_sessions_per_shard = max_sessions_per_shard;
    control_ = std::make_unique<ControlPlane>(config, handles, random_, logger_);
    http_ = std::make_unique<HttpServer>(*control_, HttpServerOptions{token, max_request_bytes},
                                         logger_);
    ASSERT_TRUE(http_->Start(SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", http_->port());
  }

  void TearDown() override {
    http_.reset();
    if (log_) std::fclose(log_);
  }

  RecordingShard& HomeShard(const std::string& room) {
    return *shards_[ShardPlacement::HomeShard(room, 2)];
  }
  size_t TotalCommands() const {
    size_t n = 0;
    for (auto& s : shards_) n += s->commands.size();
    return n;
  }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& type = "application/sdp",
                       const httplib::Headers& headers = {}) {
    return client_->Post(path.c_str(), headers, body, type.c_str());
  }
  httplib::Result Patch(const std::string& path, const std::string& body,
                        const httplib::Headers& headers,
                        const std::string& type = "application/trickle-ice-sdpfrag") {
    return client_->Patch(path.c_str(), headers, body, type.c_str());
  }

  std::FILE* log_ = std::fopen("/dev/null", "w");
  Logger logger_{log_, LogLevel::kDebug};
  SeededRandom random_{42};
  std::vector<std::unique_ptr<RecordingShard>> shards_;
  std::unique_ptr<ControlPlane> control_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, WhipPostAnswersChromiumOfferWith201) {
  auto res =
      Post("/whip/room1", ReadFixture("chromium156_offer.sdp"), "application/sdp; charset=utf-8");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  const std::string location = res->get_header_value("Location");
  EXPECT_TRUE(std::regex_match(location, std::regex("/whip/room1/[0-9a-f]{32}"))) << location;
  EXPECT_TRUE(std::regex_match(res->get_header_value("ETag"), std::regex("\"[0-9a-f]{16}\"")));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/sdp");
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_THAT(res->get_header_value("Access-Control-Expose-Headers"), HasSubstr("Location"));

  // A valid answer: ICE-lite, passive DTLS, our fingerprint, a candidate on the home shard's port.
  auto answer = sdp::SdpParser().Parse(res->body);
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->media.size(), 2u);
  const uint32_t home = ShardPlacement::HomeShard("room1", 2);
  EXPECT_THAT(res->body, HasSubstr("a=ice-lite"));
  EXPECT_THAT(res->body, HasSubstr("a=setup:passive"));
  EXPECT_THAT(res->body, HasSubstr("a=fingerprint:sha-256 01:23:45"));
  EXPECT_THAT(res->body, HasSubstr("127.0.0.1 " + std::to_string(10000 + home) + " typ host"));

  // Exactly one AddPeer, to the home shard, as a publisher with both tracks.
  ASSERT_EQ(TotalCommands(), 1u);
  ASSERT_EQ(HomeShard("room1").commands.size(), 1u);
  const auto& add = std::get<sfu::AddPeer>(HomeShard("room1").commands[0]);
  EXPECT_EQ(add.role(), sfu::PeerRole::kPublisher);
  EXPECT_EQ(add.remote_ufrag, "Dqs1");
  EXPECT_EQ(add.remote_pwd, "XVJEg04nDYpeMI2hZF+Hi4jA");
  EXPECT_EQ(add.local_ufrag.size(), 8u);
  EXPECT_THAT(res->body, HasSubstr("a=ice-ufrag:" + add.local_ufrag));
  const auto& publisher = std::get<sfu::PublisherConfig>(add.media);
  ASSERT_EQ(publisher.tracks.size(), 2u);
  EXPECT_EQ(publisher.tracks[0].kind, sfu::MediaKind::kAudio);
  EXPECT_EQ(publisher.tracks[1].kind, sfu::MediaKind::kVideo);
  EXPECT_FALSE(publisher.tracks[1].codecs.empty());
}

TEST_F(HttpServerTest, WhepViewerBeforePublisherGetsAudioAndVideoSlots) {
  auto res = Post("/whep/room2", ReadFixture("chromium156_viewer_offer.sdp"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_TRUE(
      std::regex_match(res->get_header_value("Location"), std::regex("/whep/room2/[0-9a-f]{32}")));
  const auto& add = std::get<sfu::AddPeer>(HomeShard("room2").commands.at(0));
  const auto& subscriber = std::get<sfu::SubscriberConfig>(add.media);
  ASSERT_EQ(subscriber.slots.size(), 2u);
  EXPECT_EQ(subscriber.slots[0].kind, sfu::MediaKind::kAudio);
  EXPECT_EQ(subscriber.slots[1].kind, sfu::MediaKind::kVideo);
  for (const auto& slot : subscriber.slots) {
    EXPECT_NE(slot.ssrc, 0u);
    // The answer announces the SSRC the shard will send from.
    EXPECT_THAT(res->body, HasSubstr("a=ssrc:" + std::to_string(slot.ssrc) + " "));
  }
  EXPECT_THAT(res->body, HasSubstr("a=sendonly"));
}

TEST_F(HttpServerTest, MalformedSdpIs400WithOneLineReasonAndLeavesNothing) {
  auto res = Post("/whip/room1", "v=0\r\no=broken\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("line"));
  EXPECT_EQ(std::count(res->body.begin(), res->body.end(), '\n'), 1);
  // An offer that parses but cannot be served (no ICE credentials) is also 400.
  std::string offer = ReadFixture("chromium156_offer.sdp");
  offer = std::regex_replace(offer, std::regex("a=ice-(ufrag|pwd):[^\r\n]*\r?\n"), "");
  res = Post("/whip/room1", offer);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("ICE"));
  EXPECT_EQ(TotalCommands(), 0u);
  EXPECT_EQ(control_->session_count(), 0u);
  EXPECT_EQ(client_->Get("/api/rooms")->body, "{\"draining\":false,\"rooms\":[]}");
  // Bad room names too.
  res = Post("/whip/bad%20room", ReadFixture("chromium156_offer.sdp"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST_F(HttpServerTest, WrongContentTypeIs415) {
  auto res = Post("/whip/room1", ReadFixture("chromium156_offer.sdp"), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  EXPECT_EQ(res->get_header_value("Accept-Post"), "application/sdp");
  EXPECT_EQ(TotalCommands(), 0u);
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  Start("", 4096);
  auto res = Post("/whip/room1", std::string(8192, 'a'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(TotalCommands(), 0u);
}

TEST_F(HttpServerTest, UnknownSessionIs404) {
  auto del = client_->Delete("/whip/room1/00000000000000000000000000000000");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 404);
  auto patch = Patch("/whip/room1/00000000000000000000000000000000", "a=end-of-candidates\r\n", {});
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->status, 404);
  EXPECT_EQ(client_->Get("/nowhere")->status, 404);
}

TEST_F(HttpServerTest, BearerTokenMissingIs401WrongIs403RightIs201) {
  Start("s3cret");
  const std::string offer = ReadFixture("chromium156_offer.sdp");
  auto res = Post("/whip/room1", offer);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_THAT(res->get_header_value("WWW-Authenticate"), HasSubstr("Bearer"));
  res = Post("/whip/room1", offer, "application/sdp", {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = Post("/whip/room1", offer, "application/sdp", {{"Authorization", "Bearer s3cre"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(TotalCommands(), 0u);
  EXPECT_EQ(client_->Get("/api/rooms")->status, 401);
  res = Post("/whip/room1", offer, "application/sdp", {{"Authorization", "bearer s3cret"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  // DELETE needs the token too.
  const std::string location = res->get_header_value("Location");
  EXPECT_EQ(client_->Delete(location.c_str())->status, 401);
  EXPECT_EQ(client_->Delete(location.c_str(), {{"Authorization", "Bearer s3cret"}})->status, 200);
  // Health and preflight stay open.
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Options("/whip/room1")->status, 204);
}

TEST_F(HttpServerTest, PatchStatusesFollowRfc9725) {
  auto created = Post("/whip/room1", ReadFixture("chromium156_offer.sdp"));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201);
  const std::string location = created->get_header_value("Location");
  const std::string etag = created->get_header_value("ETag");
  const std::string trickle =
      "a=ice-ufrag:Dqs1\r\na=ice-pwd:XVJEg04nDYpeMI2hZF+Hi4jA\r\nm=audio 9 UDP/TLS/RTP/SAVPF "
      "111\r\n"
      "a=mid:0\r\na=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\n";

  // Trickle with the session's ETag: accepted, nothing for an ICE-lite agent to do.
  auto res = Patch(location, trickle, {{"If-Match", etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  // Another entity tag: 412.
  res = Patch(location, trickle, {{"If-Match", "\"0000\""}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 412);
  // ICE restart (If-Match: * and new credentials): unsupported while trickle is → 422.
  res = Patch(location,
              "a=ice-ufrag:New1\r\na=ice-pwd:NewPasswordNewPassword12\r\nm=audio 9 UDP/TLS/RTP/"
              "SAVPF 111\r\na=mid:0\r\n",
              {{"If-Match", "*"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  // Wrong body type: 415; malformed fragment: 400.
  res = Patch(location, trickle, {{"If-Match", etag}}, "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  res = Patch(location, "v=0\r\n", {{"If-Match", etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  // PATCH on the endpoint rather than a session: 405 with Allow.
  res = Patch("/whip/room1", trickle, {});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST, OPTIONS");
  // None of this posted anything beyond the AddPeer.
  EXPECT_EQ(TotalCommands(), 1u);
}

TEST_F(HttpServerTest, OptionsAnswersCorsPreflight) {
  auto res = client_->Options("/whip/room1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_THAT(res->get_header_value("Access-Control-Allow-Methods"), HasSubstr("POST"));
  EXPECT_THAT(res->get_header_value("Access-Control-Allow-Headers"), HasSubstr("Authorization"));
  EXPECT_THAT(res->get_header_value("Access-Control-Allow-Headers"), HasSubstr("Content-Type"));
  EXPECT_THAT(res->get_header_value("Access-Control-Expose-Headers"), HasSubstr("Location"));
  EXPECT_EQ(res->get_header_value("Accept-Post"), "application/sdp");

  res = client_->Options("/whep/room1/abc");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_THAT(res->get_header_value("Access-Control-Allow-Methods"), HasSubstr("DELETE"));
  EXPECT_THAT(res->get_header_value("Access-Control-Allow-Headers"), HasSubstr("If-Match"));
  EXPECT_EQ(res->get_header_value("Accept-Patch"), "application/trickle-ice-sdpfrag");
}

TEST_F(HttpServerTest, DeletePostsRemovePeerAndSessionLeavesOnPeerRemoved) {
  auto created = Post("/whip/room1", ReadFixture("chromium156_offer.sdp"));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201);
  RecordingShard& shard = HomeShard("room1");
  const sfu::PeerId peer = std::get<sfu::AddPeer>(shard.commands.at(0)).peer;

  auto res = client_->Delete(created->get_header_value("Location").c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_EQ(shard.commands.size(), 2u);
  EXPECT_EQ(std::get<sfu::RemovePeer>(shard.commands[1]).peer, peer);
  // No longer addressable, but listed as closing until the shard confirms.
  EXPECT_EQ(client_->Delete(created->get_header_value("Location").c_str())->status, 404);
  EXPECT_THAT(client_->Get("/api/rooms")->body, HasSubstr("\"state\":\"closing\""));

  shard.events.push_back(Removed(peer, sfu::RemoveReason::kDeleted));
  EXPECT_EQ(control_->PollShards(), 1u);
  EXPECT_EQ(control_->session_count(), 0u);
  EXPECT_EQ(client_->Get("/api/rooms")->body, "{\"draining\":false,\"rooms\":[]}");
}

TEST_F(HttpServerTest, ApiRoomsReflectsSessionsAndShardEvents) {
  ASSERT_EQ(Post("/whip/lobby", ReadFixture("chromium156_offer.sdp"))->status, 201);
  ASSERT_EQ(Post("/whep/lobby", ReadFixture("chromium156_viewer_offer.sdp"))->status, 201);
  RecordingShard& shard = HomeShard("lobby");
  ASSERT_EQ(shard.commands.size(), 2u);
  const sfu::PeerId publisher = std::get<sfu::AddPeer>(shard.commands[0]).peer;
  const sfu::PeerId viewer = std::get<sfu::AddPeer>(shard.commands[1]).peer;
  EXPECT_EQ(std::get<sfu::AddPeer>(shard.commands[0]).room,
            std::get<sfu::AddPeer>(shard.commands[1]).room);

  FiveTuple tuple;
  tuple.local = SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 10000};
  tuple.remote = SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 50000};
  shard.events.push_back(sfu::PeerIceSelected{publisher, tuple});
  shard.events.push_back(Connected(publisher));
  control_->PollShards();

  auto res = client_->Get("/api/rooms");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const std::string& json = res->body;
  const std::string shard_index = std::to_string(ShardPlacement::HomeShard("lobby", 2));
  EXPECT_TRUE(std::regex_search(
      json, std::regex("\\{\"draining\":false,\"rooms\":\\[\\{\"name\":\"lobby\","
                       "\"publishers\":\\[\\{\"id\":\"[0-9a-f]{32}\",\"shard\":" +
                       shard_index +
                       ",\"state\":\"connected\",\"remote\":\"127.0.0.1:50000\"\\}\\],"
                       "\"subscribers\":\\[\\{\"id\":\"[0-9a-f]{32}\",\"shard\":" +
                       shard_index + ",\"state\":\"connecting\"\\}\\]\\}\\]\\}")))
      << json;

  // The same table as metrics see it: all six (role, state) series, zeros included.
  auto count_of = [&](std::string_view role, std::string_view state) -> int64_t {
    std::vector<ControlPlane::SessionCount> counts = control_->SessionCounts();
    EXPECT_EQ(counts.size(), 6u);
    for (const ControlPlane::SessionCount& c : counts) {
      if (c.role == role && c.state == state) return c.count;
    }
    return -1;
  };
  EXPECT_EQ(count_of("publisher", "connected"), 1);
  EXPECT_EQ(count_of("subscriber", "connecting"), 1);
  EXPECT_EQ(count_of("publisher", "connecting"), 0);
  EXPECT_EQ(count_of("subscriber", "closing"), 0);
  EXPECT_EQ(control_->room_count(), 1u);

  // A shard-side failure removes the session as well.
  shard.events.push_back(Removed(viewer, sfu::RemoveReason::kDtlsFailed, "timeout"));
  control_->PollShards();
  EXPECT_THAT(client_->Get("/api/rooms")->body, Not(HasSubstr("subscribers\":[{")));
  EXPECT_EQ(count_of("subscriber", "connecting"), 0);
  EXPECT_EQ(count_of("publisher", "connected"), 1);
}

TEST_F(HttpServerTest, FullShardQueueIs503AndLeavesNothing) {
  for (auto& s : shards_) s->accept = false;
  auto res = Post("/whip/room1", ReadFixture("chromium156_offer.sdp"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(control_->session_count(), 0u);
  EXPECT_EQ(client_->Get("/api/rooms")->body, "{\"draining\":false,\"rooms\":[]}");
  for (auto& s : shards_) s->accept = true;
  EXPECT_EQ(Post("/whip/room1", ReadFixture("chromium156_offer.sdp"))->status, 201);
}

TEST_F(HttpServerTest, FullShardIs503UntilASessionLeaves) {
  Start("", 64 * 1024, /*max_sessions_per_shard=*/2);
  // One room: every session lands on its home shard.
  ASSERT_EQ(Post("/whip/lobby", ReadFixture("chromium156_offer.sdp"))->status, 201);
  ASSERT_EQ(Post("/whep/lobby", ReadFixture("chromium156_viewer_offer.sdp"))->status, 201);
  auto refused = Post("/whep/lobby", ReadFixture("chromium156_viewer_offer.sdp"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_THAT(refused->body, HasSubstr("max_sessions_per_shard"));
  EXPECT_EQ(control_->session_count(), 2u);
  RecordingShard& shard = HomeShard("lobby");
  ASSERT_EQ(shard.commands.size(), 2u);  // the refused one was never posted
  // The shard's PeerRemoved frees the place.
  shard.events.push_back(Removed(std::get<sfu::AddPeer>(shard.commands[1]).peer,
                                 sfu::RemoveReason::kDtlsFailed, "timeout"));
  control_->PollShards();
  EXPECT_EQ(Post("/whep/lobby", ReadFixture("chromium156_viewer_offer.sdp"))->status, 201);
}

TEST_F(HttpServerTest, HealthAndReadiness) {
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  auto res = client_->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("starting"));
  control_->set_ready(true);
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
}

TEST_F(HttpServerTest, DrainingRefusesNewSessionsAndClosesExistingOnes) {
  control_->set_ready(true);
  auto created = Post("/whip/room1", ReadFixture("chromium156_offer.sdp"));
  ASSERT_EQ(created->status, 201);
  control_->BeginDrain();
  RecordingShard& shard = HomeShard("room1");
  ASSERT_EQ(shard.commands.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<sfu::RemovePeer>(shard.commands[1]));

  auto res = Post("/whep/room1", ReadFixture("chromium156_viewer_offer.sdp"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  res = client_->Get("/readyz");
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("draining"));
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_THAT(client_->Get("/api/rooms")->body, HasSubstr("\"draining\":true"));
  EXPECT_EQ(shard.commands.size(), 2u);
}

TEST_F(HttpServerTest, DemoPageIsSelfContained) {
  auto res = client_->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(res->body, HasSubstr("RTCPeerConnection"));
  EXPECT_THAT(res->body, HasSubstr("\"/\" + kind + \"/\""));
  EXPECT_THAT(res->body, Not(HasSubstr("<script src")));
}

TEST(HttpRouteTemplateTest, VariablePartsBecomePlaceholders) {
  EXPECT_EQ(HttpRouteTemplate("/whip/room1"), "/whip/{room}");
  EXPECT_EQ(HttpRouteTemplate("/whep/room1"), "/whep/{room}");
  EXPECT_EQ(HttpRouteTemplate("/whip/room1/abc"), "/whip/{room}/{id}");
  EXPECT_EQ(HttpRouteTemplate("/whep/r/x"), "/whep/{room}/{id}");
  EXPECT_EQ(HttpRouteTemplate("/api/rooms"), "/api/rooms");
  EXPECT_EQ(HttpRouteTemplate("/healthz"), "/healthz");
  EXPECT_EQ(HttpRouteTemplate("/readyz"), "/readyz");
  EXPECT_EQ(HttpRouteTemplate("/"), "/");
  for (const char* other : {"/whip/", "/whip", "/whip//x", "/whip/a/", "/whip/a/b/c", "/metrics",
                            "/whipx/a", "/api/rooms/x", ""}) {
    EXPECT_EQ(HttpRouteTemplate(other), "other") << other;
  }
}

// Every answered request is reported once with its route template and the status sent, the
// error handler's 404 included.
TEST_F(HttpServerTest, RequestsAreCountedByRouteAndStatus) {
  std::mutex mutex;
  std::vector<std::pair<std::string, int>> seen;
  HttpServerOptions options;
  options.on_request = [&](std::string_view route, int status) {
    std::lock_guard lock(mutex);
    seen.emplace_back(route, status);
  };
  HttpServer counted(*control_, options, logger_);
  ASSERT_TRUE(counted.Start(SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}).ok());
  httplib::Client client("127.0.0.1", counted.port());
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/nowhere/at/all")->status, 404);
  EXPECT_EQ(client.Post("/whip/room9", "v=0\r\no=broken\r\n", "application/sdp")->status, 400);
  EXPECT_EQ(client.Delete("/whep/room9/nosuchid")->status, 404);
  // The hook runs after the response is written: wait (bounded) for the fourth report.
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(mutex);
      if (seen.size() >= 4) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  counted.Stop();
  std::lock_guard lock(mutex);
  EXPECT_THAT(seen, ::testing::ElementsAre(std::pair<std::string, int>{"/healthz", 200},
                                           std::pair<std::string, int>{"other", 404},
                                           std::pair<std::string, int>{"/whip/{room}", 400},
                                           std::pair<std::string, int>{"/whep/{room}/{id}", 404}));
}

}  // namespace
}  // namespace sfu::daemon
