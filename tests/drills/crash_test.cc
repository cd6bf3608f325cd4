// Drill "crash-payment": payment-service aborts in the middle of a Charge
// (after logging why). order-service sees the connection drop, releases
// the stock and answers 502; the gateway's retry finds payment-service
// gone (connection refused) and the client gets 502. payment-service's
// last log line arrives in the trace; its unfinished span does not.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "drills/shop_stack.h"

namespace callpath::drills {
namespace {

// order-service's CLIENT spans calling payment-service's /charges.
std::vector<const SpanView*> ChargeCalls(const TraceView& t) {
  std::vector<const SpanView*> calls;
  for (const auto& s : t.spans) {
    if (s.service == "order-service" && s.kind == "client" && s.operation == "POST" &&
        s.Attr("url.full").find("/charges") != std::string::npos) {
      calls.push_back(&s);
    }
  }
  return calls;
}

TEST(DrillCrash, CrashMidRequestLeavesItsLastWordsAndAFailedCall) {
  ShopStack stack;
  ASSERT_TRUE(stack.Start()) << stack.error();
  ASSERT_TRUE(stack.SetFault("payment", R"({"operation":"Charge","fault":"crash"})"));

  OrderReply r = stack.PlaceOrder();
  ASSERT_EQ(r.status, 502) << r.body << "\n" << stack.Logs();
  ASSERT_EQ(r.trace_id.size(), 32u);

  // payment-service died of SIGABRT.
  int status = 0;
  ASSERT_TRUE(stack.process("payment").WaitExit(std::chrono::seconds(30), &status));
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGABRT);

  TraceView t = stack.WaitForTrace(r.trace_id, [](const TraceView& t) {
    return !t.Logs("payment-service", "fatal: aborting mid-request").empty() &&
           t.Logs("order-service", "order failed: payment failed").size() >= 2 &&
           t.Logs("inventory-service", "reservation released").size() >= 2 &&
           ChargeCalls(t).size() >= 2;
  });
  ASSERT_TRUE(t.found) << stack.Logs();
  SCOPED_TRACE(t.Describe());

  // payment-service's last words, joined to the request that killed it.
  auto fatal = t.Logs("payment-service", "fatal: aborting mid-request");
  ASSERT_EQ(fatal.size(), 1u);
  EXPECT_EQ(fatal[0]->level, "error");
  EXPECT_EQ(fatal[0]->attributes.at("operation"), "Charge");
  EXPECT_EQ(fatal[0]->trace_id, r.trace_id);
  // The Charge span never ended, so it never left the process.
  EXPECT_TRUE(t.Spans("payment-service", "Charge").empty());

  // The failing span: order-service's CLIENT call to payment-service, once
  // cut off mid-request and once refused.
  auto calls = ChargeCalls(t);
  ASSERT_EQ(calls.size(), 2u);
  for (const SpanView* c : calls) {
    EXPECT_TRUE(c->error());
    EXPECT_FALSE(c->Attr("error.type").empty());
  }
  auto failed = t.Logs("order-service", "order failed: payment failed");
  ASSERT_EQ(failed.size(), 2u);
  bool cut_off = false, refused = false;
  for (const LogView* l : failed) {
    const std::string& e = l->attributes.at("error");
    cut_off |= e == "connection closed before a response";
    refused |= e == "connection refused";
  }
  EXPECT_TRUE(cut_off);
  EXPECT_TRUE(refused);
  // The stock was given back both times.
  EXPECT_EQ(t.Logs("inventory-service", "reservation released").size(), 2u);
}

}  // namespace
}  // namespace callpath::drills
