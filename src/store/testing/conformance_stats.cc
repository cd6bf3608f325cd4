// Conformance: the statistics kept at ingest (stats.h), read through
// StatsReader. (That a crash and its replay count a write once is checked
// in AckedWriteSurvivesCrash, conformance.cc.)
#include <cmath>

#include "store/log_template.h"
#include "store/testing/conformance.h"

namespace callpath::store::testing {

namespace {

constexpr uint64_t kMinute = 60 * kSec;
// A whole minute near kBase, and ids of traces that the stats tests use.
constexpr uint64_t kT0 = kBase / kMinute * kMinute;

StoredSpan StatSpan(uint8_t trace, uint8_t id, std::string service, std::string op, uint64_t start,
                    uint64_t duration, SpanStatus status = SpanStatus::kUnset) {
  StoredSpan s;
  s.trace_id = Tid(trace);
  s.span_id = Sid(trace, id);
  s.service = service;
  s.operation = std::move(op);
  s.kind = SpanKind::kServer;
  s.start_ns = start;
  s.duration_ns = duration;
  s.status = status;
  s.resource_attributes = {{"service.name", Value::String(service)}};
  return s;
}

StoredLog StatLog(uint8_t trace, std::string service, uint64_t time, int32_t severity, std::string body) {
  StoredLog l;
  if (trace) l.trace_id = Tid(trace);
  l.time_ns = time;
  l.severity_number = severity;
  l.body = Value::String(std::move(body));
  l.service = service;
  l.resource_attributes = {{"service.name", Value::String(service)}};
  return l;
}

// 100 root spans of api "GET /x" in the minute kT0, 1..100 ms (every 10th
// an error), written in two batches; and 10 of api "GET /y".
std::vector<std::vector<StoredSpan>> ApiTraffic() {
  std::vector<std::vector<StoredSpan>> batches(2);
  for (uint8_t i = 0; i < 100; ++i) {
    batches[i % 2].push_back(StatSpan(i + 1, 1, "api", "GET /x", kT0 + i * 100 * kMs, (i + 1) * kMs,
                                      i % 10 == 0 ? SpanStatus::kError : SpanStatus::kUnset));
  }
  for (uint8_t i = 0; i < 10; ++i) batches[0].push_back(StatSpan(i + 1, 2, "api", "GET /y", kT0 + kSec, kMs));
  return batches;
}

std::vector<OperationStats> Operations(Store& store, const StatsQuery& q) {
  auto r = store.stats_reader().Operations(q);
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return {};
  }
  return std::move(*r);
}

StatsQuery Window(uint64_t start, uint64_t end, std::string service = "", std::string operation = "") {
  StatsQuery q;
  q.start_ns = start;
  q.end_ns = end;
  q.service = std::move(service);
  q.operation = std::move(operation);
  return q;
}

void ExpectNear2Percent(uint64_t got, uint64_t want, const char* what) {
  EXPECT_LE(std::abs(static_cast<double>(got) - static_cast<double>(want)), 0.02 * static_cast<double>(want))
      << what << ": got " << got << ", want " << want;
}

}  // namespace

TEST_P(StoreConformanceTest, StatsCountCallsErrorsAndLatencyPerOperation) {
  for (const auto& batch : ApiTraffic()) ASSERT_TRUE(WriteSpans(batch).ok());
  const std::vector<OperationStats> rows = Operations(store(), Window(kT0, kT0 + kMinute, "api"));
  ASSERT_EQ(rows.size(), 2u);
  const OperationStats& x = rows[0];
  EXPECT_EQ(x.start_ns, kT0);
  EXPECT_EQ(x.service, "api");
  EXPECT_EQ(x.operation, "GET /x");
  EXPECT_EQ(x.kind, SpanKind::kServer);
  EXPECT_EQ(x.calls, 100u);
  EXPECT_EQ(x.errors, 10u);
  EXPECT_EQ(x.root_calls, 100u);
  EXPECT_EQ(x.duration.count(), 100u);
  // Ranks floor(q * 99) of 1..100 ms.
  ExpectNear2Percent(x.duration.Quantile(0.5), 50 * kMs, "p50");
  ExpectNear2Percent(x.duration.Quantile(0.9), 90 * kMs, "p90");
  ExpectNear2Percent(x.duration.Quantile(0.99), 99 * kMs, "p99");
  EXPECT_EQ(x.duration.max(), 100 * kMs);
  EXPECT_EQ(x.self_time.count(), 100u);
  EXPECT_EQ(rows[1].operation, "GET /y");
  EXPECT_EQ(rows[1].calls, 10u);

  const std::vector<OperationStats> y = Operations(store(), Window(kT0, kT0 + kMinute, "api", "GET /y"));
  ASSERT_EQ(y.size(), 1u);
  EXPECT_EQ(y[0].calls, 10u);
  EXPECT_TRUE(Operations(store(), Window(kT0, kT0 + kMinute, "nobody")).empty());
  EXPECT_TRUE(Operations(store(), Window(kT0 + kMinute, kT0 + 2 * kMinute, "api")).empty());
}

TEST_P(StoreConformanceTest, StatsAreMergedOverTheWindowOrPerStep) {
  // One call of "api tick" per minute for 5 minutes, plus one of "db q" in
  // the third minute.
  for (uint8_t m = 0; m < 5; ++m) {
    ASSERT_TRUE(WriteSpans({StatSpan(m + 1, 1, "api", "tick", kT0 + m * kMinute + kSec, 10 * kMs)}).ok());
  }
  ASSERT_TRUE(WriteSpans({StatSpan(9, 1, "db", "q", kT0 + 2 * kMinute, kMs)}).ok());

  // The whole window, every service: one row per operation, sorted by service.
  std::vector<OperationStats> rows = Operations(store(), Window(kT0, kT0 + 5 * kMinute));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].service, "api");
  EXPECT_EQ(rows[0].calls, 5u);
  EXPECT_EQ(rows[0].start_ns, kT0);
  EXPECT_EQ(rows[1].service, "db");

  // A window starting inside a minute takes that whole minute.
  rows = Operations(store(), Window(kT0 + 30 * kSec, kT0 + 2 * kMinute, "api"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].calls, 2u);
  EXPECT_EQ(rows[0].start_ns, kT0 + 30 * kSec);

  // Steps of 2 minutes: [0,2) [2,4) [4,5).
  StatsQuery q = Window(kT0, kT0 + 5 * kMinute, "api");
  q.step_ns = 2 * kMinute;
  rows = Operations(store(), q);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].start_ns, kT0);
  EXPECT_EQ(rows[0].calls, 2u);
  EXPECT_EQ(rows[1].start_ns, kT0 + 2 * kMinute);
  EXPECT_EQ(rows[1].calls, 2u);
  EXPECT_EQ(rows[2].start_ns, kT0 + 4 * kMinute);
  EXPECT_EQ(rows[2].calls, 1u);

  // A step under a minute is a minute; empty steps are left out.
  q = Window(kT0, kT0 + 5 * kMinute, "db");
  q.step_ns = kSec;
  rows = Operations(store(), q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].start_ns, kT0 + 2 * kMinute);
}

TEST_P(StoreConformanceTest, StatsCountLogTemplatesAndReadersReturnTemplateIds) {
  ASSERT_TRUE(WriteLogs({StatLog(1, "payment", kT0 + kSec, 17, "charge of 12.50 failed for order 8841"),
                         StatLog(2, "payment", kT0 + 2 * kSec, 17, "charge of 3.10 failed for order 17"),
                         StatLog(0, "payment", kT0 + 3 * kSec, 17, "charge of 1.00 failed for order 5"),
                         StatLog(0, "payment", kT0 + 4 * kSec, 9, "provider 3 ready")})
                  .ok());
  ASSERT_TRUE(WriteLogs({StatLog(3, "payment", kT0 + 5 * kSec, 17, "charge of 9.99 failed for order 1")}).ok());
  auto rows = store().stats_reader().LogTemplates(Window(kT0, kT0 + kMinute, "payment"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  const LogTemplate charge = LogTemplateOf("charge of 12.50 failed for order 8841");
  const LogTemplateStats* errors = nullptr;
  for (const auto& r : *rows) {
    if (r.template_id == charge.id) errors = &r;
  }
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->template_text, "charge of <*> failed for order <*>");
  EXPECT_EQ(errors->severity_number, 17);
  EXPECT_EQ(errors->count, 4u);
  EXPECT_EQ(errors->in_traces, 3u);
  EXPECT_EQ(errors->service, "payment");

  auto logs = store().log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].template_id, charge.id);
  LogQuery lq;
  lq.service = "payment";
  auto found = store().log_reader().SearchLogs(lq);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 5u);
  for (const StoredLog& l : *found) EXPECT_EQ(l.template_id, LogTemplateOf(l.body.text).id) << l.body.text;
}

// What a tail sampler does (store.h, PrepareStatistics): every span and
// record is counted when it arrives, and the kept ones are stored later
// without being counted again.
TEST_P(StoreConformanceTest, StatisticsOnlyWritesCountItemsWithoutStoringThem) {
  const std::vector<std::vector<StoredSpan>> traffic = ApiTraffic();
  const std::vector<StoredLog> logs = {StatLog(1, "api", kT0 + kSec, 17, "charge of 1.00 failed"),
                                       StatLog(2, "api", kT0 + 2 * kSec, 17, "charge of 2.00 failed")};
  const IngestBatch all = MakeIngestBatch(traffic[0], logs);
  Result<std::unique_ptr<PreparedBatch>> counted = store().writer().PrepareStatistics(all);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ((*counted)->items(), 0u);
  ASSERT_TRUE(store().writer().Write({counted->get()}, ++position_).ok());
  // Nothing stored yet...
  EXPECT_EQ(store().span_reader().GetTrace(Tid(1)).status().code(), StatusCode::kNotFound);
  auto none = store().log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // ...but counted: 50 "GET /x" spans of the first batch, 10 "GET /y".
  std::vector<OperationStats> rows = Operations(store(), Window(kT0, kT0 + kMinute, "api"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].calls, 50u);
  EXPECT_EQ(rows[1].calls, 10u);
  auto templates = store().stats_reader().LogTemplates(Window(kT0, kT0 + kMinute, "api"));
  ASSERT_TRUE(templates.ok());
  ASSERT_EQ(templates->size(), 1u);
  EXPECT_EQ((*templates)[0].count, 2u);
  if (GetParam().persistent) {
    Reopen();  // a time range with statistics and no items is found again
    rows = Operations(store(), Window(kT0, kT0 + kMinute, "api"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].calls, 50u);
  }

  // The kept trace 1, stored without counting it again.
  IngestBatch kept = MakeIngestBatch({traffic[0][0]}, {logs[0]});
  kept.fold_statistics = false;
  Result<std::unique_ptr<PreparedBatch>> stored = store().writer().Prepare(std::move(kept));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_TRUE(store().writer().Write({stored->get()}, ++position_).ok());
  auto trace = store().span_reader().GetTrace(traffic[0][0].trace_id);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->size(), 1u);
  auto trace_logs = store().log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(trace_logs.ok());
  ASSERT_EQ(trace_logs->size(), 1u);
  EXPECT_EQ((*trace_logs)[0].template_id, LogTemplateOf("charge of 1.00 failed").id);
  rows = Operations(store(), Window(kT0, kT0 + kMinute, "api"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].calls, 50u);
  templates = store().stats_reader().LogTemplates(Window(kT0, kT0 + kMinute, "api"));
  ASSERT_TRUE(templates.ok());
  ASSERT_EQ(templates->size(), 1u);
  EXPECT_EQ((*templates)[0].count, 2u);

  // The same validation as Prepare.
  IngestBatch bad = MakeIngestBatch({traffic[0][0]});
  bad.spans[0].span_id = SpanId();
  EXPECT_EQ(store().writer().PrepareStatistics(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, StatsKeepGivenTemplateIds) {
  StoredLog l = StatLog(1, "cart", kT0, 9, "hello 1");
  l.template_id = 1234;
  ASSERT_TRUE(WriteLogs({l}).ok());
  auto logs = store().log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].template_id, 1234u);
  auto rows = store().stats_reader().LogTemplates(Window(kT0, kT0 + kMinute));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].template_id, 1234u);
}

TEST_P(StoreConformanceTest, StatsFollowRetention) {
  const uint64_t bucket = GetParam().bucket_seconds * kSec;
  const uint64_t old = (kBase - 5 * bucket) / kMinute * kMinute;
  ASSERT_TRUE(WriteSpans({StatSpan(1, 1, "legacy", "Old", old, kMs)}).ok());
  ASSERT_TRUE(WriteLogs({StatLog(1, "legacy", old, 9, "old")}).ok());
  ASSERT_TRUE(WriteSpans({StatSpan(2, 1, "api", "New", kT0, kMs)}).ok());
  ASSERT_EQ(Operations(store(), Window(old, old + kMinute)).size(), 1u);

  ASSERT_TRUE(store().DeleteBefore(kBase - 2 * bucket).ok());
  EXPECT_TRUE(Operations(store(), Window(old, old + kMinute)).empty());
  auto templates = store().stats_reader().LogTemplates(Window(old, old + kMinute));
  ASSERT_TRUE(templates.ok());
  EXPECT_TRUE(templates->empty());
  EXPECT_EQ(Operations(store(), Window(kT0, kT0 + kMinute)).size(), 1u);
  // Rows newer than the cutoff go on counting.
  ASSERT_TRUE(WriteSpans({StatSpan(3, 1, "api", "New", kT0, kMs)}).ok());
  const std::vector<OperationStats> rows = Operations(store(), Window(kT0, kT0 + kMinute));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].calls, 2u);
}

TEST_P(StoreConformanceTest, StatsSurviveReopenAndKeepCounting) {
  if (!GetParam().persistent) GTEST_SKIP() << "backend keeps nothing on disk";
  for (const auto& batch : ApiTraffic()) ASSERT_TRUE(WriteSpans(batch).ok());
  Reopen();
  std::vector<OperationStats> rows = Operations(store(), Window(kT0, kT0 + kMinute, "api", "GET /x"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].calls, 100u);
  // A write after the reopen adds to the row kept, not a new one.
  ASSERT_TRUE(WriteSpans({StatSpan(200, 1, "api", "GET /x", kT0 + 59 * kSec, 500 * kMs)}).ok());
  rows = Operations(store(), Window(kT0, kT0 + kMinute, "api", "GET /x"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].calls, 101u);
  EXPECT_EQ(rows[0].errors, 10u);
  EXPECT_EQ(rows[0].duration.max(), 500 * kMs);
}

TEST_P(StoreConformanceTest, StatsCountASpanWrittenTwiceTwice) {
  const StoredSpan s = StatSpan(1, 1, "api", "GET /x", kT0, kMs);
  ASSERT_TRUE(WriteSpans({s}).ok());
  ASSERT_TRUE(WriteSpans({s}).ok());
  const std::vector<OperationStats> rows = Operations(store(), Window(kT0, kT0 + kMinute));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].calls, 2u);
}

}  // namespace callpath::store::testing
