#include "query/red_metrics.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>

#include "store/rocksdb/rocksdb_store.h"

namespace callpath::query {
namespace {

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = 60 * kSec;
constexpr uint64_t kT0 = 1'700'000'000ull * kSec / kMinute * kMinute;  // a whole minute

TEST(RedMetricsParamsTest, NativeDefaultsAreTheLastHourByMinute) {
  const uint64_t now = kT0 + 90 * kSec;
  auto q = ParseNativeMetricsParams("service=cart", now);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->service, "cart");
  EXPECT_EQ(q->end_ns, now);
  EXPECT_EQ(q->start_ns, now - 60 * kMinute - 30 * kSec);  // rounded down to its minute
  EXPECT_EQ(q->step_ns, kMinute);
  EXPECT_FALSE(q->kind.has_value());
}

TEST(RedMetricsParamsTest, NativeTimesAreUnixNsRfc3339OrAgoAndStepsWholeMinutes) {
  const uint64_t now = kT0 + 3600 * kSec;
  auto q = ParseNativeMetricsParams("service=cart&operation=GET%20%2Fx&kind=SERVER&start=2023-11-14T22:13:00Z"
                                    "&end=" + std::to_string(now) + "&step=90s",
                                    now);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->operation, "GET /x");
  EXPECT_EQ(q->kind, store::SpanKind::kServer);
  EXPECT_EQ(q->start_ns, 1'699'999'980ull * kSec);
  EXPECT_EQ(q->step_ns, 2 * kMinute);
  q = ParseNativeMetricsParams("service=cart&start=15m", now);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->start_ns, now - 15 * kMinute);
}

TEST(RedMetricsParamsTest, NativeRefusesBadParameters) {
  const uint64_t now = kT0;
  for (const char* bad : {"", "operation=x", "service=a&kind=sideways", "service=a&start=yesterday",
                          "service=a&step=0s", "service=a&step=soon", "service=a&start=120000000000&end=60000000000",
                          "service=a&start=0&step=1m", "service=a&color=red"}) {
    EXPECT_FALSE(ParseNativeMetricsParams(bad, now).ok()) << bad;
  }
}

TEST(RedMetricsParamsTest, JaegerParametersAndDefaults) {
  const uint64_t now = kT0;
  auto q = ParseJaegerMetricsParams(JaegerMetric::kLatencies,
                                    "service=a&service=b&groupByOperation=true&quantile=0.95&endTs=1700000000000"
                                    "&lookback=600000&step=60000&ratePer=300000&spanKind=client&spanKind=SPAN_KIND_SERVER",
                                    now);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->services, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(q->group_by_operation);
  EXPECT_DOUBLE_EQ(q->quantile, 0.95);
  EXPECT_EQ(q->end_ns, 1'700'000'000ull * kSec);
  EXPECT_EQ(q->lookback_ns, 10 * kMinute);
  EXPECT_EQ(q->step_ns, kMinute);
  EXPECT_EQ(q->rate_per_ns, 5 * kMinute);
  EXPECT_EQ(q->span_kinds, (std::vector<store::SpanKind>{store::SpanKind::kClient, store::SpanKind::kServer}));

  q = ParseJaegerMetricsParams(JaegerMetric::kCalls, "service=a", now);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->end_ns, now);
  EXPECT_EQ(q->lookback_ns, 60 * kMinute);
  EXPECT_EQ(q->step_ns, 5 * kSec);
  EXPECT_EQ(q->rate_per_ns, 10 * kMinute);
  EXPECT_EQ(q->span_kinds, (std::vector<store::SpanKind>{store::SpanKind::kServer}));
}

TEST(RedMetricsParamsTest, JaegerRefusesBadParameters) {
  EXPECT_FALSE(ParseJaegerMetricsParams(JaegerMetric::kCalls, "", kT0).ok());
  EXPECT_FALSE(ParseJaegerMetricsParams(JaegerMetric::kLatencies, "service=a", kT0).ok());  // quantile
  for (const char* bad : {"service=a&quantile=1.5", "service=a&quantile=x", "service=a&endTs=-1",
                          "service=a&step=0", "service=a&lookback=1h", "service=a&spanKind=sideways",
                          "service=a&groupByOperation=maybe", "service=a&lookback=86400000&step=1"}) {
    EXPECT_FALSE(ParseJaegerMetricsParams(JaegerMetric::kLatencies, bad, kT0).ok()) << bad;
  }
}

// A real store holding: cart "GET /x" (server) 10 calls per minute for the
// three minutes from kT0, 10..100 ms, 2 errors a minute; cart "load"
// (internal) 5 calls in the first minute; db "q" (client) 1 call.
class RedMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/red-metrics-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    store::RocksDbOptions o;
    o.path = dir_;
    o.block_cache_bytes = 8 << 20;
    o.write_buffer_bytes = 4 << 20;
    auto s = store::OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    std::vector<store::StoredSpan> spans;
    uint8_t id = 1;
    auto add = [&](const char* service, const char* op, store::SpanKind kind, uint64_t start, uint64_t dur,
                   bool error) {
      store::StoredSpan s;
      s.trace_id.mutable_bytes()[0] = id;
      s.span_id.mutable_bytes()[7] = id++;
      s.service = service;
      s.operation = op;
      s.kind = kind;
      s.start_ns = start;
      s.duration_ns = dur;
      if (error) s.status = store::SpanStatus::kError;
      spans.push_back(s);
    };
    for (int m = 0; m < 3; ++m) {
      for (int i = 0; i < 10; ++i) {
        add("cart", "GET /x", store::SpanKind::kServer, kT0 + m * kMinute + i * kSec, (i + 1) * 10 * kMs, i < 2);
      }
    }
    for (int i = 0; i < 5; ++i) add("cart", "load", store::SpanKind::kInternal, kT0 + i * kSec, kMs, false);
    add("db", "q", store::SpanKind::kClient, kT0, kMs, false);
    auto prepared = store_->writer().Prepare(store::MakeIngestBatch(spans));
    ASSERT_TRUE(prepared.ok());
    ASSERT_TRUE(store_->writer().Write({prepared->get()}, 1).ok());
  }
  void TearDown() override {
    if (store_) EXPECT_TRUE(store_->Close().ok());
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RedMetricsTest, NativeSeriesHasEveryStepOfTheWindow) {
  NativeMetricsQuery q;
  q.service = "cart";
  q.start_ns = kT0 - kMinute;
  q.end_ns = kT0 + 4 * kMinute + 30 * kSec;
  q.step_ns = kMinute;
  auto points = ReadRedSeries(store_->stats_reader(), q);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 6u);
  EXPECT_EQ((*points)[0].calls, 0u);
  EXPECT_EQ((*points)[1].start_ns, kT0);
  EXPECT_EQ((*points)[1].calls, 15u);  // both operations
  EXPECT_EQ((*points)[2].calls, 10u);
  EXPECT_EQ((*points)[2].errors, 2u);
  EXPECT_DOUBLE_EQ((*points)[2].error_rate(), 0.2);
  EXPECT_DOUBLE_EQ((*points)[2].rate_per_second(), 10.0 / 60);
  EXPECT_EQ((*points)[5].seconds, 30u);  // the last step is cut by the end

  q.operation = "GET /x";
  q.step_ns = 3 * kMinute;
  points = ReadRedSeries(store_->stats_reader(), q);
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[0].calls, 20u);  // kT0-1m .. kT0+2m
  EXPECT_EQ((*points)[1].calls, 10u);

  q.operation.clear();
  q.kind = store::SpanKind::kInternal;
  points = ReadRedSeries(store_->stats_reader(), q);
  ASSERT_TRUE(points.ok());
  EXPECT_EQ((*points)[0].calls, 5u);

  simdjson::dom::parser parser;
  const std::string json = RenderNativeMetrics(q, *points);
  auto doc = parser.parse(json);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["kind"].get_string().value()), "internal");
  EXPECT_TRUE(doc["operation"].is_null());
  auto first = doc["points"].at(0);
  EXPECT_EQ(first["calls"].get_uint64().value(), 5u);
  EXPECT_DOUBLE_EQ(first["p99_ms"].get_double().value(), 1.0);
  EXPECT_EQ(first["p99_ns"].get_uint64().value(), kMs);
  EXPECT_TRUE(doc["points"].at(1)["p50_ms"].is_null());  // no calls in that step
}

TEST_F(RedMetricsTest, JaegerCallsErrorsAndLatenciesInMetricFamilyShape) {
  JaegerMetricsQuery q;
  q.services = {"cart", "db"};
  q.end_ns = kT0 + 3 * kMinute;
  q.lookback_ns = 3 * kMinute;
  q.step_ns = kMinute;
  q.rate_per_ns = 3 * kMinute;
  q.span_kinds = {store::SpanKind::kServer};
  simdjson::dom::parser parser;

  q.metric = JaegerMetric::kCalls;
  auto json = ReadJaegerMetrics(store_->stats_reader(), q);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  auto doc = parser.parse(*json);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << *json;
  EXPECT_EQ(std::string_view(doc["name"].get_string().value()), "service_call_rate");
  EXPECT_EQ(std::string_view(doc["type"].get_string().value()), "GAUGE");
  EXPECT_EQ(std::string_view(doc["help"].get_string().value()), "calls/sec, grouped by service");
  simdjson::dom::array metrics = doc["metrics"].get_array().value();
  ASSERT_EQ(metrics.size(), 1u) << *json;  // db has no server spans
  auto cart = metrics.at(0);
  EXPECT_EQ(std::string_view(cart["labels"].at(0)["name"].get_string().value()), "service_name");
  EXPECT_EQ(std::string_view(cart["labels"].at(0)["value"].get_string().value()), "cart");
  simdjson::dom::array points = cart["metricPoints"].get_array().value();
  ASSERT_EQ(points.size(), 4u) << *json;  // t = kT0, +1m, +2m, +3m
  EXPECT_EQ(std::string_view(points.at(0)["timestamp"].get_string().value()), "2023-11-14T22:13:00Z");
  EXPECT_DOUBLE_EQ(points.at(0)["gaugeValue"]["doubleValue"].get_double().value(), 0.0);
  // At kT0 + 3m the window [kT0, kT0 + 3m) holds all 30 calls.
  EXPECT_DOUBLE_EQ(points.at(3)["gaugeValue"]["doubleValue"].get_double().value(), 30.0 / 180);

  q.metric = JaegerMetric::kErrors;
  q.group_by_operation = true;
  json = ReadJaegerMetrics(store_->stats_reader(), q);
  ASSERT_TRUE(json.ok());
  doc = parser.parse(*json);
  EXPECT_EQ(std::string_view(doc["name"].get_string().value()), "service_operation_error_rate");
  cart = doc["metrics"].at(0);
  EXPECT_EQ(std::string_view(cart["labels"].at(1)["name"].get_string().value()), "operation");
  EXPECT_EQ(std::string_view(cart["labels"].at(1)["value"].get_string().value()), "GET /x");
  points = cart["metricPoints"].get_array().value();
  ASSERT_EQ(points.size(), 3u) << *json;  // no point before the first call
  EXPECT_DOUBLE_EQ(points.at(2)["gaugeValue"]["doubleValue"].get_double().value(), 0.2);

  q.metric = JaegerMetric::kLatencies;
  q.group_by_operation = false;
  q.quantile = 0.5;
  json = ReadJaegerMetrics(store_->stats_reader(), q);
  ASSERT_TRUE(json.ok());
  doc = parser.parse(*json);
  EXPECT_EQ(std::string_view(doc["help"].get_string().value()), "0.50th quantile latency, grouped by service");
  points = doc["metrics"].at(0)["metricPoints"].get_array().value();
  // The window [kT0 - 1m, kT0 + 2m) holds 20 calls of 10..100 ms: the
  // value of rank 9 is 50 ms, answered in milliseconds.
  const double p50 = points.at(2)["gaugeValue"]["doubleValue"].get_double().value();
  EXPECT_NEAR(p50, 50.0, 1.0);

  q.span_kinds = {store::SpanKind::kClient};
  q.metric = JaegerMetric::kCalls;
  json = ReadJaegerMetrics(store_->stats_reader(), q);
  ASSERT_TRUE(json.ok());
  doc = parser.parse(*json);
  EXPECT_EQ(std::string_view(doc["metrics"].at(0)["labels"].at(0)["value"].get_string().value()), "db");
}

TEST(RedMetricsRenderTest, MinStepIsOneMinuteInMilliseconds) {
  EXPECT_EQ(RenderJaegerMinStep(), R"({"data":60000,"total":0,"limit":0,"offset":0,"errors":null})");
}

}  // namespace
}  // namespace callpath::query
