#include "gateway/retry_policy.h"

#include <gtest/gtest.h>

namespace callpath::gateway {
namespace {

RetryConfig Policy() {
  RetryConfig c;
  c.attempts = 3;
  c.on_status = {502, 503, 504};
  c.on_connect_failure = true;
  c.on_timeout = true;
  c.backoff = Millis(50);
  return c;
}

const AttemptResult k503{AttemptOutcome::kResponse, 503};
const AttemptResult k500{AttemptOutcome::kResponse, 500};
const AttemptResult k200{AttemptOutcome::kResponse, 200};
const AttemptResult kRefused{AttemptOutcome::kConnectFailure, 0};
const AttemptResult kTimedOut{AttemptOutcome::kTimeout, 0};
const AttemptResult kReset{AttemptOutcome::kBrokenConnection, 0};

TEST(GatewayRetry, RetriesListedOutcomesUntilAttemptsRunOut) {
  RetryConfig c = Policy();
  EXPECT_TRUE(ShouldRetry(c, "GET", k503, 1));
  EXPECT_TRUE(ShouldRetry(c, "GET", k503, 2));
  EXPECT_FALSE(ShouldRetry(c, "GET", k503, 3));
  EXPECT_TRUE(ShouldRetry(c, "GET", kRefused, 1));
  EXPECT_TRUE(ShouldRetry(c, "GET", kTimedOut, 1));
  EXPECT_TRUE(ShouldRetry(c, "GET", kReset, 1));  // 502 listed
  EXPECT_FALSE(ShouldRetry(c, "GET", k500, 1));
  EXPECT_FALSE(ShouldRetry(c, "GET", k200, 1));
}

TEST(GatewayRetry, NothingListedMeansNoRetry) {
  RetryConfig c;
  c.attempts = 5;
  EXPECT_FALSE(ShouldRetry(c, "GET", k503, 1));
  EXPECT_FALSE(ShouldRetry(c, "GET", kRefused, 1));
  EXPECT_FALSE(ShouldRetry(c, "GET", kTimedOut, 1));
  EXPECT_FALSE(ShouldRetry(c, "GET", kReset, 1));
  c.on_timeout = true;
  c.attempts = 1;  // the default: a single attempt
  EXPECT_FALSE(ShouldRetry(c, "GET", kTimedOut, 1));
}

TEST(GatewayRetry, NonIdempotentOnlyWhenNothingWasSent) {
  RetryConfig c = Policy();
  EXPECT_TRUE(ShouldRetry(c, "POST", kRefused, 1));
  EXPECT_FALSE(ShouldRetry(c, "POST", k503, 1));
  EXPECT_FALSE(ShouldRetry(c, "POST", kTimedOut, 1));
  EXPECT_FALSE(ShouldRetry(c, "PATCH", kReset, 1));
  EXPECT_TRUE(ShouldRetry(c, "PUT", k503, 1));
  EXPECT_TRUE(ShouldRetry(c, "DELETE", kTimedOut, 1));
  c.non_idempotent = true;
  EXPECT_TRUE(ShouldRetry(c, "POST", k503, 1));
  EXPECT_TRUE(ShouldRetry(c, "POST", kTimedOut, 1));
}

TEST(GatewayRetry, BackoffDoublesAndIsCapped) {
  RetryConfig c = Policy();
  EXPECT_EQ(BackoffBefore(c, 1), Millis(0));
  EXPECT_EQ(BackoffBefore(c, 2), Millis(50));
  EXPECT_EQ(BackoffBefore(c, 3), Millis(100));
  EXPECT_EQ(BackoffBefore(c, 4), Millis(200));
  EXPECT_EQ(BackoffBefore(c, 5), Millis(400));
  EXPECT_EQ(BackoffBefore(c, 9), Millis(400));
  c.backoff = Millis(0);
  EXPECT_EQ(BackoffBefore(c, 3), Millis(0));
}

TEST(GatewayRetry, GatewayStatusAndErrorType) {
  EXPECT_EQ(GatewayStatusFor(AttemptOutcome::kTimeout), 504);
  EXPECT_EQ(GatewayStatusFor(AttemptOutcome::kConnectFailure), 502);
  EXPECT_EQ(GatewayStatusFor(AttemptOutcome::kBrokenConnection), 502);
  EXPECT_EQ(ErrorTypeFor(AttemptOutcome::kTimeout), "timeout");
  EXPECT_EQ(ErrorTypeFor(AttemptOutcome::kConnectFailure), "connect_failure");
}

TEST(GatewayRetry, TheRetryBudgetIsAShareOfRequestsInFlightWithAFloor) {
  RetryConfig c = Policy();  // 20 %, at least 3
  EXPECT_TRUE(RetryBudgetAllows(c, 1, 0));
  EXPECT_TRUE(RetryBudgetAllows(c, 5, 2));
  EXPECT_FALSE(RetryBudgetAllows(c, 5, 3));     // the floor, 3, is used up
  EXPECT_TRUE(RetryBudgetAllows(c, 100, 19));   // 20 % of 100
  EXPECT_FALSE(RetryBudgetAllows(c, 100, 20));
  c.budget_percent = 0;
  c.min_retry_concurrency = 0;
  EXPECT_FALSE(RetryBudgetAllows(c, 1000, 0));  // retries off
}

}  // namespace
}  // namespace callpath::gateway
