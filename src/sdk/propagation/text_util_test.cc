#include "sdk/propagation/text_util.h"

#include <gtest/gtest.h>

namespace callpath::propagation {
namespace {

std::string Sanitize(std::string_view in) {
  std::string out;
  AppendUtf8Sanitized(in, &out);
  return out;
}

TEST(PropagationTextUtil, TrimOws) {
  EXPECT_EQ(TrimOws(" \ta b\t "), "a b");
  EXPECT_EQ(TrimOws(" \t"), "");
}

TEST(PropagationTextUtil, Tokens) {
  EXPECT_TRUE(IsToken("x-b3-traceid"));
  EXPECT_TRUE(IsToken("a!#$%&'*+-.^_`|~9"));
  EXPECT_FALSE(IsToken(""));
  EXPECT_FALSE(IsToken("a b"));
  EXPECT_FALSE(IsToken("a:b"));
  EXPECT_FALSE(IsToken("caf\xc3\xa9"));
}

TEST(PropagationTextUtil, PercentRoundTrip) {
  std::string enc;
  AppendPercentEncoded("a b/\xff~", IsUnreserved, &enc);
  EXPECT_EQ(enc, "a%20b%2F%FF~");
  EXPECT_EQ(PercentEncodedSize("a b/\xff~", IsUnreserved), enc.size());
  std::string dec;
  AppendPercentDecoded(enc, &dec);
  EXPECT_EQ(dec, "a b/\xff~");
}

TEST(PropagationTextUtil, Utf8SanitizeKeepsValidText) {
  const std::string valid = "ascii \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(Sanitize(valid), valid);
}

TEST(PropagationTextUtil, Utf8SanitizeReplacesMaximalSubparts) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Sanitize("\x80"), r);
  EXPECT_EQ(Sanitize("\xF0\x9F\x98"), r);            // truncated 4-byte sequence: one
  EXPECT_EQ(Sanitize("\xF5\x80"), r + r);            // impossible lead, stray continuation
  EXPECT_EQ(Sanitize("\xE0\x80\x80"), r + r + r);    // overlong
  EXPECT_EQ(Sanitize("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(Sanitize("a\xC3" "b"), "a" + r + "b");
}

TEST(PropagationTextUtil, PaddedHex) {
  uint8_t out[2];
  ASSERT_TRUE(ParsePaddedHex("aBc", out, 2));
  EXPECT_EQ(out[0], 0x0a);
  EXPECT_EQ(out[1], 0xbc);
  EXPECT_FALSE(ParsePaddedHex("", out, 2));
  EXPECT_FALSE(ParsePaddedHex("12345", out, 2));
  EXPECT_FALSE(ParsePaddedHex("1x", out, 2));
}

}  // namespace
}  // namespace callpath::propagation
