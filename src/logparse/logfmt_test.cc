#include "logparse/logfmt.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

using testing::Attr;
using testing::kSampleSpanId;
using testing::kSampleTraceId;

TEST(ParseLogfmt, LogrusTextFormatter) {
  auto lines = testing::SampleLines("logrus.logfmt");
  ParsedLog a, b;
  ASSERT_TRUE(ParseLogfmt(lines[0], &a));
  EXPECT_EQ(a.body, "order placed");
  EXPECT_EQ(a.severity_number, 9);
  EXPECT_EQ(a.time_ns, 1705310625ULL * 1'000'000'000ULL);
  EXPECT_EQ(a.trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(a.span_id.ToHex(), kSampleSpanId);
  EXPECT_EQ(Attr(a, "order_id"), "1001");
  ASSERT_TRUE(ParseLogfmt(lines[1], &b));
  EXPECT_EQ(b.body, "stock \"low\"");
  EXPECT_EQ(std::get<bool>(b.Find("retry")->value), true);  // a bare key is true
}

TEST(ParseLogfmt, KeepsGoingPastStrayCharactersAndUnterminatedQuotes) {
  ParsedLog r;
  ASSERT_TRUE(ParseLogfmt("a=1 =x \"q b=2 msg=\"never closed", &r));
  EXPECT_EQ(Attr(r, "a"), "1");
  EXPECT_EQ(Attr(r, "b"), "2");
  EXPECT_EQ(r.body, "never closed");
}

TEST(ParseLogfmt, RejectsLinesThatDoNotStartWithAPair) {
  for (const char* bad : {"", "hello world", "=x", "\"a\"=1", "key"}) {
    ParsedLog r;
    EXPECT_FALSE(ParseLogfmt(bad, &r)) << bad;
  }
}

}  // namespace
}  // namespace callpath::logparse
