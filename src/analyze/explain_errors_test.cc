// explain on failures: where an error was raised, and errors that healthy
// traffic has too.
#include <gtest/gtest.h>

#include "analyze/testing/explain_support.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary
using store::SpanStatus;

void Fail(CallTree* n, const std::string& message) {
  n->status = SpanStatus::kError;
  n->status_message = message;
}

// fraud's Check fails; payment's call, payment's Charge, frontend's call
// and the root fail with it.
CallTree FraudFailsAndPropagates() {
  CallTree t = ShopTree();
  Fail(t.Find("fraud", "Check"), "rule engine unavailable");
  Fail(t.Find("payment", "Check"), "HTTP 503");
  Fail(t.Find("payment", "Charge"), "fraud check failed");
  Fail(t.Find("frontend", "Charge"), "HTTP 502");
  Fail(&t, "HTTP 502");
  return t;
}

TEST(ExplainErrors, ErrorRaisedAtALeafIsBlamedNotTheSpansItPropagatedThrough) {
  Baseline base = HealthyBaseline(ShopTree());
  ExplainReport r = ExplainBuilt(Build(FraudFailsAndPropagates(), 1), base);
  ASSERT_FALSE(r.causes.empty()) << Describe(r);
  EXPECT_EQ(First(r), "fraud Check error") << Describe(r);
  EXPECT_EQ(r.status, TraceVerdict::kError);
  EXPECT_NE(r.causes[0].summary.find("rule engine unavailable"), std::string::npos) << Describe(r);
  EXPECT_NE(r.causes[0].summary.find("propagated"), std::string::npos) << Describe(r);
  ASSERT_TRUE(r.causes[0].span_id.has_value());
  for (size_t k = 1; k < r.causes.size(); ++k) {
    EXPECT_LT(r.causes[k].score, r.causes[0].score) << Describe(r);
  }
}

TEST(ExplainErrors, ErrorAsFrequentInTheBaselineRanksBelowTheRealFault) {
  // cart's cache lookup misses (an error status) in 4 of 10 healthy requests.
  auto miss = [](CallTree* t) { Fail(t->Find("cart", "cache.get"), "key not found"); };
  Baseline base = HealthyBaseline(ShopTree(), 10, [&](int k, CallTree& t) {
    if (k % 5 < 2) miss(&t);
  });
  CallTree faulty = FraudFailsAndPropagates();
  miss(&faulty);
  ExplainReport r = ExplainBuilt(Build(faulty, 2), base);
  EXPECT_EQ(First(r), "fraud Check error") << Describe(r);
  bool cache_listed_lower = false;
  for (const auto& c : r.causes) {
    if (c.operation == "cache.get") cache_listed_lower = c.rank > 1 && c.score < 0.5;
  }
  EXPECT_TRUE(cache_listed_lower) << Describe(r);
}

TEST(ExplainErrors, UsualErrorAloneLeavesTheTraceOk) {
  auto miss = [](CallTree* t) { Fail(t->Find("cart", "cache.get"), "key not found"); };
  Baseline base = HealthyBaseline(ShopTree(), 10, [&](int k, CallTree& t) {
    if (k % 2 == 0) miss(&t);
  });
  CallTree t = ShopTree();
  miss(&t);
  ExplainReport r = ExplainBuilt(Build(t, 3), base);
  EXPECT_EQ(r.status, TraceVerdict::kOk) << Describe(r);
}

TEST(ExplainErrors, HealthyTraceIsOk) {
  Baseline base = HealthyBaseline(ShopTree());
  ExplainReport r = ExplainBuilt(Build(ShopTree(), 4), base);
  EXPECT_EQ(r.status, TraceVerdict::kOk) << Describe(r);
  for (const auto& c : r.causes) EXPECT_LT(c.score, 0.3) << Describe(r);
}

TEST(ExplainErrors, EmptyTraceIsOkWithoutCauses) {
  ExplainReport r = Explain(query::AssembleTrace({}), {}, Baseline{});
  EXPECT_EQ(r.status, TraceVerdict::kOk);
  EXPECT_TRUE(r.causes.empty());
  EXPECT_FALSE(r.summary.empty());
}

TEST(ExplainErrors, ErrorWithoutAnyBaselineIsStillBlamedAtItsOrigin) {
  ExplainReport r = ExplainBuilt(Build(FraudFailsAndPropagates(), 5), Baseline{});
  EXPECT_EQ(First(r), "fraud Check error") << Describe(r);
}

}  // namespace
}  // namespace callpath::analyze
