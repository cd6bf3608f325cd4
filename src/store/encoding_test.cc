#include "store/encoding.h"

#include <gtest/gtest.h>

namespace callpath::store::enc {
namespace {

StoredLog SomeLog() {
  StoredLog l;
  l.time_ns = 1'700'000'000'000'000'000ull;
  l.service = "cart";
  l.severity_number = 17;
  l.body = Value::String("cart 12 not found");
  l.template_id = 0x1234567890abcdefull;
  return l;
}

TEST(EncodingTest, LogValueKeepsTheTemplateId) {
  std::string bytes;
  EncodeLogValue(SomeLog(), 42, &bytes);
  StoredLog back;
  uint64_t resource = 0;
  ASSERT_TRUE(DecodeLogValue(bytes, &back, &resource));
  EXPECT_EQ(back, SomeLog());
  EXPECT_EQ(resource, 42u);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeLogValue(bytes.substr(0, n), &back, &resource)) << n;
}

// Stores before format 7 wrote version 1: the same fields, no template id.
TEST(EncodingTest, LogValueOfVersion1DecodesWithoutATemplateId) {
  std::string bytes;
  EncodeLogValue(SomeLog(), 42, &bytes);
  ASSERT_EQ(bytes[0], 2);
  std::string v1 = bytes.substr(0, bytes.size() - 8);
  v1[0] = 1;
  StoredLog back;
  uint64_t resource = 0;
  ASSERT_TRUE(DecodeLogValue(v1, &back, &resource));
  StoredLog want = SomeLog();
  want.template_id = 0;
  EXPECT_EQ(back, want);
  v1[0] = 3;
  EXPECT_FALSE(DecodeLogValue(v1, &back, &resource));
}

}  // namespace
}  // namespace callpath::store::enc
