#include "sdk/propagation/text_util.h"

#include <gtest/gtest.h>

namespace callpath::propagation {
namespace {

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

}  // namespace
}  // namespace callpath::propagation
