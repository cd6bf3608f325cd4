// The conformance suite against a real clickhouse-server, started by the
// test on free loopback ports (testing/test_server.h). Each test's store is
// a database of its own, named after the test's folder, so a reopen (and
// the crash test's child process) finds the same data.
#include <gtest/gtest.h>

#include "store/clickhouse/clickhouse_store.h"
#include "store/clickhouse/http.h"
#include "store/clickhouse/rows.h"
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

// Tests of one store on the shared test server (ServerIsInstalled says
// why they skip when there is none).
class ClickHouseStoreOnServer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestClickHouse::FindBinary().empty()) GTEST_SKIP() << TestClickHouse::kNotInstalled;
    std::string why;
    server_ = TestClickHouse::Shared(&why);
    ASSERT_NE(server_, nullptr) << why;
  }
  TestClickHouse* server_ = nullptr;
};

// A write that died between its INSERTs left rows but no position row: the
// next open removes them (only this writer's), and the replay stores the
// write once.
TEST_F(ClickHouseStoreOnServer, RowsOfAnIncompleteWriteAreRemovedAtOpenAndReplayedOnce) {
  ClickHouseOptions o;
  o.url = server_->url();
  o.database = "incomplete_write";
  o.writer_id = "w";
  StoredSpan a;
  a.trace_id = testing::Tid(1);
  a.span_id = testing::Sid(1, 1);
  a.service = "api";
  a.operation = "Get";
  a.start_ns = testing::kBase;
  StoredSpan b = a;
  b.trace_id = testing::Tid(2);
  b.span_id = testing::Sid(2, 1);
  StoredLog log;
  log.time_ns = testing::kBase;
  log.service = "api";
  log.body = Value::String("half-written");
  {
    auto store = OpenClickHouseStore(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE(testing::WriteAt((*store)->writer(), 1, {a}, {}).ok());
    ch::Http http(server_->url(), 10);
    const std::string db = o.database + ".";
    for (const char* writer : {"w", "other"}) {
      ASSERT_TRUE(http.Query("INSERT INTO " + db + "logs (effective_ns, service, body, writer, version) VALUES (" +
                             std::to_string(testing::kBase) + ", 'api', 'half-written', '" + writer + "', 2)")
                      .ok());
    }
    ASSERT_TRUE(http.Query("INSERT INTO " + db + "spans (trace_id, start_ns, span_id, service, writer, version) "
                           "VALUES (" + ch::HexLiteral(b.trace_id.AsBytes()) + ", " + std::to_string(b.start_ns) +
                           ", " + ch::HexLiteral(b.span_id.AsBytes()) + ", 'api', 'w', 2)")
                    .ok());
    LogQuery q;
    q.text = "half-written";
    ASSERT_EQ((*store)->log_reader().SearchLogs(q)->size(), 2u);
    // The process dies here: no Close.
    (void)store->release();
  }
  auto store = OpenClickHouseStore(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->writer().DurablePosition(), 1u);
  EXPECT_EQ((*store)->span_reader().GetTrace(b.trace_id).status().code(), StatusCode::kNotFound);
  LogQuery q;
  q.text = "half-written";
  auto logs = (*store)->log_reader().SearchLogs(q);
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->size(), 1u) << "the other writer's row stays";
  ASSERT_TRUE(testing::WriteAt((*store)->writer(), 2, {b}, {log}).ok());
  EXPECT_EQ((*store)->span_reader().GetTrace(b.trace_id)->size(), 1u);
  EXPECT_EQ((*store)->log_reader().SearchLogs(q)->size(), 2u);
  EXPECT_TRUE((*store)->Close().ok());
}

TraceId NumberedTrace(int n) {
  TraceId t;
  t.mutable_bytes()[0] = 0xcd;
  t.mutable_bytes()[14] = static_cast<uint8_t>(n >> 8);
  t.mutable_bytes()[15] = static_cast<uint8_t>(n);
  return t;
}

std::vector<TraceId> FoundIds(Store& store, const TraceQuery& q) {
  auto found = store.span_reader().FindTraces(q);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  std::vector<TraceId> ids;
  if (found.ok()) for (const auto& s : *found) ids.push_back(s.trace_id);
  return ids;
}

// The tags table names candidates newest first; when the newest ones fail
// the span's other conditions, later rounds take older ones until the
// answer is exact.
TEST_F(ClickHouseStoreOnServer, AttributeSearchFindsOldMatchesBehindManyNewerCandidates) {
  ClickHouseOptions o;
  o.url = server_->url();
  o.database = "tag_rounds";
  auto store = OpenClickHouseStore(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<StoredSpan> spans;
  for (int i = 0; i < 300; ++i) {
    StoredSpan s;
    s.trace_id = NumberedTrace(i);
    s.span_id = testing::Sid(1, 1);
    s.service = i < 3 ? "rare" : "common";
    s.operation = "Get";
    s.start_ns = testing::kBase + static_cast<uint64_t>(i) * testing::kMs;
    s.attributes = {{"db.system", Value::String("redis")}};
    spans.push_back(s);
  }
  ASSERT_TRUE(testing::WriteAt((*store)->writer(), 1, spans, {}).ok());
  TraceQuery q;
  q.tags = {{"db.system", "redis"}};
  q.service = "rare";
  q.limit = 2;
  EXPECT_EQ(FoundIds(**store, q), (std::vector<TraceId>{NumberedTrace(2), NumberedTrace(1)}));
  q.service.clear();
  q.limit = 3;
  EXPECT_EQ(FoundIds(**store, q), (std::vector<TraceId>{NumberedTrace(299), NumberedTrace(298), NumberedTrace(297)}));
  q.start_time_max_ns = testing::kBase + 100 * testing::kMs;  // the bound cuts the candidates' latest starts
  EXPECT_EQ(FoundIds(**store, q), (std::vector<TraceId>{NumberedTrace(100), NumberedTrace(99), NumberedTrace(98)}));
  EXPECT_TRUE((*store)->Close().ok());
}

// Makes `database`'s meta records those of a database that an older
// callpathd created with schema `version` (days as partitions).
bool RecordSchemaVersion(ch::Http& http, const std::string& database, int version) {
  return http.Query("DROP TABLE " + database + ".meta").ok() &&
         http.Query("CREATE TABLE " + database + ".meta (key String, value String) ENGINE = MergeTree ORDER BY key")
             .ok() &&
         http.Query("INSERT INTO " + database + ".meta VALUES ('schema_version', '" + std::to_string(version) +
                    "'), ('partition_ns', '" + std::to_string(86'400'000'000'000ull) + "')")
             .ok();
}

// A database of schema version 1 has no tags rows for its spans: after the
// upgrade, attribute searches reaching before it scan the spans and still
// find them.
TEST_F(ClickHouseStoreOnServer, AttributeSearchFindsSpansWrittenBeforeTheTagsTableExisted) {
  ClickHouseOptions o;
  o.url = server_->url();
  o.database = "tags_upgrade";
  StoredSpan a;
  a.trace_id = testing::Tid(1);
  a.span_id = testing::Sid(1, 1);
  a.service = "api";
  a.operation = "Get";
  a.start_ns = testing::kBase;
  a.attributes = {{"db.system", Value::String("redis")}};
  {
    auto store = OpenClickHouseStore(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE(testing::WriteAt((*store)->writer(), 1, {a}, {}).ok());
    EXPECT_TRUE((*store)->Close().ok());
  }
  // As version 1 left it: no tags rows, version 1 recorded.
  ch::Http http(server_->url(), 10);
  ASSERT_TRUE(http.Query("DROP TABLE " + o.database + ".tags").ok());
  ASSERT_TRUE(RecordSchemaVersion(http, o.database, 1));
  auto store = OpenClickHouseStore(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StoredSpan b = a;
  b.trace_id = testing::Tid(2);
  b.start_ns = testing::kBase + testing::kSec;
  ASSERT_TRUE(testing::WriteAt((*store)->writer(), 2, {b}, {}).ok());
  TraceQuery q;
  q.tags = {{"db.system", "redis"}};
  EXPECT_EQ(FoundIds(**store, q), (std::vector<TraceId>{b.trace_id, a.trace_id}));
  EXPECT_TRUE((*store)->Close().ok());
}

// A database of schema version 2 keeps resource attributes in each row's
// `res` arrays and has neither the `resource` column nor the resources
// table. After the upgrade its spans and logs read back with their
// resources, new ones store theirs once in the resources table, and
// resource searches find both.
TEST_F(ClickHouseStoreOnServer, RowsOfSchemaVersion2KeepTheirResourcesAfterTheUpgrade) {
  ClickHouseOptions o;
  o.url = server_->url();
  o.database = "resources_upgrade";
  {
    auto store = OpenClickHouseStore(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_TRUE((*store)->Close().ok());
  }
  // As version 2 left it, with one span and one log record of its own.
  ch::Http http(server_->url(), 10);
  const std::string db = o.database + ".";
  for (const char* sql :
       {"ALTER TABLE {}spans DROP COLUMN resource", "ALTER TABLE {}logs DROP COLUMN resource", "DROP TABLE {}resources"}) {
    std::string q = sql;
    q.replace(q.find("{}"), 2, db);
    ASSERT_TRUE(http.Query(q).ok()) << q;
  }
  ASSERT_TRUE(RecordSchemaVersion(http, o.database, 2));
  const TraceId old_trace = testing::Tid(1);
  const std::string id = ch::HexLiteral(old_trace.AsBytes());
  ASSERT_TRUE(http.Query("INSERT INTO " + db + "spans (trace_id, start_ns, span_id, service, operation, res.key, "
                         "res.type, res.value, writer, version) VALUES (" + id + ", " +
                         std::to_string(testing::kBase) + ", " + ch::HexLiteral(testing::Sid(1, 1).AsBytes()) +
                         ", 'api', 'Get', ['host.name'], [0], ['old-host'], 'w', 1)")
                  .ok());
  ASSERT_TRUE(http.Query("INSERT INTO " + db + "tags VALUES (" + std::to_string(ch::TagHash("host.name", "old-host")) +
                         ", " + std::to_string(testing::kBase) + ", " + id + ")")
                  .ok());
  ASSERT_TRUE(http.Query("INSERT INTO " + db + "logs (effective_ns, time_ns, trace_id, body, service, res.key, "
                         "res.type, res.value, writer, version) VALUES (" + std::to_string(testing::kBase) + ", " +
                         std::to_string(testing::kBase) + ", " + id +
                         ", 'hello', 'api', ['host.name'], [0], ['old-host'], 'w', 1)")
                  .ok());

  auto store = OpenClickHouseStore(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const Attributes old_host = {{"host.name", Value::String("old-host")}};
  auto old_spans = (*store)->span_reader().GetTrace(old_trace);
  ASSERT_TRUE(old_spans.ok()) << old_spans.status().ToString();
  ASSERT_EQ(old_spans->size(), 1u);
  EXPECT_EQ(old_spans->front().resource_attributes, old_host);
  auto old_logs = (*store)->log_reader().LogsForTrace(old_trace);
  ASSERT_TRUE(old_logs.ok()) << old_logs.status().ToString();
  ASSERT_EQ(old_logs->size(), 1u);
  EXPECT_EQ(old_logs->front().resource_attributes, old_host);

  StoredSpan b;
  b.trace_id = testing::Tid(2);
  b.span_id = testing::Sid(2, 1);
  b.service = "api";
  b.operation = "Get";
  b.start_ns = testing::kBase + testing::kSec;
  b.resource_attributes = {{"host.name", Value::String("new-host")}, {"service.name", Value::String("api")}};
  StoredLog l;
  l.trace_id = b.trace_id;
  l.time_ns = b.start_ns;
  l.service = "api";
  l.body = Value::String("hi");
  l.resource_attributes = b.resource_attributes;
  ASSERT_TRUE(testing::WriteAt((*store)->writer(), 2, {b}, {l}).ok());
  auto new_spans = (*store)->span_reader().GetTrace(b.trace_id);
  ASSERT_TRUE(new_spans.ok()) << new_spans.status().ToString();
  ASSERT_EQ(new_spans->size(), 1u);
  EXPECT_EQ(new_spans->front().resource_attributes, b.resource_attributes);
  auto new_logs = (*store)->log_reader().LogsForTrace(b.trace_id);
  ASSERT_TRUE(new_logs.ok()) << new_logs.status().ToString();
  ASSERT_EQ(new_logs->size(), 1u);
  EXPECT_EQ(new_logs->front().resource_attributes, b.resource_attributes);
  auto stored = http.Query("SELECT count() FROM " + db + "resources FORMAT TabSeparated");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "1\n");  // one resource, one day: one row for the span and the log

  TraceQuery q;
  q.tags = {{"resource.host.name", "old-host"}};
  EXPECT_EQ(FoundIds(**store, q), (std::vector<TraceId>{old_trace}));
  q.tags = {{"host.name", "new-host"}};
  EXPECT_EQ(FoundIds(**store, q), (std::vector<TraceId>{b.trace_id}));
  EXPECT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace callpath::store
