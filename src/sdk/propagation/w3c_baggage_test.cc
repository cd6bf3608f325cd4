#include <gtest/gtest.h>

#include "callpath/propagation.h"
#include "sdk/propagation/test_util.h"

namespace callpath {
namespace {

using testing::ExtractFrom;
using testing::Headers;
using testing::InjectInto;

Baggage ExtractBaggage(const Headers& headers) {
  return ExtractFrom(W3CBaggagePropagator(), headers).baggage();
}

Baggage ExtractBaggage(const std::string& value) { return ExtractBaggage({{"baggage", value}}); }

std::string InjectBaggage(const Baggage& baggage) {
  Headers out = InjectInto(W3CBaggagePropagator(), Context().WithBaggage(baggage));
  if (out.empty()) return "<none>";
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, "baggage");
  return out[0].second;
}

TEST(W3CBaggageExtract, SimpleMembers) {
  Baggage b = ExtractBaggage("userId=alice,serverNode=DF28,isProduction=false");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.entries()[0], (Baggage::Entry{"userId", "alice", ""}));
  EXPECT_EQ(*b.Get("serverNode"), "DF28");
  EXPECT_EQ(*b.Get("isProduction"), "false");
}

TEST(W3CBaggageExtract, OwsAroundEverySeparator) {
  Baggage b = ExtractBaggage(" \tk1 = v1 ,k2\t=\tv2 ; p1 ; p2 = x ,  ");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.entries()[0], (Baggage::Entry{"k1", "v1", ""}));
  EXPECT_EQ(b.entries()[1], (Baggage::Entry{"k2", "v2", "p1 ; p2 = x"}));
}

TEST(W3CBaggageExtract, PercentDecodesKeysAndValues) {
  Baggage b = ExtractBaggage("serverNode=DF%2028,userId=Am%C3%A9lie,server%20node=x,pct=100%25");
  EXPECT_EQ(*b.Get("serverNode"), "DF 28");
  EXPECT_EQ(*b.Get("userId"), "Am\xC3\xA9lie");
  EXPECT_EQ(*b.Get("server node"), "x");
  EXPECT_EQ(*b.Get("pct"), "100%");
}

TEST(W3CBaggageExtract, MalformedPercentSequencesStayLiteral) {
  Baggage b = ExtractBaggage("a=50%,b=%zz,c=%4");
  EXPECT_EQ(*b.Get("a"), "50%");
  EXPECT_EQ(*b.Get("b"), "%zz");
  EXPECT_EQ(*b.Get("c"), "%4");
}

TEST(W3CBaggageExtract, InvalidUtf8BecomesReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(*ExtractBaggage("k=a%FFb").Get("k"), "a" + fffd + "b");
  EXPECT_EQ(*ExtractBaggage("k=%C3").Get("k"), fffd);                 // truncated sequence
  EXPECT_EQ(*ExtractBaggage("k=%C0%AF").Get("k"), fffd + fffd);       // overlong
  EXPECT_EQ(*ExtractBaggage("k=%ED%A0%80").Get("k"), fffd + fffd + fffd);  // surrogate
  EXPECT_EQ(*ExtractBaggage("k=%E2%82x").Get("k"), fffd + "x");       // one per maximal subpart
  EXPECT_EQ(*ExtractBaggage("k=%F0%9F%98%80").Get("k"), "\xF0\x9F\x98\x80");
}

TEST(W3CBaggageExtract, ValueMayContainEqualsAndBeEmpty) {
  Baggage b = ExtractBaggage("k=a=b==,e=");
  EXPECT_EQ(*b.Get("k"), "a=b==");
  EXPECT_EQ(*b.Get("e"), "");
}

TEST(W3CBaggageExtract, DropsOnlyMalformedMembers) {
  Baggage b = ExtractBaggage("good=1,novalue,=x,bad key=1,bad=sp ace,q=\"x\",p=1;=bad,ok=2");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(*b.Get("good"), "1");
  EXPECT_EQ(*b.Get("ok"), "2");
}

TEST(W3CBaggageExtract, ARepeatedKeyKeepsItsPlaceAndTakesTheLaterValue) {
  Baggage b = ExtractBaggage("a=1,b=2,a=3");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.entries()[0], (Baggage::Entry{"a", "3", ""}));
}

TEST(W3CBaggageExtract, JoinsSeveralFields) {
  Baggage b = ExtractBaggage({{"baggage", "a=1"}, {"Baggage", "b=2"}});
  EXPECT_EQ(b.size(), 2u);
}

TEST(W3CBaggageExtract, KeepsAtMost64Members) {
  std::string header;
  for (int i = 0; i < 70; ++i) header += (i ? "," : "") + ("k" + std::to_string(i)) + "=v";
  Baggage b = ExtractBaggage(header);
  EXPECT_EQ(b.size(), 64u);
  EXPECT_NE(b.Get("k63"), nullptr);
  EXPECT_EQ(b.Get("k64"), nullptr);
}

TEST(W3CBaggageExtract, KeepsAtMost8192BytesDroppingWholeMembers) {
  const std::string big(4000, 'x');
  // 3 members of ~4 KB: the third does not fit, the small fourth does.
  Baggage b = ExtractBaggage("a=" + big + ",b=" + big + ",c=" + big + ",d=1");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.Get("c"), nullptr);
  EXPECT_NE(b.Get("d"), nullptr);
  // 4095 + ',' + 4096 = exactly 8192 bytes: within the limit; one more is not.
  const std::string v(4093, 'y');
  EXPECT_EQ(ExtractBaggage("a=" + v + ",bb=" + v).size(), 2u);
  EXPECT_EQ(ExtractBaggage("a=" + v + ",bb=" + v + "z").size(), 1u);
}

TEST(W3CBaggageExtract, EmptyOrAllInvalidLeavesBaseBaggage) {
  Context base = Context().WithBaggage(Baggage().Set("keep", "me"));
  EXPECT_EQ(ExtractFrom(W3CBaggagePropagator(), {}, base), base);
  EXPECT_EQ(ExtractFrom(W3CBaggagePropagator(), {{"baggage", " , "}}, base), base);
  EXPECT_EQ(ExtractFrom(W3CBaggagePropagator(), {{"baggage", "bad"}}, base), base);
  Context replaced = ExtractFrom(W3CBaggagePropagator(), {{"baggage", "new=1"}}, base);
  EXPECT_EQ(replaced.baggage(), Baggage().Set("new", "1"));
}

TEST(W3CBaggageInject, PercentEncodesWhatTheGrammarForbids) {
  Baggage b = Baggage()
                  .Set("userId", "Am\xC3\xA9lie")
                  .Set("server node", "DF 28")
                  .Set("pct", "100%")
                  .Set("list", "a,b;c\"d\\e");
  EXPECT_EQ(InjectBaggage(b),
            "userId=Am%C3%A9lie,server%20node=DF%2028,pct=100%25,list=a%2Cb%3Bc%22d%5Ce");
}

TEST(W3CBaggageInject, SendsValidPropertiesAndDropsInvalidOnes) {
  EXPECT_EQ(InjectBaggage(Baggage().Set("k", "v", "ttl=30;secure")), "k=v;ttl=30;secure");
  EXPECT_EQ(InjectBaggage(Baggage().Set("k", "v", "bad,prop")), "k=v");
}

TEST(W3CBaggageInject, NothingForEmptyBaggage) {
  EXPECT_EQ(InjectBaggage(Baggage()), "<none>");
}

TEST(W3CBaggageInject, AppliesTheLimitsByWholeMembers) {
  Baggage b;
  for (int i = 0; i < 70; ++i) b = b.Set("k" + std::to_string(i), "v");
  std::string header = InjectBaggage(b);
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), 63);

  const std::string big(5000, 'x');
  std::string two = InjectBaggage(Baggage().Set("a", big).Set("b", big).Set("c", "1"));
  EXPECT_EQ(two, "a=" + big + ",c=1");
}

TEST(W3CBaggage, RoundTripThroughTheWire) {
  Baggage b = Baggage()
                  .Set("user id", "Am\xC3\xA9lie / 100%")
                  .Set("empty", "")
                  .Set("k", "v=1", "p1;p2=x");
  Context out = ExtractFrom(W3CBaggagePropagator(),
                            InjectInto(W3CBaggagePropagator(), Context().WithBaggage(b)));
  EXPECT_EQ(out.baggage(), b);
}

}  // namespace
}  // namespace callpath
