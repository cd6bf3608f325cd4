#include "query/params.h"

#include <gtest/gtest.h>

namespace callpath::query {
namespace {

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kHour = 3600'000'000'000ull;

TEST(ParseDurationTest, UnitsAndComposites) {
  EXPECT_EQ(*ParseDuration("100ms"), 100 * kMs);
  EXPECT_EQ(*ParseDuration("1.5s"), 1500 * kMs);
  EXPECT_EQ(*ParseDuration("250us"), 250'000u);
  EXPECT_EQ(*ParseDuration("250µs"), 250'000u);
  EXPECT_EQ(*ParseDuration("10ns"), 10u);
  EXPECT_EQ(*ParseDuration("1h30m"), kHour + 30 * 60'000 * kMs);
  EXPECT_EQ(*ParseDuration("2d"), 48 * kHour);
  EXPECT_EQ(*ParseDuration("1500"), 1500'000u);  // bare number: microseconds
}

TEST(ParseDurationTest, RejectsMalformed) {
  for (const char* bad : {"", "-1s", "ms", "1x", "1.2.3s", "1e400s", "99999999999999999999h", "5 s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(UrlDecodeTest, PercentAndPlus) {
  EXPECT_EQ(UrlDecode("a%20b+c%2Fd"), "a b c/d");
  EXPECT_EQ(UrlDecode("100%"), "100%");
  EXPECT_EQ(UrlDecode("%zz%4"), "%zz%4");
}

TEST(JaegerParamsTest, WhatJaegerUiSends) {
  auto q = ParseJaegerSearchParams(
      "service=payment&operation=Charge&tags=%7B%22http.status_code%22%3A%22500%22%2C%22retry%22%3Atrue%7D"
      "&start=1699999000000000&end=1700000000000000&minDuration=100ms&maxDuration=1.5s&limit=20&lookback=1h",
      kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->service, "payment");
  EXPECT_EQ(q->operation, "Charge");
  ASSERT_EQ(q->tags.size(), 2u);
  EXPECT_EQ(q->tags[0], (std::pair<std::string, std::string>{"http.status_code", "500"}));
  EXPECT_EQ(q->tags[1], (std::pair<std::string, std::string>{"retry", "true"}));
  EXPECT_EQ(q->start_time_min_ns, 1699999000000000000ull);
  EXPECT_EQ(q->start_time_max_ns, 1700000000000000000ull);
  EXPECT_EQ(q->min_span_duration_ns, 100 * kMs);
  EXPECT_EQ(q->max_span_duration_ns, 1500 * kMs);
  EXPECT_EQ(q->limit, 20u);
}

TEST(JaegerParamsTest, LogfmtTagsRepeatedTagAndLookback) {
  auto q = ParseJaegerSearchParams("service=a&tags=k1%3Dv1+k2%3D%22two+words%22&tag=k3:v:3&lookback=2h", kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->tags.size(), 3u);
  EXPECT_EQ(q->tags[1].second, "two words");
  EXPECT_EQ(q->tags[2], (std::pair<std::string, std::string>{"k3", "v:3"}));
  EXPECT_EQ(q->start_time_max_ns, kNow);
  EXPECT_EQ(q->start_time_min_ns, kNow - 2 * kHour);
  auto d = ParseJaegerSearchParams("", kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->start_time_min_ns, kNow - kHour);
  EXPECT_EQ(d->limit, 20u);
}

TEST(JaegerParamsTest, ErrorsNameTheParameter) {
  struct Case { const char* qs; const char* word; } cases[] = {
      {"limit=abc", "limit"}, {"limit=0", "limit"}, {"minDuration=fast", "minDuration"},
      {"tags=%7B%22a%22", "tags"}, {"tags=%7B%22a%22%3A%5B1%5D%7D", "tags"}, {"tags=novalue", "tags"},
      {"start=-5", "start"}, {"operation=x", "operation"}, {"start=20&end=10", "start"},
      {"minDuration=2s&maxDuration=1s", "minDuration"}, {"tag=nocolon", "tag"}};
  for (const auto& c : cases) {
    auto q = ParseJaegerSearchParams(c.qs, kNow);
    ASSERT_FALSE(q.ok()) << c.qs;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(q.status().message().find(c.word), std::string::npos) << q.status().message();
  }
}

TEST(NativeParamsTest, EveryFilter) {
  auto q = ParseNativeSearchParams(
      "service=cart&operation=Load&tag=user.tier:gold&min_duration=5ms&max_duration=2s"
      "&min_trace_duration=1s&max_trace_duration=10s&services_all=cart,%20payment&errors=true"
      "&start=15m&limit=5",
      kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->tags.size(), 1u);
  EXPECT_EQ(q->min_span_duration_ns, 5 * kMs);
  EXPECT_EQ(q->max_span_duration_ns, 2000 * kMs);
  EXPECT_EQ(q->min_trace_duration_ns, 1000 * kMs);
  EXPECT_EQ(q->max_trace_duration_ns, 10000 * kMs);
  EXPECT_EQ(q->services_all, (std::vector<std::string>{"cart", "payment"}));
  EXPECT_TRUE(q->errors_only);
  EXPECT_EQ(q->start_time_min_ns, kNow - 15 * 60'000 * kMs);
  EXPECT_EQ(q->start_time_max_ns, kNow);
  EXPECT_EQ(q->limit, 5u);
  EXPECT_FALSE(ParseNativeSearchParams("bogus=1", kNow).ok());
  EXPECT_FALSE(ParseNativeSearchParams("errors=maybe", kNow).ok());
}

TEST(LogParamsTest, TraceLevelTextAndWindow) {
  auto q = ParseLogSearchParams("trace_id=4BF92F3577B34DA6A3CE929D0E0E4736&level=warn&q=timeout&service=cart", kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(q->min_severity, 13);
  EXPECT_EQ(q->text, "timeout");
  EXPECT_EQ(q->start_time_min_ns, 0u);  // a trace's logs: whenever they happened
  auto w = ParseLogSearchParams("level=17&lookback=30m", kNow);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->min_severity, 17);
  EXPECT_EQ(w->start_time_min_ns, kNow - 30 * 60'000 * kMs);
  EXPECT_FALSE(ParseLogSearchParams("trace_id=xyz", kNow).ok());
  EXPECT_FALSE(ParseLogSearchParams("level=loud", kNow).ok());
  EXPECT_FALSE(ParseLogSearchParams("level=25", kNow).ok());
}

}  // namespace
}  // namespace callpath::query
