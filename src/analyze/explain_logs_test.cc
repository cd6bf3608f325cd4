// explain on faults only the logs show: spans without status codes.
#include <gtest/gtest.h>

#include "analyze/testing/explain_support.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary

constexpr int32_t kError = 17;

CallTree NoStatus() {
  CallTree t = ShopTree();
  StripStatus(&t);
  return t;
}

TEST(ExplainLogs, ErrorLogOnASpanWithoutErrorStatusIsBlamed) {
  Baseline base = HealthyBaseline(NoStatus());
  CallTree t = NoStatus();
  t.Find("fraud", "Check")->logs.push_back({kError, "rule engine returned an empty verdict for order 1234"});
  // The error travels up as log lines too, as a Java service would write them.
  t.Find("payment", "Charge")->logs.push_back({kError, "charge 1234 rejected: fraud verdict missing"});
  t.logs.push_back({kError, "checkout failed for user 77"});
  ExplainReport r = ExplainBuilt(Build(t, 1), base);
  EXPECT_EQ(First(r), "fraud Check log") << Describe(r);
  EXPECT_EQ(r.status, TraceVerdict::kError) << Describe(r);
  bool quoted = false;
  for (const auto& e : r.causes[0].evidence) quoted |= e.type == "log" && e.text.find("empty verdict") != std::string::npos;
  EXPECT_TRUE(quoted) << Describe(r);
}

TEST(ExplainLogs, ErrorLogThatHealthyTrafficAlsoWritesIsNotBlamed) {
  auto noisy = [](CallTree& t) { t.Find("cart", "GetCart")->logs.push_back({kError, "cache node 3 unreachable, using replica"}); };
  CallTree healthy = NoStatus();
  noisy(healthy);
  Baseline base = HealthyBaseline(healthy);
  CallTree t = healthy;
  t.Find("fraud", "Check")->logs.push_back({kError, "rule engine returned an empty verdict for order 99"});
  ExplainReport r = ExplainBuilt(Build(t, 2), base);
  EXPECT_EQ(First(r), "fraud Check log") << Describe(r);
  for (const auto& c : r.causes) {
    if (c.service == "cart") EXPECT_LT(c.score, 0.3) << Describe(r);
  }
}

TEST(ExplainLogs, LogTemplateAlwaysWrittenInHealthyTracesAndMissingNowIsBlamed) {
  Baseline base = HealthyBaseline(NoStatus());
  CallTree t = NoStatus();
  t.Find("payment", "Charge")->logs.clear();  // "payment authorised for order <*>" never came
  ExplainReport r = ExplainBuilt(Build(t, 3), base);
  EXPECT_EQ(First(r), "payment Charge log") << Describe(r);
  EXPECT_NE(r.causes[0].summary.find("payment authorised"), std::string::npos) << Describe(r);
}

}  // namespace
}  // namespace callpath::analyze
