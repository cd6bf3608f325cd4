#include "logparse/regex_line.h"

#include <gtest/gtest.h>

#include "logparse/multiline.h"
#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

using testing::Attr;
using testing::kSampleTraceId;

std::unique_ptr<RegexLineParser> Make(std::string_view pattern) {
  auto p = RegexLineParser::Create(pattern);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

TEST(RegexLineParser, NginxCombinedAccessLog) {
  auto parser = Make("nginx");
  auto lines = testing::SampleLines("nginx_combined.log");
  ParsedLog ok, down, missing;
  ASSERT_TRUE(parser->Parse(lines[0], &ok));
  EXPECT_EQ(ok.time_ns, 1705310625ULL * 1'000'000'000ULL);
  EXPECT_EQ(Attr(ok, "client_address"), "192.0.2.10");
  EXPECT_EQ(Attr(ok, "path"), "/api/orders/1001");
  EXPECT_EQ(Attr(ok, "status"), "200");
  EXPECT_EQ(Attr(ok, "user_agent"), "Mozilla/5.0 (X11; Linux x86_64)");
  EXPECT_EQ(ok.body, lines[0]);
  EXPECT_EQ(ok.severity_number, 9);
  ASSERT_TRUE(parser->Parse(lines[1], &down));
  EXPECT_EQ(down.severity_number, 17);
  EXPECT_EQ(Attr(down, "user"), "alice");
  ASSERT_TRUE(parser->Parse(lines[2], &missing));  // common format: no referer or agent
  EXPECT_EQ(missing.severity_number, 13);
  EXPECT_EQ(missing.Find("referer"), nullptr);
}

TEST(RegexLineParser, LogbackDefaultPatternWithJoinedStackTrace) {
  auto parser = Make("logback");
  MultilineJoiner joiner;
  std::vector<std::string> records;
  uint64_t offset = 0;
  for (const std::string& line : testing::SampleLines("logback_default.log")) {
    if (auto r = joiner.Add(line, offset, offset + line.size() + 1)) records.push_back(r->text);
    offset += line.size() + 1;
  }
  records.push_back(joiner.Flush()->text);
  ASSERT_EQ(records.size(), 3u);
  ParsedLog first, failed, last;
  ASSERT_TRUE(parser->Parse(records[0], &first));
  EXPECT_EQ(first.trace_id.ToHex(), kSampleTraceId);  // traceId=… in the message
  EXPECT_EQ(Attr(first, "thread"), "http-nio-8080-exec-1");
  ASSERT_TRUE(parser->Parse(records[1], &failed));
  EXPECT_EQ(failed.severity_number, 17);
  EXPECT_EQ(Attr(failed, "logger"), "com.shop.Checkout");
  EXPECT_NE(failed.body.find("Caused by: java.net.SocketTimeoutException"), std::string::npos);
  EXPECT_NE(failed.body.find("... 12 more"), std::string::npos);
  ASSERT_TRUE(parser->Parse(records[2], &last));
  EXPECT_EQ(last.severity_number, 13);
}

TEST(RegexLineParser, AcceptsBothNamedGroupSyntaxes) {
  auto parser = Make(R"(^(?<level>\w+): (?P<msg>.*)$)");
  ParsedLog r;
  ASSERT_TRUE(parser->Parse("ERROR: disk full", &r));
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.body, "disk full");
}

TEST(RegexLineParser, RejectsBadPatterns) {
  EXPECT_FALSE(RegexLineParser::Create("(unclosed").ok());
  EXPECT_FALSE(RegexLineParser::Create("no groups").ok());
  EXPECT_FALSE(RegexLineParser::Create("(?<=x)(?P<a>y)").ok());  // RE2 has no look-behind
}

TEST(RegexLineParser, NoMatchLeavesTheRecordUntouched) {
  auto parser = Make("nginx");
  ParsedLog r;
  EXPECT_FALSE(parser->Parse("not an access log", &r));
  EXPECT_TRUE(r.body.empty());
}

TEST(RegexLineParser, LinearOnAOneMegabyteLine) {
  auto parser = Make(R"((?P<a>a+)+b)");
  ParsedLog r;
  EXPECT_FALSE(parser->Parse(std::string(1 << 20, 'a'), &r));
}

}  // namespace
}  // namespace callpath::logparse
