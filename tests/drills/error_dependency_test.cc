// Drill "error-inventory": inventory-service's Reserve fails with
// UNAVAILABLE. order-service retries it once and answers 503; the gateway
// retries the order once; the client gets 503. The trace names the failing
// gRPC operation, and the logs say why, from both sides.
#include <gtest/gtest.h>

#include "drills/shop_stack.h"

namespace callpath::drills {
namespace {

TEST(DrillErrorDependency, FailingReserveIsTheErrorSpanWithItsLogs) {
  ShopStack stack;
  ASSERT_TRUE(stack.Start()) << stack.error();
  ASSERT_TRUE(stack.SetFault("inventory", R"({"operation":"Reserve","fault":"error"})"));

  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 503) << r.body << "\n" << stack.Logs();
  ASSERT_EQ(r.trace_id.size(), 32u);

  // Two gateway attempts x two Reserve calls each.
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return t.Spans("inventory-service", "Reserve").size() >= 4 &&
           t.Spans("inventory-service", "shop.inventory.Inventory/Reserve").size() >= 4 &&
           t.Spans("order-service", "CreateOrder").size() >= 2 &&
           t.GatewayAttempts().size() >= 2 &&
           t.Logs("inventory-service", "reservation failed").size() >= 4 &&
           t.Logs("order-service", "stock reservation failed, retrying").size() >= 2 &&
           t.Logs("order-service", "order failed: stock reservation failed").size() >= 2 &&
           t.Logs("user-service", "user looked up").size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  SCOPED_TRACE(t.Describe());

  // The failing span: inventory-service / Reserve, an error with the reason.
  auto reserve = t.Spans("inventory-service", "Reserve");
  ASSERT_EQ(reserve.size(), 4u);
  for (const SpanView* s : reserve) {
    EXPECT_TRUE(s->error());
    EXPECT_EQ(s->status_message, "stock database unavailable");
    EXPECT_EQ(s->Attr("shop.fault"), "error");
    // Under the gRPC server span, which records UNAVAILABLE (14).
    const SpanView* server = t.Span(s->parent_span_id);
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->operation, "shop.inventory.Inventory/Reserve");
    EXPECT_EQ(server->kind, "server");
    EXPECT_EQ(server->Attr("rpc.grpc.status_code"), "14");
    EXPECT_TRUE(server->error());
  }
  // The errors travel up: CreateOrder failed twice, the gateway retried once.
  auto create = t.Spans("order-service", "CreateOrder");
  ASSERT_EQ(create.size(), 2u);
  for (const SpanView* s : create) EXPECT_TRUE(s->error());
  auto attempts = t.GatewayAttempts();
  ASSERT_EQ(attempts.size(), 2u);
  int resent = 0;
  for (const SpanView* a : attempts) resent += a->Attr("http.request.resend_count") == "1";
  EXPECT_EQ(resent, 1);
  // Nothing was charged.
  EXPECT_TRUE(t.Spans("payment-service", "Charge").empty());

  // The logs: the reason on the failing side, the retry and the give-up on
  // the caller's side, each joined to its span.
  for (const LogView* l : t.Logs("inventory-service", "reservation failed")) {
    EXPECT_EQ(l->level, "error");
    EXPECT_NE(l->attributes.at("reason").find("stock database unavailable"), std::string::npos);
    const SpanView* s = t.Span(l->span_id);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->operation, "Reserve");
  }
  EXPECT_EQ(t.Logs("order-service", "stock reservation failed, retrying").size(), 2u);
  for (const auto& l : t.logs) EXPECT_EQ(l.trace_id, r.trace_id);
}

}  // namespace
}  // namespace callpath::drills
