#include "query/params_analyze.h"

#include <gtest/gtest.h>

namespace callpath::query {
namespace {

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
constexpr uint64_t kMin = 60'000'000'000ull;

TEST(ParseNativeTime, TakesRfc3339UnixNanosecondsAndDurationsAgo) {
  EXPECT_EQ(ParseNativeTime("start", "2023-11-14T22:13:20Z", kNow).value(), kNow);
  EXPECT_EQ(ParseNativeTime("start", "1700000000000000000", kNow).value(), kNow);
  EXPECT_EQ(ParseNativeTime("start", "5m", kNow).value(), kNow - 5 * kMin);
}

TEST(ParseNativeTime, RefusesMalformedValuesNamingTheParameter) {
  for (const char* bad : {"", "yesterday", "99999999999999999999999", "2023-13-45T00:00:00Z", "-5m"}) {
    auto r = ParseNativeTime("end", bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("end"), std::string::npos) << r.status().message();
  }
}

TEST(ParseDiagnoseParams, BaselineDefaultsToTheSameLengthRightBefore) {
  auto p = ParseDiagnoseParams("start=5m&service=payment", kNow);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->start_ns, kNow - 5 * kMin);
  EXPECT_EQ(p->end_ns, kNow);
  EXPECT_EQ(p->baseline_start_ns, kNow - 10 * kMin);
  EXPECT_EQ(p->baseline_end_ns, kNow - 5 * kMin);
  EXPECT_EQ(p->service, "payment");
}

TEST(ParseDiagnoseParams, TakesAnExplicitBaseline) {
  auto p = ParseDiagnoseParams("start=10m&end=5m&baseline_start=2h&baseline_end=1h", kNow);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->baseline_start_ns, kNow - 120 * kMin);
  EXPECT_EQ(p->baseline_end_ns, kNow - 60 * kMin);
}

TEST(ParseDiagnoseParams, RefusesWhatCannotBeAWindow) {
  for (const char* bad : {"", "end=5m", "start=5m&end=10m", "start=5m&baseline_start=1h",
                          "start=5m&baseline_start=1h&baseline_end=2h", "start=10m&baseline_start=12m&baseline_end=1m",
                          "start=5m&colour=red", "start=abc"}) {
    EXPECT_FALSE(ParseDiagnoseParams(bad, kNow).ok()) << bad;
  }
}

TEST(ParseCompareParams, TakesTwoTraceIdsPaddingShortOnes) {
  auto p = ParseCompareParams("a=4BF92F3577B34DA6A3CE929D0E0E4736&b=f067aa0ba902b7");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->a.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(p->b.ToHex(), "000000000000000000f067aa0ba902b7");
  EXPECT_TRUE(ParseCompareParams("a=1&b=2&adjust_skew=false").ok()) << "left to ParseSkewParams";
}

TEST(ParseCompareParams, RefusesMissingOrMalformedIds) {
  for (const char* bad : {"", "a=1", "a=1&b=", "a=0&b=1", "a=xyz&b=1", "a=1&b=123456789012345678901234567890123",
                          "a=1&b=2&c=3"}) {
    EXPECT_FALSE(ParseCompareParams(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace callpath::query
