// RenderExplainJson: the API's document, read back with simdjson.
#include <simdjson.h>

#include <gtest/gtest.h>

#include "analyze/testing/explain_support.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary

ExplainReport Sample() {
  ExplainReport r;
  r.trace_id.mutable_bytes()[15] = 0x2a;
  r.status = TraceVerdict::kError;
  r.summary = "payment left no span: \"quoted\"";
  Cause missing;
  missing.rank = 1;
  missing.service = "payment";
  missing.kind = CauseKind::kMissingSpan;
  missing.score = 0.934;
  missing.summary = "payment crashed";
  Evidence e;
  e.type = "log";
  e.text = "payment logged: FATAL aborting";
  e.time_ns = 1'800'000'000'000'000'000ull;
  e.severity_number = 21;
  missing.evidence.push_back(e);
  Cause slow;
  slow.rank = 2;
  slow.service = "fraud";
  slow.operation = "Check";
  slow.span_id = SpanId();
  slow.span_id->mutable_bytes()[7] = 9;
  slow.kind = CauseKind::kLatency;
  slow.score = 0.5;
  Evidence b;
  b.type = "baseline";
  b.text = "Check took 30 ms";
  b.observed = 3e7;
  b.expected = 5e6;
  slow.evidence.push_back(b);
  r.causes = {missing, slow};
  r.baseline_start_ns = 100;
  r.baseline_end_ns = 200;
  r.adjustments.push_back({*slow.span_id, "cart", "GetCart", -5'000'000'000, "child started before its parent"});
  return r;
}

TEST(RenderExplainJson, WritesTheDocumentWithNullsWhereNoSpanExists) {
  std::string json = RenderExplainJson(Sample());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["trace_id"].get_string().value()), "0000000000000000000000000000002a");
  EXPECT_EQ(std::string_view(doc["status"].get_string().value()), "error");
  EXPECT_EQ(std::string_view(doc["summary"].get_string().value()), "payment left no span: \"quoted\"");
  simdjson::dom::array causes = doc["causes"].get_array().value();
  ASSERT_EQ(causes.size(), 2u);
  simdjson::dom::element first = causes.at(0).value();
  EXPECT_EQ(first["rank"].get_int64().value(), 1);
  EXPECT_EQ(std::string_view(first["service"].get_string().value()), "payment");
  EXPECT_TRUE(first["operation"].is_null());
  EXPECT_TRUE(first["span_id"].is_null());
  EXPECT_EQ(std::string_view(first["kind"].get_string().value()), "missing_span");
  EXPECT_DOUBLE_EQ(first["score"].get_double().value(), 0.93);
  simdjson::dom::element log = first["evidence"].at(0).value();
  EXPECT_EQ(std::string_view(log["type"].get_string().value()), "log");
  EXPECT_EQ(log["severity_number"].get_int64().value(), 21);
  EXPECT_EQ(log["time_ns"].get_uint64().value(), 1'800'000'000'000'000'000ull);
  simdjson::dom::element second = causes.at(1).value();
  EXPECT_EQ(std::string_view(second["operation"].get_string().value()), "Check");
  EXPECT_EQ(std::string_view(second["span_id"].get_string().value()), "0000000000000009");
  EXPECT_EQ(std::string_view(second["kind"].get_string().value()), "latency");
  EXPECT_DOUBLE_EQ(second["evidence"].at(0)["expected"].get_double().value(), 5e6);
  EXPECT_EQ(doc["baseline"]["start_ns"].get_uint64().value(), 100u);
  EXPECT_EQ(doc["baseline"]["end_ns"].get_uint64().value(), 200u);
  EXPECT_EQ(doc["adjustments"].at(0)["delta_ns"].get_int64().value(), -5'000'000'000);
}

TEST(RenderExplainJson, ExplainOfARealTraceIsValidJson) {
  CallTree t = ShopTree();
  t.Find("fraud", "Check")->self_ns = 80 * kMs;
  std::string json = RenderExplainJson(ExplainBuilt(Build(t, 1), HealthyBaseline(ShopTree())));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["status"].get_string().value()), "slow") << json;
  EXPECT_EQ(std::string_view(doc["causes"].at(0)["service"].get_string().value()), "fraud") << json;
}

}  // namespace
}  // namespace callpath::analyze
