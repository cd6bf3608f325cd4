#include "text/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace callpath::text {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");  // standard alphabet
  EXPECT_EQ(Base64EncodedSize(4), 8u);
}

TEST(Base64Test, AppendsAfterWhatIsThere) {
  std::string out = "x:";
  AppendBase64("hi", &out);
  EXPECT_EQ(out, "x:aGk=");
}

TEST(Base64Test, DecodesEitherAlphabetWithOrWithoutPadding) {
  std::string out;
  ASSERT_TRUE(DecodeBase64("Zm9vYmE=", &out));
  EXPECT_EQ(out, "fooba");
  ASSERT_TRUE(DecodeBase64("Zm9vYmE", &out));
  EXPECT_EQ(out, "fooba");
  ASSERT_TRUE(DecodeBase64("+/8=", &out));
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(DecodeBase64("-_8", &out));  // URL-safe
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(DecodeBase64("", &out));
  EXPECT_EQ(out, "");
}

TEST(Base64Test, RejectsOtherCharactersAndImpossibleLengths) {
  std::string out;
  EXPECT_FALSE(DecodeBase64("Zm9v YmE=", &out));
  EXPECT_FALSE(DecodeBase64("Zm=9v", &out));   // padding inside
  EXPECT_FALSE(DecodeBase64("Zm9vY", &out));   // one character cannot end a group
  EXPECT_FALSE(DecodeBase64("Zm9v\n", &out));
}

TEST(Base64Test, RoundTripsEveryByteAndLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= bytes.size(); len += 1 + len / 8) {
    const std::string in = bytes.substr(0, len);
    std::string back;
    ASSERT_TRUE(DecodeBase64(Base64Encode(in), &back)) << len;
    EXPECT_EQ(back, in);
  }
}

}  // namespace
}  // namespace callpath::text
