#include <gtest/gtest.h>

#include "callpath/propagation.h"
#include "sdk/propagation/test_util.h"

namespace callpath {
namespace {

using testing::ExtractFrom;
using testing::Headers;
using testing::InjectInto;
using testing::kSpanHex;
using testing::kTraceHex;
using testing::MakeSpan;

const std::string kTrace(kTraceHex);

SpanContext Extract(const std::string& value) {
  return ExtractFrom(LegacyTraceIdPropagator(), {{"X-Trace-ID", value}}).span_context();
}

TEST(LegacyTraceId, InjectsTheTraceIdLowercase) {
  Headers out = InjectInto(LegacyTraceIdPropagator(), Context(MakeSpan()));
  EXPECT_EQ(out, (Headers{{"x-trace-id", kTrace}}));
  EXPECT_TRUE(InjectInto(LegacyTraceIdPropagator(), Context()).empty());
}

TEST(LegacyTraceId, ExtractsARemoteSampledParentOfThatTrace) {
  SpanContext sc = Extract(kTrace);
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), kTrace);
  EXPECT_TRUE(sc.IsRemote());
  EXPECT_TRUE(sc.IsSampled());
}

TEST(LegacyTraceId, TheInventedParentDependsOnlyOnTheTraceId) {
  EXPECT_EQ(Extract(kTrace), Extract(" " + kTrace + " "));
  EXPECT_NE(Extract(kTrace).span_id(),
            Extract("0af7651916cd43dd8448eb211c80319c").span_id());
}

TEST(LegacyTraceId, AcceptsUppercaseUuidAndSixtyFourBitForms) {
  EXPECT_EQ(Extract("4BF92F3577B34DA6A3CE929D0E0E4736").trace_id().ToHex(), kTrace);
  EXPECT_EQ(Extract("4bf92f35-77b3-4da6-a3ce-929d0e0e4736").trace_id().ToHex(), kTrace);
  EXPECT_EQ(Extract("a3ce929d0e0e4736").trace_id().ToHex(), "0000000000000000a3ce929d0e0e4736");
}

TEST(LegacyTraceId, RejectsOtherShapes) {
  for (const std::string& bad : {std::string(""), std::string(32, '0'), kTrace.substr(1),
                                 kTrace + "0", std::string("4bf92f35-77b3-4da6-a3ce-929d0e0e473g"),
                                 std::string("4bf92f3577b34da6-a3ce929d0e0e4736-xxx"),
                                 std::string("not-a-trace-id")}) {
    EXPECT_FALSE(Extract(bad).IsValid()) << bad;
  }
}

TEST(LegacyTraceId, ConfigurableHeaderName) {
  LegacyTraceIdPropagator p("X-Request-Trace");
  EXPECT_EQ(InjectInto(p, Context(MakeSpan())), (Headers{{"x-request-trace", kTrace}}));
  EXPECT_TRUE(ExtractFrom(p, {{"X-REQUEST-TRACE", kTrace}}).span_context().IsValid());
  EXPECT_FALSE(ExtractFrom(p, {{"X-Trace-ID", kTrace}}).span_context().IsValid());
  ASSERT_EQ(p.Fields().size(), 1u);
  EXPECT_EQ(p.Fields()[0], "x-request-trace");
}

TEST(LegacyTraceId, KeepsARicherParentOfTheSameTrace) {
  Context base(MakeSpan(kTraceHex, kSpanHex, 0x03, true));
  EXPECT_EQ(ExtractFrom(LegacyTraceIdPropagator(), {{"x-trace-id", kTrace}}, base), base);
  Context other = ExtractFrom(LegacyTraceIdPropagator(),
                              {{"x-trace-id", "0af7651916cd43dd8448eb211c80319c"}}, base);
  EXPECT_EQ(other.span_context().trace_id().ToHex(), "0af7651916cd43dd8448eb211c80319c");
}

}  // namespace
}  // namespace callpath
