#include "daemon/cluster/ring.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace callpath::daemon::cluster {
namespace {

std::string RandomId(std::mt19937_64& rng) {
  std::string id(16, '\0');
  for (size_t i = 0; i < 16; i += 8) {
    uint64_t v = rng();
    for (size_t b = 0; b < 8; ++b) id[i + b] = static_cast<char>(v >> (8 * b));
  }
  return id;
}

TEST(RingTest, AssignsTheSameOwnerForTheSameMembersWhateverTheirOrder) {
  Ring a({"a", "b", "c"}, 128);
  Ring b({"c", "a", "b"}, 128);
  const std::vector<std::string> names_a = {"a", "b", "c"}, names_b = {"c", "a", "b"};
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1000; ++i) {
    std::string id = RandomId(rng);
    EXPECT_EQ(names_a[a.Owner(id)], names_b[b.Owner(id)]);
    EXPECT_EQ(a.Owner(id), Ring({"a", "b", "c"}, 128).Owner(id));
  }
}

TEST(RingTest, PinsTheHashSoThatNodesOfEveryBuildAgree) {
  // Nodes running different builds must compute the same owners: these
  // values may never change.
  EXPECT_EQ(Ring::Hash("a#0"), 0x07e6e2a1c6025b0fULL);
  EXPECT_EQ(Ring::Hash(std::string(16, '\x11')), 0xac7f4f9c2105fa6eULL);
  EXPECT_EQ(Ring({"a", "b", "c"}, 128).Owner(std::string(16, '\x11')), 1u);
}

TEST(RingTest, SharesIdsWithinAFewPercentOverHundredThousandIds) {
  const std::vector<std::string> names = {"node-a", "node-b", "node-c"};
  Ring r(names, 512);
  std::vector<int> count(names.size());
  std::mt19937_64 rng(7);
  const int n = 100'000;
  for (int i = 0; i < n; ++i) ++count[r.Owner(RandomId(rng))];
  for (size_t m = 0; m < names.size(); ++m) {
    double share = static_cast<double>(count[m]) / n;
    EXPECT_NEAR(share, 1.0 / 3, 0.02) << names[m];  // measured: 0.331, 0.337, 0.331
  }
}

TEST(RingTest, RemovingAMemberMovesOnlyItsShare) {
  Ring three({"a", "b", "c"}, 128);
  Ring two({"a", "c"}, 128);  // "b" removed: a keeps index 0, c moves 2 -> 1
  std::mt19937_64 rng(3);
  int moved_from_b = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string id = RandomId(rng);
    size_t before = three.Owner(id), after = two.Owner(id);
    if (before == 0) EXPECT_EQ(after, 0u);
    if (before == 2) EXPECT_EQ(after, 1u);
    if (before == 1) ++moved_from_b;
  }
  EXPECT_GT(moved_from_b, 0);
}

TEST(RingTest, SuccessorsListEveryMemberOnceOwnerFirst) {
  Ring r({"a", "b", "c", "d"}, 16);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100; ++i) {
    std::string id = RandomId(rng);
    std::vector<size_t> s = r.Successors(id);
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s.front(), r.Owner(id));
    EXPECT_EQ(std::set<size_t>(s.begin(), s.end()).size(), 4u);
  }
}

TEST(RingTest, FirstUpSkipsDownMembersInSuccessorOrder) {
  Ring r({"a", "b", "c"}, 64);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 100; ++i) {
    std::string id = RandomId(rng);
    std::vector<size_t> s = r.Successors(id);
    EXPECT_EQ(r.FirstUp(id, [](size_t) { return true; }), s[0]);
    EXPECT_EQ(r.FirstUp(id, [&](size_t m) { return m != s[0]; }), s[1]);
    EXPECT_EQ(r.FirstUp(id, [&](size_t m) { return m == s[2]; }), s[2]);
    EXPECT_EQ(r.FirstUp(id, [](size_t) { return false; }), 3u);
  }
}

}  // namespace
}  // namespace callpath::daemon::cluster
