#include "common/byte_budget.h"

#include <gtest/gtest.h>

namespace callpath::daemon {
namespace {

TEST(ByteBudgetTest, LeasesTakeOnlyWhatFitsAndGiveItBack) {
  ByteBudget budget(100);
  {
    BudgetLease a(&budget);
    EXPECT_TRUE(a.GrowTo(60));
    BudgetLease b(&budget);
    EXPECT_FALSE(b.GrowTo(41));  // 60 + 41 > 100: nothing taken
    EXPECT_EQ(budget.used(), 60u);
    EXPECT_TRUE(b.GrowTo(40));
    EXPECT_TRUE(b.GrowTo(40));  // already held
    EXPECT_EQ(budget.used(), 100u);
    b.Reset();
    EXPECT_EQ(budget.used(), 60u);
    BudgetLease moved = std::move(a);
    EXPECT_EQ(moved.bytes(), 60u);
  }
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_FALSE(BudgetLease(&budget).GrowTo(101));
  EXPECT_TRUE(BudgetLease().GrowTo(1ull << 60));  // no budget: no cap
}

}  // namespace
}  // namespace callpath::daemon
