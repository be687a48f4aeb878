// ControlPlane keeping rooms that span shards wired up: with spread_threshold 1 the second viewer
// of a room goes to the other shard, which must then get the room's packets (StartHandOff to the
// home shard) and know its publishers (AddRemotePublisher), until its last viewer leaves. Shards
// are recording doubles; no sockets.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/common/random.h"
#include "daemon/control_plane.h"
#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

class RecordingShard final : public ShardHandle {
 public:
  explicit RecordingShard(uint32_t index) : index_(index) {}
  uint32_t index() const override { return index_; }
  bool Post(sfu::ShardCommand&& command) override {
    if (full) return false;
    commands.push_back(std::move(command));
    return true;
  }
  size_t DrainEvents(std::vector<sfu::ShardEvent>& out) override {
    const size_t n = pending.size();
    for (auto& e : pending) out.push_back(std::move(e));
    pending.clear();
    return n;
  }
  int event_fd() const override { return -1; }

  template <typename T>
  std::vector<T> Of() const {
    std::vector<T> out;
    for (const sfu::ShardCommand& c : commands) {
      if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
    }
    return out;
  }
  sfu::PeerId LastAddedPeer() const { return Of<sfu::AddPeer>().back().peer; }

  bool full = false;
  std::vector<sfu::ShardCommand> commands;
  std::vector<sfu::ShardEvent> pending;

 private:
  uint32_t index_;
};

std::string ReadFixture(const char* name) {
  std::ifstream in(std::string(SDP_FIXTURE_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ControlPlaneCrossShardTest : public ::testing::Test {
 protected:
  static constexpr const char* kRoom = "big";

  void SetUp() override {
    for (uint32_t i = 0; i < 2; ++i) shards_.push_back(std::make_unique<RecordingShard>(i));
    std::vector<ShardHandle*> handles;
    for (auto& s : shards_) handles.push_back(s.get());
    ControlPlaneConfig config;
    config.listen_addresses = {IpAddress::Loopback(IpAddress::Family::kV4)};
    config.spread_threshold = 1;
    config.fingerprint =
        "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
        "67:89:AB:CD:EF";
    control_ = std::make_unique<ControlPlane>(config, handles, random_, logger_);
    home_ = ShardPlacement::HomeShard(kRoom, 2);
    other_ = 1 - home_;
  }
  void TearDown() override {
    control_.reset();
    if (log_) std::fclose(log_);
  }

  RecordingShard& home() { return *shards_[home_]; }
  RecordingShard& other() { return *shards_[other_]; }
  void Publish() {
    ASSERT_TRUE(
        control_->CreateSession(SessionKind::kWhip, kRoom, ReadFixture("chromium156_offer.sdp"))
            .ok());
  }
  void View() {
    ASSERT_TRUE(
        control_
            ->CreateSession(SessionKind::kWhep, kRoom, ReadFixture("chromium156_viewer_offer.sdp"))
            .ok());
  }
  void Removed(RecordingShard& shard, sfu::PeerId peer) {
    sfu::PeerRemoved removed;
    removed.peer = peer;
    removed.reason = sfu::RemoveReason::kConsentExpired;
    shard.pending.push_back(removed);
    control_->PollShards();
  }

  std::FILE* log_ = std::fopen("/dev/null", "w");
  Logger logger_{log_, LogLevel::kDebug};
  SeededRandom random_{42};
  std::vector<std::unique_ptr<RecordingShard>> shards_;
  std::unique_ptr<ControlPlane> control_;
  uint32_t home_ = 0;
  uint32_t other_ = 1;
};

TEST_F(ControlPlaneCrossShardTest, SecondViewerSpansTheRoomAndTheLastOneToLeaveEndsIt) {
  Publish();
  const sfu::PeerId publisher = home().LastAddedPeer();
  View();  // fits at home
  EXPECT_TRUE(home().Of<sfu::StartHandOff>().empty());
  EXPECT_TRUE(other().commands.empty());

  View();  // beyond the threshold: the other shard
  ASSERT_EQ(other().Of<sfu::AddPeer>().size(), 1u);
  const sfu::PeerId viewer = other().LastAddedPeer();
  const sfu::RoomId room = other().Of<sfu::AddPeer>()[0].room;
  ASSERT_EQ(home().Of<sfu::StartHandOff>().size(), 1u);
  EXPECT_EQ(home().Of<sfu::StartHandOff>()[0].room, room);
  EXPECT_EQ(home().Of<sfu::StartHandOff>()[0].shard, other_);
  ASSERT_EQ(other().Of<sfu::AddRemotePublisher>().size(), 1u);
  const sfu::AddRemotePublisher remote = other().Of<sfu::AddRemotePublisher>()[0];
  EXPECT_EQ(remote.peer, publisher);
  EXPECT_EQ(remote.room, room);
  EXPECT_EQ(remote.home_shard, home_);
  // The same tracks the home shard was given for the publisher.
  const sfu::PublisherConfig published =
      std::get<sfu::PublisherConfig>(home().Of<sfu::AddPeer>()[0].media);
  ASSERT_EQ(remote.media.tracks.size(), published.tracks.size());
  for (size_t i = 0; i < published.tracks.size(); ++i) {
    EXPECT_EQ(remote.media.tracks[i].mid, published.tracks[i].mid);
    EXPECT_EQ(remote.media.tracks[i].layers.size(), published.tracks[i].layers.size());
  }

  // A second viewer on the other shard changes nothing; the hand-off stops with the last one.
  View();
  View();  // home already holds its threshold: these go to the other shard too
  const size_t remote_viewers = other().Of<sfu::AddPeer>().size();
  EXPECT_EQ(home().Of<sfu::StartHandOff>().size(), 1u);
  EXPECT_EQ(other().Of<sfu::AddRemotePublisher>().size(), 1u);
  std::vector<sfu::PeerId> others;
  for (const sfu::AddPeer& add : other().Of<sfu::AddPeer>()) others.push_back(add.peer);
  ASSERT_EQ(others.size(), remote_viewers);
  ASSERT_EQ(others[0], viewer);
  for (size_t i = 0; i + 1 < others.size(); ++i) {
    Removed(other(), others[i]);
    EXPECT_TRUE(home().Of<sfu::StopHandOff>().empty());
  }
  Removed(other(), others.back());
  ASSERT_EQ(home().Of<sfu::StopHandOff>().size(), 1u);
  EXPECT_EQ(home().Of<sfu::StopHandOff>()[0].shard, other_);
  ASSERT_EQ(other().Of<sfu::RemoveRemotePublisher>().size(), 1u);
  EXPECT_EQ(other().Of<sfu::RemoveRemotePublisher>()[0].peer, publisher);
}

TEST_F(ControlPlaneCrossShardTest, PublisherAfterRemoteViewersIsAnnouncedToTheirShardAndRemoved) {
  View();
  View();  // the room spans the other shard before anyone publishes
  ASSERT_EQ(home().Of<sfu::StartHandOff>().size(), 1u);
  EXPECT_TRUE(other().Of<sfu::AddRemotePublisher>().empty());
  Publish();
  const sfu::PeerId publisher = home().LastAddedPeer();
  ASSERT_EQ(other().Of<sfu::AddRemotePublisher>().size(), 1u);
  EXPECT_EQ(other().Of<sfu::AddRemotePublisher>()[0].peer, publisher);

  Removed(home(), publisher);
  ASSERT_EQ(other().Of<sfu::RemoveRemotePublisher>().size(), 1u);
  EXPECT_EQ(other().Of<sfu::RemoveRemotePublisher>()[0].peer, publisher);
}

TEST_F(ControlPlaneCrossShardTest, CommandsAFullShardRefusedAreRetriedInOrder) {
  Publish();
  View();
  home().full = true;  // the home shard's ring is full when the room starts spanning
  View();
  EXPECT_TRUE(home().Of<sfu::StartHandOff>().empty());
  control_->PollShards();
  EXPECT_TRUE(home().Of<sfu::StartHandOff>().empty());
  home().full = false;
  control_->PollShards();
  EXPECT_EQ(home().Of<sfu::StartHandOff>().size(), 1u);
}

}  // namespace
}  // namespace sfu::daemon
