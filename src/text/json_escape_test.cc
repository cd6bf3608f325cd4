#include "text/json_escape.h"

#include <gtest/gtest.h>

#include <string>

#include "otlp/testing/mini_json.h"
#include "text/utf8.h"

namespace callpath::text {
namespace {

const std::string r(kReplacementUtf8);

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonQuoted(s, &out);
  return out;
}

// The same through the raw-buffer form, which the logger uses.
std::string Written(std::string_view s) {
  std::string buf(MaxJsonQuotedSize(s.size()), '\0');
  char* end = WriteJsonQuoted(s, buf.data());
  buf.resize(static_cast<size_t>(end - buf.data()));
  return buf;
}

std::string Decoded(std::string_view json) {
  std::string error;
  auto v = callpath::testing::JsonParser::Parse(json, &error);
  EXPECT_TRUE(v.has_value()) << error << " in " << json;
  return v ? v->text : std::string();
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Quoted(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
}

TEST(JsonEscapeTest, LeavesSlashDelAndLineSeparatorsAlone) {
  EXPECT_EQ(Quoted("a/b\x7f"), "\"a/b\x7f\"");
  EXPECT_EQ(Quoted("\xE2\x80\xA8\xE2\x80\xA9"), "\"\xE2\x80\xA8\xE2\x80\xA9\"");
}

TEST(JsonEscapeTest, KeepsValidUtf8) {
  const std::string s = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80 \xED\x9F\xBF \xEF\xBF\xBF";
  EXPECT_EQ(Quoted(s), "\"" + s + "\"");
}

TEST(JsonEscapeTest, ReplacesEachMaximalIllFormedSubpartWithOneReplacement) {
  EXPECT_EQ(Quoted("\xFF"), "\"" + r + "\"");
  EXPECT_EQ(Quoted("a\xC3"), "\"a" + r + "\"");                     // truncated at the end
  EXPECT_EQ(Quoted("ab\xE2\x82"), "\"ab" + r + "\"");               // E2 82 is one subpart
  EXPECT_EQ(Quoted("\xE2\x82x"), "\"" + r + "x\"");
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"" + r + r + "\"");               // overlong '/'
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"" + r + r + r + "\"");       // surrogate
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // above U+10FFFF
}

// Lengths around the eight-byte steps, with the byte that needs attention
// at every position, through both output forms.
TEST(JsonEscapeTest, EveryPositionOfTheFastPath) {
  for (const std::string special : {"\"", "\\", "\n", "\x1f", "\xC3\xA9", "\xFF"}) {
    for (size_t len = 0; len <= 20; ++len) {
      for (size_t at = 0; at <= len; ++at) {
        std::string s(len, 'x');
        s.insert(at, special);
        const std::string quoted = Quoted(s);
        EXPECT_EQ(Written(s), quoted);
        std::string want;
        AppendSanitizedUtf8(s, &want);
        EXPECT_EQ(Decoded(quoted), want) << quoted;
      }
    }
  }
}

// Long text is escaped in slices: a character to escape or a multi-byte
// sequence may sit on either side of a slice's end.
TEST(JsonEscapeTest, LongTextAcrossSlices) {
  for (const std::string special : {"\n", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xE2\x82"}) {
    for (size_t at = 240; at <= 272; ++at) {
      std::string s(600, 'x');
      s.insert(at, special);
      s.insert(at + 300, special);
      s.insert(5, "\t");  // slices then start at 5
      const std::string quoted = Quoted(s);
      EXPECT_EQ(Written(s), quoted);
      std::string want;
      AppendSanitizedUtf8(s, &want);
      EXPECT_EQ(Decoded(quoted), want) << at;
    }
  }
}

TEST(JsonEscapeTest, AnyBytesGiveValidJsonAndValidUtf8) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; j += 7) {
      all.push_back(static_cast<char>(i));
      all.push_back(static_cast<char>(j));
    }
  }
  const std::string quoted = Quoted(all);
  EXPECT_EQ(Written(all), quoted);
  EXPECT_TRUE(IsValidUtf8(quoted));
  std::string want;
  AppendSanitizedUtf8(all, &want);
  EXPECT_EQ(Decoded(quoted), want);
}

TEST(JsonEscapeTest, AppendsAfterWhatIsThere) {
  std::string out = "x=";
  AppendJsonQuoted("a\nb", &out);
  EXPECT_EQ(out, "x=\"a\\nb\"");
}

}  // namespace
}  // namespace callpath::text
