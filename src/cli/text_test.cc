#include "cli/text.h"

#include <gtest/gtest.h>

#include "cli/json_pretty.h"

namespace callpath::cli {
namespace {

TEST(SanitizeTest, EscapesControlCharactersAndTerminalSequences) {
  EXPECT_EQ(Sanitize("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(Sanitize("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(Sanitize(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(Sanitize("\x7f"), "\\x7f");
  EXPECT_EQ(Sanitize("\xc2\x9b" "2J"), "\\u009b2J");      // C1 CSI
  EXPECT_EQ(Sanitize("\xe2\x80\xae" "abc"), "\\u202eabc");  // right-to-left override
}

TEST(SanitizeTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Sanitize("héllo 日本 🔥"), "héllo 日本 🔥");
  EXPECT_EQ(Sanitize("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(Sanitize("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  EXPECT_EQ(Sanitize("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(Sanitize("\xe6\x97"), "\xef\xbf\xbd");  // cut sequence: one subsequence, one U+FFFD
}

TEST(DisplayWidthTest, CountsTerminalColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("日本"), 4u);
  EXPECT_EQ(DisplayWidth("🔥"), 2u);
  EXPECT_EQ(DisplayWidth("e\xcc\x81"), 1u);  // e + combining acute
  EXPECT_EQ(DisplayWidth("│█…"), 3u);
}

TEST(TruncateTest, CutsByColumnsWithAnEllipsis) {
  EXPECT_EQ(Truncate("abcdef", 6), "abcdef");
  EXPECT_EQ(Truncate("abcdef", 4), "abc…");
  EXPECT_EQ(Truncate("abcdef", 1), "…");
  EXPECT_EQ(Truncate("abcdef", 0), "");
  // A wide character that does not fit is left out whole.
  EXPECT_EQ(Truncate("日本語", 4), "日…");
  EXPECT_EQ(DisplayWidth(Truncate("日本語", 4)), 3u);
  EXPECT_EQ(TruncateLeft("abcdef", 4), "…def");
  EXPECT_EQ(TruncateLeft("abc", 4), "abc");
}

TEST(PadTest, PadsByColumns) {
  EXPECT_EQ(PadRight("日", 4), "日  ");
  EXPECT_EQ(PadLeft("ab", 4), "  ab");
  EXPECT_EQ(PadRight("abcdef", 3), "abcdef");
}

TEST(FormatDurationTest, ThreeSignificantDigitsAndSensibleUnits) {
  EXPECT_EQ(FormatDuration(0), "0ns");
  EXPECT_EQ(FormatDuration(850), "850ns");
  EXPECT_EQ(FormatDuration(12'345), "12.3µs");
  EXPECT_EQ(FormatDuration(1'250'000), "1.25ms");
  EXPECT_EQ(FormatDuration(123'400'000), "123ms");
  EXPECT_EQ(FormatDuration(999'900'000), "1.00s");
  EXPECT_EQ(FormatDuration(4'560'000'000), "4.56s");
  EXPECT_EQ(FormatDuration(125'000'000'000), "2m05s");
  EXPECT_EQ(FormatDuration(3'723'000'000'000), "1h02m");
  EXPECT_FALSE(FormatDuration(UINT64_MAX).empty());
}

TEST(FormatTimestampTest, UtcWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(1'700'000'000'015'000'000ull, true), "2023-11-14 22:13:20.015");
}

TEST(LogfmtValueTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(LogfmtValue("A-1001"), "A-1001");
  EXPECT_EQ(LogfmtValue("two words"), "\"two words\"");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogfmtValue("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
}

TEST(UrlEncodeTest, KeepsUnreservedOnly) {
  EXPECT_EQ(UrlEncode("a b/c:d&e=f"), "a%20b%2Fc%3Ad%26e%3Df");
  EXPECT_EQ(UrlEncode("Aa0-._~"), "Aa0-._~");
  EXPECT_EQ(UrlEncode("é"), "%C3%A9");
}

TEST(PrettyJsonTest, IndentsWithoutTouchingStrings) {
  EXPECT_EQ(PrettyJson(R"({"a":[1,2],"b":{},"c":"x,{y}:\"z\""})"),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": \"x,{y}:\\\"z\\\"\"\n}\n");
  EXPECT_EQ(PrettyJson("[]"), "[]\n");
}

TEST(PrettyJsonTest, SurvivesMalformedText) {
  EXPECT_FALSE(PrettyJson("{\"unterminated").empty());
  EXPECT_FALSE(PrettyJson("]]]}}}").empty());
  EXPECT_EQ(PrettyJson("\"\\"), "\"\\\n");
}

}  // namespace
}  // namespace callpath::cli
