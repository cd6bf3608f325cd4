#include "logparse/line_parser.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

using testing::kSampleTraceId;

std::unique_ptr<LineParser> Make(std::string_view format) {
  auto p = LineParser::Create(format);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

TEST(LineParser, AutoTellsJsonLogfmtAndTextApart) {
  auto parser = Make("auto");
  ParsedLog json = parser->Parse(R"({"msg":"hi","level":"warn"})");
  EXPECT_EQ(json.body, "hi");
  EXPECT_EQ(json.severity_number, 13);
  ParsedLog logfmt = parser->Parse("level=error msg=boom");
  EXPECT_EQ(logfmt.body, "boom");
  EXPECT_EQ(logfmt.severity_number, 17);
  ParsedLog text = parser->Parse("just words");
  EXPECT_EQ(text.body, "just words");
  EXPECT_EQ(text.severity_number, 0);
}

TEST(LineParser, BrokenJsonFallsBackToText) {
  auto parser = Make("json");
  ParsedLog r = parser->Parse(R"({"msg":"cut sho)");
  EXPECT_EQ(r.body, R"({"msg":"cut sho)");
  EXPECT_TRUE(r.attributes.empty());
}

TEST(LineParser, TextReadsLeadingTimeLevelWordAndTraceId) {
  auto parser = Make("text");
  auto lines = testing::SampleLines("python_logging.log");
  ParsedLog r = parser->Parse(lines[0]);
  EXPECT_EQ(r.time_ns, 1705314225ULL * 1'000'000'000ULL + 123000000);
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.trace_id.ToHex(), kSampleTraceId);
  ParsedLog nginx_error = parser->Parse("2024/01/15 10:23:45 [error] 31#31: *1 connect() failed");
  EXPECT_EQ(nginx_error.severity_number, 17);
  ParsedLog prose = parser->Parse("the error was handled");  // lower case prose is no level
  EXPECT_EQ(prose.severity_number, 0);
}

TEST(LineParser, RegexFormatFallsBackToTextWhenNoMatch) {
  auto parser = Make("regex:nginx");
  EXPECT_EQ(parser->format(), LineFormat::kRegex);
  ParsedLog r = parser->Parse("garbage line");
  EXPECT_EQ(r.body, "garbage line");
}

TEST(LineParser, RejectsUnknownFormatsAndBadRegexes) {
  EXPECT_FALSE(LineParser::Create("yaml").ok());
  EXPECT_FALSE(LineParser::Create("regex:(").ok());
  EXPECT_FALSE(LineParser::Create("regex:").ok());
}

TEST(LineParser, InvalidUtf8AndHugeLinesAlwaysGiveARecord) {
  auto parser = Make("auto");
  ParsedLog bad = parser->Parse("\xff\xfe level word ERROR \xc0");
  EXPECT_EQ(bad.body, "\xff\xfe level word ERROR \xc0");  // repaired when encoded, not here
  EXPECT_EQ(bad.severity_number, 17);
  std::string big(1 << 20, 'y');
  EXPECT_EQ(parser->Parse(big).body.size(), big.size());
  EXPECT_EQ(parser->Parse("k=" + big).body.size(), 0u);
}

}  // namespace
}  // namespace callpath::logparse
