// Command-line parsing of sfud-loadgen and the report's SLO checks.

#include "bench/loadgen/scenario.h"

#include <fstream>
#include <map>
#include <set>

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
  EXPECT_DOUBLE_EQ(s.pacing_factor, 2.5);  // like libwebrtc's paced sender
  EXPECT_DOUBLE_EQ(ParseArgs({"--pacing-factor", "0"})->scenario.pacing_factor, 0);
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
  EXPECT_NE(error({"--no-audio=false"}).find("--no-audio"), std::string::npos);
  EXPECT_NE(error({"--fps", "0"}).find("--fps"), std::string::npos);
  EXPECT_NE(error({"--rooms", "0"}).find("--rooms"), std::string::npos);
  EXPECT_TRUE(ParseArgs({"--help"})->help);
}

// Writes `text` to a fresh file under the test's temporary directory and returns its path.
std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

std::string ErrorOf(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> p = ParseArgs(args);
  return p.ok() ? std::string() : std::string(p.status().message());
}

TEST(ScenarioFile, CommandLineOverridesTheFileWhereverItStands) {
  const std::string path = WriteFile("override.conf",
                                     "# a comment\n"
                                     "\n"
                                     "rooms = 4\n"
                                     "subscribers = 25   # trailing comment\n"
                                     "video-kbps=600\n"
                                     "  audio = false\n"
                                     "join-storm = true\n"
                                     "duration = 20\n");
  // Flags before and after --scenario both beat the file.
  absl::StatusOr<ParsedArgs> p = ParseArgs(
      {"--subscribers", "7", "--scenario", path, "--audio", "--video-kbps=300", "--no-join-storm"});
  ASSERT_TRUE(p.ok()) << p.status();
  const Scenario& s = p->scenario;
  EXPECT_EQ(s.rooms, 4u);  // file only
  EXPECT_EQ(s.duration.count(), 20000);
  EXPECT_EQ(s.subscribers, 7u);   // flag before --scenario
  EXPECT_EQ(s.video_kbps, 300u);  // flag after it
  EXPECT_TRUE(s.audio);
  EXPECT_FALSE(s.join_storm);
  EXPECT_EQ(s.scenario_file, path);

  // Without flags the file's values stand.
  absl::StatusOr<ParsedArgs> file_only = ParseArgs({"--scenario=" + path});
  ASSERT_TRUE(file_only.ok()) << file_only.status();
  EXPECT_EQ(file_only->scenario.subscribers, 25u);
  EXPECT_EQ(file_only->scenario.video_kbps, 600u);
  EXPECT_FALSE(file_only->scenario.audio);
  EXPECT_TRUE(file_only->scenario.join_storm);
  EXPECT_EQ(ParseArgs({})->scenario.scenario_file, "");
}

TEST(ScenarioFile, ErrorsNameFileAndLine) {
  struct Case {
    std::string text;
    int line;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {"rooms = 4\nbogus = 1\n", 2, "bogus"},                        // unknown key
      {"rooms = 4\n\n# c\nsubscribers = many\n", 4, "subscribers"},  // bad value
      {"rooms = 4\nvideo-kbps = 1\nrooms = 5\n", 3, "line 1"},       // duplicate key
      {"rooms 4\n", 1, "key = value"},                               // no '='
      {"threads = 0\n", 1, "threads"},                               // out of range
      {"fps = 500\n", 1, "fps"},                                     // out of range
      {"audio = maybe\n", 1, "audio"},                               // not a boolean
      {"no-audio = true\n", 1, "audio = false"},                     // only the positive name
      {"subscribers =\n", 1, "subscribers"},                         // no value
      {"scenario = other.conf\n", 1, "scenario"},                    // no nesting
      {"help = true\n", 1, "help"},                                  // not a setting
      {"max-loss = -1%\n", 1, "max-loss"},
      {"duration = -3\n", 1, "duration"},
      {"pacing-factor = 0.5\n", 1, "pacing-factor"},  // 0 or at least 1
      {"spin-us = 2000000\n", 1, "spin-us"},          // bounded
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string path = WriteFile("bad" + std::to_string(i) + ".conf", cases[i].text);
    const std::string error = ErrorOf({"--scenario", path});
    EXPECT_NE(error.find(path + ":" + std::to_string(cases[i].line) + ": "), std::string::npos)
        << "case " << i << ": " << error;
    EXPECT_NE(error.find(cases[i].mentions), std::string::npos) << "case " << i << ": " << error;
  }
  // A bad file is an error even when the command line sets the same key correctly: the file
  // must stand on its own.
  const std::string bad = WriteFile("bad_overridden.conf", "rooms = zero\n");
  EXPECT_NE(ErrorOf({"--scenario", bad, "--rooms", "2"}).find(bad + ":1:"), std::string::npos);
  EXPECT_NE(ErrorOf({"--scenario", ::testing::TempDir() + "/missing.conf"}).find("missing.conf"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--scenario"}).find("--scenario"), std::string::npos);
  const std::string ok = WriteFile("ok.conf", "rooms = 2\n");
  EXPECT_NE(ErrorOf({"--scenario", ok, "--scenario", ok}).find("twice"), std::string::npos);
  // What depends on several settings is checked after the file and the flags are merged.
  const std::string silent = WriteFile("silent.conf", "audio = false\n");
  EXPECT_FALSE(ErrorOf({"--scenario", silent, "--video-kbps", "0"}).empty());
  EXPECT_TRUE(ErrorOf({"--scenario", silent, "--video-kbps", "0", "--publishers", "0"}).empty());
}

TEST(ScenarioFile, HashInsideAValueIsNotAComment) {
  const std::string path =
      WriteFile("hash.conf", "token = abc#def # the token\r\nurl = http://127.0.0.1:9/#x\r\n");
  absl::StatusOr<ParsedArgs> p = ParseArgs({"--scenario", path});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->scenario.token, "abc#def");
  EXPECT_EQ(p->scenario.url, "http://127.0.0.1:9/#x");
}

// Every flag can be set from a file (and, in the same spelling, from the command line); a flag
// added without a line here fails the first assertion.
TEST(ScenarioFile, EveryFlagIsAccepted) {
  const std::map<std::string, std::string> values = {
      {"url", "http://127.0.0.1:9"},
      {"token", "secret"},
      {"room-prefix", "ci"},
      {"rooms", "3"},
      {"publishers", "2"},
      {"subscribers", "5"},
      {"video-kbps", "700"},
      {"fps", "25"},
      {"pacing-factor", "1.5"},
      {"audio", "false"},
      {"duration", "2.5"},
      {"ramp", "10"},
      {"churn", "1.5"},
      {"join-storm", "true"},
      {"threads", "3"},
      {"spin-us", "50"},
      {"http-concurrency", "4"},
      {"http-timeout-ms", "100"},
      {"connect-timeout-ms", "200"},
      {"grace-ms", "300"},
      {"warmup-ms", "400"},
      {"local-ip", "127.0.0.2"},
      {"sfud-pid", "77"},
      {"quiet", "1"},
      {"json", "/tmp/r.json"},
      {"max-loss", "1%"},
      {"max-p99-latency-ms", "20"},
      {"min-connected", "0.5"},
  };
  const std::vector<std::string> keys = ScenarioKeys();
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), [&] {
    std::set<std::string> names;
    for (const auto& [k, v] : values) names.insert(k);
    return names;
  }());
  std::string text;
  std::vector<std::string> flags;
  for (const auto& [key, value] : values) {
    text += key + " = " + value + "\n";
    flags.push_back("--" + key + "=" + value);
    EXPECT_NE(HelpText().find("--" + key), std::string::npos) << key << " is not in --help";
  }
  const std::string path = WriteFile("every.conf", text);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--scenario", path}, flags}) {
    absl::StatusOr<ParsedArgs> p = ParseArgs(args);
    ASSERT_TRUE(p.ok()) << p.status();
    const Scenario& s = p->scenario;
    EXPECT_EQ(s.url, "http://127.0.0.1:9");
    EXPECT_EQ(s.token, "secret");
    EXPECT_EQ(s.room_prefix, "ci");
    EXPECT_EQ(s.rooms, 3u);
    EXPECT_EQ(s.publishers, 2u);
    EXPECT_EQ(s.subscribers, 5u);
    EXPECT_EQ(s.video_kbps, 700u);
    EXPECT_EQ(s.video_fps, 25u);
    EXPECT_DOUBLE_EQ(s.pacing_factor, 1.5);
    EXPECT_FALSE(s.audio);
    EXPECT_EQ(s.duration.count(), 2500);
    EXPECT_DOUBLE_EQ(s.ramp, 0);  // a join storm has no ramp
    EXPECT_DOUBLE_EQ(s.churn, 1.5);
    EXPECT_TRUE(s.join_storm);
    EXPECT_EQ(s.threads, 3u);
    EXPECT_EQ(s.spin_us, 50u);
    EXPECT_EQ(s.http_concurrency, 4u);
    EXPECT_EQ(s.http_timeout.count(), 100);
    EXPECT_EQ(s.connect_timeout.count(), 200);
    EXPECT_EQ(s.grace.count(), 300);
    EXPECT_EQ(s.warmup.count(), 400);
    EXPECT_EQ(s.local_ip, "127.0.0.2");
    EXPECT_EQ(*s.sfud_pid, 77);
    EXPECT_TRUE(s.quiet);
    EXPECT_EQ(s.json_path, "/tmp/r.json");
    EXPECT_DOUBLE_EQ(*s.max_loss, 0.01);
    EXPECT_DOUBLE_EQ(*s.max_p99_latency_ms, 20);
    EXPECT_DOUBLE_EQ(*s.min_connected, 0.5);
  }
}

// The shipped examples parse, and rooms4x25.conf is the CI end-to-end run's scenario.
TEST(ScenarioFile, ExamplesParse) {
  const std::string dir = SFUD_LOADGEN_SCENARIOS;
  absl::StatusOr<ParsedArgs> ci = ParseArgs({"--scenario", dir + "/rooms4x25.conf"});
  ASSERT_TRUE(ci.ok()) << ci.status();
  EXPECT_EQ(ci->scenario.rooms, 4u);
  EXPECT_EQ(ci->scenario.publishers, 1u);
  EXPECT_EQ(ci->scenario.subscribers, 25u);
  EXPECT_EQ(ci->scenario.video_kbps, 600u);
  EXPECT_TRUE(ci->scenario.audio);
  EXPECT_EQ(ci->scenario.duration.count(), 20000);
  EXPECT_EQ(ci->scenario.threads, 2u);
  EXPECT_DOUBLE_EQ(*ci->scenario.max_loss, 0);
  EXPECT_DOUBLE_EQ(*ci->scenario.min_connected, 1.0);

  absl::StatusOr<ParsedArgs> capacity =
      ParseArgs({"--scenario", dir + "/capacity.conf", "--subscribers", "1500"});
  ASSERT_TRUE(capacity.ok()) << capacity.status();
  EXPECT_EQ(capacity->scenario.subscribers, 1500u);
  EXPECT_FALSE(capacity->scenario.audio);
  EXPECT_DOUBLE_EQ(*capacity->scenario.max_loss, 0.001);
  EXPECT_DOUBLE_EQ(*capacity->scenario.max_p99_latency_ms, 50);
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
