#include "daemon/config.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// A config file under the test's temporary directory, removed at scope end.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    const char* dir = std::getenv("TEST_TMPDIR");
    path_ = std::string(dir ? dir : "/tmp") + "/sfud_config_test_" + std::to_string(getpid()) +
            "_" + std::to_string(counter_++) + ".conf";
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(ConfigTest, DefaultsMatchTheDocumentedValues) {
  auto cl = ParseCommandLine({});
  ASSERT_TRUE(cl.ok()) << cl.status();
  const DaemonConfig& c = cl->config;
  ASSERT_EQ(c.listen_addresses.size(), 1u);
  EXPECT_EQ(c.listen_addresses[0].ToString(), "127.0.0.1");
  EXPECT_EQ(c.base_port, 10000);
  EXPECT_GE(c.shards, 1u);
  EXPECT_EQ(c.http_address.ToString(), "127.0.0.1:8080");
  EXPECT_EQ(c.metrics_address.ToString(), "127.0.0.1:9464");
  EXPECT_EQ(c.mtu, 1200u);
  EXPECT_EQ(c.max_sessions_per_shard, 4096u);
  EXPECT_TRUE(c.auth_token.empty());
  EXPECT_TRUE(c.certificate_path.empty());
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  EXPECT_EQ(c.io_backend, IoBackendKind::kIoUring);
  EXPECT_EQ(c.drain_timeout, std::chrono::milliseconds(5000));
  EXPECT_TRUE(c.metrics_enabled);
  EXPECT_EQ(c.gcm_impl, crypto::GcmImpl::kAuto);
  EXPECT_FALSE(cl->help);
}

TEST(ConfigTest, MetricsCanBeTurnedOffAndOnAgain) {
  auto off = ParseCommandLine({"--metrics=off"});
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->config.metrics_enabled);
  // A later address (the flag after the file's `off`) turns it back on.
  TempFile file("metrics = off\n");
  auto on = ParseCommandLine({"--config", file.path(), "--metrics=[::1]:9500"});
  ASSERT_TRUE(on.ok()) << on.status();
  EXPECT_TRUE(on->config.metrics_enabled);
  EXPECT_EQ(on->config.metrics_address.ToString(), "[::1]:9500");
}

// gcm_impl takes every implementation this CPU runs and refuses, naming the setting, the ones it
// does not (on a CPU with AVX-512 all four are accepted; the refusal branch is then covered by
// unknown names only).
TEST(ConfigTest, GcmImplAcceptsWhatTheCpuRuns) {
  const std::pair<const char*, crypto::GcmImpl> impls[] = {{"auto", crypto::GcmImpl::kAuto},
                                                           {"evp", crypto::GcmImpl::kEvp},
                                                           {"vaes256", crypto::GcmImpl::kVaes256},
                                                           {"vaes512", crypto::GcmImpl::kVaes512}};
  for (const auto& [name, impl] : impls) {
    auto cl = ParseCommandLine({std::string("--gcm_impl=") + name});
    if (crypto::GcmBatch::Supported(impl)) {
      ASSERT_TRUE(cl.ok()) << name << ": " << cl.status();
      EXPECT_EQ(cl->config.gcm_impl, impl);
    } else {
      ASSERT_FALSE(cl.ok()) << name;
      EXPECT_THAT(Message(cl.status()), HasSubstr("invalid gcm_impl"));
      EXPECT_THAT(Message(cl.status()), HasSubstr("not supported by this CPU"));
    }
    DaemonConfig c = DefaultConfig();
    EXPECT_EQ(ApplyConfigText(std::string("gcm_impl = ") + name + "\n", c).ok(),
              crypto::GcmBatch::Supported(impl))
        << name;
  }
  // evp is always there: the fallback a deployment can force.
  EXPECT_TRUE(ParseCommandLine({"--gcm_impl=evp"}).ok());
}

TEST(ConfigTest, FileWithCommentsAndBlankLines) {
  DaemonConfig c = DefaultConfig();
  absl::Status st = ApplyConfigText(
      "# sfud.conf\n"
      "\n"
      "listen = 127.0.0.1, ::1   # both families\n"
      "port=20000\n"
      "  shards = 3\n"
      "http = [::1]:8443\n"
      "io_backend = mmsg\n"
      "log_level = debug\n"
      "auth_token = s3cret-token\n"
      "drain_timeout_ms = 250\n",
      c);
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_EQ(c.listen_addresses.size(), 2u);
  EXPECT_EQ(c.listen_addresses[1].ToString(), "::1");
  EXPECT_EQ(c.base_port, 20000);
  EXPECT_EQ(c.shards, 3u);
  EXPECT_EQ(c.http_address.ToString(), "[::1]:8443");
  EXPECT_EQ(c.io_backend, IoBackendKind::kMmsg);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.auth_token, "s3cret-token");
  EXPECT_EQ(c.drain_timeout, std::chrono::milliseconds(250));
}

TEST(ConfigTest, FlagsOverrideTheFileWhateverTheirOrder) {
  TempFile file("port = 20000\nmtu = 1400\nshards = 2\n");
  auto cl = ParseCommandLine({"--mtu=1300", "--config", file.path(), "--shards", "4"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->config.base_port, 20000);  // from the file
  EXPECT_EQ(cl->config.mtu, 1300u);        // flag beats file
  EXPECT_EQ(cl->config.shards, 4u);
}

TEST(ConfigTest, EveryInvalidValueIsNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"listen", "1.2.3"},
      {"listen", ""},
      {"port", "0"},
      {"port", "65536"},
      {"shards", "0"},
      {"shards", "two"},
      {"http", "localhost:8080"},
      {"http", "127.0.0.1"},
      {"http", "::1:80"},
      {"metrics", "127.0.0.1:0"},
      {"mtu", "100"},
      {"mtu", "1200x"},
      {"max_sessions_per_shard", "0"},
      {"max_sessions_per_shard", "70000"},
      {"auth_token", "a b"},
      {"log_level", "loud"},
      {"io_backend", "epoll"},
      {"drain_timeout_ms", "-1"},
      {"max_request_bytes", "10"},
      {"spread_threshold", "x"},
      {"metrics", "on"},
      {"gcm_impl", "aesni"},
      {"gcm_impl", "VAES512"},
  };
  for (const auto& [name, value] : cases) {
    auto flag = ParseCommandLine({std::string("--") + name + "=" + value});
    ASSERT_FALSE(flag.ok()) << name << "=" << value;
    EXPECT_THAT(Message(flag.status()), HasSubstr(std::string("invalid ") + name))
        << name << "=" << value;
    DaemonConfig c = DefaultConfig();
    absl::Status file = ApplyConfigText(std::string(name) + " = " + value + "\n", c);
    ASSERT_FALSE(file.ok()) << name;
    EXPECT_THAT(Message(file), HasSubstr(std::string("invalid ") + name));
    EXPECT_THAT(Message(file), HasSubstr("line 1"));
  }
}

TEST(ConfigTest, StructuralErrors) {
  DaemonConfig c = DefaultConfig();
  EXPECT_THAT(Message(ApplyConfigText("\n\nfrobnicate = 1\n", c)),
              HasSubstr("unknown setting frobnicate (config line 3)"));
  EXPECT_THAT(Message(ApplyConfigText("port 10000\n", c)), HasSubstr("line 1"));
  EXPECT_THAT(Message(ParseCommandLine({"--frobnicate=1"}).status()),
              HasSubstr("unknown setting --frobnicate"));
  EXPECT_THAT(Message(ParseCommandLine({"positional"}).status()), HasSubstr("unexpected"));
  EXPECT_THAT(Message(ParseCommandLine({"--port"}).status()), HasSubstr("invalid port"));
  EXPECT_THAT(Message(ParseCommandLine({"--config=/nonexistent/sfud.conf"}).status()),
              HasSubstr("cannot read /nonexistent/sfud.conf"));
  TempFile bad("mtu = 1200\nlog_level = loud\n");
  EXPECT_THAT(Message(ParseCommandLine({"--config", bad.path()}).status()),
              HasSubstr("invalid log_level \"loud\" (config line 2)"));
}

TEST(ConfigTest, CrossSettingChecks) {
  EXPECT_THAT(Message(ParseCommandLine({"--port=65535", "--shards=2"}).status()),
              HasSubstr("invalid port"));
  EXPECT_TRUE(ParseCommandLine({"--port=65534", "--shards=2"}).ok());
  EXPECT_THAT(Message(ParseCommandLine({"--cert=/x.pem"}).status()), HasSubstr("invalid key"));
  EXPECT_THAT(Message(ParseCommandLine({"--key=/x.pem"}).status()), HasSubstr("invalid cert"));
}

TEST(ConfigTest, HelpListsEverySettingWithItsDefault) {
  auto cl = ParseCommandLine({"--help"});
  ASSERT_TRUE(cl.ok());
  EXPECT_TRUE(cl->help);
  std::string help = HelpText();
  for (const char* expected : {"--listen (default \"127.0.0.1\")",
                               "--port (default \"10000\")",
                               "--shards",
                               "--http (default \"127.0.0.1:8080\")",
                               "--metrics (default \"127.0.0.1:9464\")",
                               "--cert (default \"\")",
                               "--key",
                               "--mtu (default \"1200\")",
                               "--auth_token",
                               "--log_level (default \"info\")",
                               "--io_backend (default \"io_uring\")",
                               "--drain_timeout_ms (default \"5000\")",
                               "--max_request_bytes",
                               "--spread_threshold",
                               "--max_sessions_per_shard (default \"4096\")",
                               "--gcm_impl (default \"auto\")",
                               "or off to run without it",
                               "--config FILE",
                               "Exit codes: 0",
                               "2 invalid configuration",
                               "<N>"}) {
    EXPECT_THAT(help, HasSubstr(expected));
  }
}

TEST(ConfigTest, HostPort) {
  EXPECT_EQ(ParseHostPort("10.1.2.3:80")->ToString(), "10.1.2.3:80");
  EXPECT_EQ(ParseHostPort("[::1]:9")->ToString(), "[::1]:9");
  EXPECT_FALSE(ParseHostPort("[::1]").has_value());
  EXPECT_FALSE(ParseHostPort("1.2.3.4:").has_value());
  EXPECT_FALSE(ParseHostPort("").has_value());
}

}  // namespace
}  // namespace sfu::daemon
