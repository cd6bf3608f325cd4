#include "query/skeleton.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "query/test_traces.h"

namespace callpath::query {
namespace {

using testing::kMs;
using testing::S;

// root(1) -> a(2) -> c(4); root -> b(3), b starting before a ends.
//   1 web  GET   0..100
//   2 api  List  10..60
//   4 db   query 20..50  (error)
//   3 api  Get   30..90
AssembledTrace Sample() {
  return AssembleTrace({S(3, 1, "api", "Get", 30, 60), S(4, 2, "db", "query", 20, 30, true),
                        S(1, 0, "web", "GET", 0, 100), S(2, 1, "api", "List", 10, 50)});
}

store::StoredLog Log(uint8_t span, uint64_t at_ms, int32_t severity) {
  store::StoredLog l;
  l.trace_id = testing::TestTrace();
  if (span) l.span_id = testing::Sid(span);
  l.time_ns = testing::kT0 + at_ms * kMs;
  l.severity_number = severity;
  l.body = store::Value::String("line");
  return l;
}

std::vector<int64_t> Ints(simdjson::dom::element doc, const char* key) {
  std::vector<int64_t> out;
  for (auto v : doc[key].get_array()) out.push_back(v.get_int64().value());
  return out;
}

std::vector<std::string> Strings(simdjson::dom::element doc, const char* key) {
  std::vector<std::string> out;
  for (auto v : doc[key].get_array()) out.emplace_back(std::string_view(v.get_string().value()));
  return out;
}

TEST(TreeOrder, IsDepthFirstWithChildrenByStart) {
  AssembledTrace t = Sample();
  std::vector<std::string> ops;
  for (size_t i : TreeOrder(t)) ops.push_back(t.spans[i].operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"GET", "List", "query", "Get"}));
}

TEST(RenderSkeleton, ColumnsFollowTreeOrderWithDictionaryIndices) {
  std::string json = RenderSkeleton(Sample(), {});
  simdjson::dom::parser parser;
  auto doc = parser.parse(json).value();
  EXPECT_EQ(std::string_view(doc["start_ns"].get_string().value()), std::to_string(testing::kT0));
  EXPECT_EQ(doc["span_count"].get_uint64().value(), 4u);
  EXPECT_EQ(doc["error_count"].get_uint64().value(), 1u);
  EXPECT_EQ(doc["max_depth"].get_uint64().value(), 2u);
  EXPECT_EQ(Strings(doc, "services"), (std::vector<std::string>{"web", "api", "db"}));
  EXPECT_EQ(Strings(doc, "operations"), (std::vector<std::string>{"GET", "List", "query", "Get"}));
  EXPECT_EQ(std::string_view(doc["ids"].get_string().value()).substr(2 * 16, 16), testing::Sid(4).ToHex());
  EXPECT_EQ(Ints(doc, "parent"), (std::vector<int64_t>{-1, 0, 1, 0}));
  EXPECT_EQ(Ints(doc, "service"), (std::vector<int64_t>{0, 1, 2, 1}));
  EXPECT_EQ(Ints(doc, "start"), (std::vector<int64_t>{0, 10 * kMs, 20 * kMs, 30 * kMs}));
  EXPECT_EQ(Ints(doc, "duration"), (std::vector<int64_t>{100 * kMs, 50 * kMs, 30 * kMs, 60 * kMs}));
  EXPECT_EQ(Ints(doc, "status"), (std::vector<int64_t>{0, 0, 2, 0}));
  EXPECT_EQ(Ints(doc, "children"), (std::vector<int64_t>{2, 1, 0, 0}));
}

TEST(RenderSkeleton, MarksTheCriticalPathInFlagsAndSegments) {
  AssembledTrace t = Sample();
  std::string json = RenderSkeleton(t, {});
  simdjson::dom::parser parser;
  auto doc = parser.parse(json).value();
  std::vector<int64_t> flags = Ints(doc, "flags");
  // Exactly the spans of CriticalPath, in tree order.
  std::vector<bool> on_path(t.spans.size(), false);
  for (const auto& seg : CriticalPath(t)) on_path[seg.span] = true;
  std::vector<size_t> order = TreeOrder(t);
  for (size_t k = 0; k < order.size(); ++k) {
    EXPECT_EQ((flags[k] & kSkeletonCritical) != 0, on_path[order[k]]) << t.spans[order[k]].operation;
  }
  // The root waited on Get, which ends last (at 90).
  EXPECT_TRUE(flags[0] & kSkeletonCritical);
  EXPECT_TRUE(flags[3] & kSkeletonCritical);
  bool get_segment = false;
  for (auto seg : doc["critical_path"].get_array()) {
    auto a = seg.get_array();
    if (a.at(0).get_int64().value() == 3) {
      get_segment = true;
      EXPECT_EQ(a.at(2).get_int64().value(), static_cast<int64_t>(90 * kMs));
    }
  }
  EXPECT_TRUE(get_segment);
}

TEST(RenderSkeleton, CountsLogsPerSpanAndKeepsLogsWithoutTheirSpan) {
  std::vector<store::StoredLog> logs = {Log(4, 25, 17), Log(4, 26, 9), Log(9, 40, 13), Log(0, 41, 9)};
  std::string json = RenderSkeleton(Sample(), logs);
  simdjson::dom::parser parser;
  auto doc = parser.parse(json).value();
  EXPECT_EQ(Ints(doc, "logs"), (std::vector<int64_t>{0, 0, 2, 0}));
  EXPECT_EQ(doc["log_count"].get_uint64().value(), 4u);
  EXPECT_EQ(doc["logs_without_span"].get_uint64().value(), 2u);
  simdjson::dom::element ticks = doc["log_ticks"].value();
  EXPECT_EQ(Ints(ticks, "span"), (std::vector<int64_t>{2, 2, -1, -1}));
  EXPECT_EQ(Ints(ticks, "offset")[0], static_cast<int64_t>(25 * kMs));
  EXPECT_EQ(Ints(ticks, "severity"), (std::vector<int64_t>{17, 9, 13, 9}));
}

TEST(RenderSkeleton, FlagsOrphansAndAnEmptyTraceRenders) {
  AssembledTrace t = AssembleTrace({S(1, 0, "web", "GET", 0, 100), S(5, 77, "api", "lost", 10, 5)});
  simdjson::dom::parser parser;
  auto doc = parser.parse(RenderSkeleton(t, {})).value();
  EXPECT_TRUE(Ints(doc, "flags")[1] & kSkeletonOrphan);
  EXPECT_EQ(Ints(doc, "parent")[1], 0);

  std::string empty = RenderSkeleton(AssembleTrace({}), {});
  auto e = parser.parse(empty).value();
  EXPECT_EQ(e["span_count"].get_uint64().value(), 0u);
  EXPECT_EQ(std::string_view(e["ids"].get_string().value()), "");
}

}  // namespace
}  // namespace callpath::query
