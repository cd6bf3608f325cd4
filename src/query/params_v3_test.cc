// api_v3 search parameters in the shapes the Jaeger UI (src/api/v3/
// client.ts, URLSearchParams encoding) and Grafana's Jaeger data source
// (pkg/tsdb/jaeger grpc_client.go: snake_case names, unencoded times) send.
#include <gtest/gtest.h>

#include "query/params.h"
#include "query/render.h"

namespace callpath::query {
namespace {

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
constexpr uint64_t kSec = 1'000'000'000ull;
// 2026-08-18T10:00:00Z
constexpr uint64_t kT = 1'787'047'200ull * kSec;

TEST(ParseRfc3339Test, FormsJaegerClientsSend) {
  EXPECT_EQ(*ParseRfc3339("2026-08-18T10:00:00Z"), kT);
  EXPECT_EQ(*ParseRfc3339("2026-08-18T10:00:00.123Z"), kT + 123'000'000);
  EXPECT_EQ(*ParseRfc3339("2026-08-18T10:00:00.123456789Z"), kT + 123'456'789);
  EXPECT_EQ(*ParseRfc3339("2026-08-18T12:00:00+02:00"), kT);
  EXPECT_EQ(*ParseRfc3339("2026-08-18T12:00:00 02:00"), kT);  // '+' decoded to a space
  EXPECT_EQ(*ParseRfc3339("2026-08-18T07:30:00-02:30"), kT);
  for (const char* bad : {"", "yesterday", "2026-08-18", "2026-08-18T10:00:00", "2026-13-18T10:00:00Z",
                          "2026-08-18T10:00:00.Z", "2026-08-18T10:00:00Zjunk", "1969-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(ParseApiV3SearchParamsTest, JaegerUiTraceSummariesRequest) {
  // new URLSearchParams({...}).toString() of the v2.20 client.
  auto q = ParseApiV3SearchParams(
      "query.serviceName=shop-db&query.operationName=query&query.startTimeMin=2026-08-18T09%3A00%3A00.000Z"
      "&query.startTimeMax=2026-08-18T10%3A00%3A00.000Z&query.searchDepth=20&query.durationMin=100ms"
      "&query.durationMax=1.5s&query.attributes=%7B%22error%22%3A%22true%22%2C%22span.kind%22%3A%22client%22%7D",
      kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->service, "shop-db");
  EXPECT_EQ(q->operation, "query");
  EXPECT_EQ(q->start_time_min_ns, kT - 3600 * kSec);
  EXPECT_EQ(q->start_time_max_ns, kT);
  EXPECT_EQ(q->limit, 20u);
  EXPECT_EQ(q->min_span_duration_ns, 100'000'000u);
  EXPECT_EQ(q->max_span_duration_ns, 1'500'000'000u);
  EXPECT_EQ(q->tags, (std::vector<std::pair<std::string, std::string>>{{"error", "true"}, {"span.kind", "client"}}));
}

TEST(ParseApiV3SearchParamsTest, GrafanaSnakeCaseRequest) {
  auto q = ParseApiV3SearchParams(
      "query.attributes=%7B%22http.status_code%22%3A%22500%22%7D&query.duration_min=1ms&query.service_name=shop-api"
      "&query.start_time_min=2026-08-18T09:00:00Z&query.start_time_max=2026-08-18T10:00:00Z",
      kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->service, "shop-api");
  EXPECT_EQ(q->tags, (std::vector<std::pair<std::string, std::string>>{{"http.status_code", "500"}}));
  EXPECT_EQ(q->limit, 100u);  // Jaeger's default search depth
  EXPECT_EQ(q->min_span_duration_ns, 1'000'000u);
  EXPECT_EQ(q->start_time_max_ns, kT);
}

TEST(ParseApiV3SearchParamsTest, DefaultsAndErrors) {
  auto q = ParseApiV3SearchParams("", kNow);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->start_time_max_ns, kNow);
  EXPECT_EQ(q->start_time_min_ns, kNow - 3600 * kSec);
  EXPECT_TRUE(q->service.empty());
  struct Bad {
    const char* qs;
    const char* message;
  };
  for (const Bad& b : {
           Bad{"query.startTimeMin=yesterday", "malformed parameter query.startTimeMin"},
           Bad{"query.start_time_max=soon", "malformed parameter query.start_time_max"},
           Bad{"query.startTimeMin=2026-08-18T10:00:00Z&query.startTimeMax=2026-08-18T10:00:00Z",
               "query.startTimeMin must be before query.startTimeMax"},
           Bad{"query.attributes=%7Bbroken", "malformed parameter query.attributes"},
           Bad{"query.searchDepth=many", "malformed parameter query.searchDepth"},
           Bad{"query.num_traces=0", "malformed parameter query.num_traces"},
           Bad{"query.durationMin=fast", "malformed parameter query.durationMin"},
           Bad{"query.durationMin=2s&query.durationMax=1s", "query.durationMin is greater"},
           Bad{"query.operationName=x", "needs query.serviceName"},
           Bad{"query.filter=%7B%7D", "query.filter is not supported"},
       }) {
    auto r = ParseApiV3SearchParams(b.qs, kNow);
    ASSERT_FALSE(r.ok()) << b.qs;
    EXPECT_NE(r.status().message().find(b.message), std::string::npos) << b.qs << ": " << r.status().message();
  }
}

TEST(RenderApiV3TraceSummariesTest, ShapeOfJaegersFindTraceSummaries) {
  store::TraceSummary s;
  s.trace_id.mutable_bytes()[15] = 1;
  s.root_service = "frontend";
  s.root_operation = "HTTP GET /";
  s.start_ns = 1'000'000'000'000;
  s.duration_ns = 1'000'000'000;
  s.span_count = 2;
  s.error_count = 1;
  s.services = {"frontend"};
  s.service_stats = {{"frontend", 2, 1}};
  EXPECT_EQ(RenderApiV3TraceSummaries({s}),
            R"({"summaries":[{"traceId":"00000000000000000000000000000001","rootServiceName":"frontend",)"
            R"("rootOperationName":"HTTP GET /","minStartTimeUnixNano":"1000000000000",)"
            R"("maxEndTimeUnixNano":"1001000000000","spanCount":2,"errorSpanCount":1,"orphanSpanCount":0,)"
            R"("services":[{"name":"frontend","spanCount":2,"errorSpanCount":1}]}]})");
  s.service_stats.clear();  // a summary from before per-service counts
  EXPECT_NE(RenderApiV3TraceSummaries({s}).find(R"("services":[{"name":"frontend"}])"), std::string::npos);
  EXPECT_EQ(RenderApiV3TraceSummaries({}), R"({"summaries":[]})");
}

}  // namespace
}  // namespace callpath::query
