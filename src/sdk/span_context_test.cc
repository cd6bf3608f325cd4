#include "callpath/span_context.h"

#include <gtest/gtest.h>

#include <string>

namespace callpath {
namespace {

TraceState MustParse(std::string_view header) {
  TraceState state;
  EXPECT_TRUE(TraceState::Parse(header, &state)) << header;
  return state;
}

bool Rejects(std::string_view header) {
  TraceState state = TraceState().Set("pre", "existing");
  bool ok = TraceState::Parse(header, &state);
  EXPECT_TRUE(state.empty()) << "a rejected value must leave the output empty";
  return !ok;
}

TEST(TraceStateParse, KeepsMembersInOrder) {
  TraceState s = MustParse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.members()[0], (TraceState::Member{"rojo", "00f067aa0ba902b7"}));
  EXPECT_EQ(s.members()[1], (TraceState::Member{"congo", "t61rcWkgMzE"}));
  EXPECT_EQ(s.Get("congo"), "t61rcWkgMzE");
  EXPECT_EQ(s.Get("absent"), "");
}

TEST(TraceStateParse, EmptyAndWhitespaceOnlyAreValidAndEmpty) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse(" \t ").empty());
  EXPECT_TRUE(MustParse(",, ,").empty());
}

TEST(TraceStateParse, SkipsEmptyMembersAndOwsAroundMembers) {
  TraceState s = MustParse(" \tfoo=1 ,, \t,bar=2\t ,");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.Get("foo"), "1");
  EXPECT_EQ(s.Get("bar"), "2");
  EXPECT_EQ(s.ToHeader(), "foo=1,bar=2");
}

TEST(TraceStateParse, LeadingSpaceBelongsToTheValue) {
  TraceState s = MustParse("foo= bar");
  EXPECT_EQ(s.Get("foo"), " bar");
}

TEST(TraceStateParse, Level2KeysWithAtAnywhereAfterTheFirstCharacter) {
  EXPECT_EQ(MustParse("foo@bar=1").Get("foo@bar"), "1");
  EXPECT_EQ(MustParse("foo@bar@baz=1").Get("foo@bar@baz"), "1");
  EXPECT_EQ(MustParse("1tenant@sys-tem=1").Get("1tenant@sys-tem"), "1");
  EXPECT_EQ(MustParse("a_-*/b=1").Get("a_-*/b"), "1");
  EXPECT_TRUE(Rejects("@foo=1"));
}

TEST(TraceStateParse, KeyLengthLimitIs256) {
  std::string key256(256, 'k');
  std::string key257(257, 'k');
  EXPECT_EQ(MustParse(key256 + "=v").Get(key256), "v");
  EXPECT_TRUE(Rejects(key257 + "=v"));
  EXPECT_TRUE(Rejects("foo=1," + key257 + "=v"));
}

TEST(TraceStateParse, ValueLengthLimitIs256) {
  EXPECT_EQ(MustParse("k=" + std::string(256, 'v')).size(), 1u);
  EXPECT_TRUE(Rejects("k=" + std::string(257, 'v')));
}

TEST(TraceStateParse, IllegalKeysRejectTheWholeHeader) {
  EXPECT_TRUE(Rejects("Foo=1"));           // uppercase
  EXPECT_TRUE(Rejects("foo=1,BAR=2"));     // one bad member spoils all
  EXPECT_TRUE(Rejects("fo o=1"));
  EXPECT_TRUE(Rejects("=1"));
  EXPECT_TRUE(Rejects("foo.bar=1"));
  EXPECT_TRUE(Rejects("foo"));             // no '='
}

TEST(TraceStateParse, IllegalValuesRejectTheWholeHeader) {
  EXPECT_TRUE(Rejects("foo=bar=baz"));
  EXPECT_TRUE(Rejects("foo="));
  EXPECT_TRUE(Rejects("ok=1,foo="));
  EXPECT_TRUE(Rejects("foo=a\tb"));
  EXPECT_TRUE(Rejects("foo=\x7f"));
  EXPECT_TRUE(Rejects("foo=caf\xc3\xa9"));
}

// W3C (since the 2021 revision of the harness and spec text): a receiver may
// pass duplicate keys on or drop the repeats; dropping the whole header is
// not allowed. The left-most entry wins.
TEST(TraceStateParse, DuplicateKeysKeepTheFirstEntry) {
  EXPECT_EQ(MustParse("foo=1,foo=1").ToHeader(), "foo=1");
  EXPECT_EQ(MustParse("foo=1,bar=2,foo=3").ToHeader(), "foo=1,bar=2");
  EXPECT_EQ(MustParse("foo=1 , bar=2,,foo=2 ").Get("foo"), "1");
}

TEST(TraceStateParse, DuplicatesCountTowardsThe32MemberLimit) {
  std::string header;
  for (int i = 0; i < 32; ++i) header += (i ? "," : "") + ("k" + std::to_string(i)) + "=v";
  EXPECT_TRUE(Rejects(header + ",k0=v")) << "33 list members, even if one repeats a key";
}

TEST(TraceStateParse, AnInvalidMemberAfterADuplicateStillRejects) {
  EXPECT_TRUE(Rejects("foo=1,foo=2,BAR=3"));
}

TEST(TraceStateParse, AtMost32Members) {
  std::string header;
  for (int i = 0; i < 32; ++i) header += (i ? "," : "") + ("k" + std::to_string(i)) + "=v";
  EXPECT_EQ(MustParse(header).size(), 32u);
  EXPECT_TRUE(Rejects(header + ",k32=v"));
  EXPECT_EQ(MustParse(header + ",,, ").size(), 32u) << "empty members do not count";
}

TEST(TraceStateToHeader, RoundTrips) {
  const std::string header = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,a@b= x";
  EXPECT_EQ(MustParse(header).ToHeader(), header);
  EXPECT_EQ(TraceState().ToHeader(), "");
}

TEST(TraceStateSet, MovesTheKeyToTheFarLeft) {
  TraceState s = MustParse("a=1,b=2,c=3");
  EXPECT_EQ(s.Set("b", "9").ToHeader(), "b=9,a=1,c=3");
  EXPECT_EQ(s.Set("d", "4").ToHeader(), "d=4,a=1,b=2,c=3");
  EXPECT_EQ(s.ToHeader(), "a=1,b=2,c=3") << "the original is immutable";
}

TEST(TraceStateSet, DropsTheRightMostMemberBeyond32) {
  TraceState s;
  for (int i = 0; i < 32; ++i) s = s.Set("k" + std::to_string(i), "v");
  ASSERT_EQ(s.size(), 32u);
  EXPECT_EQ(s.members().back().first, "k0");
  TraceState t = s.Set("new", "v");
  EXPECT_EQ(t.size(), 32u);
  EXPECT_EQ(t.members().front().first, "new");
  EXPECT_EQ(t.members().back().first, "k1");
  EXPECT_EQ(t.Get("k0"), "");
  EXPECT_EQ(s.Set("k5", "w").size(), 32u) << "an update does not evict";
}

TEST(TraceStateSet, InvalidKeyOrValueLeavesStateUnchanged) {
  TraceState s = MustParse("a=1");
  EXPECT_EQ(s.Set("Bad", "1"), s);
  EXPECT_EQ(s.Set("good", "bad,value"), s);
  EXPECT_EQ(s.Set("good", ""), s);
}

TEST(TraceStateRemove, RemovesOnlyThatKey) {
  TraceState s = MustParse("a=1,b=2,c=3");
  EXPECT_EQ(s.Remove("b").ToHeader(), "a=1,c=3");
  EXPECT_EQ(s.Remove("zz"), s);
  EXPECT_TRUE(MustParse("a=1").Remove("a").empty());
}

TEST(TraceStateKeys, ValidityRules) {
  EXPECT_TRUE(TraceState::IsValidKey("a"));
  EXPECT_TRUE(TraceState::IsValidKey("0a"));
  EXPECT_FALSE(TraceState::IsValidKey(""));
  EXPECT_FALSE(TraceState::IsValidKey("_a"));
  EXPECT_FALSE(TraceState::IsValidValue("ends with space "));
  EXPECT_TRUE(TraceState::IsValidValue(" starts with space"));
}

TEST(SpanContextTest, ValidityNeedsBothIds) {
  auto trace = TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  auto span = SpanId::FromHex("00f067aa0ba902b7");
  ASSERT_TRUE(trace && span);
  EXPECT_TRUE(SpanContext(*trace, *span, {}, false).IsValid());
  EXPECT_FALSE(SpanContext(*trace, SpanId(), {}, false).IsValid());
  EXPECT_FALSE(SpanContext(TraceId(), *span, {}, false).IsValid());
}

}  // namespace
}  // namespace callpath
