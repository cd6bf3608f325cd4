// explain over random topologies: for every fault case, the culprit must
// be ranked first in at least 95 % of 40 random microservice systems.
#include <gtest/gtest.h>

#include <map>

#include "analyze/testing/explain_support.h"
#include "analyze/testing/random_topology.h"

namespace callpath::analyze {
namespace {

using namespace testing;  // NOLINT: the synthetic-trace vocabulary

constexpr int kSystems = 40;
constexpr double kRequired = 0.95;

bool Named(const ExplainReport& r, const Scenario& s) {
  if (r.causes.empty()) return false;
  const Cause& top = r.causes.front();
  if (top.service != s.service) return false;
  return !s.operation || top.operation == s.operation;
}

class ExplainRandomTopologies : public ::testing::TestWithParam<FaultCase> {};

// With reference traces alone, or with the statistics of more healthy
// traffic too (what the endpoint's LoadBaseline merges).
void NameTheCulpritFirst(FaultCase c, bool with_stats) {
  int named = 0;
  std::string misses;
  for (int k = 0; k < kSystems; ++k) {
    Scenario s = MakeScenario(c, static_cast<uint32_t>(k * 7919 + static_cast<int>(c) * 104729 + 1));
    if (s.no_status) {
      StripStatus(&s.healthy);
      StripStatus(&s.faulty);
    }
    Baseline base = HealthyBaseline(s.healthy, 10, s.vary);
    if (with_stats) base = MergeBaselines(StatsBaseline(s.healthy, 30, s.vary), base);
    Built b = Build(s.faulty, 1);
    if (!s.skewed_service.empty()) SkewClock(&b, s.skewed_service, 5'000 * static_cast<int64_t>(kMs));
    ExplainReport r = ExplainBuilt(b, base);
    if (Named(r, s)) {
      ++named;
    } else if (misses.size() < 6000) {
      misses += "system " + std::to_string(k) + ": want " + s.service + " " + s.operation.value_or("(any)") + "\n" +
                Describe(r) + "\n";
    }
  }
  double share = static_cast<double>(named) / kSystems;
  EXPECT_GE(share, kRequired) << FaultCaseName(c) << (with_stats ? " (with statistics)" : "") << ": " << named
                              << " of " << kSystems << "\n" << misses;
}

TEST_P(ExplainRandomTopologies, NameTheCulpritFirstAgainstReferenceTraces) { NameTheCulpritFirst(GetParam(), false); }

TEST_P(ExplainRandomTopologies, NameTheCulpritFirstAgainstStatisticsAndReferences) {
  NameTheCulpritFirst(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(EveryCase, ExplainRandomTopologies, ::testing::ValuesIn(kAllFaultCases),
                         [](const ::testing::TestParamInfo<FaultCase>& i) {
                           std::string n = FaultCaseName(i.param);
                           for (char& ch : n) ch = ch == ' ' ? '_' : ch;
                           return n;
                         });

}  // namespace
}  // namespace callpath::analyze
