#include "query/render.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "query/test_traces.h"

namespace callpath::query {
namespace {

using store::Value;
using testing::S;

// web GET (root) -> api List (ERROR) with an event, a link, typed tags.
AssembledTrace Sample() {
  auto root = S(1, 0, "web", "GET /items", 0, 100);
  root.attributes = {{"http.method", Value::String("GET")}, {"http.status_code", Value::Int(500)}};
  root.resource_attributes.push_back({"host.name", Value::String("web-1")});
  root.scope_name = "callpath.http";
  root.scope_version = "0.1.0";
  root.flags = 1;
  auto child = S(2, 1, "api", "List", 10, 80, true);
  child.kind = store::SpanKind::kClient;
  child.status_message = "db \"timeout\"";
  child.attributes = {{"retry", Value::Bool(true)}, {"ratio", Value::Double(0.25)},
                      {"blob", Value::Bytes("\x01\x02\x03")}, {"ids", Value::Json("[1,2]")}};
  child.events = {{child.start_ns + 5'000'000, "exception", {{"exception.message", Value::String("boom\n")}}}};
  child.links = {{testing::TestTrace(), testing::Sid(7), "", {}}};
  return AssembleTrace({child, root});
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Golden files: expected output beside the test. CALLPATH_UPDATE_GOLDEN=1
// rewrites them (review the diff before committing).
void ExpectGolden(const std::string& name, const std::string& got) {
  std::string path = std::string(CALLPATH_SOURCE_DIR) + "/src/query/testdata/" + name;
  if (std::getenv("CALLPATH_UPDATE_GOLDEN")) {
    std::ofstream(path) << got << "\n";
    return;
  }
  std::string want = ReadFile(path);
  if (!want.empty() && want.back() == '\n') want.pop_back();
  EXPECT_EQ(got, want) << "golden " << name;
}

simdjson::dom::element Parse(simdjson::dom::parser& p, const std::string& json) {
  auto r = p.parse(json);
  EXPECT_EQ(r.error(), simdjson::SUCCESS) << json;
  return r.value_unsafe();
}

TEST(RenderJaegerTest, ClassicJsonShape) {
  std::string json = RenderJaegerTraces({Sample()});
  ExpectGolden("jaeger_traces.json", json);
  simdjson::dom::parser p;
  auto doc = Parse(p, json);
  EXPECT_EQ(int64_t(doc["total"]), 1);
  auto trace = doc["data"].at(0);
  EXPECT_EQ(std::string_view(trace["traceID"]), testing::TestTrace().ToHex());
  auto spans = simdjson::dom::array(trace["spans"]);
  ASSERT_EQ(spans.size(), 2u);
  auto child = spans.at(1);
  EXPECT_EQ(std::string_view(child["operationName"]), "List");
  EXPECT_EQ(std::string_view(child["references"].at(0)["refType"]), "CHILD_OF");
  EXPECT_EQ(std::string_view(child["references"].at(1)["refType"]), "FOLLOWS_FROM");
  EXPECT_EQ(uint64_t(child["startTime"]), testing::kT0 / 1000 + 10'000);
  EXPECT_EQ(uint64_t(child["duration"]), 80'000u);
  EXPECT_EQ(std::string_view(child["processID"]), "p2");
  EXPECT_EQ(std::string_view(trace["processes"]["p1"]["serviceName"]), "web");
  bool saw_error = false;
  for (auto tag : simdjson::dom::array(child["tags"])) {
    if (std::string_view(tag["key"]) == "error") saw_error = bool(tag["value"]);
    if (std::string_view(tag["key"]) == "blob") {
      EXPECT_EQ(std::string_view(tag["type"]), "binary");
    }
    if (std::string_view(tag["key"]) == "ratio") {
      EXPECT_EQ(std::string_view(tag["type"]), "float64");
    }
  }
  EXPECT_TRUE(saw_error);
  EXPECT_EQ(std::string_view(child["logs"].at(0)["fields"].at(0)["value"]), "exception");
}

TEST(RenderJaegerTest, ListsAndErrors) {
  EXPECT_EQ(RenderJaegerServices({"a", "b"}),
            R"({"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null})");
  std::vector<store::Operation> ops = {{"Charge", store::SpanKind::kServer},
                                       {"Charge", store::SpanKind::kClient},
                                       {"List", store::SpanKind::kUnspecified}};
  EXPECT_EQ(RenderJaegerOperations(ops, false),
            R"({"data":["Charge","List"],"total":2,"limit":0,"offset":0,"errors":null})");
  EXPECT_EQ(RenderJaegerOperations(ops, true),
            R"({"data":[{"name":"Charge","spanKind":"server"},{"name":"Charge","spanKind":"client"},)"
            R"({"name":"List","spanKind":""}],"total":3,"limit":0,"offset":0,"errors":null})");
  EXPECT_EQ(RenderJaegerDependencies({{"web", "api", 3}}),
            R"({"data":[{"parent":"web","child":"api","callCount":3}],"total":1,"limit":0,"offset":0,"errors":null})");
  EXPECT_EQ(RenderJaegerError(404, "trace not found"),
            R"({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]})");
}

TEST(RenderApiV3Test, OtlpJsonShape) {
  std::string json = RenderApiV3Traces({Sample()});
  ExpectGolden("api_v3_traces.json", json);
  simdjson::dom::parser p;
  auto doc = Parse(p, json);
  auto rs = simdjson::dom::array(doc["result"]["resourceSpans"]);
  ASSERT_EQ(rs.size(), 2u);  // web and api resources
  auto span = rs.at(1)["scopeSpans"].at(0)["spans"].at(0);
  EXPECT_EQ(std::string_view(span["name"]), "List");
  EXPECT_EQ(int64_t(span["kind"]), 3);
  EXPECT_EQ(int64_t(span["status"]["code"]), 2);
  EXPECT_EQ(std::string_view(span["startTimeUnixNano"]),
            std::to_string(testing::kT0 + 10'000'000));
}

TEST(RenderNativeTest, TraceWithAnalysisAndLogs) {
  store::StoredLog log;
  log.time_ns = testing::kT0 + 15'000'000;
  log.severity_number = 17;
  log.body = Value::String("query timed out");
  log.service = "api";
  log.trace_id = testing::TestTrace();
  log.span_id = testing::Sid(2);
  log.attributes = {{"db.statement", Value::String("SELECT 1")}};
  std::string json = RenderTrace(Sample(), {log});
  ExpectGolden("native_trace.json", json);
  simdjson::dom::parser p;
  auto doc = Parse(p, json);
  EXPECT_EQ(uint64_t(doc["span_count"]), 2u);
  EXPECT_EQ(std::string_view(doc["root_causes"]["errors"].at(0)["operation"]), "List");
  EXPECT_EQ(std::string_view(doc["logs"].at(0)["level"]), "ERROR");
  EXPECT_EQ(std::string_view(doc["logs"].at(0)["timestamp"]), "2023-11-14T22:13:20.015000000Z");
  EXPECT_TRUE(bool(doc["spans"].at(1)["critical"]));
}

TEST(RenderNativeTest, ListsAreValidJson) {
  store::TraceSummary s;
  s.trace_id = testing::TestTrace();
  s.root_service = "w\"eb";
  s.services = {"api", "web"};
  simdjson::dom::parser p;
  auto doc = Parse(p, RenderSearch({s}));
  EXPECT_EQ(std::string_view(doc["traces"].at(0)["root_service"]), "w\"eb");
  EXPECT_EQ(RenderServices({"a"}), R"({"services":["a"]})");
  EXPECT_EQ(RenderOperations({{"Get", store::SpanKind::kServer}}),
            R"({"operations":[{"name":"Get","kind":"server"}]})");
  EXPECT_EQ(RenderDependencies({{"a", "b", 2, 1, 1500}}),
            R"({"dependencies":[{"parent":"a","child":"b","call_count":2,"error_count":1,"p99_ns":1500}]})");
  Parse(p, RenderLogs({}));
}

}  // namespace
}  // namespace callpath::query
