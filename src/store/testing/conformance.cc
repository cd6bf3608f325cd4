#include "store/testing/conformance.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "store/log_template.h"
#include "store/stats_fold.h"

extern char** environ;

namespace callpath::store::testing {

namespace {

StoredSpan Span(uint8_t trace, uint8_t id, uint8_t parent, std::string service, std::string op,
                uint64_t start, uint64_t dur, SpanStatus status = SpanStatus::kUnset) {
  StoredSpan s;
  s.trace_id = Tid(trace);
  s.span_id = Sid(trace, id);
  if (parent) s.parent_span_id = Sid(trace, parent);
  s.service = service;
  s.operation = std::move(op);
  s.kind = parent ? SpanKind::kServer : SpanKind::kServer;
  s.start_ns = start;
  s.duration_ns = dur;
  s.status = status;
  s.flags = 1;
  s.resource_attributes = {{"service.name", Value::String(service)},
                           {"host.name", Value::String("node-1")}};
  s.scope_name = "shop";
  s.scope_version = "1.0";
  return s;
}

// Three traces of a small shop, as the tests below describe them:
//   T1 at kBase:      frontend GET /checkout 500ms -> checkout PlaceOrder
//                     -> payment Charge (ERROR, http.status_code=500) -> payment SELECT
//   T2 at kBase+1s:   frontend GET /home 50ms -> catalog List (user.tier=gold)
//   T3 at kBase+2s:   frontend GET /checkout 2s -> checkout PlaceOrder -> payment Charge 1.8s
struct Shop {
  std::vector<StoredSpan> t1, t2, t3;
  Shop() {
    uint64_t b1 = kBase, b2 = kBase + kSec, b3 = kBase + 2 * kSec;
    t1.push_back(Span(1, 1, 0, "frontend", "GET /checkout", b1, 500 * kMs));
    t1.push_back(Span(1, 2, 1, "checkout", "PlaceOrder", b1 + 20 * kMs, 460 * kMs));
    t1.push_back(Span(1, 3, 2, "payment", "Charge", b1 + 100 * kMs, 300 * kMs, SpanStatus::kError));
    t1.push_back(Span(1, 4, 3, "payment", "SELECT", b1 + 150 * kMs, 50 * kMs));
    t1[0].attributes = {{"http.method", Value::String("GET")}, {"http.status_code", Value::Int(500)}};
    t1[2].status_message = "card declined";
    t1[2].kind = SpanKind::kClient;
    t1[2].attributes = {{"http.status_code", Value::Int(500)},
                        {"peer.service", Value::String("bank")},
                        {"retry", Value::Bool(true)},
                        {"amount", Value::Double(12.5)},
                        {"raw", Value::Bytes(std::string("\x00\xff", 2))},
                        {"items", Value::Json("[1,2,3]")}};
    t1[2].events = {{b1 + 120 * kMs, "exception", {{"exception.message", Value::String("declined")}}}};
    t1[2].links = {{Tid(9), Sid(9, 1), "k=v", {{"link.kind", Value::String("follows")}}}};
    t1[2].trace_state = "vendor=1";
    t2.push_back(Span(2, 1, 0, "frontend", "GET /home", b2, 50 * kMs));
    t2.push_back(Span(2, 2, 1, "catalog", "List", b2 + 5 * kMs, 35 * kMs));
    t2[1].attributes = {{"user.tier", Value::String("gold")}};
    t3.push_back(Span(3, 1, 0, "frontend", "GET /checkout", b3, 2000 * kMs));
    t3.push_back(Span(3, 2, 1, "checkout", "PlaceOrder", b3 + 10 * kMs, 1980 * kMs));
    t3.push_back(Span(3, 3, 2, "payment", "Charge", b3 + 100 * kMs, 1800 * kMs));
    t3[2].attributes = {{"peer.service", Value::String("bank")}};
  }
  // Out of order, interleaved across traces; T1's root comes last.
  std::vector<std::vector<StoredSpan>> Batches() const {
    return {{t1[2], t3[0], t2[1]}, {t1[1], t3[2], t2[0]}, {t1[3], t3[1], t1[0]}};
  }
};

}  // namespace

// The calls callpathd makes for one write: Prepare, then Write.
Status WriteAt(Writer& writer, uint64_t position, const std::vector<StoredSpan>& spans,
               const std::vector<StoredLog>& logs) {
  Result<std::unique_ptr<PreparedBatch>> prepared = writer.Prepare(MakeIngestBatch(spans, logs));
  if (!prepared.ok()) return prepared.status();
  return writer.Write({prepared->get()}, position);
}

namespace {

std::vector<TraceId> Ids(const Result<std::vector<TraceSummary>>& r) {
  std::vector<TraceId> ids;
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return ids;
  }
  for (const auto& s : *r) ids.push_back(s.trace_id);
  return ids;
}

StoredLog Log(uint8_t trace, std::string service, uint64_t time, int severity, std::string body) {
  StoredLog l;
  if (trace) {
    l.trace_id = Tid(trace);
    l.span_id = Sid(trace, 3);
  }
  l.time_ns = time;
  l.observed_ns = time + kMs;
  l.severity_number = severity;
  l.severity_text = severity >= 17 ? "ERROR" : severity >= 13 ? "WARN" : "INFO";
  l.body = Value::String(std::move(body));
  l.service = service;
  l.attributes = {{"order.id", Value::Int(42)}};
  l.resource_attributes = {{"service.name", Value::String(service)}};
  l.scope_name = "shop.log";
  return l;
}

std::vector<StoredLog> ShopLogs() {
  std::vector<StoredLog> logs = {
      Log(1, "payment", kBase + 150 * kMs, 17, "card declined by bank"),
      Log(1, "checkout", kBase + 25 * kMs, 9, "placing order"),
      Log(0, "frontend", kBase - kSec, 9, "server started"),
      Log(3, "payment", kBase + 2 * kSec + 1900 * kMs, 13, "slow payment provider"),
  };
  logs[0].body = Value::Json(R"({"msg":"card declined by bank","code":51})");
  return logs;
}

// `logs` as the readers return them: with the template id of their body.
std::vector<StoredLog> WithTemplateIds(std::vector<StoredLog> logs) {
  std::string scratch;
  for (StoredLog& l : logs) {
    if (l.template_id == 0) l.template_id = LogTemplateOf(LogBodyText(l, &scratch)).id;
  }
  return logs;
}

}  // namespace

std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "callpath-store-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  dir_ = tmpl;
  auto s = GetParam().open(dir_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
  position_ = store_->writer().DurablePosition();
}

void StoreConformanceTest::TearDown() {
  if (store_) EXPECT_TRUE(store_->Close().ok());
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void StoreConformanceTest::Reopen() {
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  auto s = GetParam().open(dir_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
  position_ = store_->writer().DurablePosition();
}

Status StoreConformanceTest::Write(const std::vector<StoredSpan>& spans, const std::vector<StoredLog>& logs) {
  Status s = WriteAt(store_->writer(), position_ + 1, spans, logs);
  if (s.ok()) ++position_;
  return s;
}

TEST_P(StoreConformanceTest, GetTraceReturnsEverySpanWrittenOutOfOrder) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  for (const auto* want : {&shop.t1, &shop.t2, &shop.t3}) {
    auto got = store().span_reader().GetTrace(want->front().trace_id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want->size());
    // Ordered by start time, every field round-tripped.
    for (size_t i = 0; i < want->size(); ++i) EXPECT_EQ((*got)[i], (*want)[i]) << "span " << i;
  }
}

namespace {
// "parent->child N calls M errors" per link, for comparing the counts.
std::vector<std::string> Calls(const std::vector<DependencyLink>& links) {
  std::vector<std::string> out;
  for (const auto& l : links) {
    out.push_back(l.parent + "->" + l.child + " " + std::to_string(l.call_count) + " calls " +
                  std::to_string(l.error_count) + " errors");
  }
  return out;
}

// What GetTraceSkeleton keeps of a span: the tree's fields, nothing else.
StoredSpan SkeletonOf(const StoredSpan& s) {
  StoredSpan k;
  k.trace_id = s.trace_id;
  k.span_id = s.span_id;
  k.parent_span_id = s.parent_span_id;
  k.service = s.service;
  k.operation = s.operation;
  k.kind = s.kind;
  k.start_ns = s.start_ns;
  k.duration_ns = s.duration_ns;
  k.status = s.status;
  return k;
}
}  // namespace

TEST_P(StoreConformanceTest, GetTraceSkeletonReturnsTheTreeFieldsOfEverySpanInOrder) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  for (const auto* want : {&shop.t1, &shop.t2, &shop.t3}) {
    auto got = store().span_reader().GetTraceSkeleton(want->front().trace_id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want->size());
    for (size_t i = 0; i < want->size(); ++i) EXPECT_EQ((*got)[i], SkeletonOf((*want)[i])) << "span " << i;
  }
  EXPECT_EQ(store().span_reader().GetTraceSkeleton(Tid(77)).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, GetTraceSkeletonKeepsTheLastCopyOfASpanWrittenTwice) {
  Shop shop;
  ASSERT_TRUE(WriteSpans(shop.t2).ok());
  StoredSpan again = shop.t2[1];
  again.operation = "List again";
  again.status = SpanStatus::kError;
  again.duration_ns += kMs;
  ASSERT_TRUE(WriteSpans({again}).ok());
  auto got = store().span_reader().GetTraceSkeleton(Tid(2));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[1], SkeletonOf(again));
  auto full = store().span_reader().GetTrace(Tid(2));
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->size(), 2u);
  EXPECT_EQ(SkeletonOf((*full)[1]), SkeletonOf(again)) << "both reads agree on which copy is kept";
}

TEST_P(StoreConformanceTest, UnknownTraceIsNotFound) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  auto got = store().span_reader().GetTrace(Tid(77));
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().span_reader().GetTraceSummary(Tid(77)).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, InvalidIdsRejectTheWholeBatch) {
  Shop shop;
  auto batch = shop.t2;
  batch.push_back(batch[0]);
  batch.back().span_id = SpanId();
  EXPECT_EQ(WriteSpans(batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().span_reader().GetTrace(Tid(2)).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(WriteSpans({}).ok());
}

TEST_P(StoreConformanceTest, SummaryIsMergedAcrossBatches) {
  Shop shop;
  // The root of T1 arrives last: until then the earliest span stands in.
  ASSERT_TRUE(WriteSpans({shop.t1[2], shop.t1[1]}).ok());
  auto partial = store().span_reader().GetTraceSummary(Tid(1));
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_root);
  EXPECT_EQ(partial->root_service, "checkout");
  ASSERT_TRUE(WriteSpans({shop.t1[3]}).ok());
  ASSERT_TRUE(WriteSpans({shop.t1[0]}).ok());

  auto s = store().span_reader().GetTraceSummary(Tid(1));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->trace_id, Tid(1));
  EXPECT_TRUE(s->has_root);
  EXPECT_EQ(s->root_service, "frontend");
  EXPECT_EQ(s->root_operation, "GET /checkout");
  EXPECT_EQ(s->start_ns, kBase);
  EXPECT_EQ(s->duration_ns, 500 * kMs);
  EXPECT_EQ(s->span_count, 4u);
  EXPECT_EQ(s->error_count, 1u);
  EXPECT_EQ(s->services, (std::vector<std::string>{"checkout", "frontend", "payment"}));
}

TEST_P(StoreConformanceTest, FindTracesByServiceNewestFirst) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  TraceQuery q;
  q.service = "payment";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3), Tid(1)}));
  q.service = "catalog";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(2)}));
  q.service = "nobody";
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  TraceQuery all;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(all)),
            (std::vector<TraceId>{Tid(3), Tid(2), Tid(1)}));
  all.limit = 1;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(all)), (std::vector<TraceId>{Tid(3)}));
}

TEST_P(StoreConformanceTest, FindTracesByServiceAndOperation) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  TraceQuery q;
  q.service = "frontend";
  q.operation = "GET /checkout";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3), Tid(1)}));
  q.operation = "GET /home";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(2)}));
  q.service = "catalog";  // the operation exists, but not in this service
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
}

TEST_P(StoreConformanceTest, FindTracesByTagsOnOneSpan) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  TraceQuery q;
  q.tags = {{"user.tier", "gold"}};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(2)}));
  q.tags = {{"http.status_code", "500"}};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
  // Both tags on T1's payment span.
  q.tags = {{"http.status_code", "500"}, {"peer.service", "bank"}};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
  // Typed values match by their text form.
  q.tags = {{"retry", "true"}, {"amount", "12.5"}, {"raw", "00ff"}, {"items", "[1,2,3]"}};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
  // Tags on different spans of one trace do not make a match (Jaeger semantics).
  q.tags = {{"http.method", "GET"}, {"peer.service", "bank"}};
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  // Service and tag must hold on the same span too.
  q.tags = {{"peer.service", "bank"}};
  q.service = "frontend";
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  q.service = "payment";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3), Tid(1)}));
  q.tags = {{"user.tier", "silver"}};
  q.service.clear();
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
}

TEST_P(StoreConformanceTest, FindTracesBySpanDuration) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  TraceQuery q;
  q.service = "payment";
  q.min_span_duration_ns = 1000 * kMs;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3)}));
  q.min_span_duration_ns = 0;
  q.max_span_duration_ns = 60 * kMs;  // T1's SELECT span (50ms) is a payment span
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
  // Span-level: no single span of any trace lasts between 2.1s and 3s.
  TraceQuery any;
  any.min_span_duration_ns = 2100 * kMs;
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(any)).empty());
}

TEST_P(StoreConformanceTest, FindTracesByTraceLevelFilters) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  TraceQuery q;
  q.min_trace_duration_ns = 1000 * kMs;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3)}));
  q = {};
  q.max_trace_duration_ns = 100 * kMs;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(2)}));
  q = {};
  q.errors_only = true;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
  // Trace-level: the error is in payment, the service filter on frontend.
  q.service = "frontend";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
  q = {};
  q.services_all = {"frontend", "payment"};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3), Tid(1)}));
  q.services_all = {"catalog", "payment"};
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  // Combined: service X, errors, span duration > 100ms (the issue's example).
  q = {};
  q.service = "payment";
  q.errors_only = true;
  q.min_span_duration_ns = 100 * kMs;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
}

TEST_P(StoreConformanceTest, FindTracesByTimeRange) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  TraceQuery q;
  q.start_time_min_ns = kBase + 500 * kMs;
  q.start_time_max_ns = kBase + 1500 * kMs;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(2)}));
  q.start_time_min_ns = kBase + 10 * kSec;
  q.start_time_max_ns = UINT64_MAX;
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  q.start_time_min_ns = 0;
  q.start_time_max_ns = kBase + 1 * kMs;  // only T1's root starts by then
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(1)}));
}

TEST_P(StoreConformanceTest, ServicesAndOperations) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  auto services = store().span_reader().GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"catalog", "checkout", "frontend", "payment"}));
  auto ops = store().span_reader().GetOperations("payment", std::nullopt);
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(*ops, (std::vector<Operation>{{"Charge", SpanKind::kServer},
                                          {"Charge", SpanKind::kClient},
                                          {"SELECT", SpanKind::kServer}}));
  ops = store().span_reader().GetOperations("payment", SpanKind::kClient);
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(*ops, (std::vector<Operation>{{"Charge", SpanKind::kClient}}));
  ops = store().span_reader().GetOperations("nobody", std::nullopt);
  ASSERT_TRUE(ops.ok());
  EXPECT_TRUE(ops->empty());
}

TEST_P(StoreConformanceTest, DependenciesCountParentChildServicePairs) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  auto deps = store().span_reader().GetDependencies(kBase - kSec, kBase + 10 * kSec);
  ASSERT_TRUE(deps.ok()) << deps.status().ToString();
  EXPECT_EQ(Calls(*deps), (std::vector<std::string>{"checkout->payment 2 calls 1 errors",
                                                    "frontend->catalog 1 calls 0 errors",
                                                    "frontend->checkout 2 calls 0 errors"}));
  deps = store().span_reader().GetDependencies(kBase + 1500 * kMs, kBase + 10 * kSec);
  ASSERT_TRUE(deps.ok());
  EXPECT_EQ(Calls(*deps), (std::vector<std::string>{"checkout->payment 1 calls 0 errors",
                                                    "frontend->checkout 1 calls 0 errors"}));
}

TEST_P(StoreConformanceTest, DependenciesGiveThe99thPercentileOfTheCalleesDurations) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  // Within 2 %: backends may estimate the percentile.
  auto near = [](uint64_t got, uint64_t want) { return got >= want * 98 / 100 && got <= want * 102 / 100; };
  auto deps = store().span_reader().GetDependencies(kBase + 1500 * kMs, kBase + 10 * kSec);
  ASSERT_TRUE(deps.ok()) << deps.status().ToString();
  ASSERT_EQ(deps->size(), 2u);
  // One call each: T3's payment Charge (1800 ms) and checkout PlaceOrder (1980 ms).
  EXPECT_TRUE(near((*deps)[0].p99_duration_ns, 1800 * kMs)) << (*deps)[0].p99_duration_ns;
  EXPECT_TRUE(near((*deps)[1].p99_duration_ns, 1980 * kMs)) << (*deps)[1].p99_duration_ns;
  deps = store().span_reader().GetDependencies(kBase - kSec, kBase + 10 * kSec);
  ASSERT_TRUE(deps.ok());
  // frontend->catalog: T2's List alone (35 ms).
  EXPECT_TRUE(near((*deps)[1].p99_duration_ns, 35 * kMs)) << (*deps)[1].p99_duration_ns;
  // checkout->payment: 300 and 1800 ms; the percentile lies between them.
  EXPECT_GE((*deps)[0].p99_duration_ns, 300 * kMs * 98 / 100);
  EXPECT_LE((*deps)[0].p99_duration_ns, 1800 * kMs * 102 / 100);
}

TEST_P(StoreConformanceTest, LogsByTraceAndSearch) {
  auto logs = ShopLogs();
  ASSERT_TRUE(WriteLogs(logs).ok());
  logs = WithTemplateIds(logs);
  auto t1 = store().log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  ASSERT_EQ(t1->size(), 2u);
  EXPECT_EQ((*t1)[0], logs[1]);  // oldest first, every field kept
  EXPECT_EQ((*t1)[1], logs[0]);
  auto none = store().log_reader().LogsForTrace(Tid(2));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto bodies = [&](const LogQuery& q) {
    std::vector<std::string> out;
    auto r = store().log_reader().SearchLogs(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) for (const auto& l : *r) out.push_back(l.body.text);
    return out;
  };
  LogQuery q;
  q.min_severity = 13;
  EXPECT_EQ(bodies(q), (std::vector<std::string>{"slow payment provider", logs[0].body.text}));
  q = {};
  q.service = "frontend";
  EXPECT_EQ(bodies(q), (std::vector<std::string>{"server started"}));
  q = {};
  q.text = "order";
  EXPECT_EQ(bodies(q), (std::vector<std::string>{"placing order"}));
  q = {};
  q.trace_id = Tid(1);
  q.min_severity = 17;
  EXPECT_EQ(bodies(q), (std::vector<std::string>{logs[0].body.text}));
  q = {};
  q.start_time_min_ns = kBase;
  q.start_time_max_ns = kBase + kSec;
  EXPECT_EQ(bodies(q), (std::vector<std::string>{logs[0].body.text, "placing order"}));
  q = {};
  q.limit = 1;
  EXPECT_EQ(bodies(q), (std::vector<std::string>{"slow payment provider"}));
}

TEST_P(StoreConformanceTest, RetentionDropsOldBucketsOnly) {
  const uint64_t bucket = GetParam().bucket_seconds * kSec;
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  // An old trace and log, five buckets earlier, in a service of its own.
  StoredSpan old = Span(5, 1, 0, "legacy", "Old", kBase - 5 * bucket, 10 * kMs);
  ASSERT_TRUE(WriteSpans({old}).ok());
  ASSERT_TRUE(WriteLogs({Log(5, "legacy", kBase - 5 * bucket, 9, "old")}).ok());
  ASSERT_TRUE(store().span_reader().GetTrace(Tid(5)).ok());

  ASSERT_TRUE(store().DeleteBefore(kBase - 2 * bucket).ok());
  EXPECT_EQ(store().span_reader().GetTrace(Tid(5)).status().code(), StatusCode::kNotFound);
  TraceQuery q;
  q.service = "legacy";
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  auto services = store().span_reader().GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(std::count(services->begin(), services->end(), "legacy"), 0);
  auto logs = store().log_reader().LogsForTrace(Tid(5));
  ASSERT_TRUE(logs.ok());
  EXPECT_TRUE(logs->empty());
  // Newer data is untouched.
  auto t1 = store().span_reader().GetTrace(Tid(1));
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1->size(), 4u);
  EXPECT_EQ(Ids(store().span_reader().FindTraces({})), (std::vector<TraceId>{Tid(3), Tid(2), Tid(1)}));
}

TEST_P(StoreConformanceTest, ReopenAfterCloseKeepsData) {
  if (!GetParam().persistent) GTEST_SKIP() << "backend keeps nothing on disk";
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  ASSERT_TRUE(WriteLogs(ShopLogs()).ok());
  Reopen();
  auto t1 = store().span_reader().GetTrace(Tid(1));
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  EXPECT_EQ(t1->size(), 4u);
  auto s = store().span_reader().GetTraceSummary(Tid(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->span_count, 4u);
  TraceQuery q;
  q.service = "payment";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(3), Tid(1)}));
  auto logs = store().log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->size(), 2u);
  // Writing after reopen extends the same summary.
  ASSERT_TRUE(WriteSpans({Span(1, 9, 1, "audit", "Log", kBase + kMs, kMs)}).ok());
  s = store().span_reader().GetTraceSummary(Tid(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->span_count, 5u);
}

TEST_P(StoreConformanceTest, CallsAfterCloseFail) {
  ASSERT_TRUE(store().Close().ok());
  EXPECT_TRUE(store().Close().ok());  // idempotent
  EXPECT_EQ(WriteSpans(Shop().t2).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().span_reader().GetTrace(Tid(1)).status().code(), StatusCode::kFailedPrecondition);
}

// Runs only inside the child process that AckedWriteSurvivesCrash spawns:
// writes, and dies by SIGKILL the moment the write is acknowledged.
TEST_P(StoreConformanceTest, CrashChildWriter) {
  const char* dir = std::getenv("CALLPATH_CONFORMANCE_CRASH_DIR");
  const char* backend = std::getenv("CALLPATH_CONFORMANCE_BACKEND");
  if (dir == nullptr || backend == nullptr || GetParam().name != backend) {
    GTEST_SKIP() << "helper of AckedWriteSurvivesCrash";
  }
  auto s = GetParam().open(dir);
  if (!s.ok()) _exit(2);
  // Acknowledged: the shop and its logs, made durable by a Checkpoint.
  Writer& writer = (*s)->writer();
  uint64_t position = writer.DurablePosition();
  Shop shop;
  for (const auto& batch : shop.Batches()) {
    if (!WriteAt(writer, ++position, batch, {}).ok()) _exit(3);
  }
  if (!WriteAt(writer, ++position, {}, ShopLogs()).ok()) _exit(4);
  auto durable = writer.Checkpoint();
  if (!durable.ok() || *durable != position) _exit(6);
  // Not acknowledged: a write after the checkpoint, which the crash may
  // keep or lose, but only whole and only as DurablePosition says.
  const std::vector<StoredSpan> late = {Span(7, 1, 0, "late", "Late", kBase, kMs),
                                        Span(7, 2, 1, "late", "Child", kBase, kMs)};
  if (!WriteAt(writer, ++position, late, {}).ok()) _exit(7);
  // This process's own fixture store is not part of the experiment, and
  // TearDown will not run to remove it.
  TearDown();
  raise(SIGKILL);  // no Close, no destructors, no flush
  _exit(5);
}

TEST_P(StoreConformanceTest, AckedWriteSurvivesCrash) {
  if (!GetParam().persistent) GTEST_SKIP() << "backend keeps nothing on disk";
  std::string crash_dir = dir_ + "/crashed";
  std::string filter = "--gtest_filter=*StoreConformanceTest.CrashChildWriter/" + GetParam().name;
  std::string env_dir = "CALLPATH_CONFORMANCE_CRASH_DIR=" + crash_dir;
  std::string env_backend = "CALLPATH_CONFORMANCE_BACKEND=" + GetParam().name;
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  envp.push_back(env_dir.data());
  envp.push_back(env_backend.data());
  envp.push_back(nullptr);
  std::string self = "/proc/self/exe";
  char* argv[] = {self.data(), filter.data(), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp.data()), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child did not reach the crash point; exit code "
      << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  auto reopened = GetParam().open(crash_dir);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  Shop shop;
  for (const auto* want : {&shop.t1, &shop.t2, &shop.t3}) {
    auto got = (*reopened)->span_reader().GetTrace(want->front().trace_id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, *want);
  }
  auto s = (*reopened)->span_reader().GetTraceSummary(Tid(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->span_count, 4u);
  auto logs = (*reopened)->log_reader().LogsForTrace(Tid(1));
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->size(), 2u);
  // The write after the checkpoint: whole if DurablePosition covers it
  // (else the caller replays it from its own log, at the same position).
  const uint64_t durable = (*reopened)->writer().DurablePosition();
  EXPECT_GE(durable, 4u) << "the checkpointed writes are positions 1-4";
  EXPECT_LE(durable, 5u);
  auto late = (*reopened)->span_reader().GetTrace(Tid(7));
  if (durable == 5) {
    ASSERT_TRUE(late.ok()) << late.status().ToString();
    EXPECT_EQ(late->size(), 2u);
  }
  // Replaying it at its position stores it whole, and only once.
  if (durable == 4) {
    ASSERT_TRUE(WriteAt((*reopened)->writer(), 5,
                        {Span(7, 1, 0, "late", "Late", kBase, kMs), Span(7, 2, 1, "late", "Child", kBase, kMs)}, {})
                    .ok());
  }
  late = (*reopened)->span_reader().GetTrace(Tid(7));
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->size(), 2u);
  // The statistics count each write once, whether it survived the crash
  // or was replayed, and go on counting from what survived.
  StatsQuery sq;
  sq.start_ns = kBase - kSec;
  sq.end_ns = kBase + 10 * kSec;
  auto calls = [&](const std::string& service, const std::string& op) -> uint64_t {
    sq.service = service;
    sq.operation = op;
    auto rows = (*reopened)->stats_reader().Operations(sq);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    uint64_t n = 0;
    if (rows.ok()) {
      for (const OperationStats& r : *rows) n += r.calls;  // of every kind
    }
    return n;
  };
  EXPECT_EQ(calls("late", "Late"), 1u);
  EXPECT_EQ(calls("late", "Child"), 1u);
  EXPECT_EQ(calls("payment", "Charge"), 2u);  // a client and a server span
  ASSERT_TRUE(WriteAt((*reopened)->writer(), 6, {Span(8, 1, 0, "late", "Late", kBase, kMs)}, {}).ok());
  EXPECT_EQ(calls("late", "Late"), 2u);
  EXPECT_TRUE((*reopened)->Close().ok());
}

TEST_P(StoreConformanceTest, WritePositionsMustIncrease) {
  ASSERT_TRUE(WriteSpans(Shop().t2).ok());
  EXPECT_EQ(WriteAt(store().writer(), position_, Shop().t3, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().span_reader().GetTrace(Tid(3)).status().code(), StatusCode::kNotFound)
      << "a refused write stores nothing";
  EXPECT_TRUE(WriteAt(store().writer(), position_ + 10, Shop().t3, {}).ok()) << "gaps are allowed";
}

TEST_P(StoreConformanceTest, WritesAreVisibleBeforeCheckpointAndDurableAfter) {
  if (!GetParam().persistent) GTEST_SKIP() << "backend keeps nothing on disk";
  ASSERT_TRUE(WriteSpans(Shop().t2).ok());
  EXPECT_TRUE(store().span_reader().GetTrace(Tid(2)).ok()) << "visible when Write returns";
  auto durable = store().writer().Checkpoint();
  ASSERT_TRUE(durable.ok()) << durable.status().ToString();
  EXPECT_EQ(*durable, position_);
  EXPECT_EQ(store().writer().DurablePosition(), position_);
  Reopen();
  EXPECT_EQ(store().writer().DurablePosition(), position_);
  EXPECT_TRUE(store().span_reader().GetTrace(Tid(2)).ok());
}

TEST_P(StoreConformanceTest, PrepareRefusesABadResourceIndex) {
  IngestBatch batch;
  batch.spans = Shop().t2;
  batch.span_resource = {0, 1};  // no resources given
  EXPECT_EQ(store().writer().Prepare(std::move(batch)).status().code(), StatusCode::kInvalidArgument);
}

// A trace whose spans arrive over several batches, from several services,
// interleaved with other traces and spread over minutes and a bucket
// boundary, reads back complete and is found by every span's terms.
TEST_P(StoreConformanceTest, TraceOverManyBatchesIsCompleteAndSearchable) {
  const uint64_t bucket = GetParam().bucket_seconds * kSec;
  const uint64_t edge = (kBase / bucket + 1) * bucket;  // next bucket boundary
  const char* services[] = {"gateway", "orders", "stock", "mailer"};
  std::vector<StoredSpan> want;
  for (uint8_t i = 0; i < 12; ++i) {
    // Starts from 3 minutes before the boundary to 2 minutes after it.
    uint64_t start = edge - 180 * kSec + i * 25 * kSec;
    StoredSpan s = Span(20, i + 1, i == 0 ? 0 : 1, services[i % 4], "op" + std::to_string(i % 3),
                        start, (i + 1) * 10 * kMs);
    s.attributes = {{"step", Value::Int(i)}};
    want.push_back(s);
  }
  Shop shop;
  // Four batches of three spans, newest first, each with other traces.
  for (int b = 3; b >= 0; --b) {
    std::vector<StoredSpan> batch = {want[b * 3 + 2], shop.t2[b % 2], want[b * 3], want[b * 3 + 1]};
    ASSERT_TRUE(WriteSpans(batch).ok());
  }
  auto got = store().span_reader().GetTrace(Tid(20));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, want);
  auto sum = store().span_reader().GetTraceSummary(Tid(20));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->span_count, 12u);
  EXPECT_EQ(sum->start_ns, want.front().start_ns);
  EXPECT_EQ(sum->duration_ns, want.back().end_ns() - want.front().start_ns);
  EXPECT_EQ(sum->services, (std::vector<std::string>{"gateway", "mailer", "orders", "stock"}));

  for (uint8_t i = 0; i < 12; ++i) {
    TraceQuery q;
    q.service = want[i].service;
    q.operation = want[i].operation;
    q.tags = {{"step", std::to_string(i)}};
    q.min_span_duration_ns = want[i].duration_ns;
    q.max_span_duration_ns = want[i].duration_ns;
    q.start_time_min_ns = want[i].start_ns;
    q.start_time_max_ns = want[i].start_ns;
    EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(20)})) << "span " << int(i);
    // The same filters one nanosecond off find nothing.
    q.start_time_min_ns = want[i].start_ns + 1;
    q.start_time_max_ns = want[i].start_ns + 20 * kSec;
    EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty()) << "span " << int(i);
  }
  // Span-level filters still hold on ONE span: span 3 is a mailer span,
  // span 6 is stock's op0 (stock's spans are 2, 6 and 10).
  TraceQuery q;
  q.service = "stock";
  q.tags = {{"step", "3"}};
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  q.operation = "op2";
  q.tags = {{"step", "6"}};
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  q.operation = "op0";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(20)}));
  auto deps = store().span_reader().GetDependencies(edge - bucket, edge + bucket);
  ASSERT_TRUE(deps.ok());
  uint64_t from_gateway = 0;
  for (const auto& d : *deps) from_gateway += d.parent == "gateway" ? d.call_count : 0;
  // Spans 1..11 are children of span 0 (gateway); 4 and 8 are gateway's own.
  EXPECT_EQ(from_gateway, 9u);
}

TEST_P(StoreConformanceTest, ResentSpanReplacesTheEarlierCopy) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  StoredSpan again = shop.t2[1];
  again.attributes = {{"user.tier", Value::String("platinum")}};
  // Twice in one batch (the last copy wins), then once more later.
  StoredSpan first = again;
  first.attributes = {{"user.tier", Value::String("bronze")}};
  ASSERT_TRUE(WriteSpans({first, again}).ok());
  auto got = store().span_reader().GetTrace(Tid(2));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[1], again);
  if (GetParam().persistent) {
    Reopen();
    StoredSpan latest = again;
    latest.status_message = "after restart";
    ASSERT_TRUE(WriteSpans({latest}).ok());
    got = store().span_reader().GetTrace(Tid(2));
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[1], latest);
  }
}

TEST_P(StoreConformanceTest, ResentSpanIsCountedOnceInTheSummary) {
  StoredSpan root = Span(40, 1, 0, "api", "Get", kBase, kMs);
  StoredSpan child = Span(40, 2, 1, "db", "Query", kBase + kMs, kMs);
  child.status = SpanStatus::kError;
  ASSERT_TRUE(WriteSpans({root, child}).ok());
  ASSERT_TRUE(WriteSpans({child}).ok());  // a client retry
  auto sum = store().span_reader().GetTraceSummary(Tid(40));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->span_count, 2u);
  EXPECT_EQ(sum->error_count, 1u);
  if (GetParam().persistent) {
    Reopen();
    StoredSpan more = Span(40, 3, 1, "db", "Query", kBase + 2 * kMs, kMs);
    ASSERT_TRUE(WriteSpans({root, more}).ok());
    sum = store().span_reader().GetTraceSummary(Tid(40));
    ASSERT_TRUE(sum.ok());
    EXPECT_EQ(sum->span_count, 3u);
    EXPECT_EQ(sum->error_count, 1u);
  }
}

// Results are ordered by each trace's NEWEST matching span, even when that
// span arrived in a later batch than an older match of the same trace.
TEST_P(StoreConformanceTest, ResultsOrderedByNewestMatchingSpanAcrossBatches) {
  StoredSpan b9 = Span(31, 1, 0, "api", "Get", kBase + 9 * kSec, kMs);
  StoredSpan a1 = Span(30, 1, 0, "api", "Get", kBase + 1 * kSec, kMs);
  StoredSpan a8 = Span(30, 2, 1, "api", "Get", kBase + 8 * kSec, kMs);
  StoredSpan c5 = Span(32, 1, 0, "api", "Get", kBase + 5 * kSec, kMs);
  ASSERT_TRUE(WriteSpans({b9, a1}).ok());
  ASSERT_TRUE(WriteSpans({a8}).ok());
  ASSERT_TRUE(WriteSpans({c5}).ok());
  TraceQuery q;
  q.service = "api";
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(31), Tid(30), Tid(32)}));
  q.limit = 2;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(31), Tid(30)}));
  // Bounded by time, A's newest match is its older span.
  q.limit = 20;
  q.start_time_max_ns = kBase + 6 * kSec;
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(32), Tid(30)}));
}

// Many distinct values of one key in one batch: each is found exactly.
TEST_P(StoreConformanceTest, TagSearchTellsManyValuesApart) {
  std::vector<StoredSpan> batch;
  for (int i = 0; i < 200; ++i) {
    StoredSpan s = Span(static_cast<uint8_t>(i % 50 + 100), static_cast<uint8_t>(i / 50 + 1), 0,
                        "users", "Lookup", kBase + static_cast<uint64_t>(i) * kMs, kMs);
    s.attributes = {{"user.id", Value::String("u" + std::to_string(i))},
                    {"shard", Value::Int(i % 7)}};
    batch.push_back(s);
  }
  ASSERT_TRUE(WriteSpans(batch).ok());
  for (int i : {0, 7, 137, 199}) {
    TraceQuery q;
    q.tags = {{"user.id", "u" + std::to_string(i)}};
    EXPECT_EQ(Ids(store().span_reader().FindTraces(q)),
              (std::vector<TraceId>{Tid(static_cast<uint8_t>(i % 50 + 100))})) << i;
    q.tags.push_back({"shard", std::to_string(i % 7)});
    EXPECT_EQ(Ids(store().span_reader().FindTraces(q)).size(), 1u) << i;
    q.tags.back().second = std::to_string((i + 1) % 7);  // same trace, wrong span
    EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty()) << i;
  }
  TraceQuery q;
  q.tags = {{"user.id", "u200"}};
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
  q.tags = {{"shard", "3"}};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)).size(), 20u);  // the default limit
}

TEST_P(StoreConformanceTest, LongTagValuesAreSearchable) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  StoredSpan s = Span(40, 1, 0, "search", "Query", kBase + 3 * kSec, kMs);
  std::string long_value(5000, 'q');
  s.attributes = {{"db.statement", Value::String(long_value)}};
  ASSERT_TRUE(WriteSpans({s}).ok());
  TraceQuery q;
  q.tags = {{"db.statement", long_value}};
  EXPECT_EQ(Ids(store().span_reader().FindTraces(q)), (std::vector<TraceId>{Tid(40)}));
  q.tags = {{"db.statement", long_value + "x"}};
  EXPECT_TRUE(Ids(store().span_reader().FindTraces(q)).empty());
}

TEST_P(StoreConformanceTest, LogSearchByServiceNewestFirst) {
  std::vector<StoredLog> logs;
  for (int i = 0; i < 30; ++i) {
    logs.push_back(Log(0, i % 3 == 0 ? "billing" : "frontend", kBase + static_cast<uint64_t>(i) * kSec,
                       9, "line " + std::to_string(i)));
  }
  ASSERT_TRUE(WriteLogs(logs).ok());
  logs = WithTemplateIds(logs);
  LogQuery q;
  q.service = "billing";
  q.limit = 3;
  auto r = store().log_reader().SearchLogs(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], logs[27]);
  EXPECT_EQ((*r)[1].body.text, "line 24");
  EXPECT_EQ((*r)[2].body.text, "line 21");
  q.start_time_max_ns = kBase + 10 * kSec;
  q.text = "line 1";
  r = store().log_reader().SearchLogs(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 0u);  // billing lines up to 10 s are 0, 3, 6, 9
  q.text.clear();
  q.min_severity = 10;
  r = store().log_reader().SearchLogs(q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_P(StoreConformanceTest, StatsCountWrites) {
  Shop shop;
  for (const auto& batch : shop.Batches()) ASSERT_TRUE(WriteSpans(batch).ok());
  ASSERT_TRUE(WriteLogs(ShopLogs()).ok());
  StoreStats st = store().Stats();
  EXPECT_EQ(st.spans_written, 9u);
  EXPECT_EQ(st.logs_written, 4u);
  if (GetParam().persistent) EXPECT_GT(st.bytes_on_disk, 0u);
}

}  // namespace callpath::store::testing
