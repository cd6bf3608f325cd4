#include "gateway/message_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace callpath::gateway {
namespace {

template <bool isRequest>
boost::beast::error_code ParseAll(MessageParser<isRequest>& parser, std::string_view bytes) {
  boost::beast::error_code ec;
  while (!bytes.empty() && !ec && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
    if (n == 0) break;
    bytes.remove_prefix(n);
  }
  return ec;
}

TEST(GatewayMessageParser, ParsesAChunkedRequestIntoTheMessage) {
  Message m;
  MessageParser<true> parser(m);
  parser.SetLimits(1024);
  auto ec = ParseAll(parser,
                     "POST /orders HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n0\r\n\r\n");
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(m.method(), "POST");
  EXPECT_EQ(m.target(), "/orders");
  EXPECT_EQ(m.Get("host"), "shop");
  EXPECT_EQ(m.body(), "hello");
}

// A response whose Content-Length is over the limit, with body bytes in
// the same read: the parser reports body_limit rather than trying to
// reserve the announced length (which would throw).
TEST(GatewayMessageParser, AnOverLimitResponseLengthIsAnErrorNotAnAllocation) {
  Message m;
  MessageParser<false> parser(m);
  parser.SetLimits(1 << 20);
  auto ec = ParseAll(parser,
                     "HTTP/1.1 200 OK\r\nContent-Length: 259999999999999996\r\n\r\nno");
  EXPECT_EQ(ec, boost::beast::http::error::body_limit);
  EXPECT_FALSE(parser.is_done());
  EXPECT_LT(m.body().capacity(), size_t{1} << 20);
}

TEST(GatewayMessageParser, ABodyWithinTheLimitIsKept) {
  Message m;
  MessageParser<false> parser(m);
  parser.SetLimits(16);
  auto ec = ParseAll(parser, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 2\r\n\r\nno");
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(m.status(), 502);
  EXPECT_EQ(m.body(), "no");
}

TEST(GatewayMessageParser, UnknownOrStackedTransferCodingsAreRefused) {
  for (const char* te : {"xchunked", "chunked, identity", "identity, chunked", "gzip, chunked"}) {
    Message m;
    MessageParser<true> parser(m);
    parser.SetLimits(1024);
    auto ec = ParseAll(parser, std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ") + te +
                                   "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(ec, boost::beast::http::error::bad_transfer_encoding) << te;
  }
  Message m;
  MessageParser<true> parser(m);
  parser.SetLimits(1024);
  auto ec = ParseAll(parser,
                     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "0\r\n\r\n");
  EXPECT_EQ(ec, boost::beast::http::error::bad_transfer_encoding);
}

TEST(GatewayMessageParser, ABodyThatDoesNotFitTheBudgetStopsBeforeItIsBuffered) {
  ByteBudget budget(100);
  BudgetLease held(&budget);
  ASSERT_TRUE(held.GrowTo(60));
  {
    Message m;
    MessageParser<true> parser(m);
    parser.SetLimits(1024);
    BudgetLease lease(&budget);
    parser.SetBudget(&lease);
    auto ec = ParseAll(parser, "POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n" + std::string(50, 'x'));
    EXPECT_EQ(ec, boost::beast::http::error::body_limit);
    EXPECT_TRUE(parser.over_budget());
    EXPECT_TRUE(m.body().empty());
  }
  {
    Message m;
    MessageParser<true> parser(m);
    parser.SetLimits(1024);
    BudgetLease lease(&budget);
    parser.SetBudget(&lease);
    auto ec = ParseAll(parser, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "1e\r\n" + std::string(30, 'a') + "\r\n" +
                               "1e\r\n" + std::string(30, 'b') + "\r\n0\r\n\r\n");
    EXPECT_EQ(ec, boost::beast::http::error::body_limit);
    EXPECT_TRUE(parser.over_budget());
    EXPECT_EQ(m.body(), std::string(30, 'a'));  // the first chunk fitted
  }
  EXPECT_EQ(budget.used(), 60u);
  Message m;
  MessageParser<true> parser(m);
  parser.SetLimits(1024);
  BudgetLease lease(&budget);
  parser.SetBudget(&lease);
  auto ec = ParseAll(parser, "POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\n" + std::string(40, 'x'));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(parser.over_budget());
  EXPECT_EQ(budget.used(), 100u);
}

}  // namespace
}  // namespace callpath::gateway
