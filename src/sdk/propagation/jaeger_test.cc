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

SpanContext Extract(const std::string& value) {
  return ExtractFrom(JaegerPropagator(), {{"uber-trace-id", value}}).span_context();
}

TEST(JaegerExtract, FullLengthIds) {
  SpanContext sc = Extract(kTrace + ":" + kSpan + ":0:1");
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), kTrace);
  EXPECT_EQ(sc.span_id().ToHex(), kSpan);
  EXPECT_TRUE(sc.IsSampled());
  EXPECT_TRUE(sc.IsRemote());
}

TEST(JaegerExtract, ShortIdsAreLeftPadded) {
  SpanContext sc = Extract("abc:7:0:0");
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), "00000000000000000000000000000abc");
  EXPECT_EQ(sc.span_id().ToHex(), "0000000000000007");
  EXPECT_FALSE(sc.IsSampled());
  EXPECT_EQ(Extract("a3ce929d0e0e4736:" + kSpan + ":0:01").trace_id().ToHex(),
            "0000000000000000a3ce929d0e0e4736");
}

TEST(JaegerExtract, UppercaseHexIsAccepted) {
  EXPECT_EQ(Extract("ABC:DEF:0:1").trace_id().ToHex(), "00000000000000000000000000000abc");
}

TEST(JaegerExtract, UrlEncodedValue) {
  SpanContext sc = Extract(kTrace + "%3A" + kSpan + "%3a0%3A1");
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.span_id().ToHex(), kSpan);
}

TEST(JaegerExtract, DebugFlag) {
  SpanContext sc = Extract(kTrace + ":" + kSpan + ":0:3");
  EXPECT_TRUE(sc.IsSampled());
  EXPECT_TRUE(sc.trace_flags().bits & kTraceFlagDebug);
  EXPECT_FALSE(Extract(kTrace + ":" + kSpan + ":0:1").trace_flags().bits & kTraceFlagDebug);
  EXPECT_FALSE(Extract(kTrace + ":" + kSpan + ":0:8").IsSampled()) << "firehose only";
}

TEST(JaegerExtract, RejectsMalformedValues) {
  for (const std::string& bad : {
           std::string(""), kTrace, kTrace + ":" + kSpan, kTrace + ":" + kSpan + ":0",
           kTrace + ":" + kSpan + ":0:1:extra", kTrace + "0:" + kSpan + ":0:1",
           kTrace + ":0" + kSpan + ":0:1", kTrace + ":" + kSpan + ":0:100",
           kTrace + ":" + kSpan + "::1", kTrace + ":" + kSpan + ":0:",
           "0:" + kSpan + ":0:1", kTrace + ":0:0:1", kTrace + ":" + kSpan + ":x:1",
           kTrace + ":" + kSpan + ":0:g",
       }) {
    EXPECT_FALSE(Extract(bad).IsValid()) << bad;
  }
}

TEST(JaegerExtract, BaggageFromUberctxFields) {
  Context base = Context().WithBaggage(Baggage().Set("existing", "1"));
  Context out = ExtractFrom(JaegerPropagator(),
                            {{"uber-trace-id", kTrace + ":" + kSpan + ":0:1"},
                             {"uberctx-user", "value%201%20%2F%20blah"},
                             {"UberCtx-Tenant-Id", "acme"},
                             {"uberctx-", "no key"},
                             {"other", "x"}},
                            base);
  EXPECT_TRUE(out.span_context().IsValid());
  const Baggage& b = out.baggage();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(*b.Get("existing"), "1");
  EXPECT_EQ(*b.Get("user"), "value 1 / blah");
  EXPECT_EQ(*b.Get("tenant-id"), "acme");
}

TEST(JaegerExtract, BaggageWithoutTraceAndBaseKeptOnGarbage) {
  Context base(MakeSpan());
  Context out = ExtractFrom(JaegerPropagator(),
                            {{"uber-trace-id", "garbage"}, {"uberctx-k", "v"}}, base);
  EXPECT_EQ(out.span_context(), base.span_context());
  EXPECT_EQ(*out.baggage().Get("k"), "v");
  EXPECT_EQ(ExtractFrom(JaegerPropagator(), {{"uber-trace-id", "garbage"}}, base), base);
}

TEST(JaegerInject, TraceHeaderAndBaggage) {
  Context ctx = Context(MakeSpan(kTraceHex, kSpanHex, 0x01))
                    .WithBaggage(Baggage().Set("k", "v 1").Set("bad key", "x"));
  Headers out = InjectInto(JaegerPropagator(), ctx);
  EXPECT_EQ(out, (Headers{{"uber-trace-id", kTrace + ":" + kSpan + ":0:01"},
                          {"uberctx-k", "v%201"}}));
}

TEST(JaegerInject, Flags) {
  auto header = [](uint8_t flags) {
    return InjectInto(JaegerPropagator(), Context(MakeSpan(kTraceHex, kSpanHex, flags)))
        .at(0).second.substr(49);
  };
  EXPECT_EQ(header(0x00), ":0:00");
  EXPECT_EQ(header(0x02), ":0:00") << "the W3C random bit is not a Jaeger flag";
  EXPECT_EQ(header(0x81), ":0:03");
}

}  // namespace
}  // namespace callpath
