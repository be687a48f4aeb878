// deploy/sfud.conf.example is what install.sh puts in /etc/sfud/sfud.conf on a fresh install: it
// must parse with the daemon's own config reader, pass its cross-setting checks, and state the
// defaults it claims to.
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/config.h"
#include "gtest/gtest.h"

namespace sfu::daemon {
namespace {

std::string ReadExample() {
  // ctest runs this from tests/deploy in the source tree.
  std::ifstream in("../../deploy/sfud.conf.example");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfExampleTest, ParsesAndValidates) {
  const std::string text = ReadExample();
  ASSERT_FALSE(text.empty());
  DaemonConfig config = DefaultConfig();
  const uint32_t default_shards = config.shards;
  ASSERT_TRUE(ApplyConfigText(text, config).ok()) << ApplyConfigText(text, config);
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);

  // The example's values are the defaults (it says so), so a fresh install behaves like no file.
  const DaemonConfig defaults = DefaultConfig();
  EXPECT_EQ(config.shards, default_shards);
  EXPECT_EQ(config.base_port, defaults.base_port);
  EXPECT_EQ(config.http_address.ToString(), defaults.http_address.ToString());
  EXPECT_EQ(config.metrics_address.ToString(), "127.0.0.1:9464");
  EXPECT_EQ(config.mtu, defaults.mtu);
  EXPECT_EQ(config.auth_token, "");
  EXPECT_EQ(config.certificate_path, "");
  EXPECT_EQ(config.io_backend, defaults.io_backend);
  EXPECT_EQ(config.log_level, defaults.log_level);
  EXPECT_EQ(config.drain_timeout, defaults.drain_timeout);
  EXPECT_EQ(config.max_request_bytes, defaults.max_request_bytes);
  EXPECT_EQ(config.spread_threshold, defaults.spread_threshold);
  EXPECT_EQ(config.max_sessions_per_shard, defaults.max_sessions_per_shard);
  EXPECT_TRUE(config.metrics_enabled);
  EXPECT_EQ(config.gcm_impl, defaults.gcm_impl);
}

}  // namespace
}  // namespace sfu::daemon
