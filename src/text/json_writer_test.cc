#include "text/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "otlp/testing/mini_json.h"

namespace callpath::text {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  JsonWriter(&out).String(s);
  return out;
}

TEST(JsonWriterTest, CommasAndNesting) {
  std::string out;
  JsonWriter j(&out);
  j.BeginObject();
  j.Key("a");
  j.BeginArray();
  j.Int64(1);
  j.Int64(-2);
  j.BeginObject();
  j.EndObject();
  j.EndArray();
  j.Key("b");
  j.Bool(true);
  j.Key("c");
  j.Null();
  j.EndObject();
  EXPECT_EQ(out, R"({"a":[1,-2,{}],"b":true,"c":null})");
}

TEST(JsonWriterTest, AppendsToAnExistingBufferWithoutALeadingComma) {
  std::string out = "x=";
  JsonWriter j(&out);
  j.BeginArray();
  j.EndArray();
  EXPECT_EQ(out, "x=[]");
}

TEST(JsonWriterTest, EscapesQuotesBackslashAndControls) {
  EXPECT_EQ(Quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Quoted(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Quoted("/"), "\"/\"");
}

TEST(JsonWriterTest, KeepsValidUtf8) {
  const std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF";
  EXPECT_EQ(Quoted(s), "\"" + s + "\"");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8WithOneReplacementPerMaximalSubpart) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Quoted("\x80"), "\"" + r + "\"");                       // stray continuation
  EXPECT_EQ(Quoted("a\xC3"), "\"a" + r + "\"");                     // truncated at end
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"" + r + r + "\"");               // overlong: C0 never valid
  EXPECT_EQ(Quoted("\xE0\x80\x80"), "\"" + r + r + r + "\"");       // overlong 3-byte
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"" + r + r + r + "\"");       // UTF-16 surrogate
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // above U+10FFFF
  EXPECT_EQ(Quoted("\xE2\x82x"), "\"" + r + "x\"");                 // E2 82 is one subpart
  EXPECT_EQ(Quoted("\xF0\x9F\x98"), "\"" + r + "\"");
  EXPECT_EQ(Quoted("\xFF\xFE"), "\"" + r + r + "\"");
}

TEST(JsonWriterTest, OutputAlwaysParses) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string out;
  JsonWriter j(&out);
  j.BeginArray();
  j.String(all);
  j.EndArray();
  std::string error;
  auto v = callpath::testing::JsonParser::Parse(out, &error);
  ASSERT_TRUE(v.has_value()) << error;
  EXPECT_EQ((*v)[0].text.substr(0, 128), all.substr(0, 128));
}

TEST(JsonWriterTest, Numbers) {
  std::string out;
  JsonWriter j(&out);
  j.BeginArray();
  j.Uint64AsString(std::numeric_limits<uint64_t>::max());
  j.Int64AsString(std::numeric_limits<int64_t>::min());
  j.Uint64(0);
  j.Double(1.5);
  j.Double(0.1);
  j.Double(std::nan(""));
  j.Double(std::numeric_limits<double>::infinity());
  j.Double(-std::numeric_limits<double>::infinity());
  j.EndArray();
  EXPECT_EQ(out,
            R"(["18446744073709551615","-9223372036854775808",0,1.5,0.1,"NaN","Infinity","-Infinity"])");
}

TEST(JsonWriterTest, Base64AndHex) {
  std::string out;
  JsonWriter j(&out);
  j.BeginArray();
  j.Base64("");
  j.Base64("f");
  j.Base64("fo");
  j.Base64("foo");
  j.Base64("foobar");
  j.Base64(std::string("\xff\xfe\x00", 3));
  j.Hex(std::string("\x00\xab\x10", 3));
  j.EndArray();
  EXPECT_EQ(out, R"(["","Zg==","Zm8=","Zm9v","Zm9vYmFy","//4A","00ab10"])");
}

TEST(JsonWriterTest, FieldsAndAnOwnedBuffer) {
  JsonWriter w;
  w.BeginObject();
  w.FieldInt("a", -1);
  w.Key("b");
  w.BeginArray();
  w.Uint64(18446744073709551615ull);
  w.Bool(false);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Field("c", "x");
  w.FieldUint("d", 7);
  w.FieldBool("e", true);
  w.Key("f");
  w.RawValue("[1]");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[18446744073709551615,false,null,{}],"c":"x","d":7,"e":true,"f":[1]})");
  EXPECT_EQ(w.Take(), R"({"a":-1,"b":[18446744073709551615,false,null,{}],"c":"x","d":7,"e":true,"f":[1]})");
}

}  // namespace
}  // namespace callpath::text
