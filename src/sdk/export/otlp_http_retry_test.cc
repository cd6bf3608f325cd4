#include "sdk/export/otlp_http_retry.h"

#include <gtest/gtest.h>

namespace callpath::internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::chrono::system_clock::time_point At(std::time_t t) {
  return std::chrono::system_clock::from_time_t(t);
}

constexpr std::time_t kNov6_1994_084937 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(RetryableStatusTest, OnlyThrottlingAndGatewayErrors) {
  for (long s : {429L, 502L, 503L, 504L}) EXPECT_TRUE(IsRetryableHttpStatus(s)) << s;
  for (long s : {200L, 204L, 400L, 401L, 403L, 404L, 408L, 413L, 500L, 501L, 505L}) {
    EXPECT_FALSE(IsRetryableHttpStatus(s)) << s;
  }
}

TEST(RetryAfterTest, DeltaSeconds) {
  auto now = At(kNov6_1994_084937);
  EXPECT_EQ(ParseRetryAfter("1", now), milliseconds(1000));
  EXPECT_EQ(ParseRetryAfter(" 120 ", now), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter("0", now), milliseconds(0));
  // Absurd values are clamped rather than overflowing.
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999", now), seconds(86400));
}

TEST(RetryAfterTest, HttpDateInAllThreeForms) {
  auto now = At(kNov6_1994_084937 - 30);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), seconds(30));  // IMF-fixdate
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), seconds(30));  // RFC 850
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), seconds(30));  // asctime
}

TEST(RetryAfterTest, DateInThePastMeansNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", At(kNov6_1994_084937 + 3600)),
            milliseconds(0));
}

TEST(RetryAfterTest, Malformed) {
  auto now = At(kNov6_1994_084937);
  for (const char* bad : {"", "  ", "-1", "1.5", "soon", "+5", "12abc"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << bad;
  }
}

TEST(BackoffTest, CeilingGrowsExponentiallyUpToTheCap) {
  OtlpRetryOptions p;  // 100 ms initial, x2, 5 s cap
  EXPECT_EQ(BackoffCeiling(p, 1), milliseconds(100));
  EXPECT_EQ(BackoffCeiling(p, 2), milliseconds(200));
  EXPECT_EQ(BackoffCeiling(p, 3), milliseconds(400));
  EXPECT_EQ(BackoffCeiling(p, 6), milliseconds(3200));
  EXPECT_EQ(BackoffCeiling(p, 7), milliseconds(5000));
  EXPECT_EQ(BackoffCeiling(p, 1000000), milliseconds(5000));
  EXPECT_EQ(BackoffCeiling(p, 0), milliseconds(100));  // treated as the first retry
}

TEST(BackoffTest, FullJitterStaysWithinZeroAndTheCeiling) {
  OtlpRetryOptions p;
  EXPECT_EQ(FullJitterBackoff(p, 1, 0), milliseconds(0));
  EXPECT_EQ(FullJitterBackoff(p, 1, 100), milliseconds(100));
  EXPECT_EQ(FullJitterBackoff(p, 1, 101), milliseconds(0));
  EXPECT_EQ(FullJitterBackoff(p, 1, UINT64_MAX), milliseconds(UINT64_MAX % 101));
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 2000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    milliseconds d = FullJitterBackoff(p, 4, x);
    ASSERT_GE(d, milliseconds(0));
    ASSERT_LE(d, milliseconds(800));
    saw_low |= d < milliseconds(200);
    saw_high |= d > milliseconds(600);
  }
  EXPECT_TRUE(saw_low && saw_high);  // spread over the range, not a constant
}

TEST(BackoffTest, DegenerateOptionsAreSafe) {
  OtlpRetryOptions p;
  p.initial_backoff = milliseconds(-5);
  p.backoff_multiplier = 0.1;
  EXPECT_EQ(BackoffCeiling(p, 3), milliseconds(0));
  p.initial_backoff = milliseconds(50);
  EXPECT_EQ(BackoffCeiling(p, 3), milliseconds(50));  // multiplier below 1 acts as 1
  p.max_backoff = milliseconds(10);
  EXPECT_EQ(FullJitterBackoff(p, 9, 12345), milliseconds(12345 % 11));
}

}  // namespace
}  // namespace callpath::internal
