// Runs the real sfud binary: --help and bad configuration (exit code 2, the setting named).
// Starting it for real needs the shard runner; that lifecycle test belongs with the integration.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Result RunSfud(const std::string& args) {
  Result r;
  std::string command = std::string(SFUD_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  int status = pclose(pipe);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

TEST(SfudBinaryTest, HelpListsSettingsAndExitsZero) {
  Result r = RunSfud("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--listen", "--port", "--shards", "--http", "--metrics", "--cert", "--key",
                        "--mtu", "--auth_token", "--log_level", "--io_backend",
                        "--drain_timeout_ms", "--config", "Exit codes"}) {
    EXPECT_THAT(r.output, HasSubstr(s));
  }
}

TEST(SfudBinaryTest, BadFlagExitsTwoNamingTheSetting) {
  Result r = RunSfud("--mtu=12");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("invalid mtu"));
  EXPECT_THAT(r.output, HasSubstr("<3>"));

  r = RunSfud("--io_backend epoll");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("invalid io_backend"));
}

TEST(SfudBinaryTest, BadConfigFileExitsTwoNamingTheSetting) {
  std::string path = "/tmp/sfud_binary_test_" + std::to_string(getpid()) + ".conf";
  std::ofstream(path) << "# test\nhttp = 127.0.0.1:8080\nshards = many\n";
  Result r = RunSfud("--config " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("invalid shards \"many\" (config line 3)"));

  r = RunSfud("--config /nonexistent/sfud.conf");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("/nonexistent/sfud.conf"));
}

TEST(SfudBinaryTest, UnreadableCertificateExitsTwo) {
  // Port 0 style settings are not needed: the certificate is loaded before anything binds.
  Result r = RunSfud("--cert /nonexistent/cert.pem --key /nonexistent/key.pem --http 127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("invalid cert/key"));
}

}  // namespace
