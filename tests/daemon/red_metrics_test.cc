// callpathd end to end: spans sent over OTLP/HTTP come back as RED metrics
// from GET /api/v1/metrics and from Jaeger's monitor API (/api/metrics/*)
// in the request shapes the Jaeger UI's Monitor tab sends:
//
//   /api/metrics/calls?service=S&endTs=<ms>&lookback=<ms>&step=<ms>&ratePer=<ms>
//       &spanKind=server[&groupByOperation=true]
//   /api/metrics/latencies?...&quantile=0.95   /api/metrics/errors?...
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

namespace tv1 = otlpv1::trace::v1;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = 60'000 * kMs;

uint64_t Now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// 40 server spans of shop-api "GET /pay", 10..400 ms, every 4th an error,
// and 8 client spans of shop-api "SELECT", all in the minute `minute`.
void SendSpans(uint16_t otlp_port, uint64_t minute) {
  std::mt19937_64 rng(7);
  otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("shop-api");
  auto* ss = rs->add_scope_spans();
  for (int i = 0; i < 48; ++i) {
    auto* sp = ss->add_spans();
    sp->set_trace_id(RandomBytes(rng, 16));
    sp->set_span_id(RandomBytes(rng, 8));
    const bool server = i < 40;
    sp->set_name(server ? "GET /pay" : "SELECT");
    sp->set_kind(server ? tv1::Span::SPAN_KIND_SERVER : tv1::Span::SPAN_KIND_CLIENT);
    const uint64_t start = minute + static_cast<uint64_t>(i) * 100 * kMs;
    sp->set_start_time_unix_nano(start);
    sp->set_end_time_unix_nano(start + (server ? static_cast<uint64_t>(i + 1) * 10 * kMs : kMs));
    if (server && i % 4 == 0) sp->mutable_status()->set_code(tv1::Status::STATUS_CODE_ERROR);
  }
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  HttpResult r = HttpCall(otlp_port, "POST", "/v1/traces", req.SerializeAsString(), o);
  ASSERT_EQ(r.status, 200) << r.body;
}

class RedMetricsApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    daemon_ = new DaemonProcess();
    ASSERT_TRUE(daemon_->Start(dir_->path() + "/data")) << daemon_->error();
    const uint64_t now = Now();
    minute_ = now / kMinute * kMinute - 2 * kMinute;  // a whole minute, two before this one
    SendSpans(daemon_->otlp_http_port(), minute_);
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0);
    delete daemon_;
    delete dir_;
  }
  static HttpResult Get(const std::string& target) { return HttpCall(daemon_->query_port(), "GET", target); }
  static simdjson::dom::element Parse(const HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    static simdjson::dom::parser parser;  // one document alive at a time
    return parser.parse(r.body).value();
  }
  // The Jaeger UI's query: the ten minutes up to just after the spans'
  // minute, one point a minute, each over the ten minutes before it.
  static std::string JaegerQuery(const std::string& extra) {
    const uint64_t end_ms = (minute_ + kMinute) / kMs;
    return "service=shop-api&endTs=" + std::to_string(end_ms) +
           "&lookback=600000&step=60000&ratePer=600000&spanKind=server" + extra;
  }

  static TempDir* dir_;
  static DaemonProcess* daemon_;
  static uint64_t minute_;
};
TempDir* RedMetricsApiTest::dir_ = nullptr;
DaemonProcess* RedMetricsApiTest::daemon_ = nullptr;
uint64_t RedMetricsApiTest::minute_ = 0;

TEST_F(RedMetricsApiTest, NativeMetricsPerStep) {
  const std::string window = "&start=" + std::to_string(minute_ - kMinute) + "&end=" + std::to_string(minute_ + 2 * kMinute);
  auto doc = Parse(Get("/api/v1/metrics?service=shop-api&operation=GET%20%2Fpay" + window + "&step=1m"));
  EXPECT_EQ(std::string_view(doc["service"].get_string().value()), "shop-api");
  EXPECT_EQ(std::string_view(doc["operation"].get_string().value()), "GET /pay");
  simdjson::dom::array points = doc["points"].get_array().value();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points.at(0)["calls"].get_uint64().value(), 0u);
  auto p = points.at(1);
  EXPECT_EQ(p["start_ns"].get_uint64().value(), minute_);
  EXPECT_EQ(p["calls"].get_uint64().value(), 40u);
  EXPECT_EQ(p["errors"].get_uint64().value(), 10u);
  EXPECT_DOUBLE_EQ(p["error_rate"].get_double().value(), 0.25);
  EXPECT_DOUBLE_EQ(p["rate_per_second"].get_double().value(), 40.0 / 60);
  // Ranks floor(q * 39) of 10..400 ms: 200, 360 and 390 ms.
  EXPECT_NEAR(p["p50_ms"].get_double().value(), 200, 4);
  EXPECT_NEAR(p["p90_ms"].get_double().value(), 360, 7.2);
  EXPECT_NEAR(p["p99_ms"].get_double().value(), 390, 7.8);
  EXPECT_NEAR(static_cast<double>(p["p99_ns"].get_uint64().value()), 390e6, 7.8e6);

  // Every operation of the service; then the client ones only.
  doc = Parse(Get("/api/v1/metrics?service=shop-api" + window + "&step=3m"));
  EXPECT_TRUE(doc["operation"].is_null());
  EXPECT_EQ(doc["points"].at(0)["calls"].get_uint64().value(), 48u);
  doc = Parse(Get("/api/v1/metrics?service=shop-api&kind=client" + window + "&step=3m"));
  EXPECT_EQ(doc["points"].at(0)["calls"].get_uint64().value(), 8u);
}

TEST_F(RedMetricsApiTest, NativeMetricsRefuseBadParameters) {
  for (const char* bad : {"/api/v1/metrics", "/api/v1/metrics?service=a&step=never",
                          "/api/v1/metrics?service=a&kind=sideways", "/api/v1/metrics?service=a&start=tomorrow"}) {
    HttpResult r = Get(bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_NE(r.body.find(R"({"error":")"), std::string::npos) << r.body;
  }
}

TEST_F(RedMetricsApiTest, JaegerMonitorCallsErrorsAndLatencies) {
  auto doc = Parse(Get("/api/metrics/calls?" + JaegerQuery("")));
  EXPECT_EQ(std::string_view(doc["name"].get_string().value()), "service_call_rate");
  EXPECT_EQ(std::string_view(doc["type"].get_string().value()), "GAUGE");
  simdjson::dom::array metrics = doc["metrics"].get_array().value();
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(std::string_view(metrics.at(0)["labels"].at(0)["name"].get_string().value()), "service_name");
  EXPECT_EQ(std::string_view(metrics.at(0)["labels"].at(0)["value"].get_string().value()), "shop-api");
  simdjson::dom::array points = metrics.at(0)["metricPoints"].get_array().value();
  ASSERT_EQ(points.size(), 11u);  // endTs - 10 min to endTs, a minute apart
  // The last point's window is the ten minutes before it: 40 server calls.
  auto last = points.at(10);
  EXPECT_DOUBLE_EQ(last["gaugeValue"]["doubleValue"].get_double().value(), 40.0 / 600);
  EXPECT_EQ(std::string_view(last["timestamp"].get_string().value()).back(), 'Z');

  doc = Parse(Get("/api/metrics/errors?" + JaegerQuery("&groupByOperation=true")));
  EXPECT_EQ(std::string_view(doc["name"].get_string().value()), "service_operation_error_rate");
  auto series = doc["metrics"].at(0);
  EXPECT_EQ(std::string_view(series["labels"].at(1)["name"].get_string().value()), "operation");
  EXPECT_EQ(std::string_view(series["labels"].at(1)["value"].get_string().value()), "GET /pay");
  points = series["metricPoints"].get_array().value();
  ASSERT_EQ(points.size(), 1u);  // only the point after the spans' minute has calls
  EXPECT_DOUBLE_EQ(points.at(0)["gaugeValue"]["doubleValue"].get_double().value(), 0.25);

  doc = Parse(Get("/api/metrics/latencies?" + JaegerQuery("&quantile=0.95")));
  EXPECT_EQ(std::string_view(doc["name"].get_string().value()), "service_latencies");
  EXPECT_EQ(std::string_view(doc["help"].get_string().value()), "0.95th quantile latency, grouped by service");
  points = doc["metrics"].at(0)["metricPoints"].get_array().value();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_NEAR(points.at(0)["gaugeValue"]["doubleValue"].get_double().value(), 380, 7.6);  // ms, rank 37

  doc = Parse(Get("/api/metrics/minstep"));
  EXPECT_EQ(doc["data"].get_uint64().value(), 60000u);
}

TEST_F(RedMetricsApiTest, JaegerMonitorRefusesBadParametersInJaegersErrorShape) {
  for (const char* bad : {"/api/metrics/calls", "/api/metrics/latencies?service=shop-api",
                          "/api/metrics/calls?service=shop-api&spanKind=sideways",
                          "/api/metrics/calls?service=shop-api&lookback=1h"}) {
    HttpResult r = Get(bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_NE(r.body.find(R"("errors":[{"code":400,"msg":")"), std::string::npos) << bad << " " << r.body;
  }
  HttpResult unknown = Get("/api/metrics/throughput?service=shop-api");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
}

TEST_F(RedMetricsApiTest, TopComparesTheWindowWithTheOneBefore) {
  // The spans' minute is two minutes old: inside a 5-minute window.
  auto doc = Parse(Get("/api/v1/top?since=5m"));
  EXPECT_TRUE(doc["service"].is_null());
  EXPECT_EQ(doc["window_ns"].get_uint64().value(), 5 * kMinute);
  auto row = doc["rows"].at(0);
  EXPECT_EQ(std::string_view(row["service"].get_string().value()), "shop-api");
  EXPECT_TRUE(row["operation"].is_null());
  EXPECT_EQ(row["calls"].get_uint64().value(), 40u);  // the server spans: requests served
  EXPECT_DOUBLE_EQ(row["error_rate"].get_double().value(), 0.25);
  EXPECT_EQ(row["previous"]["calls"].get_uint64().value(), 0u);
  EXPECT_TRUE(row["previous"]["p99_ms"].is_null());

  doc = Parse(Get("/api/v1/top?since=5m&service=shop-api"));
  simdjson::dom::array rows = doc["rows"].get_array().value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::string_view(rows.at(0)["operation"].get_string().value()), "GET /pay");
  EXPECT_EQ(std::string_view(rows.at(1)["operation"].get_string().value()), "SELECT");
  EXPECT_EQ(std::string_view(rows.at(1)["kind"].get_string().value()), "client");
  EXPECT_EQ(rows.at(1)["calls"].get_uint64().value(), 8u);

  HttpResult bad = Get("/api/v1/top?since=soon");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

}  // namespace
}  // namespace callpath::testing
