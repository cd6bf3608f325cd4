#include <gtest/gtest.h>

#include "query/assembled_trace.h"
#include "query/test_traces.h"

namespace callpath::query {
namespace {

using testing::kMs;
using testing::kT0;
using testing::S;
using testing::Sid;

TEST(AssembleTraceTest, BuildsTheTreeInStartOrder) {
  auto t = AssembleTrace({S(3, 2, "db", "SELECT", 20, 10), S(1, 0, "web", "GET", 0, 100),
                          S(2, 1, "api", "List", 10, 50)});
  ASSERT_EQ(t.spans.size(), 3u);
  EXPECT_EQ(t.spans[0].span_id, Sid(1));
  EXPECT_EQ(t.root, 0);
  EXPECT_EQ(t.parent, (std::vector<int>{-1, 0, 1}));
  EXPECT_EQ(t.depth, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(t.children[0], (std::vector<size_t>{1}));
  EXPECT_TRUE(t.orphans.empty());
  EXPECT_TRUE(t.adjustments.empty());
  EXPECT_EQ(t.start_ns(), kT0);
  EXPECT_EQ(t.end_ns(), kT0 + 100 * kMs);
}

TEST(AssembleTraceTest, OrphansHangUnderTheRootWithAWarning) {
  auto t = AssembleTrace({S(1, 0, "web", "GET", 0, 100), S(5, 9, "api", "Lost", 10, 5)});
  ASSERT_EQ(t.orphans, (std::vector<size_t>{1}));
  EXPECT_EQ(t.parent[1], 0);
  ASSERT_EQ(t.warnings[1].size(), 1u);
  EXPECT_NE(t.warnings[1][0].find("not in trace"), std::string::npos);
}

TEST(AssembleTraceTest, WithoutARootTheEarliestSpanLeads) {
  auto t = AssembleTrace({S(5, 9, "api", "B", 10, 5), S(4, 8, "api", "A", 5, 50)});
  EXPECT_EQ(t.root, 0);
  EXPECT_EQ(t.spans[0].operation, "A");
  EXPECT_EQ(t.parent[1], 0);
}

TEST(AssembleTraceTest, DuplicatesAreDroppedAndCyclesCut) {
  auto a = S(1, 2, "x", "A", 0, 10);
  auto b = S(2, 1, "x", "B", 1, 5);
  auto t = AssembleTrace({a, b, a});
  ASSERT_EQ(t.spans.size(), 2u);
  ASSERT_GE(t.root, 0);
  // Exactly one span is the root; the other hangs below it.
  int roots = 0;
  for (int p : t.parent) roots += p < 0;
  EXPECT_EQ(roots, 1);
}

TEST(AssembleTraceTest, SelfParentIsNotACycle) {
  auto t = AssembleTrace({S(1, 1, "x", "A", 0, 10)});
  EXPECT_EQ(t.root, 0);
  EXPECT_EQ(t.parent[0], -1);
}

TEST(AssembleTraceTest, SkewShiftIsTheMinimalDeltaAndMovesTheSubtree) {
  // api's clock is behind web's: its span starts 20 ms before its parent;
  // its child (same host) moves with it.
  auto t = AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "api", "List", 80, 50),
                          S(3, 2, "api", "SELECT", 90, 10)});
  ASSERT_EQ(t.adjustments.size(), 1u);
  EXPECT_EQ(t.adjustments[0].delta_ns, static_cast<int64_t>(20 * kMs));
  // Now in order web(100), api(100), db(110).
  EXPECT_EQ(t.spans[1].span_id, Sid(2));
  EXPECT_EQ(t.spans[1].start_ns, kT0 + 100 * kMs);
  EXPECT_EQ(t.spans[2].start_ns, kT0 + 110 * kMs);
  EXPECT_FALSE(t.warnings[1].empty());

  // Ending after the parent: shifted back.
  t = AssembleTrace({S(1, 0, "web", "GET", 0, 100), S(2, 1, "api", "List", 70, 50)});
  ASSERT_EQ(t.adjustments.size(), 1u);
  EXPECT_EQ(t.adjustments[0].delta_ns, -static_cast<int64_t>(20 * kMs));
  EXPECT_EQ(t.spans[1].end_ns(), kT0 + 100 * kMs);
}

TEST(AssembleTraceTest, SameServiceAndLongerChildrenAreNotAdjusted) {
  auto t = AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "web", "inner", 80, 50)});
  EXPECT_TRUE(t.adjustments.empty());
  t = AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "api", "async", 150, 500)});
  EXPECT_TRUE(t.adjustments.empty());
  AssembleOptions off;
  off.adjust_clock_skew = false;
  t = AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "api", "List", 80, 50)}, off);
  EXPECT_TRUE(t.adjustments.empty());
  EXPECT_EQ(t.spans[0].span_id, Sid(2));
}

TEST(AssembleTraceTest, ShiftBeyondTheMaximumIsRefusedWithAWarning) {
  AssembleOptions o;
  o.max_clock_skew_ns = 10 * kMs;
  // api starts 20 ms before its parent: a 20 ms shift, over the limit.
  auto t = AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "api", "List", 80, 50)}, o);
  EXPECT_TRUE(t.adjustments.empty());
  ASSERT_EQ(t.spans[0].span_id, Sid(2));  // left where its clock put it
  ASSERT_EQ(t.warnings[0].size(), 1u);
  EXPECT_NE(t.warnings[0][0].find("max clock skew adjustment"), std::string::npos) << t.warnings[0][0];
  // Within the limit it is made; 0 is no limit.
  o.max_clock_skew_ns = 20 * kMs;
  EXPECT_EQ(AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "api", "List", 80, 50)}, o).adjustments.size(), 1u);
  o.max_clock_skew_ns = 0;
  EXPECT_EQ(AssembleTrace({S(1, 0, "web", "GET", 100, 100), S(2, 1, "api", "List", 80, 50)}, o).adjustments.size(), 1u);
}

TEST(AssembleTraceTest, EmptyTrace) {
  auto t = AssembleTrace({});
  EXPECT_EQ(t.root, -1);
  EXPECT_TRUE(CriticalPath(t).empty());
  EXPECT_TRUE(RankRootCauses(t).errors.empty());
}

}  // namespace
}  // namespace callpath::query
