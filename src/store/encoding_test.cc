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

StoredSpan SomeSpan() {
  StoredSpan s;
  s.start_ns = 1'700'000'000'000'000'000ull;
  s.parent_span_id = SpanId::FromHex("00000000000000ab").value();
  s.service = "payment";
  s.operation = "Charge";
  s.kind = SpanKind::kServer;
  s.duration_ns = 300'000'000;
  s.status = SpanStatus::kError;
  s.status_message = "card declined";
  s.attributes = {{"amount", Value::Double(12.5)}};
  s.events = {{s.start_ns + 5, "exception", {{"exception.message", Value::String("declined")}}}};
  return s;
}

TEST(EncodingTest, SpanHeadReadsTheTreeFieldsOnly) {
  std::string bytes;
  EncodeSpanValue(SomeSpan(), 42, &bytes);
  SpanHead head;
  ASSERT_TRUE(DecodeSpanHead(bytes, &head));
  EXPECT_EQ(head.parent, SomeSpan().parent_span_id);
  EXPECT_EQ(head.service, "payment");
  EXPECT_EQ(head.operation, "Charge");
  EXPECT_EQ(head.kind, SpanKind::kServer);
  EXPECT_EQ(head.duration_ns, 300'000'000u);
  EXPECT_EQ(head.status, SpanStatus::kError);
  StoredSpan skeleton;
  ASSERT_TRUE(DecodeSpanSkeleton(bytes, &skeleton));
  EXPECT_EQ(skeleton.operation, "Charge");
  EXPECT_TRUE(skeleton.attributes.empty());
  EXPECT_TRUE(skeleton.events.empty());
  EXPECT_TRUE(skeleton.status_message.empty());
  // The head ends with the status byte: any shorter prefix is refused.
  size_t head_size = bytes.find("card declined") - 1;
  for (size_t n = 0; n < head_size; ++n) EXPECT_FALSE(DecodeSpanHead(bytes.substr(0, n), &head)) << n;
  EXPECT_TRUE(DecodeSpanHead(bytes.substr(0, head_size), &head));
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
