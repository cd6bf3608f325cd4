#include "query/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace callpath::query {
namespace {

std::string Quote(std::string_view s) {
  JsonWriter w;
  w.String(s);
  return w.Take();
}

TEST(JsonWriterTest, PlacesCommasAndColons) {
  JsonWriter w;
  w.BeginObject();
  w.FieldInt("a", -1);
  w.Key("b");
  w.BeginArray();
  w.Uint(18446744073709551615ull);
  w.Bool(false);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Key("c");
  w.Double(0.1);
  w.Key("d");
  w.Raw("[1]");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[18446744073709551615,false,null,{}],"c":0.1,"d":[1]})");
}

TEST(JsonWriterTest, EscapesControlCharactersQuotesAndBackslashes) {
  EXPECT_EQ(Quote("a\"b\\c\n\t\x01\x1f"), R"("a\"b\\c\n\t\u0001\u001f")");
  EXPECT_EQ(Quote(std::string("nul\0x", 5)), R"("nul\u0000x")");
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Quote("héllo €𝄞"), "\"héllo €𝄞\"");
  EXPECT_EQ(Quote("\xff"), "\"\xef\xbf\xbd\"");
  EXPECT_EQ(Quote("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong '/'
  EXPECT_EQ(Quote("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
  EXPECT_EQ(Quote("ab\xe2\x82"), "\"ab\xef\xbf\xbd\"");  // truncated: one subsequence
}

TEST(JsonWriterTest, NonFiniteDoublesBecomeStrings) {
  JsonWriter w;
  w.BeginArray();
  w.Double(std::nan(""));
  w.Double(-INFINITY);
  w.EndArray();
  EXPECT_EQ(w.str(), R"(["NaN","-Infinity"])");
}

}  // namespace
}  // namespace callpath::query
