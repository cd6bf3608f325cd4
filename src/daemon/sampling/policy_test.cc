#include "daemon/sampling/policy.h"

#include <gtest/gtest.h>

#include "daemon/sampling/sampling_test_support.h"

namespace callpath::daemon::sampling {
namespace {

using namespace testing;

// A trace as a policy sees it.
struct Trace {
  std::vector<store::StoredSpan> spans;
  std::vector<std::shared_ptr<const store::Attributes>> resources;
  explicit Trace(std::vector<store::StoredSpan> s) : spans(std::move(s)) {
    for (auto& span : spans) {
      resources.push_back(std::make_shared<const store::Attributes>(span.resource_attributes));
      span.resource_attributes.clear();
    }
  }
  TraceView View() const { return {spans.empty() ? TraceId() : spans[0].trace_id, &spans, &resources}; }
};

bool Samples(const PolicyConfig& c, const Trace& t, uint64_t now = kT0) { return MakePolicy(c)->Sample(t.View(), now); }

TEST(PolicyTest, StatusCodeSamplesATraceWithAnySpanOfTheCode) {
  const Trace ok({Span(1, 1, 0, "api", kT0, kMs), Span(1, 2, 1, "db", kT0, kMs)});
  const Trace failed({Span(2, 1, 0, "api", kT0, kMs), Span(2, 2, 1, "db", kT0, kMs, store::SpanStatus::kError)});
  EXPECT_FALSE(Samples(Errors(), ok));
  EXPECT_TRUE(Samples(Errors(), failed));
}

TEST(PolicyTest, LatencyMeasuresTheWholeTraceFromEarliestStartToLatestEnd) {
  // Two 60 ms spans 50 ms apart: the trace lasts 110 ms, no span does.
  const Trace t({Span(1, 1, 0, "api", kT0, 60 * kMs), Span(1, 2, 1, "db", kT0 + 50 * kMs, 60 * kMs)});
  EXPECT_TRUE(Samples(SlowerThan(100 * kMs), t));
  EXPECT_FALSE(Samples(SlowerThan(111 * kMs), t));
  PolicyConfig band = SlowerThan(50 * kMs);
  band.upper_threshold_ns = 100 * kMs;
  EXPECT_FALSE(Samples(band, t)) << "at or above the upper threshold";
}

TEST(PolicyTest, ProbabilisticSamplesTheShareByTraceIdAndAlwaysAlike) {
  int kept = 0;
  for (uint32_t i = 1; i <= 20000; ++i) {
    const Trace t({Span(i, 1, 0, "api", kT0, kMs)});
    const bool first = Samples(Percent(25), t);
    EXPECT_EQ(first, Samples(Percent(25), t)) << "the same trace id decides the same";
    kept += first;
  }
  EXPECT_NEAR(kept, 5000, 300);
  EXPECT_FALSE(Samples(Percent(0), Trace({Span(7, 1, 0, "api", kT0, kMs)})));
  EXPECT_TRUE(Samples(Percent(100), Trace({Span(7, 1, 0, "api", kT0, kMs)})));
}

TEST(PolicyTest, RateLimitingKeepsABudgetPerServiceAndSecond) {
  PolicyConfig c;
  c.type = PolicyType::kRateLimiting;
  c.spans_per_second = 5;
  auto policy = MakePolicy(c);
  const Trace two_api({Span(1, 1, 0, "api", kT0, kMs), Span(1, 2, 1, "db", kT0, kMs)});
  const Trace two_web({Span(2, 1, 0, "web", kT0, kMs), Span(2, 2, 1, "db", kT0, kMs)});
  EXPECT_TRUE(policy->Sample(two_api.View(), kT0));
  EXPECT_TRUE(policy->Sample(two_api.View(), kT0 + kMs));
  EXPECT_FALSE(policy->Sample(two_api.View(), kT0 + 2 * kMs)) << "5 spans a second for api";
  EXPECT_TRUE(policy->Sample(two_web.View(), kT0 + 2 * kMs)) << "web has its own budget";
  EXPECT_TRUE(policy->Sample(two_api.View(), kT0 + kSec)) << "a new second";

  c.spans_per_second = 0;
  c.traces_per_second = 1;
  auto traces = MakePolicy(c);
  EXPECT_TRUE(traces->Sample(two_api.View(), kT0));
  EXPECT_FALSE(traces->Sample(two_api.View(), kT0 + kMs));
}

TEST(PolicyTest, AttributePoliciesMatchSpanAndResourceAttributes) {
  store::StoredSpan vip = Span(1, 1, 0, "api", kT0, kMs);
  vip.attributes.push_back({"customer.tier", store::Value::String("gold")});
  vip.attributes.push_back({"http.status_code", store::Value::Int(503)});
  store::StoredSpan canary = Span(2, 1, 0, "api", kT0, kMs);
  canary.resource_attributes.push_back({"deployment", store::Value::String("canary")});
  const Trace a({vip}), b({canary}), plain({Span(3, 1, 0, "api", kT0, kMs)});

  PolicyConfig tier;
  tier.type = PolicyType::kStringAttribute;
  tier.key = "customer.tier";
  tier.values = {"gold", "platinum"};
  EXPECT_TRUE(Samples(tier, a));
  EXPECT_FALSE(Samples(tier, plain));
  tier.invert_match = true;
  EXPECT_FALSE(Samples(tier, a));
  EXPECT_TRUE(Samples(tier, plain));

  PolicyConfig deployment;
  deployment.type = PolicyType::kStringAttribute;
  deployment.key = "deployment";
  deployment.values = {"canary"};
  EXPECT_TRUE(Samples(deployment, b)) << "resource attributes count";

  PolicyConfig status;
  status.type = PolicyType::kNumericAttribute;
  status.key = "http.status_code";
  status.min_value = 500;
  status.max_value = 599;
  EXPECT_TRUE(Samples(status, a));
  EXPECT_FALSE(Samples(status, plain));
  status.min_value = 400;
  status.max_value = 499;
  EXPECT_FALSE(Samples(status, a));
}

TEST(PolicyTest, AndNeedsEverySubPolicyAndCompositeAny) {
  const Trace slow_error({Span(1, 1, 0, "api", kT0, 200 * kMs, store::SpanStatus::kError)});
  const Trace slow_only({Span(2, 1, 0, "api", kT0, 200 * kMs)});
  const Trace neither({Span(3, 1, 0, "api", kT0, kMs)});
  PolicyConfig both;
  both.type = PolicyType::kAnd;
  both.sub_policies = {Errors(), SlowerThan(100 * kMs)};
  EXPECT_TRUE(Samples(both, slow_error));
  EXPECT_FALSE(Samples(both, slow_only));
  PolicyConfig either = both;
  either.type = PolicyType::kComposite;
  EXPECT_TRUE(Samples(either, slow_only));
  EXPECT_FALSE(Samples(either, neither));
}

}  // namespace
}  // namespace callpath::daemon::sampling
