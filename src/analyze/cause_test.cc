#include "analyze/cause.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace callpath::analyze {
namespace {

TEST(CauseKindName, EveryKindHasItsOwnApiName) {
  const CauseKind kinds[] = {CauseKind::kError,        CauseKind::kLatency,  CauseKind::kTimeout,
                             CauseKind::kMissingSpan,  CauseKind::kRetries,  CauseKind::kLog,
                             CauseKind::kErrorRate,    CauseKind::kLogTemplate,
                             CauseKind::kMissingCalls};
  std::set<std::string> names;
  for (CauseKind k : kinds) names.insert(CauseKindName(k));
  EXPECT_EQ(names.size(), 9u);
  EXPECT_STREQ(CauseKindName(CauseKind::kMissingSpan), "missing_span");
  EXPECT_STREQ(CauseKindName(CauseKind::kErrorRate), "error_rate");
  EXPECT_STREQ(CauseKindName(CauseKind::kMissingCalls), "missing_calls");
}

}  // namespace
}  // namespace callpath::analyze
