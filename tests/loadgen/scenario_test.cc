// Command-line parsing of sfud-loadgen and the report's SLO checks.

#include "bench/loadgen/scenario.h"

#include "bench/loadgen/report.h"
#include "gtest/gtest.h"

namespace sfu::loadgen {
namespace {

TEST(ParseFraction, PercentAndPlain) {
  EXPECT_DOUBLE_EQ(*ParseFraction("0.1%"), 0.001);
  EXPECT_DOUBLE_EQ(*ParseFraction("100%"), 1.0);
  EXPECT_DOUBLE_EQ(*ParseFraction("0.25"), 0.25);
  EXPECT_FALSE(ParseFraction("").has_value());
  EXPECT_FALSE(ParseFraction("x%").has_value());
  EXPECT_FALSE(ParseFraction("-1").has_value());
}

TEST(ParseArgs, EveryFormOfFlag) {
  absl::StatusOr<ParsedArgs> p = ParseArgs({"--rooms=4",
                                            "--publishers",
                                            "1",
                                            "--subscribers",
                                            "25",
                                            "--no-audio",
                                            "--video-kbps=300",
                                            "--duration",
                                            "2.5",
                                            "--max-loss",
                                            "0.1%",
                                            "--max-p99-latency-ms=50",
                                            "--min-connected",
                                            "100%",
                                            "--json",
                                            "/tmp/x.json",
                                            "--threads=2",
                                            "--join-storm",
                                            "--sfud-pid",
                                            "42"});
  ASSERT_TRUE(p.ok()) << p.status();
  const Scenario& s = p->scenario;
  EXPECT_EQ(s.rooms, 4u);
  EXPECT_EQ(s.subscribers, 25u);
  EXPECT_FALSE(s.audio);
  EXPECT_EQ(s.video_kbps, 300u);
  EXPECT_EQ(s.duration.count(), 2500);
  EXPECT_DOUBLE_EQ(*s.max_loss, 0.001);
  EXPECT_DOUBLE_EQ(*s.max_p99_latency_ms, 50);
  EXPECT_DOUBLE_EQ(*s.min_connected, 1.0);
  EXPECT_EQ(s.json_path, "/tmp/x.json");
  EXPECT_EQ(s.threads, 2u);
  EXPECT_TRUE(s.join_storm);
  EXPECT_EQ(*s.sfud_pid, 42);
  EXPECT_EQ(s.total_peers(), 4u * 26u);
}

TEST(ParseArgs, ErrorsNameTheFlag) {
  auto error = [](std::vector<std::string> args) {
    absl::StatusOr<ParsedArgs> p = ParseArgs(args);
    return p.ok() ? std::string() : std::string(p.status().message());
  };
  EXPECT_NE(error({"--bogus"}).find("--bogus"), std::string::npos);
  EXPECT_NE(error({"--rooms"}).find("--rooms"), std::string::npos);
  EXPECT_NE(error({"--rooms", "x"}).find("--rooms"), std::string::npos);
  EXPECT_NE(error({"--max-loss", "lots"}).find("--max-loss"), std::string::npos);
  EXPECT_FALSE(error({"--threads", "0"}).empty());
  EXPECT_FALSE(error({"--no-audio", "--video-kbps", "0"}).empty());
  EXPECT_FALSE(error({"positional"}).empty());
  EXPECT_TRUE(ParseArgs({"--help"})->help);
}

TEST(CheckSlos, EachLimitCanFail) {
  Report r;
  r.scenario.max_loss = 0.001;
  r.scenario.max_p99_latency_ms = 50;
  r.scenario.min_connected = 1.0;
  r.planned_publishers = 1;
  r.planned_subscribers = 9;
  r.publishers_connected = 1;
  r.subscribers_connected = 9;
  r.loss = 0.0005;
  r.latency_ms.count = 10;
  r.latency_ms.p99 = 12;
  CheckSlos(r);
  EXPECT_TRUE(r.slo_ok());
  ASSERT_EQ(r.slos.size(), 3u);

  Report worse = r;
  worse.slos.clear();
  worse.loss = 0.002;
  worse.latency_ms.p99 = 51;
  worse.subscribers_connected = 8;
  CheckSlos(worse);
  EXPECT_FALSE(worse.slo_ok());
  for (const SloResult& s : worse.slos) EXPECT_FALSE(s.ok) << s.name;

  // No latency sample cannot satisfy a latency objective.
  Report none = r;
  none.slos.clear();
  none.latency_ms.count = 0;
  none.latency_ms.p99 = 0;
  CheckSlos(none);
  EXPECT_FALSE(none.slo_ok());
}

}  // namespace
}  // namespace sfu::loadgen
