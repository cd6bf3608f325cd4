// Golden tests of the CLI renderings (ClickHouse style): for each case,
// testdata/<case>.json is the query API's answer and testdata/<case>*.txt
// the expected terminal output.
//
// The inputs are not hand-written: each case is built here as stored spans
// and logs and rendered by the daemon's own renderer (callpath::query), so
// a change in the API's JSON shows up here as a changed input file.
#include <gtest/gtest.h>

#include "analyze/explain.h"
#include "cli/api_model.h"
#include "cli/explain_view.h"
#include "cli/golden.h"
#include "cli/json_pretty.h"
#include "cli/render.h"
#include "query/assembled_trace.h"
#include "query/render.h"

namespace callpath::cli {
namespace {

using store::SpanKind;
using store::StoredLog;
using store::StoredSpan;
using store::Value;
using testing::ExpectGolden;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'700'000'000'000'000'000ull;  // 2023-11-14 22:13:20 UTC

TraceId Tid(uint8_t n) {
  TraceId t;
  t.mutable_bytes()[0] = 0x4b;
  t.mutable_bytes()[15] = n;
  return t;
}
SpanId Sid(uint8_t n) {
  SpanId s;
  s.mutable_bytes()[7] = n;
  return s;
}

// A span `id` (parent 0 = root) at [start_ms, start_ms + dur_ms) after kT0.
StoredSpan Span(uint8_t id, uint8_t parent, std::string service, std::string op, int64_t start_ms,
                uint64_t dur_ms, SpanKind kind = SpanKind::kServer) {
  StoredSpan s;
  s.trace_id = Tid(1);
  s.span_id = Sid(id);
  if (parent) s.parent_span_id = Sid(parent);
  s.service = std::move(service);
  s.operation = std::move(op);
  s.kind = kind;
  s.start_ns = static_cast<uint64_t>(static_cast<int64_t>(kT0) + start_ms * static_cast<int64_t>(kMs));
  s.duration_ns = dur_ms * kMs;
  s.resource_attributes = {{"service.name", Value::String(s.service)}};
  return s;
}

StoredSpan Failed(StoredSpan s, std::string message) {
  s.status = store::SpanStatus::kError;
  s.status_message = std::move(message);
  return s;
}

StoredLog Log(uint8_t span, std::string service, int32_t severity, std::string msg, double at_ms,
              store::Attributes attrs = {}) {
  StoredLog l;
  l.time_ns = kT0 + static_cast<uint64_t>(at_ms * static_cast<double>(kMs));
  l.trace_id = Tid(1);
  if (span) l.span_id = Sid(span);
  l.severity_number = severity;
  l.body = Value::String(std::move(msg));
  l.attributes = std::move(attrs);
  l.service = std::move(service);
  return l;
}

constexpr int32_t kDebug = 5, kInfo = 9, kWarn = 13, kError = 17;

// Writes (or checks) the API's JSON for a case and returns it.
std::string ApiJson(const std::string& name, const std::string& compact_json) {
  std::string pretty = PrettyJson(compact_json);
  ExpectGolden(name + ".json", pretty);
  return pretty;
}

std::string TraceJson(const std::string& name, std::vector<StoredSpan> spans, std::vector<StoredLog> logs) {
  return ApiJson(name, query::RenderTrace(query::AssembleTrace(std::move(spans)), logs));
}

TraceView MustParseTrace(const std::string& json) {
  auto t = ParseTrace(json);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? t.value() : TraceView{};
}

RenderOptions Plain(size_t width = 120) {
  RenderOptions o;
  o.width = width;
  o.utc = true;
  return o;
}

// frontend -> checkout -> {cart, payment -> {db, processor call (fails)}}:
// the error travels up to the root; logs at several levels, one of an
// unknown span and one of no span at all.
struct SpansAndLogs {
  std::vector<StoredSpan> spans;
  std::vector<StoredLog> logs;
};

SpansAndLogs FailingCheckout() {
  auto root = Failed(Span(1, 0, "frontend", "GET /checkout", 0, 250), "");
  root.attributes = {{"http.route", Value::String("/checkout")}, {"http.status_code", Value::Int(500)}};
  auto checkout = Failed(Span(2, 1, "checkout", "PlaceOrder", 10, 231), "payment failed");
  auto cart = Span(3, 2, "cart", "GetCart", 15, 25);
  auto payment = Failed(Span(4, 2, "payment", "Charge", 50, 182), "charge not completed");
  auto db = Span(5, 4, "payment", "SELECT payments", 60, 20, SpanKind::kClient);
  auto call = Failed(Span(6, 4, "payment", "POST /v1/charge", 80, 150, SpanKind::kClient), "");
  call.attributes = {{"server.port", Value::Int(443)},
                     {"http.request.method", Value::String("POST")},
                     {"server.address", Value::String("processor")},
                     {"error.type", Value::String("timeout")}};
  call.events = {{call.start_ns + 149 * kMs, "exception",
                  {{"exception.type", Value::String("ConnectTimeout")},
                   {"exception.message", Value::String("connect to processor:443 timed out after 150ms")}}}};
  std::vector<StoredLog> logs = {
      Log(1, "frontend", kInfo, "request received", 1, {{"http.route", Value::String("/checkout")}, {"user_id", Value::Int(42)}}),
      Log(0, "frontend", kInfo, "connection accepted", 0.5, {{"peer", Value::String("10.0.0.7:51234")}}),
      Log(2, "checkout", kDebug, "loading cart", 12),
      Log(6, "payment", kWarn, "retrying charge", 150, {{"attempt", Value::Int(2)}}),
      Log(6, "payment", kError, "charge failed: upstream timeout", 229.5,
          {{"order_id", Value::String("A-1001")}, {"amount", Value::Double(19.99)}, {"retry", Value::Bool(false)}}),
      Log(2, "checkout", kError, "order failed", 240.9, {{"error.kind", Value::String("payment declined")}}),
      Log(0x99, "frontend", kWarn, "slow request", 249),
  };
  return {{root, checkout, cart, payment, db, call}, logs};
}

std::string FailingCheckoutJson() {
  SpansAndLogs d = FailingCheckout();
  return TraceJson("trace_failing_checkout", d.spans, d.logs);
}

// The explain document of the failing checkout (no baseline: the failure
// is found where it was raised), as the API writes it.
std::string FailingCheckoutExplainJson() {
  SpansAndLogs d = FailingCheckout();
  auto report = analyze::Explain(query::AssembleTrace(d.spans), d.logs, analyze::Baseline{});
  return ApiJson("explain_failing_checkout", analyze::RenderExplainJson(report));
}

TEST(ExplainGoldenTest, CausesWithTheirEvidence) {
  auto e = ParseExplain(FailingCheckoutExplainJson());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectGolden("explain_failing_checkout.txt", RenderExplainText(e.value(), Plain()));
}

TEST(TraceGoldenTest, EndsWithTheExplainVerdict) {
  TraceView t = MustParseTrace(FailingCheckoutJson());
  auto e = ParseExplain(FailingCheckoutExplainJson());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectGolden("trace_failing_checkout.explain.txt", RenderTraceText(t, Plain(), &e.value()));
}

TEST(ParseExplain, RefusesWhatIsNotAnExplainDocument) {
  EXPECT_FALSE(ParseExplain("").ok());
  EXPECT_FALSE(ParseExplain("[1,2]").ok());
  EXPECT_FALSE(ParseExplain(R"({"trace_id":"ab","spans":[]})").ok());
  EXPECT_FALSE(ParseExplain("{\"status\":\"ok\",\"causes\":[").ok());
  auto minimal = ParseExplain(R"({"status":"ok","causes":[{"service":"a","operation":null,"score":1}]})");
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_FALSE(minimal.value().causes[0].has_operation);
  EXPECT_DOUBLE_EQ(minimal.value().causes[0].score, 1.0);
}

TEST(TraceGoldenTest, FailingTraceWithLogs) {
  TraceView t = MustParseTrace(FailingCheckoutJson());
  ExpectGolden("trace_failing_checkout.txt", RenderTraceText(t, Plain()));
  ExpectGolden("trace_failing_checkout.w0.txt", RenderTraceText(t, Plain(0)));
  RenderOptions color = Plain();
  color.color = true;
  ExpectGolden("trace_failing_checkout.color.txt", RenderTraceText(t, color));
}

// feed's host clock runs 20 ms behind: its spans start before their
// parent and are shifted (a ranker log written on that clock must move
// with them); an images span's parent never arrived (orphan); a second
// root span. No error anywhere.
TEST(TraceGoldenTest, ClockSkewAndOrphans) {
  auto root = Span(1, 0, "gateway", "GET /feed", 0, 100);
  auto feed = Span(2, 1, "feed", "BuildFeed", -15, 60);
  auto rank = Span(3, 2, "ranker", "Rank", -10, 30, SpanKind::kServer);
  auto cache = Span(5, 2, "feed", "cache.get", -14, 2, SpanKind::kClient);
  auto orphan = Span(4, 0x77, "images", "Resize", 30, 40);
  auto second_root = Span(8, 0, "cron", "Tick", 90, 5);
  std::vector<StoredLog> logs = {
      Log(3, "ranker", kInfo, "ranked 120 items", -1, {{"model", Value::String("v7")}}),
      Log(4, "images", kWarn, "cache miss", 31),
  };
  TraceView t = MustParseTrace(
      TraceJson("trace_skew_orphans", {root, feed, rank, cache, orphan, second_root}, logs));
  ExpectGolden("trace_skew_orphans.txt", RenderTraceText(t, Plain()));
}

// Names and messages from the wire are untrusted: wide characters, emoji,
// combining marks, terminal escapes, bidi overrides, newlines and very
// long names must neither break the columns nor reach the terminal raw.
TEST(TraceGoldenTest, UnicodeControlCharactersAndLongNames) {
  auto root = Span(1, 0, "витрина", "GET /商品/列表", 0, 40);
  std::string long_service(90, 's');
  long_service.replace(0, 20, "inventory-reservation");
  std::string long_op = "ReserveInventoryForOrderWithAVeryLongGeneratedOperationName";
  long_op += std::string(80, 'x');
  auto child = Failed(Span(2, 1, long_service, long_op, 5, 30),
                      "bad\nthing\thappened \x1b[31mred\x1b[0m \xe2\x80\xae" "desrever \xf0\x9f\x94\xa5");
  auto combining = Span(3, 1, "cafe\xcc\x81", "e\xcc\x81t\xc3\xa9 \xf0\x9f\x9a\x80 launch", 10, 5);
  auto invalid = Span(4, 1, "bytes", "op\xff\xfe-invalid", 20, 1);
  std::vector<StoredLog> logs = {
      Log(2, long_service, kError, "line one\nline two\r\n\x07 bell " + std::string(200, 'm'), 30,
          {{"sql", Value::String("SELECT \"x\" FROM t WHERE a = 'b'")}, {"path", Value::String("C:\\tmp")},
           {"empty", Value::String("")}}),
      Log(3, "cafe\xcc\x81", kInfo, "日本語のメッセージ 🎉", 11),
  };
  TraceView t = MustParseTrace(TraceJson("trace_unicode_long", {root, child, combining, invalid}, logs));
  ExpectGolden("trace_unicode_long.txt", RenderTraceText(t, Plain()));
  ExpectGolden("trace_unicode_long.w80.txt", RenderTraceText(t, Plain(80)));
}

// A 30-level call chain: the tree prefix is compressed instead of pushing
// the names out of their column.
TEST(TraceGoldenTest, DeepChain) {
  std::vector<StoredSpan> spans;
  for (uint8_t i = 1; i <= 30; ++i) {
    spans.push_back(Span(i, static_cast<uint8_t>(i - 1), "svc" + std::to_string(i % 3), "hop" + std::to_string(i),
                         i, 100 - 2 * i));
  }
  spans.back() = Failed(spans.back(), "bottom failed");
  TraceView t = MustParseTrace(TraceJson("trace_deep", spans, {}));
  ExpectGolden("trace_deep.txt", RenderTraceText(t, Plain(100)));
}

TEST(TraceGoldenTest, EmptyTrace) {
  TraceView t = MustParseTrace(TraceJson("trace_empty", {}, {}));
  ExpectGolden("trace_empty.txt", RenderTraceText(t, Plain()));
}

TEST(SearchGoldenTest, Summaries) {
  auto summary = [](uint8_t id, std::string svc, std::string op, uint64_t start_ms, uint64_t dur_ms,
                    uint32_t spans, uint32_t errors, std::vector<std::string> services) {
    store::TraceSummary s;
    s.trace_id = Tid(id);
    s.root_service = std::move(svc);
    s.root_operation = std::move(op);
    s.has_root = true;
    s.start_ns = kT0 + start_ms * kMs;
    s.duration_ns = dur_ms * kMs;
    s.span_count = spans;
    s.error_count = errors;
    s.services = std::move(services);
    return s;
  };
  std::vector<store::TraceSummary> rows = {
      summary(1, "frontend", "GET /checkout", 0, 250, 6, 4, {"cart", "checkout", "frontend", "payment"}),
      summary(2, "gateway", "GET /feed", 1500, 100, 6, 0, {"cron", "feed", "gateway", "images", "ranker"}),
      summary(3, "images", "Resize", 2000, 0, 1, 0, {"images"}),
      summary(4, "витрина", "GET /商品/列表/" + std::string(60, 'z'), 3'600'000, 3'723'000, 1200, 1,
              {"a\x1b[2Jb", "витрина"}),
  };
  rows[2].has_root = false;
  auto parsed = ParseSearch(ApiJson("search_results", query::RenderSearch(rows)));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ExpectGolden("search_results.txt", RenderSearchText(parsed.value(), Plain(160)));
  ExpectGolden("search_results.w100.txt", RenderSearchText(parsed.value(), Plain(100)));
}

TEST(ListGoldenTest, ServicesAndOperations) {
  auto services = ParseServices(ApiJson("services", query::RenderServices({"cart", "checkout", "frontend", "payment", "evil\x1b]0;title\x07"})));
  ASSERT_TRUE(services.ok());
  ExpectGolden("services.txt", RenderServicesText(services.value(), Plain()));
  std::vector<store::Operation> ops = {{"Charge", SpanKind::kServer},
                                       {"POST /v1/charge", SpanKind::kClient},
                                       {"SELECT payments", SpanKind::kClient},
                                       {"background-sweep", SpanKind::kInternal},
                                       {"legacy", SpanKind::kUnspecified}};
  auto parsed = ParseOperations(ApiJson("operations", query::RenderOperations(ops)));
  ASSERT_TRUE(parsed.ok());
  ExpectGolden("operations.txt", RenderOperationsText(parsed.value(), Plain()));
}

TEST(ListGoldenTest, Logs) {
  // The API answers newest first; the CLI prints oldest first.
  std::vector<StoredLog> logs = {
      Log(2, "checkout", kError, "order failed", 240.9, {{"error.kind", Value::String("payment declined")}}),
      Log(6, "payment", kError, "charge failed: upstream timeout", 229.5, {{"order_id", Value::String("A-1001")}}),
      Log(6, "payment", kWarn, "retrying\tcharge\n(second attempt)", 150, {{"attempt", Value::Int(2)}}),
      Log(0, "frontend", kInfo, "connection accepted", 0.5),
  };
  logs[3].trace_id = TraceId();  // not part of any trace
  StoredLog structured = Log(1, "frontend", 0, "", 0.1);
  structured.body = Value::Json(R"({"event":"start","n":1})");
  structured.severity_text = "";
  logs.push_back(structured);
  auto parsed = ParseLogs(ApiJson("logs", query::RenderLogs(logs)));
  ASSERT_TRUE(parsed.ok());
  ExpectGolden("logs.txt", RenderLogsText(parsed.value(), Plain(160)));
}

}  // namespace
}  // namespace callpath::cli
