// Trace search with a log condition, over a real embedded store.
#include "query/trace_search.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "query/params.h"
#include "query/test_traces.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath::query {
namespace {

using testing::kMs;
using testing::kT0;
using testing::S;
using testing::Sid;

TraceId Trace(uint8_t n) {
  TraceId t;
  t.mutable_bytes()[0] = 0x77;
  t.mutable_bytes()[15] = n;
  return t;
}

store::StoredSpan InTrace(store::StoredSpan s, uint8_t trace) {
  s.trace_id = Trace(trace);
  return s;
}

store::StoredLog Log(uint8_t trace, uint8_t span, uint64_t at_ms, int32_t severity, std::string body) {
  store::StoredLog l;
  l.trace_id = Trace(trace);
  l.span_id = Sid(span);
  l.time_ns = kT0 + at_ms * kMs;
  l.severity_number = severity;
  l.body = store::Value::String(std::move(body));
  l.service = "payments";
  l.resource_attributes = {{"service.name", store::Value::String("payments")}};
  return l;
}

class FindTracesWithLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/trace-search-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    store::RocksDbOptions o;
    o.path = dir_;
    o.write_buffer_bytes = 4 << 20;
    auto s = store::OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    // Trace 1: web -> payments, payments logs an ERROR. Trace 2: web only, an INFO log.
    // Trace 3: logs only, its spans never arrived.
    std::vector<store::StoredSpan> spans = {
        InTrace(S(1, 0, "web", "GET /checkout", 0, 100), 1), InTrace(S(2, 1, "payments", "Charge", 10, 80), 1),
        InTrace(S(1, 0, "web", "GET /cart", 200, 30), 2)};
    std::vector<store::StoredLog> logs = {Log(1, 2, 20, 17, "card declined for order 17"),
                                          Log(2, 1, 210, 9, "cart shown"), Log(3, 1, 300, 17, "card declined again")};
    auto& w = store_->writer();
    auto prepared = w.Prepare(store::MakeIngestBatch(spans, logs));
    ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
    ASSERT_TRUE(w.Write({prepared->get()}, 1).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<TraceId> Find(const std::string& qs) {
    LogCondition log;
    auto q = ParseNativeSearchParams(qs + "&start=" + std::to_string(kT0) + "&end=" + std::to_string(kT0 + 1000 * kMs),
                                     kT0 + 1000 * kMs, &log);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    auto found = FindTracesWithLogs(store_->span_reader(), store_->log_reader(), q.value(), log);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    std::vector<TraceId> ids;
    for (const auto& s : found.value()) ids.push_back(s.trace_id);
    return ids;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(FindTracesWithLogsTest, TextMatchesTracesWhoseLogsSayItAndSkipsLogsWithoutSpans) {
  EXPECT_EQ(Find("log_text=card+declined"), std::vector<TraceId>{Trace(1)});
  EXPECT_EQ(Find("log_text=shown"), std::vector<TraceId>{Trace(2)});
  EXPECT_TRUE(Find("log_text=nothing+says+this").empty());
}

TEST_F(FindTracesWithLogsTest, LevelIsATraceLevelConditionBesideSpanLevelOnes) {
  // The ERROR record is payments', the span condition web's: the trace still matches.
  EXPECT_EQ(Find("log_level=error&service=web"), std::vector<TraceId>{Trace(1)});
  EXPECT_EQ(Find("log_level=warn&service=web&operation=GET+/checkout"), std::vector<TraceId>{Trace(1)});
  EXPECT_TRUE(Find("log_level=error&service=web&operation=GET+/cart").empty());
  EXPECT_TRUE(Find("log_level=error&min_duration=150ms").empty());
  EXPECT_TRUE(Find("log_level=fatal").empty());
}

TEST_F(FindTracesWithLogsTest, TraceLevelConditionsStillApply) {
  EXPECT_EQ(Find("log_level=info&services_all=payments"), std::vector<TraceId>{Trace(1)});
  EXPECT_EQ(Find("log_level=info&max_trace_duration=50ms"), std::vector<TraceId>{Trace(2)});
}

TEST_F(FindTracesWithLogsTest, WithoutALogConditionItIsFindTraces) {
  EXPECT_EQ(Find("service=web").size(), 2u);
}

TEST(LogConditionParams, AreRefusedWhereNoConditionIsTakenAndCheckedWhereItIs) {
  EXPECT_FALSE(ParseNativeSearchParams("log_text=x", kT0).ok());
  LogCondition log;
  auto bad = ParseNativeSearchParams("log_level=loud", kT0, &log);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("log_level"), std::string::npos);
  ASSERT_TRUE(ParseNativeSearchParams("log_level=WARNING&log_text=a+b", kT0, &log).ok());
  EXPECT_EQ(log.min_severity, 13);
  EXPECT_EQ(log.text, "a b");
}

TEST(DependencyWindowParams, DefaultToADayBeforeNowAndTakeRfc3339) {
  auto w = ParseDependencyWindow("", kT0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->end_ns, kT0);
  EXPECT_EQ(w->start_ns, kT0 - 24 * 3600 * 1000 * kMs);
  auto r = ParseDependencyWindow("start=2023-11-14T22:13:20Z&end=2023-11-14T23:13:20Z", kT0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->end_ns - r->start_ns, 3600 * 1000 * kMs);
  EXPECT_FALSE(ParseDependencyWindow("start=2h&end=3h", kT0).ok());  // start after end
  EXPECT_FALSE(ParseDependencyWindow("lookback=forever", kT0).ok());
  EXPECT_FALSE(ParseDependencyWindow("service=web", kT0).ok());
}

}  // namespace
}  // namespace callpath::query
