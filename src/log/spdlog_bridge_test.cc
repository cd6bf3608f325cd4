#include "callpath/log/spdlog_bridge.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "callpath/log.h"
#include "log/log_test_util.h"

namespace callpath::log {
namespace {

SpanContext SomeSpan() {
  return SpanContext(NewTraceId(), NewSpanId(), TraceFlags{TraceFlags::kSampled}, false);
}

TEST(SpdlogBridge, PatternFlagsPrintTheCurrentIds) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("legacy", sink);
  logger.set_formatter(SpdlogTraceFormatter("%v|%&|%*"));
  SpanContext span = SomeSpan();
  logger.info("outside");
  {
    Scope scope{Context(span)};
    logger.info("inside");
  }
  EXPECT_EQ(out.str(), "outside||\ninside|" + span.trace_id().ToHex() + "|" +
                           span.span_id().ToHex() + "\n");
}

TEST(SpdlogBridge, DefaultPatternCarriesTheIds) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("legacy", sink);
  logger.set_formatter(SpdlogTraceFormatter());
  SpanContext span = SomeSpan();
  Scope scope{Context(span)};
  logger.warn("hello");
  EXPECT_NE(out.str().find("trace_id=" + span.trace_id().ToHex() + " span_id=" +
                           span.span_id().ToHex()),
            std::string::npos)
      << out.str();
}

TEST(SpdlogBridge, ForwardSinkFeedsCallpathSinks) {
  testing::TempDir dir;
  Options o;
  o.sinks = {*FileSink::Open({.path = dir.File("fwd.jsonl")})};
  o.crash_handlers = false;
  o.service_name = "legacy-svc";
  ASSERT_TRUE(Init(o).ok());
  spdlog::logger logger("payments", std::make_shared<SpdlogForwardSink>());
  logger.set_level(spdlog::level::trace);
  SpanContext span = SomeSpan();
  {
    Scope scope{Context(span)};
    SPDLOG_LOGGER_CALL((&logger), spdlog::level::err, "charge failed for {}", "order-7");
  }
  logger.debug("no span");
  Flush();
  std::vector<std::string> lines;
  for (auto& l : testing::ReadLines(dir.File("fwd.jsonl"))) {
    // Drops counted by earlier tests in this process are reported too.
    if (l.find("\"logger\":\"callpath.log\"") == std::string::npos) lines.push_back(l);
  }
  Shutdown();
  ASSERT_EQ(lines.size(), 2u);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(testing::ParseObject(parser, lines[0], &obj)) << lines[0];
  EXPECT_EQ(testing::GetString(obj, "level"), "error");
  EXPECT_EQ(testing::GetString(obj, "msg"), "charge failed for order-7");
  EXPECT_EQ(testing::GetString(obj, "logger"), "payments");
  EXPECT_EQ(testing::GetString(obj, "service_name"), "legacy-svc");
  EXPECT_EQ(testing::GetString(obj, "trace_id"), span.trace_id().ToHex());
  EXPECT_EQ(testing::GetString(obj, "span_id"), span.span_id().ToHex());
  EXPECT_EQ(testing::GetString(obj, "caller").rfind("log/spdlog_bridge_test.cc:", 0), 0u);
  ASSERT_TRUE(testing::ParseObject(parser, lines[1], &obj));
  EXPECT_EQ(testing::GetString(obj, "level"), "debug");
  EXPECT_EQ(testing::GetString(obj, "trace_id"), "");
}

}  // namespace
}  // namespace callpath::log
