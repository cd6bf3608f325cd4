// Drill "timeout-payment": payment-service's Charge hangs for 4 s. The
// gateway gives each attempt 2 s, order-service gives the charge 3 s: the
// gateway times out first, retries (a second hung charge), times out
// again and answers 504, while the work it gave up on keeps running
// downstream. The trace shows the whole cascade.
#include <gtest/gtest.h>

#include "drills/shop_stack.h"

namespace callpath::drills {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

TEST(DrillTimeoutCascade, GatewayRetriesIntoAHungChargeAndGivesUp) {
  ShopStack stack;
  ASSERT_TRUE(stack.Start("2s")) << stack.error();
  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"timeout:4s"})"));

  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 504) << r.body << "\n" << stack.Logs();
  ASSERT_EQ(r.trace_id.size(), 32u);

  // The hung charges end 4 s after they started; wait for both.
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return t.Spans("payment-service", "Charge").size() >= 2 &&
           t.GatewayAttempts().size() >= 2 && t.Spans("gateway", "POST /api/orders").size() >= 1 &&
           !t.Logs("inventory-service", "reservation released").empty() &&
           t.Spans("order-service", "CreateOrder").size() >= 2 &&
           t.Logs("order-service", "order failed: payment timed out").size() >= 2 &&
           t.Logs("payment-service", "fault injected").size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  SCOPED_TRACE(t.Describe());

  // The gateway: two attempts, both timed out, and a 504.
  auto edges = t.Spans("gateway", "POST /api/orders");
  ASSERT_EQ(edges.size(), 1u);
  const SpanView* edge = edges[0];
  EXPECT_EQ(edge->kind, "server");
  EXPECT_TRUE(edge->error());
  EXPECT_EQ(edge->Attr("http.response.status_code"), "504");
  auto attempts = t.GatewayAttempts();
  ASSERT_EQ(attempts.size(), 2u);
  for (const SpanView* a : attempts) {
    EXPECT_TRUE(a->error());
    EXPECT_EQ(a->Attr("error.type"), "timeout");
  }

  // The hung span: payment-service / Charge, twice, each at least 4 s, with
  // the fault recorded on it.
  auto charges = t.Spans("payment-service", "Charge");
  ASSERT_EQ(charges.size(), 2u);
  for (const SpanView* c : charges) {
    EXPECT_GE(c->duration_ns, 4 * kSecond);
    EXPECT_EQ(c->Attr("shop.fault"), "timeout:4s");
  }
  // order-service waited its own 3 s for each charge, longer than the
  // gateway waited for it: each CreateOrder outlives its gateway attempt.
  auto creates = t.Spans("order-service", "CreateOrder");
  ASSERT_EQ(creates.size(), 2u);
  for (const SpanView* c : creates) {
    EXPECT_TRUE(c->error());
    EXPECT_GE(c->duration_ns, 3 * kSecond);
  }

  // The logs explain it from each side: the fault in payment-service, the
  // timeout and the released stock in order-service, per attempt.
  EXPECT_EQ(t.Logs("payment-service", "fault injected").size(), 2u);
  auto timed_out = t.Logs("order-service", "order failed: payment timed out");
  ASSERT_EQ(timed_out.size(), 2u);
  EXPECT_EQ(timed_out[0]->level, "error");
  EXPECT_GE(t.Logs("inventory-service", "reservation released").size(), 1u);
  for (const auto& l : t.logs) EXPECT_EQ(l.trace_id, r.trace_id);
}

}  // namespace
}  // namespace callpath::drills
