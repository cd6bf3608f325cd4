#include "ship/ship_options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace callpath::ship {
namespace {

Status Parse(std::vector<const char*> args, ShipOptions* out, bool* help = nullptr) {
  args.insert(args.begin(), "callpath-ship");
  bool h = false;
  std::string usage;
  Status s = ParseShipArgs(static_cast<int>(args.size()), args.data(), out, help ? help : &h, &usage);
  return s;
}

TEST(ParseShipArgs, ReadsFlagsAndAddsTheLogsPathToABareEndpoint) {
  ShipOptions o;
  ASSERT_TRUE(Parse({"--endpoint", "http://127.0.0.1:4318", "--checkpoint-dir=/tmp/c", "--path", "/a/*.log",
                     "--path", "/b.log", "--format", "regex:nginx", "--service", "web", "--resource", "env=prod",
                     "--no-multiline", "--batch-records", "10"},
                    &o)
                  .ok());
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:4318/v1/logs");
  EXPECT_EQ(o.paths, (std::vector<std::string>{"/a/*.log", "/b.log"}));
  EXPECT_EQ(o.format, "regex:nginx");
  EXPECT_EQ(o.resource[0].second, "prod");
  EXPECT_FALSE(o.multiline);
  EXPECT_EQ(o.batch_max_records, 10u);
}

TEST(ParseShipArgs, RejectsMissingAndBadOptionsWithAReason) {
  ShipOptions o;
  EXPECT_NE(Parse({"--checkpoint-dir", "d", "--path", "p"}, &o).message().find("--endpoint"), std::string::npos);
  EXPECT_FALSE(Parse({"--endpoint", "ftp://x", "--checkpoint-dir", "d", "--path", "p"}, &o).ok());
  EXPECT_FALSE(Parse({"--endpoint", "http://x", "--path", "p"}, &o).ok());
  EXPECT_FALSE(Parse({"--endpoint", "http://x", "--checkpoint-dir", "d"}, &o).ok());
  EXPECT_FALSE(Parse({"--bogus", "1"}, &o).ok());
  EXPECT_FALSE(Parse({"--batch-records", "lots"}, &o).ok());
  EXPECT_FALSE(Parse({"--resource", "novalue"}, &o).ok());
  EXPECT_FALSE(Parse({"--endpoint"}, &o).ok());
  bool help = false;
  EXPECT_TRUE(Parse({"--help"}, &o, &help).ok());
  EXPECT_TRUE(help);
}

TEST(ParseShipArgs, ReadsAYamlConfigWithFlagsWinning) {
  std::string path = ::testing::TempDir() + "ship_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << "endpoint: http://127.0.0.1:4318/v1/logs\n"
                         "checkpoint-dir: /tmp/ckpt\n"
                         "paths: [/var/log/app/*.log, /var/log/nginx/access.log]\n"
                         "format: json\n"
                         "service: checkout\n"
                         "multiline: false\n"
                         "resource: {deployment.environment: prod}\n";
  ShipOptions o;
  ASSERT_TRUE(Parse({"--config", path.c_str(), "--service", "override"}, &o).ok());
  EXPECT_EQ(o.paths.size(), 2u);
  EXPECT_EQ(o.format, "json");
  EXPECT_EQ(o.service, "override");
  EXPECT_FALSE(o.multiline);
  EXPECT_EQ(o.resource[0].first, "deployment.environment");
}

TEST(ParseShipArgs, RejectsBadYaml) {
  std::string path = ::testing::TempDir() + "ship_bad_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << "endpoint: [unclosed\n";
  ShipOptions o;
  EXPECT_FALSE(Parse({"--config", path.c_str()}, &o).ok());
  std::ofstream(path) << "- a list\n";
  EXPECT_FALSE(Parse({"--config", path.c_str()}, &o).ok());
  EXPECT_FALSE(Parse({"--config", "/nonexistent.yaml"}, &o).ok());
}

}  // namespace
}  // namespace callpath::ship
