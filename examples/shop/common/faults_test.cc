#include "common/faults.h"

#include <gtest/gtest.h>

#include <deque>

namespace shop {
namespace {

TEST(ParseDuration, Units) {
  EXPECT_EQ(ParseDuration("300ms").value(), Millis(300));
  EXPECT_EQ(ParseDuration("1.5s").value(), Millis(1500));
  EXPECT_EQ(ParseDuration("2m").value(), Millis(120000));
  EXPECT_EQ(ParseDuration("250").value(), Millis(250));
  EXPECT_EQ(ParseDuration("500us").value(), Millis(1));
  EXPECT_EQ(ParseDuration(" 40ms ").value(), Millis(40));
}

TEST(ParseDuration, RejectsGarbage) {
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("ms").ok());
  EXPECT_FALSE(ParseDuration("-5ms").ok());
  EXPECT_FALSE(ParseDuration("3h").ok());
  EXPECT_FALSE(ParseDuration("2d").ok());
  EXPECT_FALSE(ParseDuration("100000m").ok());
}

TEST(ParseFault, EveryKindRoundTrips) {
  for (const char* text : {"latency:300ms", "latency:100ms-500ms", "latency:2s@0.25", "error",
                           "error@0.5", "timeout:10s", "timeout:4s", "crash", "crash@0.1"}) {
    auto f = ParseFault(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    EXPECT_EQ(f->ToString(), text);
  }
}

TEST(ParseFault, ShortForms) {
  auto e = ParseFault("error:0.5");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, FaultKind::kError);
  EXPECT_DOUBLE_EQ(e->probability, 0.5);
  auto t = ParseFault("timeout");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->hang, Millis(10000));
  auto c = ParseFault("crash:1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, FaultKind::kCrash);
}

TEST(ParseFault, RejectsBadInput) {
  for (const char* text : {"", "slow", "latency", "latency:fast", "latency:500ms-100ms",
                           "error:2", "error:0", "error:-1", "crash@x", "timeout:forever",
                           "latency:10ms@1.5"}) {
    EXPECT_FALSE(ParseFault(text).ok()) << text;
  }
}

TEST(ParseFaultSpec, OperationAndList) {
  auto s = ParseFaultSpec("Reserve=error:0.5, latency:50ms");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->operation, "Reserve");
  ASSERT_EQ(s->faults.size(), 2u);
  EXPECT_EQ(s->faults[0].kind, FaultKind::kError);
  EXPECT_EQ(s->faults[1].min_delay, Millis(50));
  EXPECT_FALSE(ParseFaultSpec("latency:50ms").ok());
  EXPECT_FALSE(ParseFaultSpec("=error").ok());
  EXPECT_FALSE(ParseFaultSpec("Charge=").ok());
  EXPECT_FALSE(ParseFaultSpec("Charge=error,").ok());
}

// A scripted random source: returns the queued numbers in order.
struct Script {
  std::deque<double> values;
  double operator()() {
    double v = values.front();
    values.pop_front();
    return v;
  }
};

TEST(FaultTable, NoFaultsMeansAnEmptyPlan) {
  FaultTable table;
  EXPECT_TRUE(table.Plan("Charge").empty());
}

TEST(FaultTable, ProbabilityDecidesWhichRequestsFail) {
  auto script = std::make_shared<Script>();
  script->values = {0.2, 0.7};
  FaultTable table([script] { return (*script)(); });
  table.Set(ParseFaultSpec("Charge=error:0.5").value());
  FaultPlan first = table.Plan("Charge");
  EXPECT_TRUE(first.fail);
  ASSERT_EQ(first.fired.size(), 1u);
  EXPECT_EQ(first.fired[0], "error@0.5");
  FaultPlan second = table.Plan("Charge");
  EXPECT_FALSE(second.fail);
  EXPECT_TRUE(second.empty());
  EXPECT_TRUE(table.Plan("Reserve").empty());  // other operations are untouched
}

TEST(FaultTable, JitteredLatencyStaysInRange) {
  auto script = std::make_shared<Script>();
  script->values = {0.0, 0.999999, 0.5};
  FaultTable table([script] { return (*script)(); });
  table.Set(ParseFaultSpec("GetUser=latency:100ms-200ms").value());
  EXPECT_EQ(table.Plan("GetUser").delay, Millis(100));
  EXPECT_EQ(table.Plan("GetUser").delay, Millis(200));
  EXPECT_EQ(table.Plan("GetUser").delay, Millis(150));
}

TEST(FaultTable, FaultsCombine) {
  FaultTable table;
  table.Set(ParseFaultSpec("Charge=latency:30ms,latency:20ms,timeout:4s,crash,error").value());
  FaultPlan p = table.Plan("Charge");
  EXPECT_EQ(p.delay, Millis(50));
  EXPECT_EQ(p.hang, Millis(4000));
  EXPECT_TRUE(p.crash);
  EXPECT_TRUE(p.fail);
  EXPECT_EQ(p.fired.size(), 5u);
}

TEST(FaultTable, SetReplacesAndClearRemoves) {
  FaultTable table;
  table.Set(ParseFaultSpec("Charge=error").value());
  table.Set(ParseFaultSpec("Charge=latency:5ms").value());
  FaultPlan p = table.Plan("Charge");
  EXPECT_FALSE(p.fail);
  EXPECT_EQ(p.delay, Millis(5));
  EXPECT_TRUE(table.Clear("Charge"));
  EXPECT_FALSE(table.Clear("Charge"));
  EXPECT_TRUE(table.Plan("Charge").empty());
  table.Set(ParseFaultSpec("A=error").value());
  table.Set(ParseFaultSpec("B=error").value());
  table.ClearAll();
  EXPECT_TRUE(table.Plan("A").empty());
  EXPECT_TRUE(table.Plan("B").empty());
}

TEST(FaultTable, JsonListsFaultsAndCounts) {
  FaultTable table;
  table.Set(ParseFaultSpec("Reserve=error").value());
  table.Plan("Reserve");
  table.Plan("Reserve");
  EXPECT_EQ(table.ToJson("inventory-service"),
            R"({"service":"inventory-service","faults":[{"operation":"Reserve","fault":"error",)"
            R"("kind":"error","probability":1,"fired":2}]})");
  table.ClearAll();
  EXPECT_EQ(table.ToJson("x"), R"({"service":"x","faults":[]})");
}

}  // namespace
}  // namespace shop
