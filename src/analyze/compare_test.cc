#include "analyze/compare.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "query/test_traces.h"

namespace callpath::analyze {
namespace {

using query::testing::S;

query::AssembledTrace Trace(std::vector<store::StoredSpan> spans) { return query::AssembleTrace(std::move(spans)); }

// frontend GET /checkout (100 ms) -> payment Charge (40 ms), cart GetCart (10 ms).
std::vector<store::StoredSpan> Healthy() {
  return {S(1, 0, "frontend", "GET /checkout", 0, 100), S(2, 1, "payment", "Charge", 10, 40),
          S(3, 1, "cart", "GetCart", 60, 10)};
}

store::StoredLog Log(std::string service, std::string body, int32_t severity = 9) {
  store::StoredLog l;
  l.service = std::move(service);
  l.body = store::Value::String(std::move(body));
  l.severity_number = severity;
  return l;
}

const SpanDifference* Find(const TraceComparison& c, const std::string& path) {
  for (const auto& d : c.spans) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

TEST(CompareTraces, IdenticalTracesDifferInNothing) {
  TraceComparison c = CompareTraces(Trace(Healthy()), {}, Trace(Healthy()), {});
  EXPECT_EQ(c.matched, 3u);
  EXPECT_TRUE(c.spans.empty());
  EXPECT_TRUE(c.templates.empty());
}

TEST(CompareTraces, SlowerSpanIsMatchedByItsPath) {
  auto slow = Healthy();
  slow[0].duration_ns = 500 * query::testing::kMs;
  slow[1].duration_ns = 440 * query::testing::kMs;
  slow[2].start_ns += 400 * query::testing::kMs;
  TraceComparison c = CompareTraces(Trace(Healthy()), {}, Trace(slow), {});
  const SpanDifference* d = Find(c, "frontend:GET /checkout > payment:Charge");
  ASSERT_NE(d, nullptr) << c.summary;
  EXPECT_EQ(d->change, SpanChange::kSlower);
  EXPECT_EQ(d->a_duration_ns, 40 * query::testing::kMs);
  EXPECT_EQ(d->b_duration_ns, 440 * query::testing::kMs);
  EXPECT_EQ(Find(c, "frontend:GET /checkout > cart:GetCart"), nullptr) << "cart did not change";
  EXPECT_NE(c.summary.find("Charge (payment): 40 ms -> 440 ms"), std::string::npos) << c.summary;
}

TEST(CompareTraces, ChangesWithinNoiseAreNotReported) {
  auto near = Healthy();
  near[1].duration_ns = 44 * query::testing::kMs;  // +10 %
  TraceComparison c = CompareTraces(Trace(Healthy()), {}, Trace(near), {});
  EXPECT_TRUE(c.spans.empty()) << c.summary;
}

TEST(CompareTraces, RepeatedSiblingsAreMatchedInOrder) {
  std::vector<store::StoredSpan> a = {S(1, 0, "web", "GET /list", 0, 100)};
  std::vector<store::StoredSpan> b = a;
  for (uint8_t i = 0; i < 3; ++i) {
    a.push_back(S(2 + i, 1, "items", "GET /item", 10 + 20 * i, 10));
    b.push_back(S(2 + i, 1, "items", "GET /item", 10 + 20 * i, i == 1 ? 50 : 10));
  }
  TraceComparison c = CompareTraces(Trace(a), {}, Trace(b), {});
  EXPECT_EQ(c.matched, 4u);
  ASSERT_EQ(c.spans.size(), 1u) << c.summary;
  EXPECT_EQ(c.spans[0].path, "web:GET /list > items:GET /item#2");
  EXPECT_EQ(c.spans[0].change, SpanChange::kSlower);
}

TEST(CompareTraces, SpansInOneTraceOnlyAreListed) {
  auto retried = Healthy();
  retried.push_back(S(4, 1, "payment", "Charge", 55, 5));  // a second attempt
  std::vector<store::StoredSpan> without_cart = Healthy();
  without_cart.pop_back();
  TraceComparison c = CompareTraces(Trace(without_cart), {}, Trace(retried), {});
  const SpanDifference* retry = Find(c, "frontend:GET /checkout > payment:Charge#2");
  ASSERT_NE(retry, nullptr) << c.summary;
  EXPECT_EQ(retry->change, SpanChange::kOnlyInB);
  EXPECT_EQ(retry->a, -1);
  const SpanDifference* cart = Find(c, "frontend:GET /checkout > cart:GetCart");
  ASSERT_NE(cart, nullptr);
  EXPECT_EQ(cart->change, SpanChange::kOnlyInB);
  TraceComparison back = CompareTraces(Trace(retried), {}, Trace(without_cart), {});
  ASSERT_NE(Find(back, "frontend:GET /checkout > cart:GetCart"), nullptr);
  EXPECT_EQ(Find(back, "frontend:GET /checkout > cart:GetCart")->change, SpanChange::kOnlyInA);
}

TEST(CompareTraces, StatusChangeComesFirst) {
  auto failed = Healthy();
  failed[0].duration_ns = 300 * query::testing::kMs;
  failed[2].status = store::SpanStatus::kError;
  TraceComparison c = CompareTraces(Trace(Healthy()), {}, Trace(failed), {});
  ASSERT_FALSE(c.spans.empty());
  EXPECT_EQ(c.spans[0].path, "frontend:GET /checkout > cart:GetCart");
  EXPECT_EQ(c.spans[0].change, SpanChange::kStatus);
  EXPECT_TRUE(c.spans[0].status_changed);
  EXPECT_EQ(c.spans[0].b_status, store::SpanStatus::kError);
}

TEST(CompareTraces, LogTemplatesInOneTraceOnlyAreListed) {
  std::vector<store::StoredLog> a = {Log("payment", "charged order 17 for 12.50"),
                                     Log("cart", "cart 8 loaded")};
  std::vector<store::StoredLog> b = {Log("payment", "charged order 99 for 3.10"),
                                     Log("payment", "java.lang.IllegalStateException: card 4242 expired", 17)};
  TraceComparison c = CompareTraces(Trace(Healthy()), a, Trace(Healthy()), b);
  ASSERT_EQ(c.templates.size(), 2u) << "the charge line is one template in both";
  for (const auto& t : c.templates) {
    if (t.in_a) {
      EXPECT_EQ(t.service, "cart");
    } else {
      EXPECT_EQ(t.service, "payment");
      EXPECT_EQ(t.severity_number, 17);
      EXPECT_NE(t.text.find("IllegalStateException"), std::string::npos);
    }
  }
}

TEST(CompareTraces, EmptyTraceLeavesEverySpanOfTheOtherOnlyInIt) {
  TraceComparison c = CompareTraces(Trace({}), {}, Trace(Healthy()), {});
  EXPECT_EQ(c.matched, 0u);
  EXPECT_EQ(c.spans.size(), 3u);
}

TEST(RenderComparison, WritesTheDocumentShape) {
  auto slow = Healthy();
  slow[1].duration_ns = 90 * query::testing::kMs;
  query::AssembledTrace a = Trace(Healthy()), b = Trace(slow);
  TraceComparison c = CompareTraces(a, {}, b, {Log("payment", "timeout \"x\" after 5s", 17)});
  std::string json = RenderComparison(c, a, b);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["a"]["trace_id"].get_string().value()), a.trace_id.ToHex());
  EXPECT_EQ(doc["matched"].get_uint64().value(), 3u);
  simdjson::dom::array spans = doc["spans"].get_array().value();
  ASSERT_EQ(spans.size(), 1u) << json;
  EXPECT_EQ(std::string_view(spans.at(0)["change"].get_string().value()), "slower");
  EXPECT_EQ(spans.at(0)["b"]["duration_ns"].get_uint64().value(), 90 * query::testing::kMs);
  simdjson::dom::array templates = doc["log_templates"].get_array().value();
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(std::string_view(templates.at(0)["only_in"].get_string().value()), "b");
}

}  // namespace
}  // namespace callpath::analyze
