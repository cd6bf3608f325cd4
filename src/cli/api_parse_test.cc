// The API documents as the CLI reads them; malformed answers never crash.
#include <gtest/gtest.h>

#include <random>

#include "cli/api_model.h"
#include "cli/golden.h"
#include "cli/render.h"

namespace callpath::cli {
namespace {

TEST(ParseTraceTest, ReadsSpansLogsCausesAndAdjustments) {
  auto t = ParseTrace(testing::ReadTestdata("trace_failing_checkout.json"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->trace_id, "4b000000000000000000000000000001");
  EXPECT_EQ(t->spans.size(), 6u);
  EXPECT_EQ(t->span_count, 6u);
  EXPECT_EQ(t->error_count, 4u);
  EXPECT_EQ(t->root_service, "frontend");
  EXPECT_EQ(t->logs.size(), 7u);
  ASSERT_FALSE(t->error_causes.empty());
  EXPECT_EQ(t->error_causes[0].operation, "POST /v1/charge");
  const SpanView* call = nullptr;
  for (const auto& s : t->spans) {
    if (s.operation == "POST /v1/charge") call = &s;
  }
  ASSERT_NE(call, nullptr);
  EXPECT_TRUE(call->error);
  EXPECT_EQ(call->exception, "ConnectTimeout: connect to processor:443 timed out after 150ms");
  EXPECT_EQ(call->depth, 3u);

  auto skew = ParseTrace(testing::ReadTestdata("trace_skew_orphans.json"));
  ASSERT_TRUE(skew.ok());
  EXPECT_FALSE(skew->adjustments.empty());
  bool warned = false;
  for (const auto& s : skew->spans) warned |= !s.warnings.empty();
  EXPECT_TRUE(warned);
}

TEST(ParseTraceTest, WrongShapesAreErrorsNotCrashes) {
  EXPECT_FALSE(ParseTrace("").ok());
  EXPECT_FALSE(ParseTrace("null").ok());
  EXPECT_FALSE(ParseTrace("[]").ok());
  EXPECT_FALSE(ParseTrace(R"({"spans":{}})").ok());
  // Wrong member types read as absent.
  auto t = ParseTrace(R"({"spans":[1,"x",{"span_id":5,"depth":"deep","status":[]}],"logs":"no"})");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->spans.size(), 1u);
  EXPECT_EQ(t->spans[0].span_id, "");
  EXPECT_FALSE(RenderTraceText(t.value(), {}).empty());
}

TEST(ParseTraceTest, EveryPrefixOfARealAnswerIsHandled) {
  std::string json = testing::ReadTestdata("trace_skew_orphans.json");
  ASSERT_FALSE(json.empty());
  ASSERT_TRUE(ParseTrace(json).ok());
  // The answer is one JSON object: no prefix of it short of its closing
  // brace is a whole answer, and each is refused with a reason.
  const size_t last_brace = json.rfind('}');
  ASSERT_NE(last_brace, std::string::npos);
  for (size_t n = 0; n < last_brace; n += 7) {
    auto t = ParseTrace(std::string_view(json).substr(0, n));
    EXPECT_FALSE(t.ok()) << "prefix of " << n << " bytes";
    EXPECT_FALSE(t.status().message().empty()) << "prefix of " << n << " bytes";
  }
}

TEST(ParseTraceTest, RandomBytesAreHandled) {
  std::mt19937 rng(42);
  std::string base = testing::ReadTestdata("trace_failing_checkout.json");
  for (int round = 0; round < 300; ++round) {
    std::string mutated = base;
    for (int k = 0; k < 8; ++k) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    auto t = ParseTrace(mutated);
    if (t.ok()) (void)RenderTraceText(t.value(), {});
  }
}

TEST(ParseTraceTest, InconsistentDepthsAndSelfParentsCannotLoop) {
  // Spans claiming each other as parents with nonsense depths hang under
  // the root instead of looping.
  auto t = ParseTrace(R"({"trace_id":"ab","duration_ns":10,"spans":[
    {"span_id":"1","parent_span_id":"2","depth":0,"duration_ns":10},
    {"span_id":"2","parent_span_id":"3","depth":1,"duration_ns":5},
    {"span_id":"3","parent_span_id":"2","depth":1,"duration_ns":5},
    {"span_id":"4","parent_span_id":"4","depth":7,"duration_ns":5}]})");
  ASSERT_TRUE(t.ok());
  std::string text = RenderTraceText(t.value(), {});
  EXPECT_NE(text.find("├─"), std::string::npos) << text;
}

TEST(ParseTraceTest, AbsurdTimesAndShiftsRender) {
  auto t = ParseTrace(R"({"trace_id":"ab","start_ns":5,"duration_ns":1,"spans":[
    {"span_id":"1","depth":0,"start_ns":0,"duration_ns":18446744073709551615},
    {"span_id":"2","parent_span_id":"1","depth":1,"start_ns":18446744073709551615,"duration_ns":18446744073709551615},
    {"span_id":"3","parent_span_id":"2","depth":2,"start_ns":1,"duration_ns":0}],
    "adjustments":[{"span_id":"2","delta_ns":-9223372036854775808},{"span_id":"3","delta_ns":9223372036854775807}],
    "logs":[{"time_ns":18446744073709551615,"span_id":"3","level":"ERROR","msg":"x"}]})");
  ASSERT_TRUE(t.ok());
  std::string text = RenderTraceText(t.value(), {});
  EXPECT_NE(text.find("ERROR"), std::string::npos) << text;
}

TEST(ParseListsTest, SearchServicesOperationsLogs) {
  auto s = ParseSearch(testing::ReadTestdata("search_results.json"));
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 4u);
  EXPECT_FALSE((*s)[2].has_root);
  EXPECT_FALSE(ParseSearch(R"({"count":0})").ok());
  auto svc = ParseServices(R"({"services":["a",1,"b"]})");
  ASSERT_TRUE(svc.ok());
  EXPECT_EQ(svc->size(), 2u);
  EXPECT_FALSE(ParseServices(R"({"services":"a"})").ok());
  auto ops = ParseOperations(testing::ReadTestdata("operations.json"));
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ((*ops)[1].kind, "client");
  auto logs = ParseLogs(testing::ReadTestdata("logs.json"));
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->size(), 5u);
}

TEST(ParseErrorMessageTest, ReadsTheApiErrorDocument) {
  EXPECT_EQ(ParseErrorMessage(R"({"error":"trace not found","status":404})"), "trace not found");
  EXPECT_EQ(ParseErrorMessage("<html>"), "");
  EXPECT_EQ(ParseErrorMessage(R"({"error":5})"), "");
}

}  // namespace
}  // namespace callpath::cli
