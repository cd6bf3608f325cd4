#include "callpath/otlp/utf8.h"

#include <gtest/gtest.h>

namespace callpath::otlp {
namespace {

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("abcdefgh\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

TEST(Utf8Test, SanitizeReplacesMaximalSubparts) {
  std::string out;
  AppendSanitizedUtf8("a\xE2\x82" "b\xFF\xC3\xA9", &out);
  EXPECT_EQ(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xC3\xA9");
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(Utf8Test, SanitizedIsAlwaysValid) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 256; j += 17) {
      all.push_back(static_cast<char>(i));
      all.push_back(static_cast<char>(j));
    }
  std::string out;
  AppendSanitizedUtf8(all, &out);
  EXPECT_TRUE(IsValidUtf8(out));
}

}  // namespace
}  // namespace callpath::otlp
