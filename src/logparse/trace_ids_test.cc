#include "logparse/trace_ids.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

using testing::kSampleSpanId;
using testing::kSampleTraceId;
using testing::SpanHex;
using testing::TraceHex;

TEST(ClassifyIdField, MatchesTheUsualSpellingsOfTraceAndSpanIds) {
  for (const char* key : {"trace_id", "traceId", "traceID", "trace.id", "trace-id", "X-Trace-ID",
                          "mdc.traceId", "otelTraceID"})
    EXPECT_EQ(ClassifyIdField(key), IdField::kTraceId) << key;
  for (const char* key : {"span_id", "spanId", "span.id", "spanID"})
    EXPECT_EQ(ClassifyIdField(key), IdField::kSpanId) << key;
  EXPECT_EQ(ClassifyIdField("traceparent"), IdField::kTraceparent);
  EXPECT_EQ(ClassifyIdField("dd.trace_id"), IdField::kDecimalTrace);
  EXPECT_EQ(ClassifyIdField("dd.span_id"), IdField::kDecimalSpan);
  for (const char* key : {"trace", "parent_span_id", "trace_flags", "id", "msg", ""})
    EXPECT_EQ(ClassifyIdField(key), IdField::kNone) << key;
}

TEST(ParseTraceIdValue, ReadsHexUuidTraceparentAndXRayForms) {
  EXPECT_EQ(ParseTraceIdValue(kSampleTraceId)->trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(ParseTraceIdValue("4BF92F3577B34DA6A3CE929D0E0E4736")->trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(ParseTraceIdValue("4bf92f35-77b3-4da6-a3ce-929d0e0e4736")->trace_id.ToHex(), kSampleTraceId);
  auto tp = ParseTraceIdValue("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(tp->span_id.ToHex(), kSampleSpanId);
  EXPECT_EQ(tp->flags, 1);
  auto xray = ParseTraceIdValue("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8");
  ASSERT_TRUE(xray);
  EXPECT_EQ(xray->trace_id.ToHex(), "5759e988bd862e3fe1be46a994272793");
}

TEST(ParseTraceIdValue, LeftPadsA64BitId) {
  EXPECT_EQ(ParseTraceIdValue("a3ce929d0e0e4736")->trace_id.ToHex(), "0000000000000000a3ce929d0e0e4736");
}

TEST(ParseTraceIdValue, RejectsZeroAndMalformedIds) {
  for (const char* bad : {"", "00000000000000000000000000000000", "xyz", "4bf92f3577b34da6a3ce929d0e0e47361",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", "Root=1-zz"})
    EXPECT_FALSE(ParseTraceIdValue(bad)) << bad;
}

TEST(ParseDecimalId, ReadsUnsigned64BitNumbersOnly) {
  EXPECT_EQ(*ParseDecimalId("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseDecimalId("18446744073709551616"));
  EXPECT_FALSE(ParseDecimalId("0"));
  EXPECT_FALSE(ParseDecimalId("-1"));
  EXPECT_FALSE(ParseDecimalId("12a"));
}

TEST(FindTraceContextInText, FindsIdsWrittenIntoMessages) {
  std::string hex = kSampleTraceId;
  for (std::string text : {"payment failed TraceID: " + hex, "trace_id=" + hex + " span_id=" + kSampleSpanId,
                           "x \"traceId\": \"" + hex + "\"", "[trace-id=" + hex + "] done",
                           "traceparent=00-" + hex + "-" + kSampleSpanId + "-01"}) {
    EXPECT_EQ(FindTraceContextInText(text).trace_id.ToHex(), hex) << text;
  }
  TraceContext both = FindTraceContextInText("trace_id=" + hex + " span_id=" + kSampleSpanId);
  EXPECT_EQ(both.span_id.ToHex(), kSampleSpanId);
}

TEST(FindTraceContextInText, IgnoresShortValuesAndNamesWithoutSeparator) {
  EXPECT_FALSE(FindTraceContextInText("trace_id=abc").trace_id.IsValid());
  EXPECT_FALSE(FindTraceContextInText("traceid " + std::string(kSampleTraceId)).trace_id.IsValid());
  EXPECT_FALSE(FindTraceContextInText("no ids at all").trace_id.IsValid());
  EXPECT_FALSE(FindTraceContextInText("").trace_id.IsValid());
}

TEST(PickTraceContext, MovesIdFieldsIntoTheRecord) {
  ParsedLog r;
  r.attributes = {{"traceId", std::string(kSampleTraceId)}, {"spanId", std::string(kSampleSpanId)},
                  {"user", std::string("bob")}};
  PickTraceContext(r);
  EXPECT_EQ(TraceHex(r), kSampleTraceId);
  EXPECT_EQ(SpanHex(r), kSampleSpanId);
  ASSERT_EQ(r.attributes.size(), 1u);
  EXPECT_EQ(r.attributes[0].key, "user");
}

TEST(PickTraceContext, DatadogDecimalIdsBecomeTheLowHalf) {
  ParsedLog r;
  r.attributes = {{"dd.trace_id", std::string("8448915551294830910")},
                  {"dd.span_id", int64_t{4215485618214389245}}};
  PickTraceContext(r);
  EXPECT_EQ(TraceHex(r), "0000000000000000754093edfc33b93e");
  EXPECT_EQ(SpanHex(r), "3a8069d5cd6fc5fd");
}

TEST(PickTraceContext, FieldsWinOverTextAndBadFieldsStay) {
  ParsedLog r;
  r.body = "trace_id=11111111111111111111111111111111";
  r.attributes = {{"trace_id", std::string("not-an-id")}, {"x-trace-id", std::string(kSampleTraceId)}};
  PickTraceContext(r);
  EXPECT_EQ(TraceHex(r), kSampleTraceId);
  ASSERT_EQ(r.attributes.size(), 1u);
  EXPECT_EQ(r.attributes[0].key, "trace_id");
}

TEST(PickTraceContext, EmptyIdFieldsAreDroppedAndNoIdIsNoError) {
  ParsedLog r;
  r.body = "idle";
  r.attributes = {{"trace_id", std::string()}, {"span_id", std::string()}};
  PickTraceContext(r);
  EXPECT_FALSE(r.trace_id.IsValid());
  EXPECT_TRUE(r.attributes.empty());
}

}  // namespace
}  // namespace callpath::logparse
