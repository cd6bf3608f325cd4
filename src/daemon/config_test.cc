#include "daemon/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace callpath::daemon {
namespace {

ParsedCommandLine Parse(std::vector<std::string> args) {
  std::vector<const char*> argv{"callpathd"};
  for (auto& a : args) argv.push_back(a.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(DaemonConfig, DefaultsMatchTheConventionalPorts) {
  auto p = Parse({});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.otlp_grpc_listen, "127.0.0.1:4317");
  EXPECT_EQ(p.config.otlp_http_listen, "127.0.0.1:4318");
  EXPECT_EQ(p.config.query_listen, "127.0.0.1:16686");
  EXPECT_EQ(p.config.max_body_bytes, 64ull << 20);
  EXPECT_EQ(p.config.max_attributes, 128u);
  EXPECT_EQ(p.config.max_attribute_bytes, 65536u);
}

TEST(DaemonConfig, ItemLimitsComeFromFlagsAndYaml) {
  auto p = Parse({"--max-attributes", "32", "--max-attribute-bytes", "4096"});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.max_attributes, 32u);
  EXPECT_EQ(p.config.max_attribute_bytes, 4096u);
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("max_attributes: 7\nmax-attribute-bytes: 9\n", cfg).ok());
  EXPECT_EQ(cfg.max_attributes, 7u);
  EXPECT_EQ(cfg.max_attribute_bytes, 9u);
}

TEST(DaemonConfig, YamlThenEnvironmentThenFlags) {
  // Unique per process (parallel runs), removed at the end.
  std::string path = ::testing::TempDir() + "/callpathd-config-test-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream f(path);
    f << "data_dir: /from/yaml\nqueue-size: 10\nquery_listen: 0.0.0.0:1\nsync_writes: false\n";
  }
  ::setenv("CALLPATHD_QUEUE_SIZE", "20", 1);
  ::setenv("CALLPATHD_QUERY_LISTEN", "127.0.0.1:2", 1);
  auto p = Parse({"--config", path, "--query-listen", "127.0.0.1:3"});
  ::unsetenv("CALLPATHD_QUEUE_SIZE");
  ::unsetenv("CALLPATHD_QUERY_LISTEN");
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.data_dir, "/from/yaml");        // file only
  EXPECT_EQ(p.config.queue_size, 20u);                // env beats file
  EXPECT_EQ(p.config.query_listen, "127.0.0.1:3");    // flag beats env
  EXPECT_FALSE(p.config.sync_writes);
  std::remove(path.c_str());
}

TEST(DaemonConfig, MistakesAreReportedNotIgnored) {
  DaemonConfig cfg;
  EXPECT_FALSE(ApplyYaml("data_dirr: x\n", cfg).ok());
  EXPECT_FALSE(ApplyYaml("queue_size: lots\n", cfg).ok());
  EXPECT_FALSE(ApplyYaml("- a list\n", cfg).ok());
  EXPECT_FALSE(ApplyYaml("key: [unclosed\n", cfg).ok());
  EXPECT_TRUE(ApplyYaml("", cfg).ok());
  auto p = Parse({"--no-such-flag"});
  EXPECT_TRUE(p.exit_now);
  EXPECT_NE(p.exit_code, 0);
  p = Parse({"--help"});
  EXPECT_TRUE(p.exit_now);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.message.find("--data-dir"), std::string::npos);
}

TEST(DaemonConfig, SplitHostPort) {
  std::string host;
  uint16_t port = 1;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:0", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(SplitHostPort("[::1]:4317", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 4317);
  ASSERT_TRUE(SplitHostPort(":4318", host, port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(SplitHostPort("localhost", host, port));
  EXPECT_FALSE(SplitHostPort("h:70000", host, port));
  EXPECT_FALSE(SplitHostPort("h:12a", host, port));
}

}  // namespace
}  // namespace callpath::daemon
