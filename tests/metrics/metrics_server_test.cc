#include "metrics/metrics_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "metrics/sfud_collector.h"
#include "tests/metrics/scrape.h"

namespace sfu::metrics {
namespace {

using testing::Body;
using testing::HttpGet;

std::shared_ptr<SfudCollector> PopulatedCollector() {
  auto collector =
      std::make_shared<SfudCollector>(BuildInfo{"0.1.0-test", "abc123", "gcc 12.2.0"}, 2);
  ::sfu::sfu::ShardStats s;
  s.rtp_in = 10;
  s.drop_unknown_ufrag = 2;
  collector->shard(0).Publish(s);
  s.rtp_in = 32;
  collector->shard(1).Publish(s);
  collector->shard(0).ObserveHandshake(std::chrono::milliseconds(80));
  collector->shard(1).ObserveForwardLatency(std::chrono::microseconds(40));
  collector->shard(1).AddLoopTime(std::chrono::milliseconds(1), std::chrono::milliseconds(9));
  collector->control().SetSessions({{"publisher", "connected", 1}});
  collector->control().CountHttpRequest("/whip/{room}", 201);
  return collector;
}

TEST(MetricsServerTest, ServesTheCollectorOnAnEphemeralLoopbackPort) {
  auto collector = PopulatedCollector();
  auto server = MetricsServer::Start("127.0.0.1:0", collector);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE((*server)->port(), 0);

  const std::string response = HttpGet((*server)->port(), "/metrics");
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"))
      << response.substr(0, 200);
  const std::string body = Body(response);
  EXPECT_NE(body.find("# TYPE sfud_datagrams_received_total counter"), std::string::npos);
  EXPECT_TRUE(
      std::regex_search(body, std::regex("\nsfud_datagrams_received_total\\{kind=\"rtp\"\\} 42\n")))
      << body;
  EXPECT_TRUE(
      std::regex_search(body, std::regex("\nsfud_build_info\\{version=\"0.1.0-test\",commit="
                                         "\"abc123\",compiler=\"gcc 12.2.0\"\\} 1\n")));
  EXPECT_TRUE(std::regex_search(
      body, std::regex("\nsfud_dtls_handshake_duration_seconds_bucket\\{le=\"0.1\"\\} 1\n")));
  EXPECT_TRUE(std::regex_search(
      body, std::regex("\nsfud_shard_busy_seconds_total\\{shard=\"1\"\\} 0.001\n")));

  // The exposition passes Prometheus' own linter (promtool from Debian's `prometheus`, installed
  // by scripts/setup.sh).
  char path[] = "/tmp/sfud_metrics_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << body;
  const std::string command = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof(buf), pipe) != nullptr) output += buf;
  const int status = pclose(pipe);
  unlink(path);
  EXPECT_EQ(status, 0) << "promtool check metrics:\n" << output;
}

TEST(MetricsServerTest, OtherPathsAreNotFound) {
  auto server = MetricsServer::Start("127.0.0.1:0", PopulatedCollector());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string response = HttpGet((*server)->port(), "/nope");
  EXPECT_NE(response.find(" 404 "), std::string::npos) << response.substr(0, 200);
}

TEST(MetricsServerTest, BindFailureIsAStatus) {
  auto first = MetricsServer::Start("127.0.0.1:0", PopulatedCollector());
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = MetricsServer::Start(taken, PopulatedCollector());
  EXPECT_FALSE(second.ok());
  EXPECT_FALSE(MetricsServer::Start("127.0.0.1:0", nullptr).ok());
}

TEST(MetricsServerTest, AcceptsASocketAddress) {
  auto server = MetricsServer::Start(SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0},
                                     PopulatedCollector());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_NE(Body(HttpGet((*server)->port(), "/metrics")).find("sfud_rooms 0"), std::string::npos);
}

}  // namespace
}  // namespace sfu::metrics
