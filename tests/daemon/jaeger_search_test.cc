// callpathd end to end: traces with error spans, span kinds, resource, event
// and typed attributes go in over OTLP/HTTP, and each is found through every
// search API in the request shapes the Jaeger UI and Grafana send:
//
//   Jaeger UI (classic search form, every release):
//     /api/traces?end=<us>&limit=20&lookback=1h&maxDuration&minDuration
//                &service=S&start=<us>&tags={"error":"true"}
//   Jaeger UI >= v2.19 (src/api/v3/client.ts, URLSearchParams):
//     /api/v3/trace-summaries?query.serviceName=S&query.startTimeMin=<ISO>
//                &query.startTimeMax=<ISO>&query.searchDepth=20
//                &query.attributes={"error":"true"}
//   Grafana's Jaeger data source, HTTP search (tags from logfmt to JSON):
//     /api/traces?service=S&tags={...}&start=<us>&end=<us>&lookback=custom&limit=20
//   Grafana's Jaeger data source, api_v3 search (times left unencoded):
//     /api/v3/traces?query.service_name=S&query.attributes={...}
//                &query.start_time_min=<RFC 3339>&query.start_time_max=<RFC 3339>
//   callpath's native API: /api/v1/search?service=S&tag=k:v&start=<ns>&end=<ns>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

using TraceIds = std::set<std::string>;

// A copy of the array (a cheap tape reference): a range-for over
// `x.get_array().value()` would bind a reference into a temporary.
simdjson::dom::array Arr(simdjson::simdjson_result<simdjson::dom::element> e) {
  simdjson::dom::array a = e.get_array().value();
  return a;
}
namespace tv1 = otlpv1::trace::v1;

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// What JavaScript's Date.toISOString() writes: millisecond precision, Z.
std::string Iso(uint64_t ns) {
  std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03uZ", static_cast<unsigned>((ns / 1'000'000) % 1000));
  return std::string(buf) + ms;
}

void Attr(google::protobuf::RepeatedPtrField<otlpv1::common::v1::KeyValue>* attrs, const std::string& k,
          const std::string& v) {
  auto* a = attrs->Add();
  a->set_key(k);
  a->mutable_value()->set_string_value(v);
}

struct Sent {
  std::string error_trace, status500_trace, orphan_trace;  // hex ids
  uint64_t now_ns = 0;
};

// Three traces:
//   error:   shop-api GET /pay (server) -> shop-db query (client, status
//            ERROR, event exception{exception.type=Timeout}; shop-db's
//            resource has k8s.pod.name=db-0)
//   status500: shop-api GET /report (server, http.status_code=500 as an int)
//            -> shop-worker render (internal, http.status_code="500")
//   orphan:  shop-worker render whose parent span never arrives
Sent SendTraces(uint16_t otlp_port) {
  std::mt19937_64 rng(20260818);
  Sent sent;
  sent.now_ns = NowNs() - 60'000'000'000ull;
  otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
  auto resource = [&](const std::string& service) {
    auto* rs = req.add_resource_spans();
    Attr(rs->mutable_resource()->mutable_attributes(), "service.name", service);
    if (service == "shop-db") Attr(rs->mutable_resource()->mutable_attributes(), "k8s.pod.name", "db-0");
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("shop");
    return ss;
  };
  auto span = [&](tv1::ScopeSpans* ss, const std::string& trace, const std::string& parent,
                  const std::string& name, tv1::Span::SpanKind kind) {
    auto* sp = ss->add_spans();
    sp->set_trace_id(trace);
    sp->set_span_id(RandomBytes(rng, 8));
    if (!parent.empty()) sp->set_parent_span_id(parent);
    sp->set_name(name);
    sp->set_kind(kind);
    sp->set_start_time_unix_nano(sent.now_ns);
    sp->set_end_time_unix_nano(sent.now_ns + 20'000'000);
    return sp;
  };
  auto* api = resource("shop-api");
  auto* db = resource("shop-db");
  auto* worker = resource("shop-worker");

  std::string t1 = RandomBytes(rng, 16), t2 = RandomBytes(rng, 16), t3 = RandomBytes(rng, 16);
  auto* pay = span(api, t1, "", "GET /pay", tv1::Span::SPAN_KIND_SERVER);
  auto* query = span(db, t1, pay->span_id(), "query", tv1::Span::SPAN_KIND_CLIENT);
  query->mutable_status()->set_code(tv1::Status::STATUS_CODE_ERROR);
  query->mutable_status()->set_message("timeout");
  auto* ev = query->add_events();
  ev->set_name("exception");
  ev->set_time_unix_nano(sent.now_ns + 1000);
  Attr(ev->mutable_attributes(), "exception.type", "Timeout");

  auto* report = span(api, t2, "", "GET /report", tv1::Span::SPAN_KIND_SERVER);
  auto* code = report->add_attributes();
  code->set_key("http.status_code");
  code->mutable_value()->set_int_value(500);
  auto* render = span(worker, t2, report->span_id(), "render", tv1::Span::SPAN_KIND_INTERNAL);
  Attr(render->mutable_attributes(), "http.status_code", "500");

  span(worker, t3, RandomBytes(rng, 8), "render", tv1::Span::SPAN_KIND_INTERNAL);

  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  HttpResult r = HttpCall(otlp_port, "POST", "/v1/traces", req.SerializeAsString(), o);
  EXPECT_EQ(r.status, 200) << r.body;
  sent.error_trace = Hex(t1);
  sent.status500_trace = Hex(t2);
  sent.orphan_trace = Hex(t3);
  return sent;
}

class JaegerSearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    daemon_ = new DaemonProcess();
    ASSERT_TRUE(daemon_->Start(dir_->path() + "/data")) << daemon_->error();
    sent_ = SendTraces(daemon_->otlp_http_port());
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

  static uint64_t StartUs() { return (sent_.now_ns - 3'600'000'000'000ull) / 1000; }
  static uint64_t EndUs() { return (sent_.now_ns + 120'000'000'000ull) / 1000; }

  // Jaeger UI search form -> /api/traces, tags as a JSON object.
  static TraceIds JaegerUi(const std::string& service, const std::string& tags_json) {
    auto doc = Parse(Get("/api/traces?end=" + std::to_string(EndUs()) + "&limit=20&lookback=1h&maxDuration&minDuration" +
                         "&service=" + UrlEncode(service) + "&start=" + std::to_string(StartUs()) +
                         "&tags=" + UrlEncode(tags_json)));
    TraceIds ids;
    for (auto t : Arr(doc["data"])) ids.insert(std::string(t["traceID"].get_string().value()));
    return ids;
  }
  // Grafana's HTTP search: lookback=custom, tags converted from logfmt.
  static TraceIds Grafana(const std::string& service, const std::string& tags_json) {
    auto doc = Parse(Get("/api/traces?service=" + UrlEncode(service) + "&tags=" + UrlEncode(tags_json) +
                         "&limit=20&start=" + std::to_string(StartUs()) + "&end=" + std::to_string(EndUs()) +
                         "&lookback=custom"));
    TraceIds ids;
    for (auto t : Arr(doc["data"])) ids.insert(std::string(t["traceID"].get_string().value()));
    return ids;
  }
  // Jaeger UI >= v2.19 -> /api/v3/trace-summaries.
  static TraceIds UiSummaries(const std::string& service, const std::string& tags_json) {
    std::string target = "/api/v3/trace-summaries?";
    if (!service.empty()) target += "query.serviceName=" + UrlEncode(service) + "&";
    target += "query.startTimeMin=" + UrlEncode(Iso(StartUs() * 1000)) +
              "&query.startTimeMax=" + UrlEncode(Iso(EndUs() * 1000)) + "&query.searchDepth=20" +
              "&query.attributes=" + UrlEncode(tags_json);
    auto doc = Parse(Get(target));
    TraceIds ids;
    for (auto t : Arr(doc["summaries"])) ids.insert(std::string(t["traceId"].get_string().value()));
    return ids;
  }
  // Grafana's api_v3 search -> /api/v3/traces (404 when nothing matches).
  static TraceIds GrafanaV3(const std::string& service, const std::string& tags_json) {
    HttpResult r = Get("/api/v3/traces?query.attributes=" + UrlEncode(tags_json) + "&query.service_name=" +
                       UrlEncode(service) + "&query.start_time_min=" + Iso(StartUs() * 1000) +
                       "&query.start_time_max=" + Iso(EndUs() * 1000));
    TraceIds ids;
    if (r.status == 404) return ids;
    auto doc = Parse(r);
    for (auto rs : Arr(doc["result"]["resourceSpans"])) {
      for (auto ss : Arr(rs["scopeSpans"])) {
        for (auto sp : Arr(ss["spans"])) ids.insert(std::string(sp["traceId"].get_string().value()));
      }
    }
    return ids;
  }
  static TraceIds Native(const std::string& service, const std::string& key, const std::string& value) {
    auto doc = Parse(Get("/api/v1/search?service=" + UrlEncode(service) + "&tag=" + UrlEncode(key + ":" + value) +
                         "&start=" + std::to_string(StartUs() * 1000) + "&end=" + std::to_string(EndUs() * 1000)));
    TraceIds ids;
    for (auto t : Arr(doc["traces"])) ids.insert(std::string(t["trace_id"].get_string().value()));
    return ids;
  }

  // The same search through every API must find `want`.
  static void ExpectEverywhere(const std::string& service, const std::string& key, const std::string& value,
                               const TraceIds& want) {
    std::string json = "{\"" + key + "\":\"" + value + "\"}";
    SCOPED_TRACE(service + " " + json);
    EXPECT_EQ(JaegerUi(service, json), want);
    EXPECT_EQ(Grafana(service, json), want);
    EXPECT_EQ(UiSummaries(service, json), want);
    EXPECT_EQ(GrafanaV3(service, json), want);
    EXPECT_EQ(Native(service, key, value), want);
  }

  static TempDir* dir_;
  static DaemonProcess* daemon_;
  static Sent sent_;
};
TempDir* JaegerSearchTest::dir_ = nullptr;
DaemonProcess* JaegerSearchTest::daemon_ = nullptr;
Sent JaegerSearchTest::sent_;

TEST_F(JaegerSearchTest, ErrorTrueFindsErrorSpansInEveryApi) {
  ExpectEverywhere("shop-db", "error", "true", {sent_.error_trace});
  ExpectEverywhere("shop-api", "error", "true", {});
  ExpectEverywhere("shop-api", "error", "false", {sent_.error_trace, sent_.status500_trace});
  ExpectEverywhere("shop-db", "otel.status_code", "ERROR", {sent_.error_trace});
  // The v3 UI may search all services.
  EXPECT_EQ(UiSummaries("", R"({"error":"true"})"), (TraceIds{sent_.error_trace}));
}

TEST_F(JaegerSearchTest, SpanKindResourceAndEventAttributesInEveryApi) {
  ExpectEverywhere("shop-db", "span.kind", "client", {sent_.error_trace});
  ExpectEverywhere("shop-api", "span.kind", "client", {});
  ExpectEverywhere("shop-db", "k8s.pod.name", "db-0", {sent_.error_trace});
  ExpectEverywhere("shop-db", "exception.type", "Timeout", {sent_.error_trace});
  EXPECT_EQ(UiSummaries("", R"({"k8s.pod.name":"db-0"})"), (TraceIds{sent_.error_trace}));
  EXPECT_EQ(UiSummaries("", R"({"exception.type":"Timeout"})"), (TraceIds{sent_.error_trace}));
}

TEST_F(JaegerSearchTest, TypedValuesMatchAsText) {
  ExpectEverywhere("shop-api", "http.status_code", "500", {sent_.status500_trace});     // int 500
  ExpectEverywhere("shop-worker", "http.status_code", "500", {sent_.status500_trace});  // "500"
  EXPECT_EQ(UiSummaries("", R"({"http.status_code":"500"})"), (TraceIds{sent_.status500_trace}));
  // The search form's logfmt form, as Jaeger's /api/traces also takes it.
  auto doc = Parse(Get("/api/traces?service=shop-db&start=" + std::to_string(StartUs()) +
                       "&end=" + std::to_string(EndUs()) + "&tags=" + UrlEncode("error=true span.kind=client")));
  ASSERT_EQ(Arr(doc["data"]).size(), 1u);
}

TEST_F(JaegerSearchTest, TraceSummariesHaveJaegersShape) {
  auto doc = Parse(Get("/api/v3/trace-summaries?query.startTimeMin=" + UrlEncode(Iso(StartUs() * 1000)) +
                       "&query.startTimeMax=" + UrlEncode(Iso(EndUs() * 1000))));
  std::map<std::string, simdjson::dom::element> by_id;
  for (auto s : Arr(doc["summaries"])) by_id[std::string(s["traceId"].get_string().value())] = s;
  ASSERT_EQ(by_id.size(), 3u);
  auto err = by_id.at(sent_.error_trace);
  EXPECT_EQ(std::string(err["rootServiceName"].get_string().value()), "shop-api");
  EXPECT_EQ(std::string(err["rootOperationName"].get_string().value()), "GET /pay");
  EXPECT_EQ(std::string(err["minStartTimeUnixNano"].get_string().value()), std::to_string(sent_.now_ns));
  EXPECT_EQ(std::string(err["maxEndTimeUnixNano"].get_string().value()), std::to_string(sent_.now_ns + 20'000'000));
  EXPECT_EQ(err["spanCount"].get_uint64().value(), 2u);
  EXPECT_EQ(err["errorSpanCount"].get_uint64().value(), 1u);
  EXPECT_EQ(err["orphanSpanCount"].get_uint64().value(), 0u);
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> services;
  for (auto s : Arr(err["services"])) {
    services.emplace_back(std::string(s["name"].get_string().value()), s["spanCount"].get_uint64().value(),
                          s["errorSpanCount"].get_uint64().value());
  }
  EXPECT_EQ(services, (std::vector<std::tuple<std::string, uint64_t, uint64_t>>{{"shop-api", 1, 0}, {"shop-db", 1, 1}}));
  EXPECT_EQ(by_id.at(sent_.orphan_trace)["orphanSpanCount"].get_uint64().value(), 1u);

  // Errors in the shape of Jaeger's gateway; an empty search is an empty list.
  HttpResult bad = Get("/api/v3/trace-summaries?query.startTimeMin=yesterday");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find(R"({"error":{"httpCode":400,"message":"malformed parameter query.startTimeMin)"),
            std::string::npos) << bad.body;
  HttpResult attrs = Get("/api/v3/trace-summaries?query.attributes=" + UrlEncode("{broken"));
  EXPECT_EQ(attrs.status, 400) << attrs.body;
  HttpResult none = Get("/api/v3/trace-summaries?query.serviceName=nobody");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, R"({"summaries":[]})");
}

TEST_F(JaegerSearchTest, WhatCallpathdDoesNotKeepAnswersInJaegersErrorShape) {
  for (const char* path : {"/api/quality-metrics?service=x", "/api/deep-dependencies?service=x"}) {
    HttpResult r = Get(path);
    EXPECT_EQ(r.status, 501) << path;
    EXPECT_NE(r.body.find(R"("errors":[{"code":501,"msg":")"), std::string::npos) << path << " " << r.body;
  }
  HttpResult archive = HttpCall(daemon_->query_port(), "POST", "/api/archive/" + sent_.error_trace, "");
  EXPECT_EQ(archive.status, 501) << archive.body;
  EXPECT_NE(archive.body.find(R"("errors":[{"code":501)"), std::string::npos) << archive.body;
}

}  // namespace
}  // namespace callpath::testing
