// The conformance suite against a real clickhouse-server, started by the
// test on free loopback ports (testing/test_server.h). Each test's store is
// a database of its own, named after the test's folder, so a reopen (and
// the crash test's child process) finds the same data.
#include <gtest/gtest.h>

#include "store/clickhouse/clickhouse_store.h"
#include "store/clickhouse/testing/test_server.h"
#include "store/encoding.h"
#include "store/testing/conformance.h"

namespace callpath::store {
namespace {

using testing::StoreConformanceTest;
using testing::TestClickHouse;

Result<std::unique_ptr<Store>> OpenTestStore(const std::string& dir) {
  std::string why;
  TestClickHouse* server = TestClickHouse::Shared(&why);
  if (server == nullptr) return Unavailable(why);
  ClickHouseOptions o;
  o.url = server->url();
  char name[24];
  std::snprintf(name, sizeof name, "t%016llx", static_cast<unsigned long long>(enc::Hash64(dir)));
  o.database = name;
  o.writer_id = "conformance";
  o.timeout_seconds = 30;
  return OpenClickHouseStore(o);
}

std::vector<testing::StoreFactory> Factories() {
  if (TestClickHouse::FindBinary().empty()) return {};  // ServerIsInstalled says why
  return {testing::StoreFactory{"clickhouse", OpenTestStore, true, 86400}};
}

INSTANTIATE_TEST_SUITE_P(ClickHouse, StoreConformanceTest, ::testing::ValuesIn(Factories()),
                         testing::StoreFactoryName);

TEST(ClickHouseStore, ServerIsInstalled) {
  if (TestClickHouse::FindBinary().empty()) {
    GTEST_SKIP() << "clickhouse-server not found: the ClickHouse conformance tests did not run "
                    "(scripts/setup.sh installs it; or set CALLPATH_CLICKHOUSE_SERVER)";
  }
  std::string why;
  ASSERT_NE(TestClickHouse::Shared(&why), nullptr) << why;
}

}  // namespace
}  // namespace callpath::store
