#include "text/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace callpath::text {
namespace {

const std::string r(kReplacementUtf8);

std::string Sanitize(std::string_view s) {
  std::string out;
  AppendSanitizedUtf8(s, &out);
  return out;
}

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF"));
  EXPECT_FALSE(IsValidUtf8("abcdefgh\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\x80"));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));  // impossible lead byte
}

TEST(Utf8Test, SanitizeKeepsValidText) {
  const std::string valid = "ascii \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(Sanitize(valid), valid);
}

TEST(Utf8Test, SanitizeReplacesMaximalSubparts) {
  EXPECT_EQ(Sanitize("a\xE2\x82" "b\xFF\xC3\xA9"), "a" + r + "b" + r + "\xC3\xA9");
  EXPECT_EQ(Sanitize("\x80"), r);                    // stray continuation
  EXPECT_EQ(Sanitize("a\xC3"), "a" + r);             // truncated at the end
  EXPECT_EQ(Sanitize("\xE2\x82"), r);                // one subpart, one U+FFFD
  EXPECT_EQ(Sanitize("\xF0\x9F\x98"), r);            // truncated 4-byte sequence
  EXPECT_EQ(Sanitize("\xF5\x80"), r + r);            // impossible lead, stray continuation
  EXPECT_EQ(Sanitize("\xC0\xAF"), r + r);            // C0 starts nothing
  EXPECT_EQ(Sanitize("\xE0\x80\x80"), r + r + r);    // overlong
  EXPECT_EQ(Sanitize("\xED\xA0\x80"), r + r + r);    // surrogate
  EXPECT_EQ(Sanitize("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
}

TEST(Utf8Test, SanitizedIsAlwaysValidAndStable) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; j += 17) {
      all.push_back(static_cast<char>(i));
      all.push_back(static_cast<char>(j));
    }
  }
  const std::string once = Sanitize(all);
  EXPECT_TRUE(IsValidUtf8(once));
  EXPECT_EQ(Sanitize(once), once);
}

TEST(Utf8Test, DecodeGivesCodePointsAndOneReplacementPerSubpart) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xE2\x82" "b\xFF";
  std::vector<uint32_t> got;
  for (size_t i = 0; i < s.size();) got.push_back(DecodeUtf8(s, &i));
  EXPECT_EQ(got, std::vector<uint32_t>({'a', 0xE9, 0x20AC, 0x1F600, 0xFFFD, 'b', 0xFFFD}));
}

TEST(Utf8Test, EncodeRoundTripsThroughDecode) {
  for (char32_t cp :
       {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, &s);
    ASSERT_TRUE(IsValidUtf8(s)) << static_cast<uint32_t>(cp);
    size_t i = 0;
    EXPECT_EQ(static_cast<uint32_t>(DecodeUtf8(s, &i)), static_cast<uint32_t>(cp));
    EXPECT_EQ(i, s.size());
  }
}

TEST(Utf8Test, EncodeReplacesWhatHasNoUtf8Form) {
  std::string s;
  AppendUtf8(0xD800, &s);
  AppendUtf8(0x110000, &s);
  EXPECT_EQ(s, r + r);
}

}  // namespace
}  // namespace callpath::text
