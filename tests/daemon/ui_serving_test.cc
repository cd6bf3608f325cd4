// callpathd's query port as the web UI uses it: the trace in parts
// (skeleton, span details, paged logs) and the UI's own files (client-side
// routes, cache lifetimes, precompressed assets, security headers).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/daemon_harness.h"

namespace callpath::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kTrace[] = "5b8efff798038103d269b633813fc60c";

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string SpanJson(const std::string& id, const std::string& parent, const std::string& name, uint64_t start,
                     uint64_t end, bool error) {
  std::string s = R"({"traceId":")" + std::string(kTrace) + R"(","spanId":")" + id + R"(",)";
  if (!parent.empty()) s += R"("parentSpanId":")" + parent + R"(",)";
  s += R"("name":")" + name + R"(","kind":2,"startTimeUnixNano":")" + std::to_string(start) +
       R"(","endTimeUnixNano":")" + std::to_string(end) + R"(",)" +
       R"("attributes":[{"key":"http.route","value":{"stringValue":"/)" + name + R"("}}])";
  if (error) s += R"(,"status":{"code":2,"message":"boom"})";
  return s + "}";
}

std::string ResourceSpans(const std::string& service, const std::string& spans) {
  return R"({"resource":{"attributes":[{"key":"service.name","value":{"stringValue":")" + service +
         R"("}}]},"scopeSpans":[{"scope":{"name":"t"},"spans":[)" + spans + "]}]}";
}

std::string LogJson(const std::string& span, uint64_t at, int severity, const std::string& body) {
  return R"({"timeUnixNano":")" + std::to_string(at) + R"(","severityNumber":)" + std::to_string(severity) +
         R"(,"body":{"stringValue":")" + body + R"("},"traceId":")" + kTrace + R"(","spanId":")" + span + R"("})";
}

class UiServingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    fs::create_directories(dir_->path() + "/ui/assets");
    std::ofstream(dir_->path() + "/ui/index.html") << "<!doctype html><title>ui</title>";
    std::ofstream(dir_->path() + "/ui/assets/app-abc123.js") << "console.log(1)";
    std::ofstream(dir_->path() + "/ui/assets/app-abc123.js.gz") << "GZIPPED";
    daemon_ = new DaemonProcess();
    ASSERT_TRUE(daemon_->Start(dir_->path() + "/data", {"--ui-dir", dir_->path() + "/ui"})) << daemon_->error();
    t0_ = NowNs() - 1'000'000'000;
    uint64_t ms = 1'000'000;
    std::string traces = R"({"resourceSpans":[)" +
                         ResourceSpans("web", SpanJson("00000000000000a1", "", "checkout", t0_, t0_ + 100 * ms, false)) +
                         "," +
                         ResourceSpans("pay", SpanJson("00000000000000b2", "00000000000000a1", "charge", t0_ + 10 * ms,
                                                       t0_ + 60 * ms, true)) +
                         "]}";
    ASSERT_EQ(Post("/v1/traces", traces).status, 200);
    std::string logs = R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"pay"}}]},"scopeLogs":[{"logRecords":[)" +
                       LogJson("00000000000000b2", t0_ + 20 * ms, 17, "card declined") + "," +
                       LogJson("00000000000000b2", t0_ + 15 * ms, 9, "charging") + "," +
                       LogJson("00000000000000ff", t0_ + 30 * ms, 13, "from a lost span") + "]}]}]}";
    ASSERT_EQ(Post("/v1/logs", logs).status, 200);
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0);
    delete daemon_;
    delete dir_;
  }
  static HttpResult Post(const std::string& path, const std::string& body) {
    HttpCallOptions o;
    o.content_type = "application/json";
    return HttpCall(daemon_->otlp_http_port(), "POST", path, body, o);
  }
  static HttpResult Get(const std::string& target, const std::string& accept_encoding = "") {
    HttpCallOptions o;
    if (!accept_encoding.empty()) o.headers.emplace_back("Accept-Encoding", accept_encoding);
    return HttpCall(daemon_->query_port(), "GET", target, {}, o);
  }

  static TempDir* dir_;
  static DaemonProcess* daemon_;
  static uint64_t t0_;
};
TempDir* UiServingTest::dir_ = nullptr;
DaemonProcess* UiServingTest::daemon_ = nullptr;
uint64_t UiServingTest::t0_ = 0;

TEST_F(UiServingTest, SkeletonListsTheTreeWithLogCounts) {
  HttpResult r = Get("/api/v1/traces/" + std::string(kTrace) + "/skeleton");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  auto doc = parser.parse(r.body).value();
  EXPECT_EQ(doc["span_count"].get_uint64().value(), 2u);
  EXPECT_EQ(doc["error_count"].get_uint64().value(), 1u);
  EXPECT_EQ(std::string_view(doc["root_service"].get_string().value()), "web");
  EXPECT_EQ(std::string_view(doc["start_ns"].get_string().value()), std::to_string(t0_));
  std::string_view ids = doc["ids"].get_string().value();
  EXPECT_EQ(ids, "00000000000000a100000000000000b2");
  EXPECT_EQ(doc["parent"].get_array().value().at(1).get_int64().value(), 0);
  EXPECT_EQ(doc["logs"].get_array().value().at(1).get_int64().value(), 2);
  EXPECT_EQ(doc["logs_without_span"].get_uint64().value(), 1u);
}

// The skeleton comes from the store's light read (GetTraceSkeleton) or,
// when the full trace was read since (span details), from that: the same
// document either way, and the details still carry their attributes.
TEST_F(UiServingTest, SkeletonIsTheSameFromTheLightReadAndFromTheFullTrace) {
  const std::string base = "/api/v1/traces/" + std::string(kTrace);
  HttpResult light = Get(base + "/skeleton?adjust_skew=false");
  ASSERT_EQ(light.status, 200) << light.body;
  HttpResult details = Get(base + "/spans?ids=00000000000000b2&adjust_skew=false");
  ASSERT_EQ(details.status, 200) << details.body;
  EXPECT_NE(details.body.find("\"http.route\""), std::string::npos) << details.body;
  HttpResult from_full = Get(base + "/skeleton?adjust_skew=false");
  ASSERT_EQ(from_full.status, 200) << from_full.body;
  EXPECT_EQ(from_full.body, light.body);
}

// The services page's edges: calls, failed calls, the callee's p99.
TEST_F(UiServingTest, DependenciesGiveCallsErrorsAndTheCalleesP99) {
  HttpResult r = Get("/api/v1/dependencies?lookback=1h");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  auto deps = parser.parse(r.body).value()["dependencies"].get_array().value();
  ASSERT_EQ(deps.size(), 1u) << r.body;
  EXPECT_EQ(std::string_view(deps.at(0)["parent"].get_string().value()), "web");
  EXPECT_EQ(std::string_view(deps.at(0)["child"].get_string().value()), "pay");
  EXPECT_EQ(deps.at(0)["call_count"].get_uint64().value(), 1u);
  EXPECT_EQ(deps.at(0)["error_count"].get_uint64().value(), 1u);
  // pay's charge took 50 ms; within the 2 % the store promises.
  uint64_t p99 = deps.at(0)["p99_ns"].get_uint64().value();
  EXPECT_GE(p99, 49'000'000u);
  EXPECT_LE(p99, 51'000'000u);
}

TEST_F(UiServingTest, SpansAnswersTheAskedSpansInFull) {
  HttpResult r = Get("/api/v1/traces/" + std::string(kTrace) + "/spans?ids=00000000000000b2");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  auto spans = parser.parse(r.body).value()["spans"].get_array().value();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(std::string_view(spans.at(0)["operation"].get_string().value()), "charge");
  EXPECT_EQ(std::string_view(spans.at(0)["attributes"]["http.route"].get_string().value()), "/charge");
  EXPECT_EQ(std::string_view(spans.at(0)["status"]["message"].get_string().value()), "boom");
}

TEST_F(UiServingTest, LogsArePagedInTimeOrderAndFiltered) {
  std::string base = "/api/v1/traces/" + std::string(kTrace) + "/logs";
  simdjson::dom::parser parser;
  HttpResult one = Get(base + "?span=00000000000000b2&limit=1");
  ASSERT_EQ(one.status, 200) << one.body;
  auto doc = parser.parse(one.body).value();
  EXPECT_EQ(doc["total"].get_uint64().value(), 2u);
  EXPECT_EQ(std::string_view(doc["logs"].get_array().value().at(0)["msg"].get_string().value()), "charging");

  HttpResult lost = Get(base + "?span=none");
  auto lost_doc = parser.parse(lost.body).value();
  ASSERT_EQ(lost_doc["total"].get_uint64().value(), 1u);
  EXPECT_EQ(std::string_view(lost_doc["logs"].get_array().value().at(0)["msg"].get_string().value()),
            "from a lost span");

  HttpResult errors = Get(base + "?min_severity=17");
  EXPECT_EQ(parser.parse(errors.body).value()["total"].get_uint64().value(), 1u);
}

TEST_F(UiServingTest, FindSearchesAttributesAndLogBodies) {
  std::string base = "/api/v1/traces/" + std::string(kTrace) + "/find?q=";
  simdjson::dom::parser parser;
  auto by_attr = parser.parse(Get(base + "%2FCHARGE").body).value();
  EXPECT_EQ(by_attr["spans"].get_array().value().size(), 1u);
  HttpResult by_log = Get(base + "declined");
  ASSERT_EQ(by_log.status, 200) << by_log.body;
  auto doc = parser.parse(by_log.body).value();
  EXPECT_EQ(doc["spans"].get_array().value().size(), 0u);
  EXPECT_EQ(std::string_view(doc["log_spans"].get_array().value().at(0).get_string().value()), "00000000000000b2");
  EXPECT_EQ(doc["log_matches"].get_uint64().value(), 1u);
  EXPECT_EQ(Get("/api/v1/traces/" + std::string(kTrace) + "/find").status, 400);
}

TEST_F(UiServingTest, BadPartParametersGetA400WithAReason) {
  std::string base = "/api/v1/traces/" + std::string(kTrace);
  HttpResult bad_ids = Get(base + "/spans?ids=xyz");
  EXPECT_EQ(bad_ids.status, 400);
  EXPECT_NE(bad_ids.body.find("ids"), std::string::npos);
  EXPECT_EQ(Get(base + "/spans").status, 400);
  EXPECT_EQ(Get(base + "/logs?limit=0").status, 400);
  EXPECT_EQ(Get(base + "/logs?span=12").status, 400);
  EXPECT_EQ(Get("/api/v1/traces/zz/skeleton").status, 400);
  EXPECT_EQ(Get("/api/v1/traces/0123456789abcdef0123456789abcdef/skeleton").status, 404);
}

TEST_F(UiServingTest, ClientRoutesGetIndexHtmlUncachedWithSecurityHeaders) {
  HttpResult r = Get("/trace/" + std::string(kTrace));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<title>ui</title>"), std::string::npos);
  EXPECT_EQ(r.headers["cache-control"], "no-cache");
  EXPECT_NE(r.headers["content-security-policy"].find("frame-ancestors 'none'"), std::string::npos);
  // Scripts only from the UI's own files: no inline script is allowed.
  EXPECT_NE(r.headers["content-security-policy"].find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(r.headers["referrer-policy"], "no-referrer");
  // The compare route has dots in it and is still the app's.
  HttpResult compare = Get("/trace/" + std::string(kTrace) + "..." + std::string(kTrace));
  EXPECT_EQ(compare.status, 200);
  EXPECT_NE(compare.body.find("<title>ui</title>"), std::string::npos);
}

TEST_F(UiServingTest, HashedAssetsAreImmutableAndSentPrecompressed) {
  HttpResult plain = Get("/assets/app-abc123.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.headers["cache-control"], "public, max-age=31536000, immutable");
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);

  HttpResult gz = Get("/assets/app-abc123.js", "gzip, deflate, br");
  EXPECT_EQ(gz.body, "GZIPPED");
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  EXPECT_EQ(Get("/assets/app-abc123.js", "gzip;q=0").body, "console.log(1)");
  EXPECT_EQ(Get("/assets/missing.js").status, 404);
}

}  // namespace
}  // namespace callpath::testing
