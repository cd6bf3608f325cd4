#include "callpath/log/logger.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "callpath/log.h"
#include "log/log_test_util.h"

namespace callpath::log {
namespace {

using testing::GetString;
using testing::ParseObject;
using testing::ReadLines;
using testing::TempDir;

// Sends everything to one JSON file for the duration of a test.
class FileLogging {
 public:
  explicit FileLogging(Level level = Level::kTrace, Options base = {}) {
    FileSinkOptions fo;
    fo.path = dir_.File("log.jsonl");
    auto sink = FileSink::Open(fo);
    EXPECT_TRUE(sink.ok()) << sink.status().ToString();
    base.sinks = {*sink};
    base.level = level;
    base.service_name = "checkout";
    base.crash_handlers = false;
    EXPECT_TRUE(Init(std::move(base)).ok());
  }
  ~FileLogging() { Shutdown(); }
  // The lines of the test's records; drop notices (for records other
  // tests in this process lost) are left out.
  std::vector<std::string> Lines() {
    Flush();
    std::vector<std::string> out;
    for (auto& l : ReadLines(dir_.File("log.jsonl"))) {
      if (l.find("\"logger\":\"callpath.log\"") == std::string::npos) out.push_back(l);
    }
    return out;
  }

 private:
  TempDir dir_;
};

SpanContext SomeSpan() {
  return SpanContext(NewTraceId(), NewSpanId(), TraceFlags{TraceFlags::kSampled}, false);
}

TEST(Logger, WritesOneJsonObjectPerLineWithTheFixedKeys) {
  FileLogging logging;
  Logger log("orders");
  log.info("service call started", {"method", "UserService.Get"}, {"duration_us", 1234});
  int line_of_call = __LINE__ - 1;
  auto lines = logging.Lines();
  ASSERT_EQ(lines.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, lines[0], &obj)) << lines[0];
  EXPECT_EQ(GetString(obj, "level"), "info");
  EXPECT_EQ(GetString(obj, "msg"), "service call started");
  EXPECT_EQ(GetString(obj, "service_name"), "checkout");
  EXPECT_EQ(GetString(obj, "logger"), "orders");
  EXPECT_EQ(GetString(obj, "method"), "UserService.Get");
  EXPECT_EQ(int64_t(obj["duration_us"]), 1234);
  EXPECT_EQ(GetString(obj, "caller"), "log/logger_test.cc:" + std::to_string(line_of_call));
  std::string ts = GetString(obj, "timestamp");
  ASSERT_EQ(ts.size(), 30u) << ts;
  EXPECT_EQ(ts.back(), 'Z');
  // The record's time is the call's time, to well within a minute.
  uint64_t now_s = static_cast<uint64_t>(std::time(nullptr));
  std::tm tm{};
  ASSERT_NE(strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr);
  uint64_t rec_s = static_cast<uint64_t>(timegm(&tm));
  EXPECT_LE(rec_s, now_s + 1);
  EXPECT_GE(rec_s + 60, now_s);
}

TEST(Logger, CarriesTheActiveSpanOrAnExplicitContext) {
  FileLogging logging;
  Logger log;
  SpanContext active = SomeSpan();
  SpanContext other = SomeSpan();
  log.info("no span");
  {
    Scope scope{Context(active)};
    log.info("in span");
    log.WithContext(Context(other)).info("explicit");
  }
  auto lines = logging.Lines();
  ASSERT_EQ(lines.size(), 3u);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, lines[0], &obj));
  EXPECT_EQ(GetString(obj, "trace_id"), "");
  EXPECT_EQ(GetString(obj, "span_id"), "");
  ASSERT_TRUE(ParseObject(parser, lines[1], &obj));
  EXPECT_EQ(GetString(obj, "trace_id"), active.trace_id().ToHex());
  EXPECT_EQ(GetString(obj, "span_id"), active.span_id().ToHex());
  ASSERT_TRUE(ParseObject(parser, lines[2], &obj));
  EXPECT_EQ(GetString(obj, "trace_id"), other.trace_id().ToHex());
  EXPECT_EQ(GetString(obj, "span_id"), other.span_id().ToHex());
}

TEST(Logger, EveryFieldTypeAndHostileBytesGiveValidLines) {
  FileLogging logging;
  Logger log("weird\"name\n");
  std::string hostile = "q\"b\\s\x01\x1f\n\r\t\x7f\xff\xc3(\xed\xa0\x80\xf0\x9f\x98\x80";
  std::logic_error ex(hostile);
  Status st = Internal(hostile);
  log.warn(hostile, {hostile, hostile}, {"i8", int8_t{-8}}, {"u16", uint16_t{65535}},
           {"i64", INT64_MIN}, {"u64", UINT64_MAX}, {"f", 0.1f}, {"ok", true},
           {"dur", std::chrono::nanoseconds(-5)});
  log.error("errors", {"ex", ex}, {"st", st}, {"nested", Object{{hostile, Object{{"k", hostile}}}}},
            {"empty", ""}, {"null", static_cast<const char*>(nullptr)});
  log.debug(std::string(100000, 'x'), {"big", std::string(50000, '\xff')});
  auto lines = logging.Lines();
  ASSERT_EQ(lines.size(), 3u);
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    simdjson::dom::object obj;
    EXPECT_TRUE(ParseObject(parser, line, &obj)) << line.substr(0, 300);
  }
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, lines[0], &obj));
  EXPECT_EQ(int64_t(obj["i64"]), INT64_MIN);
  EXPECT_EQ(uint64_t(obj["u64"]), UINT64_MAX);
  EXPECT_EQ(bool(obj["ok"]), true);
  EXPECT_EQ(GetString(obj, "dur"), "-5ns");
  EXPECT_NEAR(double(obj["f"]), 0.1, 1e-6);
  ASSERT_TRUE(ParseObject(parser, lines[1], &obj));
  EXPECT_EQ(GetString(obj, "st").rfind("INTERNAL: q\"b\\s", 0), 0u);
  EXPECT_EQ(GetString(obj, "empty"), "");
  EXPECT_EQ(GetString(obj, "null"), "");
}

TEST(Logger, WithBindsFieldsBeforeTheCallsFields) {
  FileLogging logging;
  Logger base("svc");
  Logger req = base.With({{"request_id", "r-1"}, {"attempt", 1}});
  Logger sub = req.Named("db").With({{"table", "users"}});
  sub.info("query", {"rows", 3});
  base.info("plain");
  auto lines = logging.Lines();
  ASSERT_EQ(lines.size(), 2u);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, lines[0], &obj));
  std::vector<std::string> keys;
  for (auto kv : obj) keys.emplace_back(kv.key);
  std::vector<std::string> tail(keys.end() - 4, keys.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"request_id", "attempt", "table", "rows"}));
  EXPECT_EQ(GetString(obj, "logger"), "svc.db");
  ASSERT_TRUE(ParseObject(parser, lines[1], &obj));
  EXPECT_EQ(GetString(obj, "request_id"), "<missing>");
}

TEST(Logger, LevelsFilterAtTheCallSite) {
  FileLogging logging(Level::kWarn);
  Logger log;
  log.trace("t");
  log.debug("d");
  log.info("i");
  log.warn("w");
  Logger chatty;
  chatty.set_level(Level::kDebug);
  chatty.debug("own level");
  EXPECT_FALSE(log.enabled(Level::kInfo));
  EXPECT_TRUE(chatty.enabled(Level::kDebug));
  SetLevel(Level::kError);
  log.warn("now filtered");
  log.error("e");
  auto lines = logging.Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"msg\":\"w\""), std::string::npos);
  EXPECT_NE(lines[1].find("\"msg\":\"own level\""), std::string::npos);
  EXPECT_NE(lines[2].find("\"msg\":\"e\""), std::string::npos);
}

TEST(Logger, FatalReturnsOnlyAfterTheLineIsWritten) {
  TempDir dir;
  auto sink = FileSink::Open({.path = dir.File("f.jsonl")});
  ASSERT_TRUE(sink.ok());
  Options o;
  o.sinks = {*sink};
  o.crash_handlers = false;
  // A long idle sleep: without the flush in fatal() the line would still
  // be queued when we read the file.
  o.idle_sleep = std::chrono::seconds(30);
  ASSERT_TRUE(Init(o).ok());
  Logger log;
  log.info("before");
  log.fatal("cannot continue", {"code", 3});
  auto lines = ReadLines(dir.File("f.jsonl"));
  Shutdown();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("\"level\":\"fatal\""), std::string::npos);
}

TEST(Logger, ManyThreadsLoseNothingWhenBlocking) {
  Options o;
  o.overflow = Overflow::kBlock;
  o.queue_bytes_per_thread = 4096;  // small: forces waiting
  FileLogging logging(Level::kInfo, o);
  const uint64_t dropped_before = GetStats().dropped;
  constexpr int kThreads = 4, kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      Logger log("worker");
      for (int i = 0; i < kPerThread; ++i) log.info("tick", {"thread", t}, {"i", i});
    });
  }
  for (auto& th : threads) th.join();
  auto lines = logging.Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kPerThread));
  // Per thread, records keep their order.
  std::vector<int64_t> next(kThreads, 0);
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    simdjson::dom::object obj;
    ASSERT_TRUE(ParseObject(parser, line, &obj));
    int64_t t = obj["thread"], i = obj["i"];
    EXPECT_EQ(i, next[t]++);
  }
  EXPECT_EQ(GetStats().dropped, dropped_before);
}

}  // namespace
}  // namespace callpath::log
