#include "callpath/baggage.h"

#include <gtest/gtest.h>

namespace callpath {
namespace {

TEST(BaggageTest, EmptyByDefault) {
  Baggage b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.Get("k"), nullptr);
  EXPECT_TRUE(b.entries().empty());
}

TEST(BaggageTest, SetAddsInOrderAndIsImmutable) {
  Baggage a = Baggage().Set("user", "alice");
  Baggage b = a.Set("tenant", "acme", "ttl=30");
  EXPECT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.entries()[0], (Baggage::Entry{"user", "alice", ""}));
  EXPECT_EQ(b.entries()[1], (Baggage::Entry{"tenant", "acme", "ttl=30"}));
  ASSERT_NE(b.Get("tenant"), nullptr);
  EXPECT_EQ(*b.Get("tenant"), "acme");
}

TEST(BaggageTest, SetReplacesInPlace) {
  Baggage b = Baggage().Set("a", "1").Set("b", "2").Set("a", "3", "p");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.entries()[0], (Baggage::Entry{"a", "3", "p"}));
  EXPECT_EQ(b.entries()[1].key, "b");
}

TEST(BaggageTest, EmptyKeyIsIgnored) {
  Baggage b = Baggage().Set("a", "1");
  EXPECT_EQ(b.Set("", "x"), b);
}

TEST(BaggageTest, Remove) {
  Baggage b = Baggage().Set("a", "1").Set("b", "2");
  EXPECT_EQ(b.Remove("a"), Baggage().Set("b", "2"));
  EXPECT_EQ(b.Remove("zz"), b);
  EXPECT_TRUE(b.Remove("a").Remove("b").empty());
}

TEST(BaggageTest, EqualityComparesEntries) {
  EXPECT_EQ(Baggage().Set("a", "1"), Baggage().Set("a", "1"));
  EXPECT_NE(Baggage().Set("a", "1"), Baggage().Set("a", "2"));
  EXPECT_EQ(Baggage(), Baggage().Set("a", "1").Remove("a"));
}

}  // namespace
}  // namespace callpath
