// Daemon lifecycle in-process: certificate, shards from the factory, HTTP, ready, drain on
// RequestStop (what SIGTERM does), exit code. Shards are doubles that answer RemovePeer the way
// ShardEngine does (PeerRemoved).
#include "daemon/daemon.h"

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

struct ShardLog {
  std::mutex mutex;
  std::vector<sfu::ShardCommand> commands;
  bool destroyed = false;
};

class AnsweringShard final : public ShardHandle {
 public:
  AnsweringShard(std::shared_ptr<ShardLog> log, bool answer_removals)
      : log_(std::move(log)), answer_removals_(answer_removals) {}
  ~AnsweringShard() override {
    std::lock_guard<std::mutex> lock(log_->mutex);
    log_->destroyed = true;
  }
  uint32_t index() const override { return 0; }
  bool Post(sfu::ShardCommand&& command) override {
    if (answer_removals_) {
      if (const auto* remove = std::get_if<sfu::RemovePeer>(&command)) {
        sfu::PeerRemoved removed;
        removed.peer = remove->peer;
        removed.reason = sfu::RemoveReason::kDeleted;
        pending_.push_back(removed);
      }
    }
    std::lock_guard<std::mutex> lock(log_->mutex);
    log_->commands.push_back(std::move(command));
    return true;
  }
  size_t DrainEvents(std::vector<sfu::ShardEvent>& out) override {
    size_t n = pending_.size();
    for (auto& e : pending_) out.push_back(std::move(e));
    pending_.clear();
    return n;
  }
  int event_fd() const override { return -1; }

 private:
  std::shared_ptr<ShardLog> log_;
  bool answer_removals_;
  std::vector<sfu::ShardEvent> pending_;
};

ShardFactory FactoryFor(std::shared_ptr<ShardLog> log, bool answer_removals) {
  return [log, answer_removals](const DaemonConfig& config,
                                std::shared_ptr<const crypto::Certificate> certificate)
             -> absl::StatusOr<std::vector<std::unique_ptr<ShardHandle>>> {
    EXPECT_NE(certificate, nullptr);
    EXPECT_EQ(config.shards, 1u);
    std::vector<std::unique_ptr<ShardHandle>> shards;
    shards.push_back(std::make_unique<AnsweringShard>(log, answer_removals));
    return shards;
  };
}

DaemonConfig TestConfig(std::chrono::milliseconds drain_timeout) {
  DaemonConfig config = DefaultConfig();
  config.shards = 1;
  config.http_address = SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0};
  // Ephemeral like HTTP: the default 9464 may be held by anything else on the machine.
  config.metrics_address = SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0};
  config.drain_timeout = drain_timeout;
  return config;
}

std::string Offer() {
  std::ifstream in(std::string(SDP_FIXTURE_DIR) + "/chromium156_offer.sdp", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits (bounded) for the daemon to report its HTTP port.
int WaitForPort(const Daemon& daemon) {
  for (int i = 0; i < 2000 && daemon.http_port() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return daemon.http_port();
}

class DaemonTest : public ::testing::Test {
 protected:
  std::FILE* log_file_ = std::fopen("/dev/null", "w");
  Logger logger_{log_file_, LogLevel::kDebug};
  ~DaemonTest() override { std::fclose(log_file_); }
};

TEST_F(DaemonTest, ServesThenDrainsSessionsAndExitsCleanly) {
  auto log = std::make_shared<ShardLog>();
  Daemon daemon(TestConfig(std::chrono::seconds(10)), FactoryFor(log, true), logger_);
  int exit_code = -1;
  std::thread runner([&] { exit_code = daemon.Run(); });
  const int port = WaitForPort(daemon);
  ASSERT_NE(port, 0);

  httplib::Client client("127.0.0.1", port);
  // HTTP answers as soon as it is bound; ready comes once the metrics server is up too (slow
  // under ASan), so wait for it, bounded.
  int ready_status = 0;
  for (int i = 0; i < 500 && ready_status != 200; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto ready = client.Get("/readyz");
    ready_status = ready ? ready->status : 0;
  }
  EXPECT_EQ(ready_status, 200);
  auto created = client.Post("/whip/room", Offer(), "application/sdp");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);

  daemon.RequestStop();
  runner.join();
  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(daemon.http_port(), 0);
  std::lock_guard<std::mutex> lock(log->mutex);
  ASSERT_EQ(log->commands.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<sfu::AddPeer>(log->commands[0]));
  EXPECT_EQ(std::get<sfu::RemovePeer>(log->commands[1]).peer,
            std::get<sfu::AddPeer>(log->commands[0]).peer);
  EXPECT_TRUE(log->destroyed);
}

TEST_F(DaemonTest, DrainEndsAtTheTimeoutWhenShardsDoNotAnswer) {
  auto log = std::make_shared<ShardLog>();
  Daemon daemon(TestConfig(std::chrono::milliseconds(200)), FactoryFor(log, false), logger_);
  int exit_code = -1;
  std::thread runner([&] { exit_code = daemon.Run(); });
  const int port = WaitForPort(daemon);
  ASSERT_NE(port, 0);
  httplib::Client client("127.0.0.1", port);
  ASSERT_EQ(client.Post("/whip/room", Offer(), "application/sdp")->status, 201);
  const auto start = std::chrono::steady_clock::now();
  daemon.RequestStop();
  runner.join();
  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(DaemonTest, SigtermStartsTheDrain) {
  // Block SIGTERM here too, so the process-directed signal stays pending until the daemon's
  // signalfd reads it (in sfud, main's thread is the daemon's thread).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, nullptr), 0);
  auto log = std::make_shared<ShardLog>();
  Daemon daemon(TestConfig(std::chrono::seconds(10)), FactoryFor(log, true), logger_);
  int exit_code = -1;
  std::thread runner([&] { exit_code = daemon.Run(); });
  ASSERT_NE(WaitForPort(daemon), 0);
  httplib::Client client("127.0.0.1", daemon.http_port());
  ASSERT_EQ(client.Post("/whip/room", Offer(), "application/sdp")->status, 201);
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  runner.join();
  EXPECT_EQ(exit_code, kExitOk);
  std::lock_guard<std::mutex> lock(log->mutex);
  ASSERT_EQ(log->commands.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<sfu::RemovePeer>(log->commands[1]));
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGTERM));
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

TEST_F(DaemonTest, FactoryFailureIsARuntimeFailure) {
  Daemon daemon(TestConfig(std::chrono::seconds(1)), NoShardRunnerFactory(), logger_);
  EXPECT_EQ(daemon.Run(), kExitRuntimeFailure);
}

TEST_F(DaemonTest, BusyHttpPortIsARuntimeFailure) {
  httplib::Server blocker;
  const int port = blocker.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  DaemonConfig config = TestConfig(std::chrono::seconds(1));
  config.http_address.port = static_cast<uint16_t>(port);
  auto log = std::make_shared<ShardLog>();
  Daemon daemon(config, FactoryFor(log, true), logger_);
  EXPECT_EQ(daemon.Run(), kExitRuntimeFailure);
  EXPECT_TRUE(log->destroyed);
}

}  // namespace
}  // namespace sfu::daemon
