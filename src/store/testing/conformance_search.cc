// Conformance: Jaeger's tag semantics in FindTraces (store/tag_match.h)
// and the per-service and orphan counts of trace summaries.
#include <algorithm>

#include "store/tag_match.h"
#include "store/testing/conformance.h"

namespace callpath::store::testing {

namespace {

StoredSpan MakeSpan(uint8_t trace, uint8_t id, uint8_t parent, std::string service, std::string op,
                    SpanKind kind, uint64_t start) {
  StoredSpan s;
  s.trace_id = Tid(trace);
  s.span_id = Sid(trace, id);
  if (parent) s.parent_span_id = Sid(trace, parent);
  s.service = service;
  s.operation = std::move(op);
  s.kind = kind;
  s.start_ns = start;
  s.duration_ns = 10 * kMs;
  s.resource_attributes = {{"service.name", Value::String(service)}};
  s.scope_name = "shop";
  s.scope_version = "1.0";
  return s;
}

// Three traces whose spans carry what Jaeger users search for:
//   T1 api GET /order (server) -> db query (client, ERROR "timeout",
//      event exception{exception.type=Timeout}, resource k8s.pod.name=db-0)
//   T2 api GET /report (server) -> worker render (internal,
//      http.status_code="500" as a string, resource k8s.pod.name=worker-1,
//      link attribute link.reason=retry)
//   T3 api GET /health (server, http.status_code=500 as an integer, status
//      OK, scope "health" 2.0)
std::vector<StoredSpan> TagShop() {
  std::vector<StoredSpan> v;
  v.push_back(MakeSpan(1, 1, 0, "api", "GET /order", SpanKind::kServer, kBase));
  v.push_back(MakeSpan(1, 2, 1, "db", "query", SpanKind::kClient, kBase + kMs));
  v.back().status = SpanStatus::kError;
  v.back().status_message = "timeout";
  v.back().events = {{kBase + 5 * kMs, "exception", {{"exception.type", Value::String("Timeout")}}}};
  v.back().resource_attributes.push_back({"k8s.pod.name", Value::String("db-0")});
  v.push_back(MakeSpan(2, 1, 0, "api", "GET /report", SpanKind::kServer, kBase + kSec));
  v.push_back(MakeSpan(2, 2, 1, "worker", "render", SpanKind::kInternal, kBase + kSec + kMs));
  v.back().attributes = {{"http.status_code", Value::String("500")}};
  v.back().resource_attributes.push_back({"k8s.pod.name", Value::String("worker-1")});
  v.back().links = {{Tid(9), Sid(9, 1), "", {{"link.reason", Value::String("retry")}}}};
  v.push_back(MakeSpan(3, 1, 0, "api", "GET /health", SpanKind::kServer, kBase + 2 * kSec));
  v.back().attributes = {{"http.status_code", Value::Int(500)}, {"ratio", Value::Double(0.25)}};
  v.back().status = SpanStatus::kOk;
  v.back().scope_name = "health";
  v.back().scope_version = "2.0";
  return v;
}

std::vector<TraceId> Found(Store& store, std::vector<std::pair<std::string, std::string>> tags,
                           std::string service = "") {
  TraceQuery q;
  q.service = std::move(service);
  q.tags = std::move(tags);
  auto r = store.span_reader().FindTraces(q);
  std::vector<TraceId> ids;
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return ids;
  }
  for (const auto& s : *r) ids.push_back(s.trace_id);
  return ids;
}

using Ids = std::vector<TraceId>;

}  // namespace

TEST_P(StoreConformanceTest, TagErrorMeansTheSpanStatus) {
  ASSERT_TRUE(WriteSpans(TagShop()).ok());
  EXPECT_EQ(Found(store(), {{"error", "true"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"error", "true"}}, "api"), Ids{});
  EXPECT_EQ(Found(store(), {{"error", "true"}}, "db"), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"error", "false"}}, "db"), Ids{});
  EXPECT_EQ(Found(store(), {{"error", "false"}}), (Ids{Tid(3), Tid(2), Tid(1)}));
  EXPECT_EQ(Found(store(), {{"otel.status_code", "ERROR"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"otel.status_code", "ok"}}), (Ids{Tid(3)}));
  EXPECT_EQ(Found(store(), {{"otel.status_description", "timeout"}}), (Ids{Tid(1)}));
}

TEST_P(StoreConformanceTest, TagSpanKindMeansTheKind) {
  ASSERT_TRUE(WriteSpans(TagShop()).ok());
  EXPECT_EQ(Found(store(), {{"span.kind", "client"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"span.kind", "INTERNAL"}}), (Ids{Tid(2)}));
  EXPECT_EQ(Found(store(), {{"span.kind", "server"}}, "api"), (Ids{Tid(3), Tid(2), Tid(1)}));
  EXPECT_EQ(Found(store(), {{"span.kind", "server"}}, "db"), Ids{});
  // Kind and status must hold on the same span.
  EXPECT_EQ(Found(store(), {{"span.kind", "client"}, {"error", "true"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"span.kind", "server"}, {"error", "true"}}), Ids{});
}

TEST_P(StoreConformanceTest, TagMatchesResourceEventAndLinkAttributes) {
  ASSERT_TRUE(WriteSpans(TagShop()).ok());
  EXPECT_EQ(Found(store(), {{"k8s.pod.name", "db-0"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"k8s.pod.name", "worker-1"}}, "worker"), (Ids{Tid(2)}));
  EXPECT_EQ(Found(store(), {{"resource.k8s.pod.name", "worker-1"}}), (Ids{Tid(2)}));
  EXPECT_EQ(Found(store(), {{"resource.k8s.pod.name", "nowhere"}}), Ids{});
  EXPECT_EQ(Found(store(), {{"exception.type", "Timeout"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"event", "exception"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"link.reason", "retry"}}), (Ids{Tid(2)}));
  EXPECT_EQ(Found(store(), {{"otel.scope.name", "health"}, {"otel.scope.version", "2.0"}}), (Ids{Tid(3)}));
  // Resource and span properties of one span together.
  EXPECT_EQ(Found(store(), {{"k8s.pod.name", "db-0"}, {"error", "true"}}), (Ids{Tid(1)}));
  EXPECT_EQ(Found(store(), {{"k8s.pod.name", "db-0"}, {"span.kind", "server"}}), Ids{});
}

TEST_P(StoreConformanceTest, TagValuesMatchWhateverTheirType) {
  ASSERT_TRUE(WriteSpans(TagShop()).ok());
  EXPECT_EQ(Found(store(), {{"http.status_code", "500"}}), (Ids{Tid(3), Tid(2)}));
  EXPECT_EQ(Found(store(), {{"http.status_code", "500"}}, "worker"), (Ids{Tid(2)}));
  EXPECT_EQ(Found(store(), {{"ratio", "0.25"}}), (Ids{Tid(3)}));
  EXPECT_EQ(Found(store(), {{"ratio", "2.5e-1"}}, "api"), (Ids{Tid(3)}));
  // A value a special key does not understand is an ordinary attribute.
  EXPECT_EQ(Found(store(), {{"error", "maybe"}}), Ids{});
}

TEST_P(StoreConformanceTest, SummaryCountsSpansPerServiceAndOrphans) {
  // The children arrive first: until their parents come they are orphans.
  StoredSpan root = MakeSpan(5, 1, 0, "api", "GET /order", SpanKind::kServer, kBase);
  StoredSpan mid = MakeSpan(5, 2, 1, "checkout", "Place", SpanKind::kServer, kBase + kMs);
  StoredSpan leaf = MakeSpan(5, 3, 2, "db", "query", SpanKind::kClient, kBase + 2 * kMs);
  StoredSpan leaf2 = MakeSpan(5, 4, 2, "db", "query", SpanKind::kClient, kBase + 3 * kMs);
  leaf.status = SpanStatus::kError;
  ASSERT_TRUE(WriteSpans({leaf, leaf2}).ok());
  auto s = store().span_reader().GetTraceSummary(Tid(5));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->orphan_count, 2u);
  ASSERT_TRUE(WriteSpans({mid}).ok());
  s = store().span_reader().GetTraceSummary(Tid(5));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->orphan_count, 1u);  // checkout's parent is still missing
  ASSERT_TRUE(WriteSpans({root, leaf}).ok());  // leaf sent twice
  s = store().span_reader().GetTraceSummary(Tid(5));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->orphan_count, 0u);
  EXPECT_EQ(s->span_count, 4u);
  EXPECT_EQ(s->error_count, 1u);
  EXPECT_EQ(s->service_stats, (std::vector<ServiceStats>{{"api", 1, 0}, {"checkout", 1, 0}, {"db", 2, 1}}));

  // FindTraces hands out the same summaries.
  TraceQuery q;
  q.service = "db";
  auto found = store().span_reader().FindTraces(q);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].service_stats, s->service_stats);
  EXPECT_EQ((*found)[0].orphan_count, 0u);

  // A parent that never arrives leaves its child an orphan.
  ASSERT_TRUE(WriteSpans({MakeSpan(6, 2, 1, "db", "query", SpanKind::kClient, kBase)}).ok());
  s = store().span_reader().GetTraceSummary(Tid(6));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->orphan_count, 1u);
  EXPECT_EQ(s->service_stats, (std::vector<ServiceStats>{{"db", 1, 0}}));
}

}  // namespace callpath::store::testing
