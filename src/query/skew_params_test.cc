#include "query/skew_params.h"

#include <gtest/gtest.h>

namespace callpath::query {
namespace {

TEST(ParseSkewParams, AdjustSkewFalseTurnsTheAdjustmentOffAndKeepsTheMaximum) {
  AssembleOptions d;
  d.max_clock_skew_ns = 42;
  auto o = ParseSkewParams("trace=1&adjust_skew=false", d, false);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(o.value().adjust_clock_skew);
  EXPECT_EQ(o.value().max_clock_skew_ns, 42u);
  EXPECT_TRUE(ParseSkewParams("", d, false).value().adjust_clock_skew);
  EXPECT_TRUE(ParseSkewParams("adjust_skew=TRUE", d, false).value().adjust_clock_skew);
  EXPECT_FALSE(ParseSkewParams("adjust_skew=0", d, false).value().adjust_clock_skew);
}

TEST(ParseSkewParams, RawIsJaegersSwitchOnlyOnTheJaegerApi) {
  AssembleOptions d;
  EXPECT_FALSE(ParseSkewParams("raw=true", d, true).value().adjust_clock_skew);
  EXPECT_TRUE(ParseSkewParams("raw=false", d, true).value().adjust_clock_skew);
  EXPECT_TRUE(ParseSkewParams("raw=true", d, false).value().adjust_clock_skew);
}

TEST(ParseSkewParams, MalformedValuesAreRefusedNamingTheParameter) {
  auto o = ParseSkewParams("adjust_skew=maybe", AssembleOptions{}, false);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(o.status().message().find("adjust_skew"), std::string::npos);
  EXPECT_FALSE(ParseSkewParams("raw=%ZZ", AssembleOptions{}, true).ok());
  EXPECT_FALSE(ApplyAdjustSkew("nope", AssembleOptions{}).ok());
  EXPECT_FALSE(ApplyAdjustSkew("false", AssembleOptions{}).value().adjust_clock_skew);
  EXPECT_TRUE(ApplyAdjustSkew("", AssembleOptions{}).value().adjust_clock_skew);
}

}  // namespace
}  // namespace callpath::query
