// callpathd's MCP endpoint end to end: spans and logs go in over OTLP/HTTP,
// an agent's session (initialize, notifications/initialized, tools/call of
// every tool) reads them back over POST /api/mcp, and a 20,000-span trace
// through get_trace and get_critical_path stays under the result budget and
// says it truncated.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <set>
#include <string>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

constexpr size_t kBudget = 64 * 1024;

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.Start(dir_.path())) << daemon_.error();
    HttpResult r = Rpc(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
                       R"("capabilities":{},"clientInfo":{"name":"mcp_test","version":"1"}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    session_ = r.headers["mcp-session-id"];
    ASSERT_FALSE(session_.empty());
    EXPECT_EQ(Rpc(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").status, 202);
  }

  HttpResult Rpc(const std::string& body) {
    HttpCallOptions o;
    o.content_type = "application/json";
    o.headers = {{"Accept", "application/json, text/event-stream"}};
    if (!session_.empty()) {
      o.headers.emplace_back("Mcp-Session-Id", session_);
      o.headers.emplace_back("MCP-Protocol-Version", "2025-06-18");
    }
    return HttpCall(daemon_.query_port(), "POST", "/api/mcp", body, o);
  }

  // tools/call; returns the raw HTTP body, checked to be a successful result.
  std::string CallTool(const std::string& name, const std::string& arguments) {
    HttpResult r = Rpc(R"({"jsonrpc":"2.0","id":")" + name + R"(","method":"tools/call","params":{"name":")" +
                       name + R"(","arguments":)" + arguments + "}}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  // The structuredContent of a successful call; also checks that the text
  // copy is the same JSON.
  simdjson::dom::element Structured(const std::string& body) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser_.parse(body).get(doc), simdjson::SUCCESS) << body;
    simdjson::dom::element result = doc["result"];
    EXPECT_FALSE(bool(result["isError"])) << body;
    std::string_view text = result["content"].at(0)["text"];
    EXPECT_EQ(simdjson::minify(result["structuredContent"]), simdjson::minify(text_parser_.parse(std::string(text))));
    return result["structuredContent"];
  }

  void PostSpans(const otlpv1::collector::trace::v1::ExportTraceServiceRequest& req) {
    HttpCallOptions o;
    o.content_type = "application/x-protobuf";
    HttpResult r = HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", req.SerializeAsString(), o);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  TempDir dir_;
  DaemonProcess daemon_;
  std::string session_;
  simdjson::dom::parser parser_, text_parser_;
};

TEST_F(McpTest, EveryToolAnswersFromWhatWasIngested) {
  std::mt19937_64 rng(15);
  std::string trace_id = RandomBytes(rng, 16);
  uint64_t start = NowNs() - 2'000'000'000ull;
  auto req = MakeTraceRequest(trace_id, 5, "checkout", start, rng);
  auto* failing = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(3);
  failing->mutable_status()->set_code(otlpv1::trace::v1::Status::STATUS_CODE_ERROR);
  failing->mutable_status()->set_message("card declined");
  PostSpans(req);
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  ASSERT_EQ(HttpCall(daemon_.otlp_http_port(), "POST", "/v1/logs",
                     MakeLogsRequest(trace_id, 3, "checkout", start).SerializeAsString(), o)
                .status,
            200);
  std::string hex = Hex(trace_id);

  auto services = Structured(CallTool("list_services", "{}"));
  EXPECT_EQ(simdjson::minify(services["services"]), R"(["checkout"])");
  EXPECT_EQ(int64_t(services["total_count"]), 1);
  EXPECT_FALSE(bool(services["truncated"]));

  auto ops = Structured(CallTool("list_operations", R"({"service":"checkout"})"));
  EXPECT_EQ(int64_t(ops["total_count"]), 5);
  EXPECT_EQ(std::string_view(ops["operations"].at(0)["name"]), "GET /checkout");  // sorted by name

  auto found = Structured(CallTool("search_traces", R"({"service":"checkout","errors_only":true,"lookback":"15m"})"));
  ASSERT_EQ(int64_t(found["total_count"]), 1);
  EXPECT_EQ(std::string_view(found["traces"].at(0)["trace_id"]), hex);
  EXPECT_EQ(int64_t(found["traces"].at(0)["error_count"]), 1);
  auto none = Structured(CallTool("search_traces", R"({"service":"checkout","min_trace_duration":"1h"})"));
  EXPECT_EQ(simdjson::minify(none["traces"]), "[]");

  auto trace = Structured(CallTool("get_trace", R"({"trace_id":")" + hex + R"("})"));
  EXPECT_EQ(int64_t(trace["total_count"]), 5);
  EXPECT_EQ(int64_t(trace["returned_count"]), 5);
  EXPECT_FALSE(bool(trace["truncated"]));
  EXPECT_EQ(int64_t(trace["spans"].at(0)["depth"]), 0);
  EXPECT_TRUE(bool(trace["spans"].at(0)["critical_path"]));
  int errors = 0;
  for (auto span : trace["spans"].get_array()) {
    if (std::string_view(span["status"]) != "error") continue;
    ++errors;
    EXPECT_EQ(std::string_view(span["error_message"]), "card declined");
    EXPECT_EQ(int64_t(span["depth"]), 1);
  }
  EXPECT_EQ(errors, 1);

  auto path = Structured(CallTool("get_critical_path", R"({"trace_id":")" + hex + R"("})"));
  EXPECT_FALSE(bool(path["truncated"]));
  EXPECT_EQ(int64_t(path["total_count"]), int64_t(path["segments"].get_array().size()));
  EXPECT_EQ(std::string_view(path["segments"].at(0)["operation"]), "GET /checkout");
  EXPECT_EQ(int64_t(path["segments"].at(0)["start_offset_ns"]), 0);

  auto trace_logs = Structured(CallTool("get_trace_logs", R"({"trace_id":")" + hex + R"(","limit":2})"));
  EXPECT_EQ(int64_t(trace_logs["total_count"]), 3);
  EXPECT_EQ(trace_logs["logs"].get_array().size(), 2u);
  EXPECT_TRUE(bool(trace_logs["truncated"]));

  auto logs = Structured(CallTool("search_logs", R"({"trace_id":")" + hex + R"("})"));
  EXPECT_EQ(int64_t(logs["total_count"]), 3);
  EXPECT_EQ(std::string_view(logs["logs"].at(0)["body"]), "record 2");  // newest first
  EXPECT_EQ(std::string_view(logs["logs"].at(0)["trace_id"]), hex);
  auto errors_only = Structured(CallTool("search_logs", R"({"service":"checkout","min_severity":"error"})"));
  EXPECT_EQ(int64_t(errors_only["total_count"]), 0);
}

TEST_F(McpTest, SpanDetailsDependenciesAttributesAndLogConditions) {
  std::mt19937_64 rng(16);
  std::string trace_id = RandomBytes(rng, 16);
  std::string hex = Hex(trace_id);
  uint64_t start = NowNs() - 2'000'000'000ull;
  auto req = MakeTraceRequest(trace_id, 3, "checkout", start, rng);
  auto callee = MakeTraceRequest(trace_id, 1, "payments", start + 2000, rng);
  auto* charge = callee.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  charge->set_parent_span_id(req.resource_spans(0).scope_spans(0).spans(1).span_id());
  charge->set_name("Charge");
  auto* event = charge->add_events();
  event->set_name("exception");
  event->set_time_unix_nano(start + 3000);
  auto* message = event->add_attributes();
  message->set_key("exception.message");
  message->mutable_value()->set_string_value("card declined");
  PostSpans(req);
  PostSpans(callee);
  auto logs = MakeLogsRequest(trace_id, 2, "payments", start + 2500);
  auto* records = logs.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records();
  for (auto& r : *records) r.set_span_id(charge->span_id());
  records->Mutable(1)->set_severity_number(otlpv1::logs::v1::SEVERITY_NUMBER_ERROR);
  records->Mutable(1)->mutable_body()->set_string_value("card declined for order 17");
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  ASSERT_EQ(HttpCall(daemon_.otlp_http_port(), "POST", "/v1/logs", logs.SerializeAsString(), o).status, 200);
  std::string charge_id = Hex(charge->span_id());
  std::string absent_id = "00000000000000ff";

  auto details = Structured(CallTool("get_span_details", R"({"trace_id":")" + hex + R"(","span_ids":[")" +
                                                             charge_id + R"(",")" + absent_id + R"("]})"));
  ASSERT_EQ(details["spans"].get_array().size(), 1u);
  auto span = details["spans"].at(0);
  EXPECT_EQ(std::string_view(span["operation"]), "Charge");
  EXPECT_EQ(std::string_view(span["service"]), "payments");
  EXPECT_EQ(std::string_view(span["events"].at(0)["attributes"].at(0)["value"]), "card declined");
  EXPECT_EQ(std::string_view(span["attributes"].at(0)["key"]), "http.response.status_code");
  EXPECT_EQ(std::string_view(span["attributes"].at(0)["value"]), "200");
  EXPECT_EQ(std::string_view(span["resource"].at(0)["value"]), "payments");
  ASSERT_EQ(span["logs"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(span["logs"].at(1)["body"]), "card declined for order 17");
  EXPECT_EQ(simdjson::minify(details["not_found"]), R"([")" + absent_id + R"("])");
  EXPECT_EQ(int64_t(details["total_count"]), 1);
  EXPECT_FALSE(bool(details["truncated"]));

  auto deps = Structured(CallTool("get_service_dependencies", R"({"lookback":"1h"})"));
  EXPECT_EQ(simdjson::minify(deps["edges"]), R"([{"caller":"checkout","callee":"payments","call_count":1}])");
  EXPECT_EQ(simdjson::minify(deps["services"]), R"(["checkout","payments"])");
  auto elsewhere = Structured(CallTool("get_service_dependencies", R"({"service":"inventory"})"));
  EXPECT_EQ(simdjson::minify(elsewhere["edges"]), "[]");
  EXPECT_EQ(int64_t(elsewhere["total_count"]), 0);

  auto with_attrs = Structured(CallTool("get_trace", R"({"trace_id":")" + hex + R"(","attributes":true})"));
  EXPECT_EQ(std::string_view(with_attrs["spans"].at(0)["attributes"]["http.response.status_code"]), "200");
  auto without = Structured(CallTool("get_trace", R"({"trace_id":")" + hex + R"("})"));
  EXPECT_EQ(without["spans"].at(0)["attributes"].error(), simdjson::NO_SUCH_FIELD);

  auto by_text = Structured(CallTool("search_traces", R"({"log_text":"card declined"})"));
  ASSERT_EQ(int64_t(by_text["total_count"]), 1);
  EXPECT_EQ(std::string_view(by_text["traces"].at(0)["trace_id"]), hex);
  // The log condition is trace-level: the ERROR record is payments', the span condition checkout's.
  auto by_level = Structured(CallTool("search_traces", R"({"service":"checkout","log_min_severity":"error"})"));
  EXPECT_EQ(int64_t(by_level["total_count"]), 1);
  auto no_text = Structured(CallTool("search_traces", R"({"log_text":"no record says this"})"));
  EXPECT_EQ(int64_t(no_text["total_count"]), 0);
  auto no_level = Structured(CallTool("search_traces", R"({"log_min_severity":"fatal"})"));
  EXPECT_EQ(int64_t(no_level["total_count"]), 0);
}

// A web -> payments request: GET /checkout (server) calls Charge (server),
// which fails with an ERROR log line when `failing`.
otlpv1::collector::trace::v1::ExportTraceServiceRequest CheckoutRequest(const std::string& trace_id, uint64_t start,
                                                                         bool failing, std::mt19937_64& rng) {
  auto req = MakeTraceRequest(trace_id, 1, "web", start, rng);
  auto* root = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  root->set_end_time_unix_nano(start + 30'000'000);
  auto callee = MakeTraceRequest(trace_id, 1, "payments", start + 2'000'000, rng);
  auto* charge = callee.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  charge->set_parent_span_id(root->span_id());
  charge->set_name("Charge");
  charge->set_end_time_unix_nano(start + 22'000'000);
  if (failing) {
    charge->mutable_status()->set_code(otlpv1::trace::v1::Status::STATUS_CODE_ERROR);
    charge->mutable_status()->set_message("card declined");
  }
  *req.add_resource_spans() = callee.resource_spans(0);
  return req;
}

TEST_F(McpTest, CauseFindingToolsAnswerFromWhatWasIngested) {
  std::mt19937_64 rng(13);
  const uint64_t now = NowNs(), minute = 60'000'000'000ull;
  // Healthy traffic over the last ten minutes, then eight failing requests
  // in the last half minute: an incident for diagnose, and a trace whose
  // baseline (the hour before its minute) is healthy for explain. That trace
  // is the first failing one: a later one's baseline may hold the failures
  // before it when a minute boundary falls between them, and 7 failures in
  // 47 calls is an error rate explain rightly calls usual.
  std::string healthy_id, failing_id;
  for (int i = 0; i < 40; ++i) {
    healthy_id = RandomBytes(rng, 16);
    PostSpans(CheckoutRequest(healthy_id, now - 10 * minute + static_cast<uint64_t>(i) * 13'000'000'000ull, false, rng));
  }
  for (int i = 0; i < 8; ++i) {
    std::string id = RandomBytes(rng, 16);
    if (failing_id.empty()) failing_id = id;
    PostSpans(CheckoutRequest(id, now - 30'000'000'000ull + static_cast<uint64_t>(i) * 3'000'000'000ull, true, rng));
  }

  auto explained = Structured(CallTool("explain_trace", R"({"trace_id":")" + Hex(failing_id) + R"("})"));
  EXPECT_EQ(std::string_view(explained["status"]), "error");
  ASSERT_GT(explained["causes"].get_array().size(), 0u);
  EXPECT_EQ(std::string_view(explained["causes"].at(0)["service"]), "payments");
  EXPECT_EQ(std::string_view(explained["causes"].at(0)["operation"]), "Charge");
  EXPECT_FALSE(bool(explained["truncated"]));

  auto diagnosed = Structured(CallTool("diagnose", R"({"lookback":"5m"})"));
  ASSERT_GT(diagnosed["causes"].get_array().size(), 0u) << simdjson::minify(diagnosed);
  EXPECT_EQ(std::string_view(diagnosed["causes"].at(0)["service"]), "payments") << simdjson::minify(diagnosed);

  auto compared = Structured(CallTool("compare_traces", R"({"a":")" + Hex(healthy_id) + R"(","b":")" +
                                                            Hex(failing_id) + R"("})"));
  bool status_change = false;
  for (auto d : compared["spans"].get_array()) {
    status_change |= std::string_view(d["change"]) == "status" && std::string_view(d["operation"]) == "Charge";
  }
  EXPECT_TRUE(status_change) << simdjson::minify(compared);

  auto services = Structured(CallTool("get_service_metrics", R"({"lookback":"15m"})"));
  EXPECT_EQ(int64_t(services["total_count"]), 2);
  auto ops = Structured(CallTool("get_service_metrics", R"({"service":"payments","lookback":"15m"})"));
  ASSERT_EQ(int64_t(ops["total_count"]), 1);
  EXPECT_EQ(std::string_view(ops["rows"].at(0)["operation"]), "Charge");
  EXPECT_EQ(int64_t(ops["rows"].at(0)["calls"]), 48);
  EXPECT_EQ(int64_t(ops["rows"].at(0)["errors"]), 8);
  // Charge takes 20 ms every time: the sketch's quantiles are within 2 %.
  EXPECT_NEAR(double(int64_t(ops["rows"].at(0)["p50_ns"])), 20e6, 0.4e6);
}

TEST_F(McpTest, SpanDetailsRefusesBadOrTooManyIdsWithAHint) {
  std::string many = "[";
  for (int i = 1; i <= 21; ++i) many += std::string(i > 1 ? "," : "") + "\"" + std::string(14, '0') + Hex(std::string(1, char(i))) + "\"";
  many += "]";
  for (const std::string& ids : {std::string(R"(["zz"])"), std::string("[]"), many}) {
    HttpResult r = Rpc(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_span_details",)"
                       R"("arguments":{"trace_id":"0123456789abcdef0123456789abcdef","span_ids":)" + ids + "}}}");
    ASSERT_EQ(r.status, 200) << r.body;
    simdjson::dom::element doc;
    ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS);
    EXPECT_TRUE(bool(doc["result"]["isError"])) << ids << " " << r.body;
    std::string_view text = doc["result"]["content"].at(0)["text"];
    EXPECT_NE(text.find("span"), std::string_view::npos) << text;
  }
  // A list of something other than strings is a malformed call.
  HttpResult r = Rpc(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_span_details",)"
                     R"("arguments":{"trace_id":"0123456789abcdef0123456789abcdef","span_ids":[7]}}})");
  EXPECT_NE(r.body.find("-32602"), std::string::npos) << r.body;
}

TEST_F(McpTest, HugeTraceStaysUnderTheBudgetAndSaysItTruncated) {
  std::mt19937_64 rng(50000);
  std::string trace_id = RandomBytes(rng, 16);
  auto req = MakeTraceRequest(trace_id, 50000, "bulk", NowNs() - 5'000'000'000ull, rng);
  // The fixture's children start 1 us apart: keep each inside the root.
  auto* spans = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
  spans->Mutable(0)->set_end_time_unix_nano(spans->Get(0).start_time_unix_nano() + 25'000'000);
  for (int i = 1; i < spans->size(); ++i) {
    spans->Mutable(i)->set_end_time_unix_nano(spans->Get(i).start_time_unix_nano() + 1000);
  }
  // In requests of 10,000 spans: one of 50,000 is past the daemon's body limit.
  for (int from = 0; from < 50000; from += 10000) {
    auto part = req;
    auto* part_spans = part.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
    part_spans->Clear();
    for (int i = from; i < from + 10000; ++i) *part_spans->Add() = spans->Get(i);
    PostSpans(part);
  }
  std::string body = CallTool("get_trace", R"({"trace_id":")" + Hex(trace_id) + R"("})");
  auto trace = Structured(body);
  // The body is the result plus {"jsonrpc":"2.0","id":"get_trace","result":}.
  EXPECT_LE(body.size(), kBudget + 48);
  EXPECT_TRUE(bool(trace["truncated"]));
  EXPECT_EQ(int64_t(trace["total_count"]), 50000);
  int64_t returned = trace["returned_count"];
  EXPECT_GT(returned, 0);
  EXPECT_LT(returned, 50000);
  EXPECT_EQ(int64_t(trace["spans"].get_array().size()), returned);
  EXPECT_GT(trace["omitted"].get_array().size(), 0u);
  EXPECT_EQ(std::string_view(trace["spans"].at(0)["operation"]), "GET /checkout");  // the root is kept

  // The children run back to back: the critical path has thousands of segments.
  body = CallTool("get_critical_path", R"({"trace_id":")" + Hex(trace_id) + R"("})");
  auto path = Structured(body);
  EXPECT_LE(body.size(), kBudget + 48);
  EXPECT_TRUE(bool(path["truncated"]));
  EXPECT_GT(int64_t(path["total_count"]), 10000);
  EXPECT_EQ(int64_t(path["segments"].get_array().size()), int64_t(path["returned_count"]));
}

TEST_F(McpTest, SessionEndsWithDelete) {
  HttpCallOptions o;
  o.headers = {{"Mcp-Session-Id", session_}};
  EXPECT_EQ(HttpCall(daemon_.query_port(), "DELETE", "/api/mcp", "", o).status, 200);
  EXPECT_EQ(Rpc(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 404);
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/mcp").status, 405);
}

}  // namespace
}  // namespace callpath::testing
