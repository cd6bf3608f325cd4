#include <gtest/gtest.h>

#include "query/assembled_trace.h"
#include "query/test_traces.h"

namespace callpath::query {
namespace {

using testing::kMs;
using testing::kT0;
using testing::S;
using testing::Sid;

// web GET 0-100
//   auth   5-15
//   cart  20-60      (parallel with price)
//     db  25-55
//   price 20-80      (ends last: on the critical path)
//     tax 30-70  ERROR
//   send  85-95
AssembledTrace Sample() {
  return AssembleTrace({S(1, 0, "web", "GET", 0, 100), S(2, 1, "auth", "Check", 5, 10),
                        S(3, 1, "cart", "Load", 20, 40), S(4, 3, "db", "SELECT", 25, 30),
                        S(5, 1, "price", "Quote", 20, 60, true), S(6, 5, "tax", "Rate", 30, 40, true),
                        S(7, 1, "web", "send", 85, 10)});
}

size_t IndexOf(const AssembledTrace& t, uint8_t id) {
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (t.spans[i].span_id == Sid(id)) return i;
  }
  ADD_FAILURE() << "no span " << int(id);
  return 0;
}

TEST(CriticalPathTest, FollowsTheLatestFinishingChildBackwards) {
  auto t = Sample();
  auto path = CriticalPath(t);
  std::vector<std::tuple<int, uint64_t, uint64_t>> got;
  for (const auto& seg : path) {
    got.emplace_back(t.spans[seg.span].span_id.bytes()[7], (seg.start_ns - kT0) / kMs,
                     (seg.end_ns - kT0) / kMs);
  }
  std::vector<std::tuple<int, uint64_t, uint64_t>> want = {
      {1, 0, 5},  {2, 5, 15},  {1, 15, 20}, {5, 20, 30}, {6, 30, 70},
      {5, 70, 80}, {1, 80, 85}, {7, 85, 95}, {1, 95, 100}};
  EXPECT_EQ(got, want);
  // The segments tile the root span.
  uint64_t covered = 0;
  for (const auto& seg : path) covered += seg.end_ns - seg.start_ns;
  EXPECT_EQ(covered, 100 * kMs);
}

TEST(CriticalPathTest, ChildOutlivingItsParentIsClamped) {
  AssembleOptions off;
  off.adjust_clock_skew = false;
  auto t = AssembleTrace({S(1, 0, "web", "GET", 0, 100), S(2, 1, "q", "async", 50, 200)}, off);
  auto path = CriticalPath(t);
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(path[1].span, 1u);
  EXPECT_EQ(path[1].end_ns, kT0 + 100 * kMs);
}

TEST(SelfTimeTest, SubtractsTheUnionOfChildren) {
  auto t = Sample();
  auto self = SelfTimes(t);
  // root: 100 - (5..15, 20..80, 85..95 => 10+60+10) = 20
  EXPECT_EQ(self[IndexOf(t, 1)], 20 * kMs);
  EXPECT_EQ(self[IndexOf(t, 3)], 10 * kMs);
  EXPECT_EQ(self[IndexOf(t, 6)], 40 * kMs);
}

TEST(RootCauseTest, DeepestErrorWithoutErroringChildrenComesFirst) {
  auto t = Sample();
  auto r = RankRootCauses(t);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(t.spans[r.errors[0].span].span_id, Sid(6));
  EXPECT_EQ(t.spans[r.errors[1].span].span_id, Sid(5));
  EXPECT_GT(r.errors[0].score, r.errors[1].score);
  ASSERT_FALSE(r.slow.empty());
  EXPECT_EQ(t.spans[r.slow[0].span].span_id, Sid(6));  // 40 ms of its own
}

TEST(RootCauseTest, AnOriginatingErrorBeatsADeeperPropagatedOne) {
  // a(err) -> b(err) -> c(err): c is the origin; a sibling leaf d(err) at
  // depth 1 is an origin too and beats b (propagated, deeper).
  auto t = AssembleTrace({S(1, 0, "w", "a", 0, 100, true), S(2, 1, "w", "b", 10, 50, true),
                          S(3, 2, "w", "c", 20, 10, true), S(4, 1, "w", "d", 70, 10, true)});
  auto r = RankRootCauses(t);
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(t.spans[r.errors[0].span].span_id, Sid(3));
  EXPECT_EQ(t.spans[r.errors[1].span].span_id, Sid(4));
  EXPECT_EQ(t.spans[r.errors[2].span].span_id, Sid(2));
  EXPECT_EQ(t.spans[r.errors[3].span].span_id, Sid(1));
}

}  // namespace
}  // namespace callpath::query
