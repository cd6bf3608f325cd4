#include "logparse/json_line.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

using testing::Attr;
using testing::kSampleSpanId;
using testing::kSampleTraceId;
using testing::SampleLines;
using testing::SpanHex;
using testing::TraceHex;

constexpr uint64_t kBase = 1705310625ULL * 1'000'000'000ULL;  // 2024-01-15T09:23:45Z

std::vector<ParsedLog> ParseSample(const std::string& name) {
  JsonLineParser parser;
  std::vector<ParsedLog> out;
  for (const std::string& line : SampleLines(name)) {
    ParsedLog r;
    EXPECT_TRUE(parser.Parse(line, &r)) << line;
    out.push_back(std::move(r));
  }
  return out;
}

TEST(JsonLineParser, Zap) {
  auto r = ParseSample("zap.jsonl");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, "order placed");
  EXPECT_EQ(r[0].severity_number, 9);
  EXPECT_EQ(r[0].severity_text, "info");
  EXPECT_NEAR(static_cast<double>(r[0].time_ns), static_cast<double>(kBase + 123456700), 1e3);
  EXPECT_EQ(TraceHex(r[0]), kSampleTraceId);
  EXPECT_EQ(SpanHex(r[0]), kSampleSpanId);
  EXPECT_EQ(Attr(r[0], "caller"), "order/handler.go:42");
  EXPECT_EQ(std::get<int64_t>(r[0].Find("order_id")->value), 1001);
  EXPECT_EQ(std::get<int64_t>(r[0].Find("user.id")->value), 7);  // nested objects flattened
  EXPECT_EQ(r[0].Find("trace_id"), nullptr);
  EXPECT_EQ(r[1].severity_number, 17);
  EXPECT_EQ(Attr(r[1], "stacktrace"), "main.pay\n\t/src/payment/client.go:88");
  EXPECT_EQ(r[2].severity_number, 18);
  EXPECT_FALSE(r[2].trace_id.IsValid());
}

TEST(JsonLineParser, Logrus) {
  auto r = ParseSample("logrus.jsonl");
  EXPECT_EQ(r[0].time_ns, kBase);
  EXPECT_EQ(TraceHex(r[0]), kSampleTraceId);
  EXPECT_EQ(r[1].severity_number, 13);
  EXPECT_EQ(r[1].body, "stock low");
}

TEST(JsonLineParser, Slog) {
  auto r = ParseSample("slog.jsonl");
  EXPECT_EQ(r[0].time_ns, kBase + 123456789);
  EXPECT_EQ(r[0].severity_number, 9);
  EXPECT_EQ(TraceHex(r[0]), kSampleTraceId);
  EXPECT_EQ(SpanHex(r[0]), kSampleSpanId);
  EXPECT_EQ(r[1].severity_text, "WARN+2");
  EXPECT_EQ(r[1].severity_number, 15);
  EXPECT_DOUBLE_EQ(std::get<double>(r[1].Find("duration")->value), 1.25);
}

TEST(JsonLineParser, LogbackLogstashEncoder) {
  auto r = ParseSample("logback_logstash.jsonl");
  EXPECT_EQ(r[0].time_ns, kBase + 123000000);
  EXPECT_EQ(r[0].body, "payment accepted");
  EXPECT_EQ(r[0].severity_number, 9);
  EXPECT_EQ(TraceHex(r[0]), kSampleTraceId);
  EXPECT_EQ(Attr(r[0], "logger_name"), "com.shop.Checkout");
}

TEST(JsonLineParser, LogbackJsonEncoderWithMdc) {
  auto r = ParseSample("logback_jsonencoder.jsonl");
  EXPECT_EQ(r[0].time_ns, kBase + 123000000);
  EXPECT_EQ(r[0].severity_number, 13);
  EXPECT_EQ(r[0].body, "retrying payment");
  EXPECT_EQ(TraceHex(r[0]), kSampleTraceId);  // from mdc.trace_id
  EXPECT_EQ(SpanHex(r[0]), kSampleSpanId);
  EXPECT_EQ(r[0].Find("throwable"), nullptr);  // null dropped
  EXPECT_EQ(Attr(r[0], "kvpList"), "[]");
}

TEST(JsonLineParser, BunyanAndPinoNumericLevels) {
  auto b = ParseSample("bunyan.jsonl");
  EXPECT_EQ(b[0].severity_number, 9);
  EXPECT_EQ(b[0].severity_text, "INFO");  // numbers are named
  EXPECT_EQ(b[0].time_ns, kBase + 123000000);
  EXPECT_EQ(TraceHex(b[0]), kSampleTraceId);
  EXPECT_EQ(b[1].severity_number, 17);
  EXPECT_EQ(Attr(b[1], "err.name"), "Error");
  auto p = ParseSample("pino.jsonl");
  EXPECT_EQ(p[0].time_ns, kBase + 123000000);
  EXPECT_EQ(p[0].severity_number, 9);
  EXPECT_EQ(SpanHex(p[0]), kSampleSpanId);
  EXPECT_EQ(p[1].severity_number, 21);
}

TEST(JsonLineParser, CallpathLogger) {
  auto r = ParseSample("callpath.jsonl");
  EXPECT_EQ(r[0].service, "shop");
  EXPECT_EQ(r[0].severity_number, 13);
  EXPECT_EQ(r[0].time_ns, kBase + 123456789);
  EXPECT_EQ(TraceHex(r[0]), kSampleTraceId);
  EXPECT_FALSE(r[1].trace_id.IsValid());
  EXPECT_EQ(r[1].Find("trace_id"), nullptr);
}

TEST(JsonLineParser, DatadogDecimalIdsFlatAndNested) {
  auto r = ParseSample("datadog.jsonl");
  EXPECT_EQ(TraceHex(r[0]), "0000000000000000754093edfc33b93e");
  EXPECT_EQ(SpanHex(r[0]), "3a8069d5cd6fc5fd");
  EXPECT_EQ(TraceHex(r[1]), "0000000000000000754093edfc33b93e");
}

TEST(JsonLineParser, EcsDottedAndNested) {
  auto r = ParseSample("ecs.jsonl");
  for (const ParsedLog& e : r) {
    EXPECT_EQ(e.service, "shop");
    EXPECT_EQ(TraceHex(e), kSampleTraceId);
    EXPECT_EQ(e.time_ns, kBase + 123000000);
  }
  EXPECT_EQ(r[0].severity_number, 9);
  EXPECT_EQ(SpanHex(r[0]), kSampleSpanId);
  EXPECT_EQ(r[1].severity_number, 17);
}

TEST(JsonLineParser, RejectsWhatIsNotOneObject) {
  JsonLineParser parser;
  for (std::string bad : std::vector<std::string>{"", "   ", "plain text", "[1,2]", "\"str\"", "{\"a\":", "{\"a\":1} {\"b\":2}",
                          "{\"a\":1}x", std::string("{\"a\"\0:1}", 8)}) {
    ParsedLog r;
    EXPECT_FALSE(parser.Parse(bad, &r)) << bad;
    EXPECT_TRUE(r.attributes.empty());
  }
}

TEST(JsonLineParser, RepairsInvalidUtf8InsteadOfLosingTheFields) {
  JsonLineParser parser;
  ParsedLog r;
  ASSERT_TRUE(parser.Parse("{\"msg\":\"caf\xE9\",\"level\":\"info\"}", &r));
  EXPECT_EQ(r.body, "caf\xEF\xBF\xBD");
  EXPECT_EQ(r.severity_number, 9);
}

TEST(JsonLineParser, ParsesAOneMegabyteLine) {
  JsonLineParser parser;
  std::string big(1 << 20, 'x');
  ParsedLog r;
  ASSERT_TRUE(parser.Parse("{\"msg\":\"" + big + "\",\"trace_id\":\"" + kSampleTraceId + "\"}", &r));
  EXPECT_EQ(r.body.size(), big.size());
  EXPECT_EQ(TraceHex(r), kSampleTraceId);
}

TEST(JsonLineParser, HugeIntegersStayExactAsText) {
  JsonLineParser parser;
  ParsedLog r;
  ASSERT_TRUE(parser.Parse("{\"n\":18446744073709551615}", &r));
  EXPECT_EQ(Attr(r, "n"), "18446744073709551615");
}

}  // namespace
}  // namespace callpath::logparse
