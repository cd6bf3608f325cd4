#include "store/stats_fold.h"

#include <gtest/gtest.h>

#include "store/log_template.h"

namespace callpath::store {
namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = kStatsBucketNs;
constexpr uint64_t kT0 = 1'700'000'000ull * 1'000'000'000ull / kMinute * kMinute;  // a whole minute

StoredSpan Span(uint8_t trace, uint8_t id, uint8_t parent, std::string service, std::string op, uint64_t start,
                uint64_t duration) {
  StoredSpan s;
  s.trace_id.mutable_bytes()[15] = trace;
  s.span_id.mutable_bytes()[7] = id;
  if (parent) s.parent_span_id.mutable_bytes()[7] = parent;
  s.service = std::move(service);
  s.operation = std::move(op);
  s.kind = parent ? SpanKind::kInternal : SpanKind::kServer;
  s.start_ns = start;
  s.duration_ns = duration;
  return s;
}

const OperationStats* Find(const BatchStats& stats, std::string_view service, std::string_view op,
                           uint64_t minute = kT0) {
  for (const OperationStats& r : stats.operations) {
    if (r.service == service && r.operation == op && r.start_ns == minute) return &r;
  }
  return nullptr;
}

TEST(StatsFoldTest, CountsCallsErrorsAndRootsPerOperation) {
  std::vector<StoredSpan> spans = {Span(1, 1, 0, "cart", "GET /cart", kT0, 10 * kMs),
                                   Span(2, 2, 0, "cart", "GET /cart", kT0 + kMs, 30 * kMs),
                                   Span(2, 3, 2, "cart", "load", kT0 + 2 * kMs, 5 * kMs)};
  spans[1].status = SpanStatus::kError;
  const BatchStats stats = FoldBatchStats(MakeIngestBatch(spans));
  ASSERT_EQ(stats.operations.size(), 2u);
  const OperationStats* get = Find(stats, "cart", "GET /cart");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->calls, 2u);
  EXPECT_EQ(get->errors, 1u);
  EXPECT_EQ(get->root_calls, 2u);
  EXPECT_EQ(get->kind, SpanKind::kServer);
  EXPECT_EQ(get->duration.count(), 2u);
  EXPECT_EQ(get->duration.max(), 30 * kMs);
  EXPECT_EQ(get->duration.min(), 10 * kMs);
  const OperationStats* load = Find(stats, "cart", "load");
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(load->calls, 1u);
  EXPECT_EQ(load->root_calls, 0u);
  EXPECT_EQ(load->kind, SpanKind::kInternal);
}

TEST(StatsFoldTest, RowsArePerStartMinuteAndSorted) {
  const BatchStats stats = FoldBatchStats(MakeIngestBatch({Span(1, 1, 0, "b", "op", kT0 + kMinute, kMs),
                                                           Span(1, 2, 0, "b", "op", kT0 + kMinute - 1, kMs),
                                                           Span(1, 3, 0, "a", "op", kT0 + kMinute + 5, kMs)}));
  ASSERT_EQ(stats.operations.size(), 3u);
  EXPECT_EQ(stats.operations[0].start_ns, kT0);
  EXPECT_EQ(stats.operations[0].service, "b");
  EXPECT_EQ(stats.operations[1].start_ns, kT0 + kMinute);
  EXPECT_EQ(stats.operations[1].service, "a");
  EXPECT_EQ(stats.operations[2].start_ns, kT0 + kMinute);
  EXPECT_EQ(stats.operations[2].service, "b");
}

TEST(StatsFoldTest, LocalSelfTimeSubtractsTheUnionOfSameServiceChildrenInsideTheSpan) {
  // handle: 0..100 ms. Children of cart: 10..40 and 30..60 overlap (50 ms
  // covered), 90..120 sticks out (10 ms inside). The payment child is
  // another service's time and the client span it hangs under is cart's.
  std::vector<StoredSpan> spans = {
      Span(1, 1, 0, "cart", "handle", kT0, 100 * kMs),
      Span(1, 2, 1, "cart", "a", kT0 + 10 * kMs, 30 * kMs),
      Span(1, 3, 1, "cart", "b", kT0 + 30 * kMs, 30 * kMs),
      Span(1, 4, 1, "cart", "c", kT0 + 90 * kMs, 30 * kMs),
      Span(1, 5, 1, "payment", "charge", kT0 + 60 * kMs, 20 * kMs),
  };
  const BatchStats stats = FoldBatchStats(MakeIngestBatch(spans));
  const OperationStats* handle = Find(stats, "cart", "handle");
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(handle->self_time.max(), 40 * kMs);
  EXPECT_EQ(handle->duration.max(), 100 * kMs);
  const OperationStats* a = Find(stats, "cart", "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->self_time.max(), 30 * kMs);  // no children
}

TEST(StatsFoldTest, ChildrenOfAnotherTraceWithTheSameParentIdAreNotSubtracted) {
  const BatchStats stats = FoldBatchStats(MakeIngestBatch({Span(1, 1, 0, "cart", "handle", kT0, 100 * kMs),
                                                           Span(2, 2, 1, "cart", "other", kT0, 50 * kMs)}));
  EXPECT_EQ(Find(stats, "cart", "handle")->self_time.max(), 100 * kMs);
}

TEST(StatsFoldTest, ASpanGivenTwiceCountsTwice) {
  const StoredSpan s = Span(1, 1, 0, "cart", "handle", kT0, kMs);
  const BatchStats stats = FoldBatchStats(MakeIngestBatch({s, s}));
  ASSERT_EQ(stats.operations.size(), 1u);
  EXPECT_EQ(stats.operations[0].calls, 2u);
}

StoredLog Log(std::string service, uint64_t time, int32_t severity, std::string body) {
  StoredLog l;
  l.service = std::move(service);
  l.time_ns = time;
  l.severity_number = severity;
  l.body = Value::String(std::move(body));
  return l;
}

TEST(StatsFoldTest, LogsFoldIntoTemplateRowsWithTheirIds) {
  std::vector<StoredLog> logs = {Log("cart", kT0 + 1, 17, "charge of 12.50 failed for order 8841"),
                                 Log("cart", kT0 + 2, 17, "charge of 3.10 failed for order 17"),
                                 Log("cart", kT0 + 3, 9, "charge of 3.10 failed for order 17"),
                                 Log("cart", 0, 9, "cart 4 loaded")};
  logs[0].trace_id.mutable_bytes()[0] = 1;
  logs[3].observed_ns = kT0 + kMinute + 4;  // no event time: the observed time counts
  const BatchStats stats = FoldBatchStats(MakeIngestBatch({}, logs));
  const LogTemplate charge = LogTemplateOf("charge of <*> failed for order <*>");
  ASSERT_EQ(stats.log_template_ids.size(), 4u);
  EXPECT_EQ(stats.log_template_ids[0], charge.id);
  EXPECT_EQ(stats.log_template_ids[1], charge.id);
  EXPECT_EQ(stats.log_template_ids[3], LogTemplateOf("cart 4 loaded").id);
  ASSERT_EQ(stats.log_templates.size(), 3u);
  // Sorted by (minute, service, template id, severity).
  const LogTemplateStats* errors = nullptr;
  for (const auto& r : stats.log_templates) {
    if (r.template_id == charge.id && r.severity_number == 17) errors = &r;
  }
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->start_ns, kT0);
  EXPECT_EQ(errors->count, 2u);
  EXPECT_EQ(errors->in_traces, 1u);
  EXPECT_EQ(errors->template_text, "charge of <*> failed for order <*>");
  EXPECT_EQ(stats.log_templates.back().start_ns, kT0 + kMinute);
  EXPECT_EQ(stats.log_templates.back().template_text, "cart <*> loaded");
}

TEST(StatsFoldTest, ATemplateIdAlreadySetIsKept) {
  std::vector<StoredLog> logs = {Log("cart", kT0, 9, "hello 1")};
  logs[0].template_id = 77;
  const BatchStats stats = FoldBatchStats(MakeIngestBatch({}, logs));
  EXPECT_EQ(stats.log_template_ids[0], 77u);
  ASSERT_EQ(stats.log_templates.size(), 1u);
  EXPECT_EQ(stats.log_templates[0].template_id, 77u);
  EXPECT_EQ(stats.log_templates[0].template_text, "hello <*>");
}

TEST(StatsFoldTest, JsonAndScalarBodiesAreTemplatedByTheirText) {
  std::vector<StoredLog> logs = {Log("cart", kT0, 9, ""), Log("cart", kT0, 9, "")};
  logs[0].body = Value::Json(R"({"order":12,"ok":true})");
  logs[1].body = Value::Int(42);
  const BatchStats stats = FoldBatchStats(MakeIngestBatch({}, logs));
  EXPECT_EQ(stats.log_template_ids[0], LogTemplateOf(R"({"order":<*>,"ok":true})").id);
  EXPECT_EQ(stats.log_template_ids[1], LogTemplateOf("<*>").id);
}

TEST(StatsFoldTest, EmptyBatchHasNoRows) {
  const BatchStats stats = FoldBatchStats(IngestBatch{});
  EXPECT_TRUE(stats.operations.empty());
  EXPECT_TRUE(stats.log_templates.empty());
  EXPECT_TRUE(stats.log_template_ids.empty());
}

}  // namespace
}  // namespace callpath::store
