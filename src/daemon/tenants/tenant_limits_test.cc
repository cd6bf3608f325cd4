#include "daemon/tenants/tenant_limits.h"

#include <gtest/gtest.h>

#include <future>

#include "daemon/serve/query_deadline.h"

namespace callpath::daemon {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucket, RateZeroAdmitsEverything) {
  TokenBucket b(0, 0);
  int retry = 0;
  EXPECT_TRUE(b.Take(1'000'000'000, &retry));
}

TEST(TokenBucket, BurstThenRefusalWithTheWaitThenRefill) {
  const auto t0 = TokenBucket::Clock::now();
  TokenBucket b(10, 20, t0);  // 10 a second, 20 at once
  int retry = 0;
  EXPECT_TRUE(b.Take(15, &retry, t0));
  EXPECT_TRUE(b.Take(5, &retry, t0));
  EXPECT_FALSE(b.Take(5, &retry, t0));
  EXPECT_EQ(retry, 1);  // 5 tokens at 10/s: half a second, rounded up
  EXPECT_FALSE(b.Take(5, &retry, t0 + milliseconds(400)));
  EXPECT_TRUE(b.Take(5, &retry, t0 + milliseconds(500)));
  EXPECT_FALSE(b.Take(20, &retry, t0 + milliseconds(500)));
  EXPECT_EQ(retry, 2);  // 20 tokens at 10/s
}

TEST(TokenBucket, BatchLargerThanTheBurstWaitsForAFullBucketAndGoesIntoDebt) {
  const auto t0 = TokenBucket::Clock::now();
  TokenBucket b(1, 4, t0);
  int retry = 0;
  EXPECT_TRUE(b.Take(100, &retry, t0));  // a full bucket lets it in
  EXPECT_FALSE(b.Take(1, &retry, t0 + std::chrono::seconds(10)));
  EXPECT_EQ(retry, 87);  // owes 96, paid back 10, needs 1 more
}

TEST(QuerySlots, RefusesBeyondTheLimitAndGivesSlotsBack) {
  QuerySlots slots(2);
  auto a = slots.TryAcquire();
  auto b = slots.TryAcquire();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(slots.TryAcquire(), nullptr);
  EXPECT_EQ(slots.in_use(), 2u);
  a.reset();
  EXPECT_NE(slots.TryAcquire(), nullptr);  // released again at once
  EXPECT_EQ(slots.in_use(), 1u);
}

TEST(QuerySlots, ZeroMeansNoLimit) {
  QuerySlots slots(0);
  std::vector<std::shared_ptr<void>> held;
  for (int i = 0; i < 1000; ++i) held.push_back(slots.TryAcquire());
  for (auto& h : held) EXPECT_NE(h, nullptr);
}

TEST(QueryDeadlines, AnswersAnUnansweredQueryAtItsDeadlineOnce) {
  QueryDeadlines deadlines;
  std::promise<int> answered;
  int calls = 0;
  auto once = std::make_shared<OnceResponder>([&](HttpResponse r) {
    ++calls;
    answered.set_value(r.status);
  });
  deadlines.Watch(QueryDeadlines::Clock::now(), once, [] {
    HttpResponse r;
    r.status = 504;
    return r;
  });
  EXPECT_EQ(answered.get_future().get(), 504);
  HttpResponse late;
  EXPECT_FALSE(once->Respond(late));  // the worker's answer comes too late
  EXPECT_EQ(calls, 1);
}

TEST(QueryDeadlines, AQueryAnsweredInTimeIsNotAnsweredAgain) {
  int calls = 0;
  {
    QueryDeadlines deadlines;
    auto once = std::make_shared<OnceResponder>([&](HttpResponse) { ++calls; });
    deadlines.Watch(QueryDeadlines::Clock::now() + std::chrono::hours(1), once, [] { return HttpResponse{}; });
    EXPECT_TRUE(once->Respond(HttpResponse{}));
  }  // the watcher stops with the deadline pending
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace callpath::daemon
