// The store on a 2-shard cluster of test servers: the conformance suite
// again, now with inserts split by shard in callpathd, and where each row
// lands: on the shard the Distributed tables would have chosen.
#include <gtest/gtest.h>

#include <cstdlib>

#include "store/clickhouse/clickhouse_store.h"
#include "store/clickhouse/http.h"
#include "store/clickhouse/row_binary.h"
#include "store/clickhouse/testing/test_server.h"
#include "store/encoding.h"
#include "store/testing/conformance.h"

namespace callpath::store {
namespace {

using testing::StoreConformanceTest;
using testing::TestClickHouse;

constexpr const char* kUrlsVariable = "CALLPATH_TEST_CLICKHOUSE_CLUSTER_URLS";

// The cluster's URLs, second shard first (the store must find out which
// server is which shard): started at first use and shared by this process
// and the crash test's child (passed on in kUrlsVariable). "" with *why set
// when no cluster can run.
std::string SharedClusterUrls(std::string* why) {
  static std::vector<std::unique_ptr<TestClickHouse>> servers;
  static std::string urls, failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    if (const char* e = std::getenv(kUrlsVariable); e != nullptr && *e) {
      urls = e;
    } else if (TestClickHouse::FindBinary().empty()) {
      failure = "clickhouse-server not installed";
    } else if (auto started = TestClickHouse::StartCluster(2, "test"); !started.ok()) {
      failure = started.status().ToString();
    } else {
      servers = std::move(*started);
      urls = servers[1]->url() + "," + servers[0]->url();
      setenv(kUrlsVariable, urls.c_str(), 1);
    }
  }
  if (urls.empty() && why != nullptr) *why = failure;
  return urls;
}

ClickHouseOptions ClusterOptions(const std::string& urls, const std::string& database) {
  ClickHouseOptions o;
  o.url = urls;
  o.cluster = "test";
  o.database = database;
  o.writer_id = "conformance";
  o.timeout_seconds = 30;
  return o;
}

Result<std::unique_ptr<Store>> OpenClusterStore(const std::string& dir) {
  std::string why;
  const std::string urls = SharedClusterUrls(&why);
  if (urls.empty()) return Unavailable(why);
  char name[24];
  std::snprintf(name, sizeof name, "c%016llx", static_cast<unsigned long long>(enc::Hash64(dir)));
  return OpenClickHouseStore(ClusterOptions(urls, name));
}

std::vector<testing::StoreFactory> Factories() {
  if (TestClickHouse::FindBinary().empty()) return {};  // ClickHouseStore.ServerIsInstalled says why
  return {testing::StoreFactory{"clickhouse_cluster", OpenClusterStore, true, 86400}};
}

INSTANTIATE_TEST_SUITE_P(ClickHouseCluster, StoreConformanceTest, ::testing::ValuesIn(Factories()),
                         testing::StoreFactoryName);

uint64_t Count(ch::Http& server, const std::string& sql) {
  auto r = server.Query(sql + " FORMAT RowBinary");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return UINT64_MAX;
  ch::RowReader reader(*r);
  return reader.U64();
}

TEST(ClickHouseCluster, RowsKeyedByTraceGoStraightToTheShardTheDistributedTablesWouldChoose) {
  std::string why;
  const std::string urls = SharedClusterUrls(&why);
  if (urls.empty() && TestClickHouse::FindBinary().empty()) GTEST_SKIP() << TestClickHouse::kNotInstalled;
  ASSERT_FALSE(urls.empty()) << why;
  const std::string db = "placement";
  auto store = OpenClickHouseStore(ClusterOptions(urls, db));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<StoredSpan> spans;
  std::vector<StoredLog> logs;
  for (uint8_t t = 1; t <= 40; ++t) {
    for (uint8_t n = 1; n <= 2; ++n) {
      StoredSpan s;
      s.trace_id = testing::Tid(t);
      s.span_id = testing::Sid(t, n);
      s.service = "api";
      s.operation = "Get";
      s.start_ns = testing::kBase + n;
      s.duration_ns = 1000;
      spans.push_back(s);
    }
    StoredLog l;
    l.trace_id = testing::Tid(t);
    l.span_id = testing::Sid(t, 1);
    l.time_ns = testing::kBase;
    l.service = "api";
    l.body = Value::String("hello");
    logs.push_back(l);
  }
  // The URLs were given second shard first.
  const size_t comma = urls.find(',');
  ch::Http shard2(urls.substr(0, comma), 10), shard1(urls.substr(comma + 1), 10);
  ch::Http* shards[] = {&shard1, &shard2};
  // Without the Distributed tables keyed by trace, writes and reads of one
  // trace still work: they go to the shards' own tables.
  for (ch::Http* server : shards) {
    for (const char* table : {"spans", "span_index", "summaries", "logs"}) {
      ASSERT_TRUE(server->Query("DROP TABLE " + db + "." + table).ok());
    }
  }
  Status written = testing::WriteAt((*store)->writer(), 1, spans, logs);
  ASSERT_TRUE(written.ok()) << written.ToString();

  for (const char* table : {"spans", "span_index", "summaries", "logs"}) {
    uint64_t total = 0;
    for (size_t i = 0; i < 2; ++i) {
      const std::string local = db + "." + table + "_local";
      const uint64_t rows = Count(*shards[i], "SELECT count() FROM " + local);
      EXPECT_GT(rows, 0u) << table << " on shard " << i + 1;
      EXPECT_EQ(Count(*shards[i], "SELECT count() FROM " + local + " WHERE cityHash64(trace_id) % 2 != " +
                                      std::to_string(i)),
                0u)
          << table << " on shard " << i + 1;
      total += rows;
    }
    EXPECT_EQ(total, std::string(table) == "summaries" || std::string(table) == "logs" ? 40u : 80u) << table;
  }
  for (uint8_t t = 1; t <= 40; ++t) {
    auto trace = (*store)->span_reader().GetTrace(testing::Tid(t));
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    EXPECT_EQ(trace->size(), 2u);
    auto trace_logs = (*store)->log_reader().LogsForTrace(testing::Tid(t));
    ASSERT_TRUE(trace_logs.ok());
    EXPECT_EQ(trace_logs->size(), 1u);
  }
  EXPECT_TRUE((*store)->Close().ok());
}

// Servers that are not exactly the cluster's shards (here one URL of two
// shards): inserts go through the Distributed tables, which still place
// every row by trace.
TEST(ClickHouseCluster, WithoutEveryShardGivenInsertsGoThroughTheDistributedTables) {
  std::string why;
  const std::string urls = SharedClusterUrls(&why);
  if (urls.empty() && TestClickHouse::FindBinary().empty()) GTEST_SKIP() << TestClickHouse::kNotInstalled;
  ASSERT_FALSE(urls.empty()) << why;
  const size_t comma = urls.find(',');
  const std::string db = "one_url";
  {
    auto both = OpenClickHouseStore(ClusterOptions(urls, db));  // the schema on both shards
    ASSERT_TRUE(both.ok()) << both.status().ToString();
  }
  auto store = OpenClickHouseStore(ClusterOptions(urls.substr(0, comma), db));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<StoredSpan> spans;
  for (uint8_t t = 1; t <= 20; ++t) {
    StoredSpan s;
    s.trace_id = testing::Tid(t);
    s.span_id = testing::Sid(t, 1);
    s.service = "api";
    s.operation = "Get";
    s.start_ns = testing::kBase;
    s.attributes = {{"db.system", Value::String("redis")}};
    spans.push_back(s);
  }
  ASSERT_TRUE(testing::WriteAt((*store)->writer(), 1, spans, {}).ok());
  ch::Http shard2(urls.substr(0, comma), 10), shard1(urls.substr(comma + 1), 10);
  EXPECT_EQ(Count(shard2, "SELECT count() FROM " + db + ".spans"), 20u);
  const uint64_t local = Count(shard2, "SELECT count() FROM " + db + ".spans_local");
  EXPECT_GT(local, 0u);
  EXPECT_LT(local, 20u) << "the first shard got its share through the Distributed table";
  EXPECT_EQ(Count(shard2, "SELECT count() FROM " + db + ".spans_local WHERE cityHash64(trace_id) % 2 != 1"), 0u);
  for (uint8_t t = 1; t <= 20; ++t) {
    auto trace = (*store)->span_reader().GetTrace(testing::Tid(t));
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  }
  TraceQuery q;
  q.tags = {{"db.system", "redis"}};
  q.limit = 100;
  auto found = (*store)->span_reader().FindTraces(q);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->size(), 20u);
  EXPECT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace callpath::store
