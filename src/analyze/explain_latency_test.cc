// explain on latency: each span against its own baseline, slow middles,
// slow services, and a skewed clock that must not be blamed.
#include <gtest/gtest.h>

#include "analyze/testing/explain_support.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary

uint64_t SelfOf(const Built& b, const std::string& service, const std::string& op) {
  auto t = query::AssembleTrace(b.spans);
  auto self = LocalSelfTimes(t);
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (t.spans[i].service == service && t.spans[i].operation == op) return self[i];
  }
  return 0;
}

TEST(ExplainLatency, JudgedAgainstTheOperationsOwnBaselineNotBySelfTime) {
  Baseline base = HealthyBaseline(ShopTree());
  CallTree t = ShopTree();
  t.Find("fraud", "Check")->self_ns = 30 * kMs;           // usually 5 ms
  t.Find("payment", "INSERT charges")->self_ns = 41 * kMs;  // usually 40 ms
  Built b = Build(t, 1);
  // The database insert still has more self time than the slow check.
  ASSERT_GT(SelfOf(b, "payment", "INSERT charges"), SelfOf(b, "fraud", "Check"));
  ExplainReport r = ExplainBuilt(b, base);
  EXPECT_EQ(First(r), "fraud Check latency") << Describe(r);
  EXPECT_EQ(r.status, TraceVerdict::kSlow) << Describe(r);
  bool baseline_named = false;
  for (const auto& e : r.causes[0].evidence) {
    baseline_named |= e.type == "baseline" && e.text.find("p50") != std::string::npos &&
                      e.text.find("ms") != std::string::npos;
  }
  EXPECT_TRUE(baseline_named) << Describe(r);
}

TEST(ExplainLatency, SlowSpanInTheMiddleOfTheTreeWithNormalChildren) {
  Baseline base = HealthyBaseline(ShopTree());
  CallTree t = ShopTree();
  t.Find("payment", "Charge")->self_ns = 200 * kMs;  // its own code; its three children as usual
  ExplainReport r = ExplainBuilt(Build(t, 2), base);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(First(r), "payment Charge latency") << Describe(r);
  EXPECT_EQ(r.causes[0].span_id.has_value(), true);
}

TEST(ExplainLatency, EveryOperationOfOneServiceSlowerBlamesTheService) {
  Baseline base = HealthyBaseline(ShopTree());
  CallTree t = ShopTree();
  t.ForEach([](CallTree& n) {
    if (n.service == "cart") n.self_ns *= 4;
  });
  ExplainReport r = ExplainBuilt(Build(t, 3), base);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].service, "cart") << Describe(r);
  EXPECT_EQ(r.causes[0].kind, CauseKind::kLatency) << Describe(r);
  EXPECT_NE(r.causes[0].summary.find("operations of cart"), std::string::npos) << Describe(r);
}

TEST(ExplainLatency, ServiceWithASkewedClockIsNotBlamedAndTheSkewIsEvidence) {
  Baseline base = HealthyBaseline(ShopTree());
  CallTree t = ShopTree();
  t.Find("fraud", "Check")->self_ns = 60 * kMs;
  Built b = Build(t, 4);
  SkewClock(&b, "cart", 5'000 * static_cast<int64_t>(kMs));  // cart's clock is 5 s fast
  for (bool adjust : {true, false}) {
    ExplainReport r = ExplainBuilt(b, base, adjust);
    EXPECT_EQ(First(r), "fraud Check latency") << "adjust=" << adjust << "\n" << Describe(r);
    for (const auto& c : r.causes) {
      if (c.service == "cart") EXPECT_LT(c.score, 0.3) << Describe(r);
    }
    if (!adjust) continue;
    ASSERT_FALSE(r.adjustments.empty());
    EXPECT_EQ(r.adjustments[0].service, "cart");
    bool skew_told = false;
    for (const auto& e : r.causes[0].evidence) skew_told |= e.type == "skew" && e.text.find("cart") != std::string::npos;
    EXPECT_TRUE(skew_told) << Describe(r);
  }
}

TEST(ExplainLatency, SpansWithoutStatusCodesStillShowTheirLatency) {
  CallTree healthy = ShopTree();
  StripStatus(&healthy);
  Baseline base = HealthyBaseline(healthy);
  CallTree t = healthy;
  t.Find("payment", "Authorize")->self_ns = 90 * kMs;
  ExplainReport r = ExplainBuilt(Build(t, 5), base);
  EXPECT_EQ(First(r), "payment Authorize latency") << Describe(r);
}

}  // namespace
}  // namespace callpath::analyze
