#include "analyze/baseline.h"

#include <gtest/gtest.h>

#include "analyze/testing/explain_support.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary
using store::SpanKind;
using store::Value;

TEST(LocalSelfTimes, SubtractOnlyChildrenOfTheSameService) {
  CallTree root = Node("a", "root", SpanKind::kServer, 10);
  root.Add(Node("a", "work", SpanKind::kInternal, 20));
  CallTree& call = root.Add(Node("a", "call", SpanKind::kClient, 2));
  call.Add(Node("b", "serve", SpanKind::kServer, 30));
  Built b = Build(root, 0);
  auto t = query::AssembleTrace(b.spans);
  auto self = LocalSelfTimes(t);
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    if (s.operation == "call") EXPECT_EQ(self[i], s.duration_ns) << "a client's callee is another service";
    if (s.operation == "serve") EXPECT_EQ(self[i], s.duration_ns);
    if (s.operation == "root") EXPECT_LT(self[i], 11 * kMs);
  }
}

TEST(BaselineFromTraces, ExactQuantilesErrorRatesTemplatesAndCallees) {
  CallTree tree = ShopTree();
  Baseline b = HealthyBaseline(tree, 10, [](int k, CallTree& t) {
    t.Find("fraud", "Check")->self_ns = static_cast<uint64_t>(k + 1) * kMs;
    if (k == 0) t.Find("fraud", "Check")->status = store::SpanStatus::kError;
  });
  const OperationBaseline* check = b.Find({"fraud", "Check", SpanKind::kServer});
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->calls, 10u);
  EXPECT_EQ(check->errors, 1u);
  EXPECT_NEAR(check->error_rate(), 0.1, 1e-9);
  // Self times 1..10 ms, each within ±10 %: the median is the 5th.
  EXPECT_GT(check->self_time.p50, 4 * kMs);
  EXPECT_LT(check->self_time.p50, 6 * kMs);
  EXPECT_GT(check->self_time.p99, 9 * kMs);
  EXPECT_EQ(b.reference_traces, 10u);
  auto presence = b.template_presence.find({"payment", "Charge", SpanKind::kServer});
  ASSERT_NE(presence, b.template_presence.end());
  ASSERT_EQ(presence->second.size(), 1u);
  EXPECT_EQ(presence->second.begin()->second.spans, 10u);
  auto callee = b.callees.find({"payment", "Check", "fraud"});
  ASSERT_NE(callee, b.callees.end());
  EXPECT_EQ(callee->second.reached, 10u);
  EXPECT_EQ(callee->second.services.at("fraud"), 10u);
  EXPECT_TRUE(b.known_services.count("cart"));
}

TEST(BaselineFromStats, AgreesWithTheTracesTheStatisticsWereFoldedFrom) {
  Baseline stats = StatsBaseline(ShopTree(), 10);
  Baseline traces = HealthyBaseline(ShopTree(), 10);
  EXPECT_EQ(stats.start_ns, kT0 - 3'600'000 * kMs);
  ASSERT_EQ(stats.operations.size(), traces.operations.size());
  for (const auto& [key, t] : traces.operations) {
    const OperationBaseline* s = stats.Find(key);
    ASSERT_NE(s, nullptr) << key.service << " " << key.operation;
    EXPECT_EQ(s->calls, t.calls);
    // Different builds (seeds) and a sketch: within the ±10 % jitter.
    EXPECT_NEAR(static_cast<double>(s->duration.p50), static_cast<double>(t.duration.p50), 0.15 * static_cast<double>(t.duration.p50))
        << key.operation;
    EXPECT_NEAR(static_cast<double>(s->self_time.p50), static_cast<double>(t.self_time.p50), 0.15 * static_cast<double>(t.self_time.p50) + 1000)
        << key.operation;
  }
  uint64_t authorised = 0;
  for (const auto& [key, tb] : stats.templates) {
    if (tb.text.find("payment authorised") != std::string::npos) authorised += tb.count;
  }
  EXPECT_EQ(authorised, 10u);
  EXPECT_TRUE(stats.known_services.count("fraud"));
}

TEST(BaselineFromStats, ExplainFindsTheSlowSpanWithStatisticsAlone) {
  CallTree t = ShopTree();
  t.Find("fraud", "Check")->self_ns = 40 * kMs;
  ExplainReport r = ExplainBuilt(Build(t, 1), StatsBaseline(ShopTree(), 20));
  EXPECT_EQ(First(r), "fraud Check latency") << Describe(r);
}

TEST(PeerOf, PrefersTheLogicalNameThenTheAddress) {
  store::StoredSpan s;
  EXPECT_EQ(PeerOf(s), "");
  s.attributes = {{"url.full", Value::String("https://user@api.example.com:8443/v1/pay?x=1")}};
  EXPECT_EQ(PeerOf(s), "api.example.com:8443");
  s.attributes.push_back({"db.system", Value::String("postgresql")});
  s.attributes.push_back({"db.namespace", Value::String("shop")});
  EXPECT_EQ(PeerOf(s), "postgresql/shop");
  s.attributes.push_back({"rpc.service", Value::String("shop.Inventory")});
  EXPECT_EQ(PeerOf(s), "shop.Inventory");
  s.attributes.push_back({"server.address", Value::String("10.0.0.5")});
  s.attributes.push_back({"server.port", Value::Int(8443)});
  EXPECT_EQ(PeerOf(s), "10.0.0.5:8443");
  s.attributes.push_back({"peer.service", Value::String("payment")});
  EXPECT_EQ(PeerOf(s), "payment");
}

TEST(MergeBaselines, EachOperationFromTheSourceThatSawMoreCalls) {
  Baseline stats;
  stats.start_ns = 1;
  stats.end_ns = 2;
  stats.operations[{"a", "x", SpanKind::kServer}].calls = 500;
  stats.operations[{"a", "y", SpanKind::kServer}].calls = 1;
  Baseline refs;
  refs.operations[{"a", "x", SpanKind::kServer}].calls = 8;
  refs.operations[{"a", "y", SpanKind::kServer}].calls = 8;
  refs.operations[{"b", "z", SpanKind::kClient}].calls = 8;
  refs.reference_traces = 8;
  Baseline m = MergeBaselines(stats, refs);
  EXPECT_EQ(m.Find({"a", "x", SpanKind::kServer})->calls, 500u);
  EXPECT_EQ(m.Find({"a", "y", SpanKind::kServer})->calls, 8u);
  EXPECT_EQ(m.Find({"b", "z", SpanKind::kClient})->calls, 8u);
  EXPECT_EQ(m.reference_traces, 8u);
  EXPECT_EQ(m.start_ns, 1u);
}

}  // namespace
}  // namespace callpath::analyze
