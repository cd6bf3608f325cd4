#include "daemon/ingest/item_limits.h"

#include <gtest/gtest.h>

namespace callpath::daemon {
namespace {

// When the test batches arrive; their items are timestamped just before.
constexpr uint64_t kArrival = 1'780'000'000'000'000'000;  // 2026-05-28
constexpr uint64_t kHour = 3600ull * 1'000'000'000;
constexpr uint64_t kDay = 24 * kHour;

store::StoredSpan SpanWith(const std::string& op, size_t attributes, size_t value_bytes = 1) {
  static uint8_t next_id = 0;
  store::StoredSpan s;
  s.service = "svc";
  s.operation = op;
  // Distinct ids (a repeated id is a duplicate) and a time within the window.
  const uint8_t id[8] = {1, 0, 0, 0, 0, 0, 0, ++next_id};
  s.span_id = SpanId(id);
  s.start_ns = kArrival - 1'000'000;
  s.duration_ns = 500'000;
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
  log_ok.time_ns = log_bad.time_ns = kArrival - 1'000'000;
  log_bad.attributes = SpanWith("", 5).attributes;
  b.logs = {log_bad, log_ok};
  b.log_resource = {0, 2};

  Rejections rejected;
  EnforceItemLimits(limits, kArrival, &b, &rejected);
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
  EnforceItemLimits(ItemLimits{}, kArrival, &b, &rejected);
  EXPECT_EQ(rejected.count(), 0u);
  EXPECT_EQ(b.spans, before.spans);
}

TEST(ItemLimitsTest, NamesAndAttributeKeysAreCappedLikeValues) {
  ItemLimits limits{.max_attributes = 4, .max_attribute_value_bytes = 10};
  store::IngestBatch b;
  b.resources.resize(1);
  b.spans.push_back(SpanWith(std::string(11, 'n'), 0));
  b.spans.push_back(SpanWith("key", 0));
  b.spans.back().attributes.push_back({std::string(11, 'k'), store::Value::String("v")});
  b.spans.push_back(SpanWith("event", 0));
  b.spans.back().events.push_back({kArrival - 1, std::string(11, 'e'), {}});
  b.spans.push_back(SpanWith(std::string(10, 'n'), 0));
  b.span_resource = {0, 0, 0, 0};
  Rejections rejected;
  EnforceItemLimits(limits, kArrival, &b, &rejected);
  ASSERT_EQ(b.spans.size(), 1u);
  EXPECT_EQ(b.spans[0].operation, std::string(10, 'n'));
  EXPECT_EQ(rejected.count(), 3u);
  const std::string m = rejected.Message("spans");
  EXPECT_NE(m.find("name of 11 bytes, over the limit of 10 bytes"), std::string::npos) << m;
  EXPECT_NE(m.find("attribute key of 11 bytes, over the limit of 10 bytes"), std::string::npos) << m;
  EXPECT_NE(m.find("an event's name of 11 bytes"), std::string::npos) << m;
}

TEST(ItemLimitsTest, TimestampsOutsideTheWindowAroundArrivalAreRejectedWithTheReason) {
  ItemLimits limits;  // 30 days back, 1 hour ahead
  store::IngestBatch b;
  b.resources.resize(1);
  auto at = [](const std::string& op, uint64_t start_ns) {
    store::StoredSpan s = SpanWith(op, 0);
    s.start_ns = start_ns;
    return s;
  };
  b.spans = {at("epoch", 0),
             at("centuries ahead", kArrival + 200 * 365 * kDay),
             at("29 days old", kArrival - 29 * kDay),
             at("31 days old", kArrival - 31 * kDay),
             at("in 50 minutes", kArrival + kHour - 600 * 1'000'000'000ull),
             at("in 2 hours", kArrival + 2 * kHour)};
  b.span_resource.assign(b.spans.size(), 0);
  store::StoredLog old_log, unknown_time_log;
  old_log.service = unknown_time_log.service = "svc";
  old_log.time_ns = kArrival - 40 * kDay;
  unknown_time_log.observed_ns = kArrival;  // time_ns 0: unknown, not the epoch
  b.logs = {old_log, unknown_time_log};
  b.log_resource = {0, 0};

  Rejections rejected;
  EnforceItemLimits(limits, kArrival, &b, &rejected);
  std::vector<std::string> kept;
  for (const auto& s : b.spans) kept.push_back(s.operation);
  EXPECT_EQ(kept, (std::vector<std::string>{"29 days old", "in 50 minutes"}));
  ASSERT_EQ(b.logs.size(), 1u);
  EXPECT_EQ(b.logs[0].time_ns, 0u);
  EXPECT_EQ(rejected.count(), 5u);
  EXPECT_EQ(rejected.out_of_window(), 5u);
  const std::string m = rejected.Message("items");
  EXPECT_NE(m.find("span 'epoch' of svc: start time 1970-01-01T00:00:00"), std::string::npos) << m;
  EXPECT_NE(m.find("is more than 30d before its arrival (--max-item-age"), std::string::npos) << m;
  EXPECT_NE(m.find("is more than 1h after its arrival (--max-item-future)"), std::string::npos) << m;
}

TEST(ItemLimitsTest, AZeroWindowSideTurnsThatCheckOff) {
  ItemLimits limits{.max_age_ns = 0, .max_future_ns = 0};
  store::IngestBatch b;
  b.resources.resize(1);
  b.spans = {SpanWith("epoch", 0), SpanWith("far future", 0)};
  b.spans[0].start_ns = 0;
  b.spans[1].start_ns = kArrival + 100 * 365 * kDay;
  b.span_resource = {0, 0};
  Rejections rejected;
  EnforceItemLimits(limits, kArrival, &b, &rejected);
  EXPECT_EQ(rejected.count(), 0u) << rejected.Message("spans");
  EXPECT_EQ(b.spans.size(), 2u);
}

TEST(ItemLimitsTest, ARepeatedSpanIdIsRejectedAndCountedAsADuplicate) {
  store::IngestBatch b;
  b.resources.resize(1);
  store::StoredSpan first = SpanWith("first", 0);
  store::StoredSpan again = first;
  again.operation = "again";
  store::StoredSpan other_trace = first;  // same span id in another trace: not a duplicate
  other_trace.operation = "other trace";
  other_trace.trace_id = TraceId::FromHex("0af7651916cd43dd8448eb211c80319c").value();
  b.spans = {first, SpanWith("unrelated", 0), again, other_trace, again};
  b.span_resource = {0, 0, 0, 0, 0};
  Rejections rejected;
  EnforceItemLimits(ItemLimits{}, kArrival, &b, &rejected);
  std::vector<std::string> kept;
  for (const auto& s : b.spans) kept.push_back(s.operation);
  EXPECT_EQ(kept, (std::vector<std::string>{"first", "unrelated", "other trace"}));
  EXPECT_EQ(rejected.count(), 2u);
  EXPECT_EQ(rejected.duplicate_spans(), 2u);
  const std::string m = rejected.Message("spans");
  EXPECT_NE(m.find("span 'again' of svc: duplicate of an earlier span with span id " + first.span_id.ToHex()),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace callpath::daemon
