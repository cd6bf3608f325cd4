#include "text/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace callpath::text {
namespace {

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(HexString(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexString(""), "");
  std::string out = "id=";
  AppendHex("\x4b\xf9", &out);
  EXPECT_EQ(out, "id=4bf9");
  const uint8_t b[] = {0xde, 0xad};
  char buf[4];
  HexEncode(b, 2, buf);
  EXPECT_EQ(std::string_view(buf, 4), "dead");
}

TEST(HexTest, DigitValues) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue(' '), -1);
  EXPECT_EQ(HexDigitValue('\xff'), -1);
}

TEST(HexTest, DecodesExactLengthInTheAcceptedCase) {
  uint8_t out[2];
  ASSERT_TRUE(HexDecode("0aff", out, 2, HexCase::kLowerOnly));
  EXPECT_EQ(out[0], 0x0a);
  EXPECT_EQ(out[1], 0xff);
  EXPECT_FALSE(HexDecode("0aFF", out, 2, HexCase::kLowerOnly));
  ASSERT_TRUE(HexDecode("0aFF", out, 2, HexCase::kAny));
  EXPECT_EQ(out[1], 0xff);
  EXPECT_FALSE(HexDecode("0af", out, 2, HexCase::kAny));     // odd length
  EXPECT_FALSE(HexDecode("0aff0", out, 2, HexCase::kAny));   // too long
  EXPECT_FALSE(HexDecode("0a f", out, 2, HexCase::kAny));    // whitespace
  EXPECT_FALSE(HexDecode("0x0a", out, 2, HexCase::kAny));
  EXPECT_FALSE(HexDecode("g0ff", out, 2, HexCase::kAny));
}

TEST(HexTest, DecodesLeftPadded) {
  uint8_t out[2];
  ASSERT_TRUE(HexDecodeLeftPadded("aBc", out, 2));
  EXPECT_EQ(out[0], 0x0a);
  EXPECT_EQ(out[1], 0xbc);
  ASSERT_TRUE(HexDecodeLeftPadded("1", out, 2));
  EXPECT_EQ(out[0], 0x00);
  EXPECT_EQ(out[1], 0x01);
  ASSERT_TRUE(HexDecodeLeftPadded("1234", out, 2));
  EXPECT_EQ(out[0], 0x12);
  EXPECT_FALSE(HexDecodeLeftPadded("", out, 2));
  EXPECT_FALSE(HexDecodeLeftPadded("12345", out, 2));
  EXPECT_FALSE(HexDecodeLeftPadded("1x", out, 2));
}

}  // namespace
}  // namespace callpath::text
