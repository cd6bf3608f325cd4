#include "log/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "log/field_codec.h"
#include "log/log_test_util.h"

namespace callpath::log::detail {
namespace {

using callpath::log::testing::ParseObject;

std::string Json(std::string_view s) {
  Buffer b;
  AppendJsonString(s, b);
  return std::string(b.view());
}

// Parses {"v": <literal>} and returns the decoded string.
std::string RoundTrip(std::string_view s) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  std::string doc = "{\"v\":" + Json(s) + "}";
  EXPECT_TRUE(ParseObject(parser, doc, &obj)) << doc;
  std::string_view v;
  EXPECT_EQ(obj["v"].get_string().get(v), simdjson::SUCCESS);
  return std::string(v);
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(Json(std::string_view("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(RoundTrip(all), all);
}

TEST(JsonString, KeepsValidUtf8) {
  std::string s = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf";
  EXPECT_EQ(Json(s), "\"" + s + "\"");
  EXPECT_EQ(RoundTrip(s), s);
}

TEST(JsonString, ReplacesInvalidUtf8) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(RoundTrip("\xff"), fffd);
  EXPECT_EQ(RoundTrip("a\xc3"), "a" + fffd);                     // truncated
  EXPECT_EQ(RoundTrip("\xc0\xaf"), fffd + fffd);                 // overlong
  EXPECT_EQ(RoundTrip("\xed\xa0\x80"), fffd + fffd + fffd);      // surrogate
  EXPECT_EQ(RoundTrip("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // > U+10FFFF
  EXPECT_EQ(RoundTrip("\xe2\x82"), fffd);  // one ill-formed subsequence, one U+FFFD
}

TEST(Timestamp, Rfc3339WithNanoseconds) {
  Buffer b;
  AppendTimestamp(0, b);
  EXPECT_EQ(b.view(), "1970-01-01T00:00:00.000000000Z");
  b.clear();
  AppendTimestamp(1709210096123456789ull, b);  // a leap day
  EXPECT_EQ(b.view(), "2024-02-29T12:34:56.123456789Z");
  b.clear();
  AppendTimestamp(1709210096000000001ull, b);  // same second, cached prefix
  EXPECT_EQ(b.view(), "2024-02-29T12:34:56.000000001Z");
  b.clear();
  AppendTimestamp(4102444800000000000ull, b);
  EXPECT_EQ(b.view(), "2100-01-01T00:00:00.000000000Z");
}

TEST(Duration, GoStyle) {
  auto d = [](int64_t ns) {
    Buffer b;
    AppendDuration(ns, b);
    return std::string(b.view());
  };
  EXPECT_EQ(d(0), "0ns");
  EXPECT_EQ(d(999), "999ns");
  EXPECT_EQ(d(1500), "1.5us");
  EXPECT_EQ(d(1234000), "1.234ms");
  EXPECT_EQ(d(3000000000), "3s");
  EXPECT_EQ(d(-2000000), "-2ms");
  EXPECT_EQ(d(INT64_MIN), "-9223372036.854775808s");
}

TEST(Caller, KeepsLastTwoComponents) {
  Buffer b;
  AppendCaller("/work/src/shop/order.cc", 42, b);
  EXPECT_EQ(b.view(), "\"shop/order.cc:42\"");
  b.clear();
  AppendCaller("main.cc", 7, b);
  EXPECT_EQ(b.view(), "\"main.cc:7\"");
}

// Encodes fields the way Logger does and formats the record.
std::string Line(std::initializer_list<Field> fields, std::string_view msg = "m") {
  std::string enc;
  for (const Field& f : fields) {
    size_t at = enc.size();
    enc.resize(at + EncodedSize(f));
    char* end = EncodeField(f, enc.data() + at);
    EXPECT_EQ(end, enc.data() + enc.size());
  }
  Record r;
  r.time_unix_nano = 1700000000000000000ull;
  r.level = Level::kWarn;
  r.message = msg;
  r.service_name = "svc";
  r.file = "/x/y/z.cc";
  r.line = 3;
  r.fields = FieldList(enc.data(), enc.size(), static_cast<uint32_t>(fields.size()));
  Buffer b;
  AppendJsonLine(r, b);
  return std::string(b.view());
}

TEST(JsonLine, EveryFieldTypeIsValidJson) {
  std::runtime_error ex("boom \"quoted\"");
  Status st = Unavailable("peer\ngone");
  std::string line = Line({{"s", "a\"b"},
                           {"i", int64_t{-42}},
                           {"u", uint64_t{18446744073709551615ull}},
                           {"d", 2.5},
                           {"nan", std::nan("")},
                           {"inf", -std::numeric_limits<double>::infinity()},
                           {"b", false},
                           {"dur", std::chrono::milliseconds(15)},
                           {"err", ex},
                           {"status", st},
                           {"obj", Object{{"k", 1}, {"inner", Object{{"x", "y"}}}}},
                           {"bad\xff", "\x01\xfe"}});
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, line, &obj)) << line;
  EXPECT_EQ(testing::GetString(obj, "timestamp"), "2023-11-14T22:13:20.000000000Z");
  EXPECT_EQ(testing::GetString(obj, "level"), "warn");
  EXPECT_EQ(testing::GetString(obj, "service_name"), "svc");
  EXPECT_EQ(testing::GetString(obj, "caller"), "y/z.cc:3");
  EXPECT_EQ(testing::GetString(obj, "s"), "a\"b");
  EXPECT_EQ(int64_t(obj["i"]), -42);
  EXPECT_EQ(uint64_t(obj["u"]), 18446744073709551615ull);
  EXPECT_EQ(double(obj["d"]), 2.5);
  EXPECT_EQ(testing::GetString(obj, "nan"), "NaN");
  EXPECT_EQ(testing::GetString(obj, "inf"), "-Inf");
  EXPECT_EQ(bool(obj["b"]), false);
  EXPECT_EQ(testing::GetString(obj, "dur"), "15ms");
  EXPECT_EQ(testing::GetString(obj, "err"), "boom \"quoted\"");
  EXPECT_EQ(testing::GetString(obj, "status"), "UNAVAILABLE: peer\ngone");
  EXPECT_EQ(int64_t(obj["obj"]["k"]), 1);
  EXPECT_EQ(std::string_view(obj["obj"]["inner"]["x"]), "y");
  EXPECT_EQ(testing::GetString(obj, "bad\xef\xbf\xbd"), std::string("\x01\xef\xbf\xbd"));
  // Fields keep call order, after the fixed keys.
  std::vector<std::string> keys;
  for (auto kv : obj) keys.emplace_back(kv.key);
  std::vector<std::string> want = {"timestamp", "level", "msg", "service_name", "trace_id",
                                   "span_id", "caller", "s", "i", "u", "d", "nan", "inf", "b",
                                   "dur", "err", "status", "obj", "bad\xef\xbf\xbd"};
  EXPECT_EQ(keys, want);
}

TEST(JsonLine, EmptyMessageAndNoFields) {
  std::string line = Line({}, "");
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, line, &obj)) << line;
  EXPECT_EQ(testing::GetString(obj, "msg"), "");
  EXPECT_EQ(testing::GetString(obj, "trace_id"), "");
}

TEST(ConsoleLine, QuotesOnlyWhenNeeded) {
  std::string enc;
  Field a("user", "ann"), b("note", "two words");
  enc.resize(EncodedSize(a) + EncodedSize(b));
  EncodeField(b, EncodeField(a, enc.data()));
  Record r;
  r.level = Level::kInfo;
  r.logger = "shop";
  r.message = "hello";
  r.file = "a/b.cc";
  r.line = 1;
  r.fields = FieldList(enc.data(), enc.size(), 2);
  Buffer out;
  AppendConsoleLine(r, false, out);
  std::string line(out.view());
  EXPECT_NE(line.find("INFO  shop: hello user=ann note=\"two words\" caller=a/b.cc:1\n"),
            std::string::npos)
      << line;
}

}  // namespace
}  // namespace callpath::log::detail

namespace callpath::log::detail {
namespace {

TEST(JsonLine, HugeAndTinyDoublesStayParseable) {
  std::string line = Line({{"big", -4.2108723191875731e19}, {"tiny", 9.73e-322}, {"one", 1.0}});
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_TRUE(ParseObject(parser, line, &obj)) << line;
  EXPECT_EQ(double(obj["big"]), -4.2108723191875731e19);
  EXPECT_NE(line.find("\"one\":1}"), std::string::npos) << line;
}

}  // namespace
}  // namespace callpath::log::detail
