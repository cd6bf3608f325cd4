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
const std::string kSpan(kSpanHex);

SpanContext Extract(const Headers& headers) {
  return ExtractFrom(B3Propagator(), headers).span_context();
}

TEST(B3Single, ExtractsAllShapes) {
  SpanContext sc = Extract({{"b3", kTrace + "-" + kSpan}});
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), kTrace);
  EXPECT_EQ(sc.span_id().ToHex(), kSpan);
  EXPECT_FALSE(sc.IsSampled()) << "no sampling state: deferred";
  EXPECT_TRUE(sc.IsRemote());

  EXPECT_TRUE(Extract({{"b3", kTrace + "-" + kSpan + "-1"}}).IsSampled());
  EXPECT_FALSE(Extract({{"b3", kTrace + "-" + kSpan + "-0"}}).IsSampled());
  SpanContext with_parent = Extract({{"B3", kTrace + "-" + kSpan + "-1-05e3ac9a4f6e3b90"}});
  EXPECT_TRUE(with_parent.IsValid());
  EXPECT_EQ(with_parent.span_id().ToHex(), kSpan) << "the parent id is not our parent";
}

TEST(B3Single, DebugSetsSampledAndTheDebugBit) {
  SpanContext sc = Extract({{"b3", kTrace + "-" + kSpan + "-d"}});
  ASSERT_TRUE(sc.IsValid());
  EXPECT_TRUE(sc.IsSampled());
  EXPECT_TRUE(sc.trace_flags().bits & kTraceFlagDebug);
}

TEST(B3Single, SixtyFourBitTraceIdIsLeftPadded) {
  SpanContext sc = Extract({{"b3", "a3ce929d0e0e4736-" + kSpan + "-1"}});
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), "0000000000000000a3ce929d0e0e4736");
}

TEST(B3Single, SamplingOnlyCarriesNoTrace) {
  for (const char* v : {"0", "1", "d"}) EXPECT_FALSE(Extract({{"b3", v}}).IsValid()) << v;
}

TEST(B3Single, RejectsMalformedValues) {
  for (const std::string& bad : {
           std::string("-"), std::string(""), kTrace, kTrace + "-",
           kTrace + "-" + kSpan + "-x", kTrace + "-" + kSpan + "-1-zz",
           kTrace + "-" + kSpan + "-1-" + kSpan + "-extra",
           std::string("4BF92F3577B34DA6A3CE929D0E0E4736-") + kSpan,
           kTrace.substr(1) + "-" + kSpan, kTrace + "-" + kSpan.substr(1),
           std::string(32, '0') + "-" + kSpan, kTrace + "-" + std::string(16, '0'),
       }) {
    EXPECT_FALSE(Extract({{"b3", bad}}).IsValid()) << bad;
  }
}

TEST(B3Multi, ExtractsTheSeparateHeaders) {
  SpanContext sc = Extract({{"X-B3-TraceId", kTrace},
                            {"X-B3-SpanId", kSpan},
                            {"X-B3-ParentSpanId", "05e3ac9a4f6e3b90"},
                            {"X-B3-Sampled", "1"}});
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), kTrace);
  EXPECT_EQ(sc.span_id().ToHex(), kSpan);
  EXPECT_TRUE(sc.IsSampled());
  EXPECT_TRUE(sc.IsRemote());
}

TEST(B3Multi, SampledValuesAndDebugFlag) {
  auto with = [&](Headers extra) {
    Headers h = {{"x-b3-traceid", kTrace}, {"x-b3-spanid", kSpan}};
    h.insert(h.end(), extra.begin(), extra.end());
    return Extract(h);
  };
  EXPECT_TRUE(with({{"x-b3-sampled", "true"}}).IsSampled());
  EXPECT_FALSE(with({{"x-b3-sampled", "false"}}).IsSampled());
  EXPECT_FALSE(with({{"x-b3-sampled", "0"}}).IsSampled());
  EXPECT_TRUE(with({}).IsValid());
  EXPECT_FALSE(with({{"x-b3-sampled", "yes"}}).IsValid());
  SpanContext debug = with({{"x-b3-flags", "1"}});
  EXPECT_TRUE(debug.IsSampled());
  EXPECT_TRUE(debug.trace_flags().bits & kTraceFlagDebug);
  EXPECT_FALSE(with({{"x-b3-flags", "0"}}).trace_flags().bits & kTraceFlagDebug);
}

TEST(B3Multi, FirstValueOfARepeatedHeaderWins) {
  SpanContext sc = Extract({{"x-b3-traceid", kTrace},
                            {"x-b3-traceid", "0af7651916cd43dd8448eb211c80319c"},
                            {"x-b3-spanid", kSpan}});
  EXPECT_EQ(sc.trace_id().ToHex(), kTrace);
}

TEST(B3Multi, MissingOrBadIdsAreIgnored) {
  EXPECT_FALSE(Extract({{"x-b3-traceid", kTrace}}).IsValid());
  EXPECT_FALSE(Extract({{"x-b3-spanid", kSpan}}).IsValid());
  EXPECT_FALSE(Extract({{"x-b3-traceid", "-"}, {"x-b3-spanid", kSpan}}).IsValid());
}

TEST(B3Extract, SingleHeaderIsTriedFirstThenMulti) {
  Headers both = {{"b3", kTrace + "-" + kSpan + "-1"},
                  {"x-b3-traceid", "0af7651916cd43dd8448eb211c80319c"},
                  {"x-b3-spanid", "b9c7c989f97918e1"}};
  EXPECT_EQ(Extract(both).trace_id().ToHex(), kTrace);
  both[0].second = "0";  // a sampling-only single header: fall back to multi
  EXPECT_EQ(Extract(both).trace_id().ToHex(), "0af7651916cd43dd8448eb211c80319c");
}

TEST(B3Extract, MalformedLeavesBaseUnchanged) {
  Context base(MakeSpan());
  EXPECT_EQ(ExtractFrom(B3Propagator(), {{"b3", "garbage"}}, base), base);
}

TEST(B3Inject, SingleHeaderByDefault) {
  Headers out = InjectInto(B3Propagator(), Context(MakeSpan(kTraceHex, kSpanHex, 0x01)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, "b3");
  EXPECT_EQ(out[0].second, kTrace + "-" + kSpan + "-1");
  out = InjectInto(B3Propagator(), Context(MakeSpan(kTraceHex, kSpanHex, 0x02)));
  EXPECT_EQ(out[0].second, kTrace + "-" + kSpan + "-0");
  out = InjectInto(B3Propagator(), Context(MakeSpan(kTraceHex, kSpanHex, 0x81)));
  EXPECT_EQ(out[0].second, kTrace + "-" + kSpan + "-d");
}

TEST(B3Inject, MultiHeadersWithoutParent) {
  B3Propagator multi(B3Propagator::Encoding::kMultiHeader);
  Headers out = InjectInto(multi, Context(MakeSpan(kTraceHex, kSpanHex, 0x01)));
  EXPECT_EQ(out, (Headers{{"x-b3-traceid", kTrace}, {"x-b3-spanid", kSpan}, {"x-b3-sampled", "1"}}));
  out = InjectInto(multi, Context(MakeSpan(kTraceHex, kSpanHex, 0x81)));
  EXPECT_EQ(out, (Headers{{"x-b3-traceid", kTrace}, {"x-b3-spanid", kSpan}, {"x-b3-flags", "1"}}));
}

TEST(B3Inject, NothingForAnInvalidContext) {
  EXPECT_TRUE(InjectInto(B3Propagator(), Context()).empty());
}

}  // namespace
}  // namespace callpath
