#include "daemon/cluster/cluster_config.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>

namespace callpath::daemon::cluster {
namespace {

Status Parse(const std::string& yaml, ClusterConfig* c) {
  Status s = ParseClusterConfig(YAML::Load(yaml), c);
  if (!s.ok()) return s;
  return FinishClusterConfig(c);
}

const char* kThree = R"(
node: b
members:
  - {name: a, address: "10.0.0.1:4317"}
  - {name: b, address: "10.0.0.2:4317"}
  - {name: c, address: "10.0.0.3:4317"}
)";

TEST(ClusterConfigTest, ReadsMembersAndDefaults) {
  ClusterConfig c;
  ASSERT_TRUE(Parse(kThree, &c).ok());
  ASSERT_EQ(c.members.size(), 3u);
  EXPECT_EQ(c.members[2].address, "10.0.0.3:4317");
  EXPECT_EQ(c.node, "b");
  EXPECT_EQ(c.virtual_nodes, 512u);
  EXPECT_EQ(c.down_seconds, 5u);
  EXPECT_TRUE(c.enabled());
}

TEST(ClusterConfigTest, ReadsDurationsTlsAndTheKeyFile) {
  const std::string key_file = ::testing::TempDir() + "/cluster.key";
  std::ofstream(key_file) << "s3cret\n";
  const std::string pem = ::testing::TempDir() + "/any.pem";
  std::ofstream(pem) << "pem\n";
  ClusterConfig c;
  Status s = Parse(std::string(kThree) + "down_for: 30s\nforward_timeout: 1m\nvirtual_nodes: 64\nkey_file: " +
                       key_file + "\ntls: {ca: " + pem + ", cert: " + pem + ", key: " + pem + "}\n",
                   &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.down_seconds, 30u);
  EXPECT_EQ(c.forward_timeout_seconds, 60u);
  EXPECT_EQ(c.virtual_nodes, 64u);
  EXPECT_EQ(c.key, "s3cret");
  EXPECT_EQ(c.tls_ca, pem);
  c = {};
  EXPECT_NE(Parse(std::string(kThree) + "tls: {ca: /no/such/ca.pem}\n", &c).message().find("cannot read"),
            std::string::npos);
}

TEST(ClusterConfigTest, RefusesANodeMissingFromTheMembers) {
  ClusterConfig c;
  Status s = Parse(std::string(kThree) + "node: d\n", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'d' is not in cluster.members"), std::string::npos) << s.message();
}

TEST(ClusterConfigTest, RefusesDuplicateNamesBadAddressesAndUnknownKeys) {
  ClusterConfig c;
  EXPECT_NE(Parse("node: a\nmembers: [{name: a, address: 'h:1'}, {name: a, address: 'h:2'}]", &c).message().find(
                "appears twice"),
            std::string::npos);
  c = {};
  EXPECT_NE(Parse("node: a\nmembers: [{name: a, address: 'nohost'}]", &c).message().find("want host:port"),
            std::string::npos);
  c = {};
  EXPECT_NE(Parse("node: a\nmembers: [{name: 'a b', address: 'h:1'}]", &c).message().find("may hold only"),
            std::string::npos);
  c = {};
  EXPECT_NE(Parse("nodes: a\n", &c).message().find("'cluster.nodes' is unknown"), std::string::npos);
  c = {};
  EXPECT_NE(Parse("members: [{name: a, address: 'h:1'}]", &c).message().find("name is not set"), std::string::npos);
}

TEST(ClusterConfigTest, NoSectionIsNoCluster) {
  ClusterConfig c;
  EXPECT_TRUE(FinishClusterConfig(&c).ok());
  EXPECT_FALSE(c.enabled());
}

}  // namespace
}  // namespace callpath::daemon::cluster
