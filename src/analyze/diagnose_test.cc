#include "analyze/diagnose.h"

#include <gtest/gtest.h>

#include <random>

#include "analyze/diagnose_test_traffic.h"

namespace callpath::analyze {
namespace {

using testing::BuildInput;
using testing::FaultSpec;
using testing::ServiceSpec;
using testing::TrafficSpec;

// frontend -> checkout -> {cart, payment}; payment -> bank (a leaf).
std::vector<ServiceSpec> Shop() {
  return {
      {"frontend", {"GET /checkout"}, 3, {"checkout"}},
      {"checkout", {"PlaceOrder"}, 5, {"cart", "payment"}},
      {"cart", {"GetCart"}, 2, {}},
      {"payment", {"Charge"}, 4, {"bank"}},
      {"bank", {"Authorize"}, 6, {}},
  };
}

TrafficSpec Spec(uint32_t seed) {
  TrafficSpec s;
  s.entry = "frontend";
  s.seed = seed;
  return s;
}

Diagnosis DiagnoseShop(const std::vector<ServiceSpec>& services, const FaultSpec& fault, TrafficSpec base = Spec(1),
              TrafficSpec window = Spec(2)) {
  return Diagnose(BuildInput(services, base, window, fault));
}

std::string Describe(const Diagnosis& d) {
  std::string s = d.summary + "\n";
  for (const auto& c : d.causes) {
    s += std::to_string(c.rank) + ". " + c.service + " " + CauseKindName(c.kind) + " " + std::to_string(c.score) +
         ": " + c.summary + "\n";
  }
  return s;
}

TEST(Diagnose, SlowLeafUnderHealthyCallersIsRankedFirst) {
  FaultSpec fault;
  fault.service = "bank";
  fault.slow_factor = 8;
  Diagnosis d = DiagnoseShop(Shop(), fault);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "bank") << Describe(d);
  EXPECT_EQ(d.causes[0].kind, CauseKind::kLatency) << Describe(d);
  EXPECT_EQ(d.causes[0].operation, "Authorize") << Describe(d);
  EXPECT_NE(d.causes[0].summary.find("ms"), std::string::npos) << Describe(d);
  EXPECT_FALSE(d.symptoms.empty()) << "the entry point's traces got longer\n" << Describe(d);
}

TEST(Diagnose, FailingDependencyIsRankedAboveItsFailingCallers) {
  FaultSpec fault;
  fault.service = "payment";
  fault.error_fraction = 0.3;
  fault.error_log = "charge declined by processor";
  Diagnosis d = DiagnoseShop(Shop(), fault);
  ASSERT_GE(d.causes.size(), 2u) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "payment") << Describe(d);
  EXPECT_EQ(d.causes[0].rank, 1);
  EXPECT_GE(d.causes[0].score, d.causes[1].score);
}

TEST(Diagnose, FaultOnlyInLogsIsFoundWithoutStatusCodes) {
  FaultSpec fault;
  fault.service = "cart";
  fault.error_fraction = 0.25;
  fault.error_log = "java.lang.IllegalStateException: cart item missing";
  fault.callers_fail = false;  // answers 200 anyway
  TrafficSpec base = Spec(1), window = Spec(2);
  base.status_codes = window.status_codes = false;
  Diagnosis d = DiagnoseShop(Shop(), fault, base, window);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "cart") << Describe(d);
  EXPECT_EQ(d.causes[0].kind, CauseKind::kLogTemplate) << Describe(d);
  EXPECT_NE(d.causes[0].summary.find("IllegalStateException"), std::string::npos) << Describe(d);
}

TEST(Diagnose, PropagatedErrorLogsWithoutStatusCodesBlameTheDeepestService) {
  FaultSpec fault;
  fault.service = "bank";
  fault.error_fraction = 0.3;
  fault.error_log = "java.net.SocketException: card network unreachable";
  TrafficSpec base = Spec(1), window = Spec(2);
  base.status_codes = window.status_codes = false;
  Diagnosis d = DiagnoseShop(Shop(), fault, base, window);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "bank") << Describe(d);
}

TEST(Diagnose, BenignErrorAsFrequentAsInTheBaselineIsNotBlamed) {
  FaultSpec fault;
  fault.service = "bank";
  fault.slow_factor = 5;
  TrafficSpec base = Spec(1), window = Spec(2);
  base.benign_service = window.benign_service = "cart";
  base.benign_fraction = window.benign_fraction = 0.3;
  Diagnosis d = DiagnoseShop(Shop(), fault, base, window);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "bank") << Describe(d);
  for (const auto& c : d.causes) EXPECT_NE(c.service, "cart") << Describe(d);
}

TEST(Diagnose, ServiceWhoseCallsStoppedIsRankedFirst) {
  FaultSpec fault;
  fault.service = "payment";
  fault.stopped = true;
  Diagnosis d = DiagnoseShop(Shop(), fault);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "payment") << Describe(d);
  EXPECT_EQ(d.causes[0].kind, CauseKind::kMissingCalls) << Describe(d);
  // bank went silent only because payment stopped calling it.
  for (const auto& c : d.causes) {
    if (c.service == "bank") EXPECT_LT(c.score, 0.5 * d.causes[0].score) << Describe(d);
  }
}

TEST(Diagnose, CpuContentionSlowsEveryOperationOfOneService) {
  std::vector<ServiceSpec> services = Shop();
  services[1].operations = {"PlaceOrder", "GetOrder", "ListOrders"};
  FaultSpec fault;
  fault.service = "checkout";
  fault.slow_factor = 3;
  Diagnosis d = DiagnoseShop(services, fault);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "checkout") << Describe(d);
  EXPECT_EQ(d.causes[0].kind, CauseKind::kLatency) << Describe(d);
  EXPECT_GE(d.causes[0].evidence.size(), 3u) << "one shift per operation\n" << Describe(d);
}

// Delay on the callee's network: its own server spans keep their length,
// its callers' client spans grow. The time is lost between the two; the
// callee is named, because a delay at its interface slows the answers to
// every one of its callers, where the caller's other calls stay fast.
TEST(Diagnose, NetworkDelayBlamesTheServiceWhoseCallsLoseTime) {
  std::vector<ServiceSpec> services = Shop();
  FaultSpec fault;
  fault.service = "cart";
  fault.network_delay_ms = 40;
  Diagnosis d = DiagnoseShop(services, fault);
  ASSERT_FALSE(d.causes.empty()) << Describe(d);
  EXPECT_EQ(d.causes[0].service, "cart") << Describe(d);
  EXPECT_EQ(d.causes[0].kind, CauseKind::kLatency) << Describe(d);
  EXPECT_NE(d.causes[0].summary.find("between"), std::string::npos) << Describe(d);
}

TEST(Diagnose, NothingChangedGivesNoCause) {
  Diagnosis d = DiagnoseShop(Shop(), FaultSpec{});
  EXPECT_TRUE(d.causes.empty()) << Describe(d);
  EXPECT_NE(d.summary.find("No significant change"), std::string::npos) << d.summary;
}

TEST(Diagnose, EmptyInputSaysSo) {
  Diagnosis d = Diagnose(DiagnoseInput{});
  EXPECT_TRUE(d.causes.empty());
  EXPECT_EQ(d.summary, "The window holds no spans and no log records.");
}

TEST(Diagnose, AnEmptyBaselineBlamesNothingAndSaysSo) {
  FaultSpec fault;
  fault.service = "bank";
  fault.slow_factor = 8;
  DiagnoseInput in = BuildInput(Shop(), Spec(1), Spec(2), fault);
  in.baseline_ops.clear();
  in.baseline_logs.clear();
  Diagnosis d = Diagnose(in);
  EXPECT_TRUE(d.causes.empty()) << Describe(d);
  EXPECT_GT(d.window_spans, 0u);
  EXPECT_NE(d.summary.find("nothing to compare"), std::string::npos) << d.summary;
}

TEST(Diagnose, ServiceOptionKeepsToThatServiceAndItsCallees) {
  FaultSpec fault;
  fault.service = "bank";
  fault.slow_factor = 8;
  DiagnoseInput in = BuildInput(Shop(), Spec(1), Spec(2), fault);
  DiagnoseOptions only_cart;
  only_cart.service = "cart";
  for (const auto& c : Diagnose(in, only_cart).causes) EXPECT_EQ(c.service, "cart");
  DiagnoseOptions payment;
  payment.service = "payment";
  Diagnosis d = Diagnose(in, payment);
  ASSERT_FALSE(d.causes.empty());
  EXPECT_EQ(d.causes[0].service, "bank");
}

TEST(DefaultBaseline, IsTheSameLengthRightBefore) {
  TimeWindow b = DefaultBaseline({1000, 1600});
  EXPECT_EQ(b.start_ns, 400u);
  EXPECT_EQ(b.end_ns, 1000u);
  EXPECT_EQ(DefaultBaseline({100, 1600}).start_ns, 0u);
}

}  // namespace
}  // namespace callpath::analyze
