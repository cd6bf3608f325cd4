#include "store/log_template.h"

#include <gtest/gtest.h>

namespace callpath::store {
namespace {

std::string TextOf(std::string_view message) { return LogTemplateOf(message).text; }

TEST(LogTemplateTest, MasksNumbersAndIdsInsideBracketedFields) {
  EXPECT_EQ(TextOf("[getRouteByTripId][Get Route By Trip ID][TripId: D1345]"),
            "[getRouteByTripId][Get Route By Trip ID][TripId: <*>]");
  EXPECT_EQ(TextOf("[getRouteByTripId][Get Route By Trip ID][TripId: G1237]"),
            TextOf("[getRouteByTripId][Get Route By Trip ID][TripId: D1345]"));
}

TEST(LogTemplateTest, MasksNumbersAndDurations) {
  EXPECT_EQ(TextOf("Order 12 paid in 15ms"), "Order <*> paid in <*>");
  EXPECT_EQ(LogTemplateOf("charge of 12.50 failed for order 8841").id,
            LogTemplateOf("charge of 3.10 failed for order 17").id);
  EXPECT_EQ(TextOf("charge of 12.50 failed for order 8841"), "charge of <*> failed for order <*>");
}

TEST(LogTemplateTest, JavaSpringLineKeepsLoggerAndMessageWords) {
  EXPECT_EQ(TextOf("2024-05-01 12:00:03.123  INFO 1 --- [nio-8080-exec-1] c.e.shop.OrderService : "
                   "Charge of 12.50 failed for order 8841"),
            "<*> INFO <*> --- [<*>] c.e.shop.OrderService : Charge of <*> failed for order <*>");
}

TEST(LogTemplateTest, JavaExceptionWithStackFrame) {
  EXPECT_EQ(TextOf("java.lang.IllegalStateException: Cart 42 not found\n\tat com.shop.Cart.get(Cart.java:88)"),
            "java.lang.IllegalStateException: Cart <*> not found at com.shop.Cart.get(Cart.java:<*>)");
}

TEST(LogTemplateTest, GoLogLineWithAddressAndPort) {
  EXPECT_EQ(TextOf("2024/05/01 12:00:03 http: TLS handshake error from 10.0.0.7:51234: EOF"),
            "<*> http: TLS handshake error from <*>: EOF");
}

TEST(LogTemplateTest, NodeAccessLineMasksPathAndNumbers) {
  EXPECT_EQ(TextOf("GET /api/orders/42 200 13.456 ms - 512"), "GET <*> ms - <*>");
}

TEST(LogTemplateTest, PythonLoggingLineMasksSkuUuidAndEmail) {
  EXPECT_EQ(TextOf("INFO:shop.cart:Added item sku-123 to cart 7f1c2a9e-4b7d-4c1e-9a53-2b8f0e6d1c44 "
                   "for user alice@example.com"),
            "INFO:shop.cart:Added item <*> to cart <*> for user <*>");
}

TEST(LogTemplateTest, KeyValueValuesAreMaskedWhateverTheyHold) {
  EXPECT_EQ(TextOf("user_id=42 status=ok latency_ms=15 msg=\"payment declined\""),
            "user_id=<*> status=<*> latency_ms=<*> msg=\"<*>\"");
}

TEST(LogTemplateTest, JsonBodyKeepsKeysAndMasksValues) {
  EXPECT_EQ(TextOf(R"({"level":"error","msg":"charge failed","order":8841,"ok":false})"),
            R"({"level":"<*>","msg":"<*>","order":<*>,"ok":false})");
  EXPECT_EQ(TextOf(R"({ "user" : "bob" })"), R"({ "user" : "<*>" })");
}

TEST(LogTemplateTest, QuotedValuesAreMaskedApostrophesAreNot) {
  EXPECT_EQ(TextOf("Can't find user's cart 'main'"), "Can't find user's cart '<*>'");
  EXPECT_EQ(TextOf("unknown product \"blue shoes\""), "unknown product \"<*>\"");
  EXPECT_EQ(TextOf("escaped \"a \\\" b\" end"), "escaped \"<*>\" end");
  EXPECT_EQ(TextOf("said \"hello"), "said \"hello");  // never closed: not a quoted value
}

TEST(LogTemplateTest, PathsUrlsAndAddresses) {
  EXPECT_EQ(TextOf("open /var/lib/app/data.db: permission denied"), "open <*>: permission denied");
  EXPECT_EQ(TextOf("calling https://payments.example.com/v1/charge?id=9 failed"), "calling <*> failed");
  EXPECT_EQ(TextOf("connected to 192.168.1.10"), "connected to <*>");
  EXPECT_EQ(TextOf("listening on fe80::1"), "listening on <*>");
  EXPECT_EQ(TextOf("loading C:\\app\\conf.ini"), "loading C:<*>");
}

TEST(LogTemplateTest, WhitespaceRunsBecomeOneSpace) {
  EXPECT_EQ(TextOf("  cache\t\tmiss \n for key  "), "cache miss for key");
  EXPECT_EQ(TextOf(""), "");
}

TEST(LogTemplateTest, LongMessagesAreCutAtACharacterBoundary) {
  std::string m = "a";
  for (int i = 0; i < 1000; ++i) m += "\xc3\xa9";  // é
  const std::string t = TextOf(m);
  EXPECT_LE(t.size(), 512u);
  EXPECT_GE(t.size(), 500u);
  EXPECT_NE(static_cast<unsigned char>(t.back()), 0xc3);  // no lead byte left alone
  EXPECT_EQ((t.size() - 1) % 2, 0u);                     // whole characters after the 'a'
}

TEST(LogTemplateTest, IdsAreStableNonZeroAndTellTextsApart) {
  const LogTemplate a = LogTemplateOf("cache miss for key 7");
  EXPECT_NE(a.id, 0u);
  EXPECT_EQ(a.id, LogTemplateOf("cache   miss for key 9912").id);
  EXPECT_NE(a.id, LogTemplateOf("cache hit for key 7").id);
  EXPECT_NE(LogTemplateOf("").id, 0u);
}

}  // namespace
}  // namespace callpath::store
