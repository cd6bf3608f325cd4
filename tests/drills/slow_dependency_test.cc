// Drill "slow-payment": payment-service's Charge takes 600 ms longer. The
// order still succeeds; the trace shows where the time went and the logs
// of every service come back with it.
#include <gtest/gtest.h>

#include "drills/shop_stack.h"

namespace callpath::drills {
namespace {

constexpr uint64_t kInjectedNs = 600'000'000;

TEST(DrillSlowDependency, SlowChargeIsTheSlowSpanAndEveryServiceLogs) {
  ShopStack stack;
  ASSERT_TRUE(stack.Start()) << stack.error();

  OrderReply warmup = stack.PlaceOrder();
  ASSERT_EQ(warmup.status, 201) << warmup.body << "\n" << stack.Logs();

  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"latency:600ms"})"));
  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 201) << r.body << "\n" << stack.Logs();
  ASSERT_EQ(r.trace_id.size(), 32u);

  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return !t.Spans("payment-service", "Charge").empty() &&
           !t.Spans("order-service", "CreateOrder").empty() &&
           t.GatewayAttempts().size() >= 1 &&
           !t.Logs("payment-service", "fault injected").empty() &&
           !t.Logs("order-service", "order placed").empty() &&
           !t.Logs("payment-service", "payment authorised").empty() &&
           !t.Logs("inventory-service", "stock reserved").empty() &&
           !t.Logs("user-service", "user looked up").empty() &&
           !t.Logs("order-service", "slow dependency").empty();
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  SCOPED_TRACE(t.Describe());

  // The slow span: payment-service / Charge, carrying the injected fault.
  auto charge = t.Spans("payment-service", "Charge");
  ASSERT_EQ(charge.size(), 1u);
  EXPECT_GE(charge[0]->duration_ns, kInjectedNs);
  EXPECT_EQ(charge[0]->Attr("shop.fault"), "latency:600ms");
  EXPECT_FALSE(charge[0]->error());
  // Its caller waited for it: the order's CreateOrder span lasts as long.
  auto create = t.Spans("order-service", "CreateOrder");
  ASSERT_EQ(create.size(), 1u);
  EXPECT_GE(create[0]->duration_ns, kInjectedNs);
  // Slow is not failed: no span of the trace is an error.
  for (const auto& s : t.spans) EXPECT_FALSE(s.error()) << s.service << " " << s.operation;
  // Every request passed the gateway once: no retry.
  auto attempts = t.GatewayAttempts();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0]->Attr("http.request.resend_count"), "");

  // The logs: the fault on payment-service's side, the warning on the
  // caller's side, and a line from every service the order touched.
  auto injected = t.Logs("payment-service", "fault injected");
  ASSERT_EQ(injected.size(), 1u);
  EXPECT_EQ(injected[0]->attributes.at("operation"), "Charge");
  EXPECT_EQ(injected[0]->span_id, charge[0]->span_id);
  auto slow = t.Logs("order-service", "slow dependency");
  ASSERT_FALSE(slow.empty());
  EXPECT_EQ(slow[0]->level, "warn");
  EXPECT_EQ(slow[0]->attributes.at("dependency"), "payment-service");
  for (const auto& l : t.logs) EXPECT_EQ(l.trace_id, r.trace_id);
}

}  // namespace
}  // namespace callpath::drills
