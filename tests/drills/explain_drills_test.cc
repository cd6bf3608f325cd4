// Every drill of scripts/demo.sh, explained: the shop runs with its fault
// markers off (no shop.fault attribute, no "fault injected" event or log
// line), serves a few healthy orders, then one order through the fault;
// GET /api/v1/traces/{id}/explain, and the MCP tool explain_trace, must
// name the culprit first from the fault's effects alone.
#include <simdjson.h>

#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <thread>

#include "drills/shop_stack.h"

namespace callpath::drills {
namespace {

constexpr int kHealthyOrders = 6;

struct Expected {
  std::string service;
  std::optional<std::string> operation;  // nullopt: null in the answer
  std::string kind;
};

// Healthy orders first, each waited for until complete: they are the
// baseline's reference traces.
void PlaceHealthyOrders(ShopStack& stack) {
  for (int k = 0; k < kHealthyOrders; ++k) {
    OrderReply r = stack.PlaceOrder();
    ASSERT_EQ(r.status, 201) << r.body << "\n" << stack.Logs();
    TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
      return t.Spans("payment-service", "Charge").size() == 1 && !t.Logs("order-service", "order placed").empty() &&
             !t.Logs("payment-service", "payment authorised").empty() &&
             !t.Logs("inventory-service", "stock reserved").empty() && t.GatewayAttempts().size() == 1;
    });
    ASSERT_TRUE(t.found) << stack.Logs();
  }
}

void ExpectNoMarkers(const TraceView& t) {
  for (const auto& s : t.spans) EXPECT_EQ(s.Attr("shop.fault"), "") << s.service << " " << s.operation;
  for (const auto& l : t.logs) EXPECT_EQ(l.msg.find("fault injected"), std::string::npos) << l.msg;
}

void ExpectCulprit(ShopStack& stack, const std::string& trace_id, const Expected& want) {
  auto [status, body] = stack.Explain(trace_id);
  ASSERT_EQ(status, 200) << body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  simdjson::dom::element first;
  ASSERT_EQ(doc["causes"].at(0).get(first), simdjson::SUCCESS) << body;
  EXPECT_EQ(std::string_view(first["service"].get_string().value()), want.service) << body;
  if (want.operation) {
    std::string_view op;
    ASSERT_EQ(first["operation"].get_string().get(op), simdjson::SUCCESS) << body;
    EXPECT_EQ(op, *want.operation) << body;
  } else {
    EXPECT_TRUE(first["operation"].is_null()) << body;
    EXPECT_TRUE(first["span_id"].is_null()) << body;
  }
  EXPECT_EQ(std::string_view(first["kind"].get_string().value()), want.kind) << body;
  // The verdict, for the test log (docs/rca.md quotes it).
  std::string_view summary;
  if (doc["summary"].get_string().get(summary) == simdjson::SUCCESS) std::cout << "explain: " << summary << "\n";

  // An agent asking over MCP gets the same first cause.
  auto [mcp_status, mcp_body] = stack.ExplainOverMcp(trace_id);
  ASSERT_EQ(mcp_status, 200) << mcp_body;
  simdjson::dom::element reply;
  ASSERT_EQ(parser.parse(mcp_body).get(reply), simdjson::SUCCESS) << mcp_body;
  simdjson::dom::element mcp_first;
  ASSERT_EQ(reply["result"]["structuredContent"]["causes"].at(0).get(mcp_first), simdjson::SUCCESS) << mcp_body;
  EXPECT_EQ(std::string_view(mcp_first["service"].get_string().value()), want.service) << mcp_body;
  EXPECT_EQ(std::string_view(mcp_first["kind"].get_string().value()), want.kind) << mcp_body;
}

TEST(DrillExplain, SlowPaymentBlamesCharge) {
  ShopStack stack;
  stack.set_fault_markers(false);
  ASSERT_TRUE(stack.Start()) << stack.error();
  ASSERT_NO_FATAL_FAILURE(PlaceHealthyOrders(stack));
  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"latency:400ms-600ms"})"));
  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 201) << r.body << "\n" << stack.Logs();
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return !t.Spans("payment-service", "Charge").empty() && !t.Logs("order-service", "order placed").empty() &&
           !t.Logs("payment-service", "payment authorised").empty() && !t.Logs("inventory-service", "stock reserved").empty();
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  ExpectNoMarkers(t);
  ExpectCulprit(stack, r.trace_id, {"payment-service", "Charge", "latency"});
}

TEST(DrillExplain, ErrorPaymentBlamesCharge) {
  ShopStack stack;
  stack.set_fault_markers(false);
  ASSERT_TRUE(stack.Start()) << stack.error();
  ASSERT_NO_FATAL_FAILURE(PlaceHealthyOrders(stack));
  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"error"})"));
  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 502) << r.body << "\n" << stack.Logs();
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return t.Spans("payment-service", "Charge").size() >= 2 && t.GatewayAttempts().size() >= 2 &&
           t.Logs("order-service", "order failed: payment failed").size() >= 2 &&
           t.Logs("inventory-service", "reservation released").size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  ExpectNoMarkers(t);
  ExpectCulprit(stack, r.trace_id, {"payment-service", "Charge", "error"});
}

TEST(DrillExplain, ErrorInventoryBlamesReserve) {
  ShopStack stack;
  stack.set_fault_markers(false);
  ASSERT_TRUE(stack.Start()) << stack.error();
  ASSERT_NO_FATAL_FAILURE(PlaceHealthyOrders(stack));
  ASSERT_TRUE(stack.SetFault("inventory", R"({"operation":"Reserve","fault":"error"})"));
  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 503) << r.body << "\n" << stack.Logs();
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return t.Spans("inventory-service", "Reserve").size() >= 4 && t.GatewayAttempts().size() >= 2 &&
           t.Logs("inventory-service", "reservation failed").size() >= 4 &&
           t.Logs("order-service", "order failed: stock reservation failed").size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  ExpectNoMarkers(t);
  ExpectCulprit(stack, r.trace_id, {"inventory-service", "Reserve", "error"});
}

TEST(DrillExplain, TimeoutCascadeBlamesTheHungCharge) {
  ShopStack stack;
  stack.set_fault_markers(false);
  ASSERT_TRUE(stack.Start("2s")) << stack.error();
  ASSERT_NO_FATAL_FAILURE(PlaceHealthyOrders(stack));
  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"timeout:4s"})"));
  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 504) << r.body << "\n" << stack.Logs();
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return t.Spans("payment-service", "Charge").size() >= 2 && t.GatewayAttempts().size() >= 2 &&
           t.Spans("order-service", "CreateOrder").size() >= 2 &&
           t.Logs("order-service", "order failed: payment timed out").size() >= 2 &&
           t.Logs("payment-service", "payment authorised").size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  ExpectNoMarkers(t);
  ExpectCulprit(stack, r.trace_id, {"payment-service", "Charge", "timeout"});
}

TEST(DrillExplain, CrashBlamesPaymentServiceWithoutASpan) {
  ShopStack stack;
  stack.set_fault_markers(false);
  ASSERT_TRUE(stack.Start()) << stack.error();
  ASSERT_NO_FATAL_FAILURE(PlaceHealthyOrders(stack));
  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"crash"})"));
  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 502) << r.body << "\n" << stack.Logs();
  int status = 0;
  ASSERT_TRUE(stack.process("payment").WaitExit(std::chrono::seconds(30), &status));
  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return !t.Logs("payment-service", "fatal: aborting mid-request").empty() &&
           t.Logs("order-service", "order failed: payment failed").size() >= 2 &&
           t.Logs("inventory-service", "reservation released").size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  ExpectNoMarkers(t);
  ExpectCulprit(stack, r.trace_id, {"payment-service", std::nullopt, "missing_span"});
}

}  // namespace
}  // namespace callpath::drills
