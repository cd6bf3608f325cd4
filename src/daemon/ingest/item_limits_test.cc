#include "daemon/ingest/item_limits.h"

#include <gtest/gtest.h>

namespace callpath::daemon {
namespace {

store::StoredSpan SpanWith(const std::string& op, size_t attributes, size_t value_bytes = 1) {
  store::StoredSpan s;
  s.service = "svc";
  s.operation = op;
  for (size_t i = 0; i < attributes; ++i) {
    s.attributes.push_back({"k" + std::to_string(i), store::Value::String(std::string(value_bytes, 'v'))});
  }
  return s;
}

TEST(ItemLimitsTest, ItemsOverALimitAreRejectedWithTheLimitNamedAndTheRestKeepTheirResources) {
  ItemLimits limits{.max_attributes = 4, .max_attribute_value_bytes = 10};
  store::IngestBatch b;
  b.resources.resize(3);
  b.spans.push_back(SpanWith("ok", 4, 10));
  b.spans.push_back(SpanWith("too many", 5));
  b.spans.push_back(SpanWith("too long", 1, 11));
  store::StoredSpan event_heavy = SpanWith("event", 1);
  event_heavy.events.push_back({1, "e", SpanWith("", 5).attributes});
  b.spans.push_back(event_heavy);
  store::StoredSpan link_long = SpanWith("link", 1);
  link_long.links.push_back({});
  link_long.links.back().attributes = {{"j", store::Value::Json(std::string(11, '1'))}};
  b.spans.push_back(link_long);
  b.spans.push_back(SpanWith("also ok", 0));
  b.span_resource = {0, 1, 1, 1, 1, 2};
  store::StoredLog log_ok, log_bad;
  log_ok.service = log_bad.service = "svc";
  log_bad.attributes = SpanWith("", 5).attributes;
  b.logs = {log_bad, log_ok};
  b.log_resource = {0, 2};

  Rejections rejected;
  EnforceItemLimits(limits, &b, &rejected);
  ASSERT_EQ(b.spans.size(), 2u);
  EXPECT_EQ(b.spans[0].operation, "ok");
  EXPECT_EQ(b.spans[1].operation, "also ok");
  EXPECT_EQ(b.span_resource, (std::vector<uint32_t>{0, 2}));
  ASSERT_EQ(b.logs.size(), 1u);
  EXPECT_EQ(b.log_resource, (std::vector<uint32_t>{2}));
  EXPECT_EQ(rejected.count(), 5u);
  const std::string m = rejected.Message("items");
  EXPECT_NE(m.find("span 'too many' of svc: 5 attributes, over the limit of 4"), std::string::npos) << m;
  EXPECT_NE(m.find("span 'too long' of svc: attribute 'k0' of 11 bytes, over the limit of 10"), std::string::npos)
      << m;
  EXPECT_NE(m.find("span 'event' of svc: an event's 5 attributes"), std::string::npos) << m;
}

TEST(ItemLimitsTest, ABatchWithinTheLimitsIsUntouched) {
  store::IngestBatch b;
  b.resources.resize(1);
  b.spans = {SpanWith("a", 128, 65536), SpanWith("b", 0)};
  b.span_resource = {0, 0};
  const store::IngestBatch before = b;
  Rejections rejected;
  EnforceItemLimits(ItemLimits{}, &b, &rejected);
  EXPECT_EQ(rejected.count(), 0u);
  EXPECT_EQ(b.spans, before.spans);
}

}  // namespace
}  // namespace callpath::daemon
