#include "callpath/attributes.h"

#include <gtest/gtest.h>

namespace callpath {
namespace {

TEST(AttributeValueToStringTest, Scalars) {
  EXPECT_EQ(AttributeValueToString(std::string("plain \"text\"")), "plain \"text\"");
  EXPECT_EQ(AttributeValueToString(true), "true");
  EXPECT_EQ(AttributeValueToString(false), "false");
  EXPECT_EQ(AttributeValueToString(int64_t{-42}), "-42");
  EXPECT_EQ(AttributeValueToString(1.5), "1.5");
  EXPECT_EQ(AttributeValueToString(0.1), "0.1");
}

TEST(AttributeValueToStringTest, ArraysReadLikeJson) {
  EXPECT_EQ(AttributeValueToString(std::vector<int64_t>{1, 2}), "[1,2]");
  EXPECT_EQ(AttributeValueToString(std::vector<bool>{true, false}), "[true,false]");
  EXPECT_EQ(AttributeValueToString(std::vector<double>{2.5, -1}), "[2.5,-1]");
  EXPECT_EQ(AttributeValueToString(std::vector<std::string>{"a", "b\"c"}), R"(["a","b\"c"])");
  EXPECT_EQ(AttributeValueToString(std::vector<std::string>{}), "[]");
}

TEST(AttributeValueToStringTest, AttrValueSpellings) {
  EXPECT_EQ(AttributeValueToString(AttrValue("lit").get()), "lit");
  EXPECT_EQ(AttributeValueToString(AttrValue(7).get()), "7");
  EXPECT_EQ(AttributeValueToString(AttrValue(2.0f).get()), "2");
}

}  // namespace
}  // namespace callpath
