// callpathd end to end: the OpenTelemetry JS sample bodies go in over
// OTLP/HTTP (protobuf, JSON, gzip; chunked like the JS exporter sends them)
// and OTLP/gRPC, and come back out through the native and Jaeger APIs.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <map>
#include <mutex>
#include <set>

#include "daemon/daemon_harness.h"
#include "daemon/grpc_call.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

using simdjson::dom::element;

// Range-for over `x.get_array().value()` would bind a reference into a
// temporary; copy the array (a cheap tape reference) first. Throws (and
// so fails the test) when `e` is not an array.
simdjson::dom::array Arr(simdjson::simdjson_result<element> e) {
  simdjson::dom::array a = e.get_array().value();
  return a;
}

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 32);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

class DaemonIngestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    daemon_ = new DaemonProcess();
    // The samples were captured on 2026-11-26 and keep their timestamps
    // (the tests compare them): no age limit, as for a backfill.
    ASSERT_TRUE(daemon_->Start(dir_->path() + "/data", {"--max-item-age", "0"})) << daemon_->error();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->Stop(), 0);
    delete daemon_;
    delete dir_;
  }

  static HttpResult Post(const std::string& path, const std::string& body, const std::string& type,
                         const std::string& encoding = "") {
    HttpCallOptions o;
    o.content_type = type;
    o.content_encoding = encoding;
    o.chunked = true;  // as the OpenTelemetry JS exporter does
    return HttpCall(daemon_->otlp_http_port(), "POST", path, body, o);
  }
  static HttpResult Get(const std::string& target) { return HttpCall(daemon_->query_port(), "GET", target); }

  static TempDir* dir_;
  static DaemonProcess* daemon_;
};
TempDir* DaemonIngestTest::dir_ = nullptr;
DaemonProcess* DaemonIngestTest::daemon_ = nullptr;

// Every span of the two trace samples, keyed by hex span id.
struct ExpectedSpan {
  const otlpv1::trace::v1::Span* span;
  std::string service;
};

TEST_F(DaemonIngestTest, JsSamplesOverHttpReadBackThroughNativeAndJaegerApis) {
  otlpv1::collector::trace::v1::ExportTraceServiceRequest client, server;
  ASSERT_TRUE(client.ParseFromString(ReadOtlpSample("otlp-traces-client.pb")));
  ASSERT_TRUE(server.ParseFromString(ReadOtlpSample("otlp-traces-server.pb")));

  for (const char* name : {"otlp-traces-client.pb", "otlp-traces-server.pb"}) {
    HttpResult r = Post("/v1/traces", ReadOtlpSample(name), "application/x-protobuf");
    ASSERT_EQ(r.status, 200) << name << ": " << r.body << r.error;
    EXPECT_EQ(r.headers["content-type"], "application/x-protobuf");
    EXPECT_EQ(r.body, "") << "full success is an empty ExportTraceServiceResponse";
  }
  // Expected spans of the protobuf capture, grouped by trace.
  std::map<std::string, std::map<std::string, ExpectedSpan>> traces;
  for (const auto* req : {&client, &server}) {
    for (const auto& rs : req->resource_spans()) {
      std::string service;
      for (const auto& kv : rs.resource().attributes())
        if (kv.key() == "service.name") service = kv.value().string_value();
      for (const auto& ss : rs.scope_spans())
        for (const auto& sp : ss.spans()) traces[Hex(sp.trace_id())][Hex(sp.span_id())] = {&sp, service};
    }
  }
  ASSERT_FALSE(traces.empty());
  // The JSON and gzip bodies are other captures: other span ids, sometimes
  // the same trace id. Every span id of every form must come back once.
  std::map<std::string, std::set<std::string>> all_ids;
  for (const auto& [tid, spans] : traces)
    for (const auto& [sid, _] : spans) all_ids[tid].insert(sid);
  for (const char* name : {"otlp-traces-client.pb.gz", "otlp-traces-server.pb.gz"}) {
    otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
    std::string raw = Gunzip(ReadOtlpSample(name));
    ASSERT_TRUE(req.ParseFromString(raw));
    for (const auto& rs : req.resource_spans())
      for (const auto& ss : rs.scope_spans())
        for (const auto& sp : ss.spans()) all_ids[Hex(sp.trace_id())].insert(Hex(sp.span_id()));
  }
  {
    simdjson::dom::parser jp;
    for (const char* name : {"otlp-traces-client.json", "otlp-traces-server.json"}) {
      element doc;
      std::string text = ReadOtlpSample(name);
      ASSERT_EQ(jp.parse(text).get(doc), simdjson::SUCCESS);
      for (element rs : Arr(doc["resourceSpans"]))
        for (element ss : Arr(rs["scopeSpans"]))
          for (element sp : Arr(ss["spans"]))
            all_ids[std::string(sp["traceId"].get_string().value())].insert(
                std::string(sp["spanId"].get_string().value()));
    }
  }

  simdjson::dom::parser parser;
  for (const auto& [trace_id, spans] : traces) {
    // Native API: the assembled trace with every span once.
    HttpResult native = Get("/api/v1/traces/" + trace_id);
    ASSERT_EQ(native.status, 200) << native.body;
    element doc;
    ASSERT_EQ(parser.parse(native.body).get(doc), simdjson::SUCCESS);
    EXPECT_EQ(std::string_view(doc["trace_id"].get_string().value()), trace_id);
    std::set<std::string> got;
    for (element s : Arr(doc["spans"])) got.insert(std::string(s["span_id"].get_string().value()));
    std::set<std::string> pb_ids;
    for (const auto& [sid, _] : spans) pb_ids.insert(sid);
    EXPECT_EQ(got, pb_ids);

    // Jaeger classic: field by field.
    HttpResult jr = Get("/api/traces/" + trace_id);
    ASSERT_EQ(jr.status, 200) << jr.body;
    element jdoc;
    ASSERT_EQ(parser.parse(jr.body).get(jdoc), simdjson::SUCCESS);
    element t = jdoc["data"].at(0).value();
    EXPECT_EQ(std::string_view(t["traceID"].get_string().value()), trace_id);
    simdjson::dom::object processes = t["processes"].get_object().value();
    size_t checked = 0;
    bool skew_adjusted = false;
    for (element js : Arr(t["spans"])) {
      simdjson::dom::array warnings;
      if (js["warnings"].get_array().get(warnings) == simdjson::SUCCESS)
        for (element w : warnings)
          if (std::string_view(w.get_string().value()).find("clock skew") != std::string_view::npos)
            skew_adjusted = true;
    }
    for (element js : Arr(t["spans"])) {
      std::string span_id(js["spanID"].get_string().value());
      auto it = spans.find(span_id);
      ASSERT_NE(it, spans.end()) << "unexpected span " << span_id;
      const auto& sp = *it->second.span;
      EXPECT_EQ(std::string_view(js["traceID"].get_string().value()), trace_id);
      EXPECT_EQ(std::string_view(js["operationName"].get_string().value()), sp.name());
      // Clock-skew correction moves whole subtrees (and says so on the
      // span it moved); exact start times hold for unadjusted traces.
      if (!skew_adjusted) EXPECT_EQ(js["startTime"].get_uint64().value(), sp.start_time_unix_nano() / 1000) << span_id;
      EXPECT_EQ(js["duration"].get_uint64().value(),
                (sp.end_time_unix_nano() - sp.start_time_unix_nano()) / 1000);
      std::string pid(js["processID"].get_string().value());
      EXPECT_EQ(std::string_view(processes[pid]["serviceName"].get_string().value()), it->second.service);
      // The parent (if any) is a CHILD_OF reference.
      if (!sp.parent_span_id().empty()) {
        bool found = false;
        for (element ref : Arr(js["references"])) {
          if (std::string_view(ref["refType"].get_string().value()) == "CHILD_OF" &&
              std::string_view(ref["spanID"].get_string().value()) == Hex(sp.parent_span_id()))
            found = true;
        }
        EXPECT_TRUE(found) << "span " << span_id << " lacks CHILD_OF " << Hex(sp.parent_span_id());
      }
      // Attributes become typed tags.
      std::map<std::string, element> tags;
      for (element tag : Arr(js["tags"])) tags[std::string(tag["key"].get_string().value())] = tag;
      for (const auto& kv : sp.attributes()) {
        ASSERT_TRUE(tags.count(kv.key())) << kv.key();
        element tag = tags[kv.key()];
        if (kv.value().has_int_value()) {
          EXPECT_EQ(std::string_view(tag["type"].get_string().value()), "int64") << kv.key();
          EXPECT_EQ(tag["value"].get_int64().value(), kv.value().int_value()) << kv.key();
        } else if (kv.value().has_string_value()) {
          EXPECT_EQ(std::string_view(tag["type"].get_string().value()), "string") << kv.key();
          EXPECT_EQ(std::string_view(tag["value"].get_string().value()), kv.value().string_value());
        }
      }
      if (sp.kind() == otlpv1::trace::v1::Span::SPAN_KIND_SERVER) {
        ASSERT_TRUE(tags.count("span.kind"));
        EXPECT_EQ(std::string_view(tags["span.kind"]["value"].get_string().value()), "server");
      }
      ++checked;
    }
    EXPECT_EQ(checked, spans.size());

    // Search finds the trace by the service of its spans, in the capture's time range.
    const auto& any = *spans.begin()->second.span;
    std::string service = spans.begin()->second.service;
    uint64_t start_us = any.start_time_unix_nano() / 1000 - 3'600'000'000ull;
    uint64_t end_us = any.start_time_unix_nano() / 1000 + 3'600'000'000ull;
    HttpResult search = Get("/api/traces?service=" + service + "&start=" + std::to_string(start_us) +
                            "&end=" + std::to_string(end_us) + "&limit=50");
    ASSERT_EQ(search.status, 200) << search.body;
    EXPECT_NE(search.body.find("\"traceID\":\"" + trace_id + "\""), std::string::npos) << search.body;
    HttpResult nsearch = Get("/api/v1/search?service=" + service + "&start=" +
                             std::to_string(start_us * 1000) + "&end=" + std::to_string(end_us * 1000));
    ASSERT_EQ(nsearch.status, 200) << nsearch.body;
    EXPECT_NE(nsearch.body.find(trace_id), std::string::npos) << nsearch.body;
  }

  for (const char* name : {"otlp-traces-client.json", "otlp-traces-server.json"}) {
    HttpResult r = Post("/v1/traces", ReadOtlpSample(name), "application/json");
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_EQ(r.body, "{}");
  }
  // The JSON and gzip captures: every span of every form comes back once.
  for (const char* name : {"otlp-traces-client.pb.gz", "otlp-traces-server.pb.gz"}) {
    HttpResult r = Post("/v1/traces", ReadOtlpSample(name), "application/x-protobuf", "gzip");
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
  }

  for (const auto& [trace_id, ids] : all_ids) {
    HttpResult native = Get("/api/v1/traces/" + trace_id);
    ASSERT_EQ(native.status, 200) << native.body;
    element doc;
    ASSERT_EQ(parser.parse(native.body).get(doc), simdjson::SUCCESS);
    std::set<std::string> got;
    for (element s : Arr(doc["spans"])) got.insert(std::string(s["span_id"].get_string().value()));
    EXPECT_EQ(got, ids) << trace_id;
  }

  // Services list (native, Jaeger, api_v3).
  HttpResult services = Get("/api/services");
  ASSERT_EQ(services.status, 200);
  EXPECT_NE(services.body.find("node-probe-server"), std::string::npos) << services.body;
  HttpResult v3 = Get("/api/v3/services");
  EXPECT_NE(v3.body.find("node-probe-client"), std::string::npos) << v3.body;
  // Lookup by ids, as the Jaeger UI does it: found ones in data, the others
  // in errors.
  const std::string first_id = traces.begin()->first;
  HttpResult by_ids = Get("/api/traces?traceID=" + first_id + "&traceID=00000000000000000000000000abcdef");
  ASSERT_EQ(by_ids.status, 200) << by_ids.body;
  {
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    ASSERT_EQ(p.parse(by_ids.body).get(doc), simdjson::SUCCESS);
    ASSERT_EQ(doc["data"].get_array().value().size(), 1u);
    EXPECT_EQ(std::string_view(doc["data"].at(0)["traceID"].get_string().value()), first_id);
    EXPECT_EQ(std::string_view(doc["errors"].at(0)["traceID"].get_string().value()), "00000000000000000000000000abcdef");
    EXPECT_EQ(std::string_view(doc["errors"].at(0)["msg"].get_string().value()), "trace not found");
  }
  EXPECT_EQ(Get("/api/traces?traceID=xyz").status, 400);
  HttpResult v3trace = Get("/api/v3/traces/" + traces.begin()->first);
  ASSERT_EQ(v3trace.status, 200) << v3trace.body;
  EXPECT_NE(v3trace.body.find("resourceSpans"), std::string::npos);
  // api_v3 errors and empty searches answer as Jaeger's HTTP gateway does.
  HttpResult missing = Get("/api/v3/traces/00000000000000000000000000abcdef");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error":{"httpCode":404,"message":"trace not found"}})");
  HttpResult none = Get("/api/v3/traces?query.service_name=no-such-service");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, R"({"error":{"httpCode":404,"message":"No traces found"}})");
  HttpResult bad = Get("/api/v3/traces?query.service_name=x&query.start_time_min=yesterday");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find(R"({"error":{"httpCode":400,"message":")"), std::string::npos) << bad.body;
}

TEST_F(DaemonIngestTest, JsLogSamplesAreStoredWithTheirTrace) {
  otlpv1::collector::logs::v1::ExportLogsServiceRequest logs;
  ASSERT_TRUE(logs.ParseFromString(ReadOtlpSample("otlp-logs-server.pb")));
  std::string trace_id = Hex(logs.resource_logs(0).scope_logs(0).log_records(0).trace_id());
  for (const char* name : {"otlp-logs-server.pb", "otlp-logs-client.pb"}) {
    HttpResult r = Post("/v1/logs", ReadOtlpSample(name), "application/x-protobuf");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  HttpResult j = Post("/v1/logs", ReadOtlpSample("otlp-logs-client.json"), "application/json");
  ASSERT_EQ(j.status, 200) << j.body;
  EXPECT_EQ(j.body, "{}");
  HttpResult z = Post("/v1/logs", ReadOtlpSample("otlp-logs-client.pb.gz"), "application/x-protobuf", "gzip");
  ASSERT_EQ(z.status, 200) << z.body;

  HttpResult found = Get("/api/v1/logs?trace_id=" + trace_id + "&start=0&end=" + std::to_string(NowNs() + 3'600'000'000'000ull));
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_NE(found.body.find(trace_id), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("node-probe-server"), std::string::npos) << found.body;
}

TEST_F(DaemonIngestTest, GrpcExportIsStoredAndErrorsMapToGrpcCodes) {
  const uint16_t port = daemon_->otlp_grpc_port();
  auto call = [port](const std::string& method, const std::string& bytes, std::string* response) {
    return GrpcUnaryCall(port, method, bytes, {}, response);
  };
  const std::string& kTraces = kOtlpTraceExport;
  const std::string& kLogs = kOtlpLogsExport;

  std::mt19937_64 rng(7);
  std::string trace_id = RandomBytes(rng, 16);
  auto req = MakeTraceRequest(trace_id, 6, "grpc-svc", NowNs(), rng);
  std::string response;
  grpc::Status s = call(kTraces, req.SerializeAsString(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response, "");  // full success
  s = call(kLogs, MakeLogsRequest(trace_id, 3, "grpc-svc", NowNs()).SerializeAsString(), nullptr);
  ASSERT_TRUE(s.ok()) << s.error_message();

  HttpResult got = Get("/api/v1/traces/" + Hex(trace_id));
  ASSERT_EQ(got.status, 200) << got.body;
  simdjson::dom::parser parser;
  element doc;
  ASSERT_EQ(parser.parse(got.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["spans"].get_array().value().size(), 6u);
  EXPECT_EQ(doc["logs"].get_array().value().size(), 3u);

  // The JS sample, as bytes.
  s = call(kTraces, ReadOtlpSample("otlp-traces-server.pb"), nullptr);
  EXPECT_TRUE(s.ok()) << s.error_message();

  // A span with a bad id: partial success, counted.
  auto bad = MakeTraceRequest(RandomBytes(rng, 16), 3, "grpc-svc", NowNs(), rng);
  bad.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(1)->set_span_id("short");
  response.clear();
  s = call(kTraces, bad.SerializeAsString(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  otlpv1::collector::trace::v1::ExportTraceServiceResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(response));
  EXPECT_EQ(parsed.partial_success().rejected_spans(), 1);
  EXPECT_FALSE(parsed.partial_success().error_message().empty());

  s = call(kTraces, std::string("\x0a\xff\xff\xff", 4), nullptr);  // truncated
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = call("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "", nullptr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(DaemonIngestTest, OpsEndpointsAnswer) {
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  HttpResult m = Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("callpathd_received_total{signal=\"spans\"}"), std::string::npos);
  EXPECT_NE(m.body.find("callpathd_export_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("callpathd_queue_depth"), std::string::npos);
  EXPECT_NE(m.body.find("callpathd_store_size_bytes"), std::string::npos);
  // The UI (or its embedded fallback page) is served on "/".
  HttpResult ui = Get("/");
  EXPECT_EQ(ui.status, 200);
  EXPECT_NE(ui.headers["content-type"].find("text/html"), std::string::npos);
  // Bad query parameters: 400 with a JSON error.
  HttpResult bad = Get("/api/traces?service=x&limit=abc");
  EXPECT_EQ(bad.status, 400) << bad.body;
  HttpResult bad_id = Get("/api/v1/traces/not-hex");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_NE(bad_id.body.find("error"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/traces/0123456789abcdef0123456789abcdef").status, 404);
}

}  // namespace
}  // namespace callpath::testing
