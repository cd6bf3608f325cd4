// explain on calls between services: timeouts, crashed callees, retries.
#include <gtest/gtest.h>

#include "analyze/testing/explain_support.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary
using store::SpanStatus;
using store::Value;

void Fail(CallTree* n, const std::string& message) {
  n->status = SpanStatus::kError;
  n->status_message = message;
}

// frontend calls payment with a 1 s deadline, twice; payment's Authorize
// hangs 2.5 s, so both attempts time out and each Charge ends late.
CallTree TimeoutCascade() {
  CallTree t = ShopTree();
  t.Find("payment", "Authorize")->self_ns = 2'500 * kMs;
  CallTree* call = t.Find("frontend", "Charge");
  call->duration_ns = 1'000 * kMs;
  Fail(call, "deadline exceeded");
  call->attributes.push_back({"error.type", Value::String("timeout")});
  t.children.push_back(*call);  // the retry, which times out too
  Fail(&t, "HTTP 504");
  return t;
}

TEST(ExplainCalls, TimeoutCascadeBlamesTheCalleeThatEndedLateNotTheCaller) {
  Baseline base = HealthyBaseline(ShopTree());
  ExplainReport r = ExplainBuilt(Build(TimeoutCascade(), 1), base);
  EXPECT_EQ(First(r), "payment Authorize timeout") << Describe(r);
  EXPECT_EQ(r.status, TraceVerdict::kError);
  for (const auto& c : r.causes) {
    if (c.service == "frontend") EXPECT_LT(c.score, r.causes[0].score) << Describe(r);
  }
}

TEST(ExplainCalls, TimeoutWhoseCalleeNeverArrivedNamesTheCallee) {
  Baseline base = HealthyBaseline(ShopTree());
  CallTree t = TimeoutCascade();
  t.ForEach([](CallTree& n) {
    if (n.service == "payment" && n.kind == store::SpanKind::kServer) n.dropped = true;
  });
  ExplainReport r = ExplainBuilt(Build(t, 2), base);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].service, "payment") << Describe(r);
  EXPECT_FALSE(r.causes[0].operation.has_value()) << Describe(r);
  EXPECT_FALSE(r.causes[0].span_id.has_value());
  EXPECT_EQ(r.causes[0].kind, CauseKind::kTimeout) << Describe(r);
}

// payment crashes inside Charge: its server span and everything below it
// never arrive; its last log line does.
CallTree Crash() {
  CallTree t = ShopTree();
  CallTree* charge = t.Find("payment", "Charge");
  charge->dropped = true;
  charge->logs = {{21, "fatal: aborting mid-request"}};
  CallTree* call = t.Find("frontend", "Charge");
  Fail(call, "connection reset by peer");
  call->self_ns = 3 * kMs;
  Fail(&t, "HTTP 502");
  return t;
}

void ExpectCrashBlamesPayment(const ExplainReport& r) {
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].service, "payment") << Describe(r);
  EXPECT_EQ(r.causes[0].kind, CauseKind::kMissingSpan) << Describe(r);
  EXPECT_FALSE(r.causes[0].operation.has_value()) << Describe(r);
  EXPECT_FALSE(r.causes[0].span_id.has_value()) << Describe(r);
}

TEST(ExplainCalls, CrashedCalleeIsNamedFromPeerService) {
  Baseline base = HealthyBaseline(ShopTree());
  ExplainReport r = ExplainBuilt(Build(Crash(), 3), base);
  ExpectCrashBlamesPayment(r);
  bool last_words = false;
  for (const auto& e : r.causes[0].evidence) last_words |= e.type == "log" && e.text.find("aborting") != std::string::npos;
  EXPECT_TRUE(last_words) << Describe(r);
}

// The call names only an address; the healthy traces show where it goes.
TEST(ExplainCalls, CrashedCalleeIsNamedFromTheBaselineWhenTheCallNamesOnlyAnAddress) {
  auto address_only = [](CallTree& t) {
    CallTree* call = t.Find("frontend", "Charge");
    call->attributes = {{"server.address", Value::String("10.0.0.5")}, {"server.port", Value::Int(8443)}};
  };
  CallTree healthy = ShopTree();
  address_only(healthy);
  Baseline base = HealthyBaseline(healthy);
  CallTree t = Crash();
  address_only(t);
  ExpectCrashBlamesPayment(ExplainBuilt(Build(t, 4), base));
}

// No reference traces: the call's server.address is a service the store knows.
TEST(ExplainCalls, CrashedCalleeIsNamedFromServerAddressOfAKnownService) {
  Baseline base;
  base.known_services = {"frontend", "cart", "payment", "fraud"};
  CallTree t = Crash();
  t.Find("frontend", "Charge")->attributes = {{"server.address", Value::String("payment")},
                                               {"server.port", Value::Int(80)}};
  ExpectCrashBlamesPayment(ExplainBuilt(Build(t, 5), base));
}

// A database call that fails is the caller's error: no span was expected below it.
TEST(ExplainCalls, FailedCallToAnUninstrumentedDatabaseBlamesTheCall) {
  Baseline base = HealthyBaseline(ShopTree());
  CallTree t = ShopTree();
  Fail(t.Find("payment", "INSERT charges"), "deadlock detected");
  Fail(t.Find("payment", "Charge"), "insert failed");
  ExplainReport r = ExplainBuilt(Build(t, 6), base);
  EXPECT_EQ(First(r), "payment INSERT charges error") << Describe(r);
}

// An SDK that records no client spans: frontend's server span has
// payment's server span as its child directly; payment crashes.
TEST(ExplainCalls, CrashedCalleeWithoutAClientSpanIsNamedFromTheReferences) {
  auto direct = [](CallTree& t) {
    for (auto& c : t.children) {
      if (c.kind == store::SpanKind::kClient && !c.children.empty()) {
        CallTree server = c.children[0];
        c = server;
      }
    }
  };
  CallTree healthy = ShopTree();
  direct(healthy);
  Baseline base = HealthyBaseline(healthy);
  CallTree t = healthy;
  t.Find("payment", "Charge")->dropped = true;
  Fail(&t, "HTTP 502");
  ExpectCrashBlamesPayment(ExplainBuilt(Build(t, 8), base));
}

CallTree WithInventory() {
  CallTree t = ShopTree();
  Call(t, "inventory", "Reserve", 3);
  return t;
}

TEST(ExplainCalls, RetryThatSucceededButMadeTheTraceSlowBlamesTheFailingCallee) {
  Baseline base = HealthyBaseline(WithInventory());
  CallTree t = WithInventory();
  CallTree failed_attempt = *t.Find("frontend", "Reserve");
  Fail(&failed_attempt, "HTTP 503");
  failed_attempt.children[0].self_ns = 400 * kMs;
  Fail(&failed_attempt.children[0], "stock database unavailable");
  // The failed attempt comes first; the last one (as in the healthy tree) succeeds.
  t.children.insert(t.children.end() - 1, failed_attempt);
  ExplainReport r = ExplainBuilt(Build(t, 7), base);
  EXPECT_EQ(First(r), "inventory Reserve retries") << Describe(r);
  EXPECT_EQ(r.status, TraceVerdict::kSlow) << Describe(r);
  EXPECT_NE(r.causes[0].summary.find("2 times"), std::string::npos) << Describe(r);
}

TEST(ExplainCalls, ARetryThatCostLittleDoesNotOutrankTheSpanThatMadeTheTraceSlow) {
  Baseline base = HealthyBaseline(WithInventory());
  CallTree t = WithInventory();
  t.Find("fraud", "Check")->self_ns = 400 * kMs;
  // A pooled connection reset at once: no inventory span, retried, fine.
  CallTree failed_attempt = *t.Find("frontend", "Reserve");
  Fail(&failed_attempt, "connection reset");
  failed_attempt.duration_ns = kMs / 10;
  failed_attempt.ForEach([](CallTree& n) {
    if (n.service == "inventory") n.dropped = true;
  });
  t.children.insert(t.children.end() - 1, failed_attempt);
  ExplainReport r = ExplainBuilt(Build(t, 8), base);
  EXPECT_EQ(First(r), "fraud Check latency") << Describe(r);
  EXPECT_EQ(r.status, TraceVerdict::kSlow) << Describe(r);
}

}  // namespace
}  // namespace callpath::analyze
