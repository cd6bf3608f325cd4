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

const std::string kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

SpanContext ExtractSpan(const Headers& headers) {
  return ExtractFrom(W3CTraceContextPropagator(), headers).span_context();
}

SpanContext ExtractTraceparent(const std::string& value) {
  return ExtractSpan({{"traceparent", value}});
}

TEST(W3CTraceparent, ExtractsAValidHeaderAsRemote) {
  SpanContext sc = ExtractTraceparent(kValid);
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), kTraceHex);
  EXPECT_EQ(sc.span_id().ToHex(), kSpanHex);
  EXPECT_TRUE(sc.IsSampled());
  EXPECT_TRUE(sc.IsRemote());
  EXPECT_TRUE(sc.trace_state().empty());
}

TEST(W3CTraceparent, HeaderNameIsCaseInsensitive) {
  EXPECT_TRUE(ExtractSpan({{"TraceParent", kValid}}).IsValid());
  EXPECT_TRUE(ExtractSpan({{"TRACEPARENT", kValid}}).IsValid());
}

TEST(W3CTraceparent, StripsOwsAroundTheValue) {
  EXPECT_TRUE(ExtractTraceparent(" " + kValid).IsValid());
  EXPECT_TRUE(ExtractTraceparent(kValid + "\t").IsValid());
  EXPECT_TRUE(ExtractTraceparent(" \t" + kValid + " \t").IsValid());
}

TEST(W3CTraceparent, RejectsVersionFf) {
  EXPECT_FALSE(ExtractTraceparent("ff" + kValid.substr(2)).IsValid());
}

TEST(W3CTraceparent, AcceptsFutureVersionsAndIgnoresExtraFields) {
  SpanContext sc = ExtractTraceparent(
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like");
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_id().ToHex(), kTraceHex);
  EXPECT_TRUE(sc.IsSampled());
  EXPECT_TRUE(ExtractTraceparent("cc" + kValid.substr(2)).IsValid());
  // After the flags a future version must continue with '-'.
  EXPECT_FALSE(ExtractTraceparent("cc" + kValid.substr(2) + ".what").IsValid());
  EXPECT_FALSE(ExtractTraceparent("cc" + kValid.substr(2) + "what").IsValid());
}

TEST(W3CTraceparent, FutureVersionIsSentOnAsVersion00) {
  Context ctx = ExtractFrom(W3CTraceContextPropagator(),
                            {{"traceparent", "cc" + kValid.substr(2) + "-extra"}});
  Headers out = InjectInto(W3CTraceContextPropagator(), ctx);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].second, kValid);
}

TEST(W3CTraceparent, Version00MustBeExactly55Characters) {
  EXPECT_FALSE(ExtractTraceparent(kValid + ".").IsValid());
  EXPECT_FALSE(ExtractTraceparent(kValid + "-extra").IsValid());
  EXPECT_FALSE(ExtractTraceparent(kValid.substr(0, 54)).IsValid());
}

TEST(W3CTraceparent, RejectsUppercaseHex) {
  EXPECT_FALSE(ExtractTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").IsValid());
  EXPECT_FALSE(ExtractTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01").IsValid());
  EXPECT_FALSE(ExtractTraceparent("0A" + kValid.substr(2)).IsValid());
  EXPECT_FALSE(ExtractTraceparent(kValid.substr(0, 53) + "0A").IsValid());
}

TEST(W3CTraceparent, RejectsAllZeroIds) {
  EXPECT_FALSE(ExtractTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").IsValid());
  EXPECT_FALSE(ExtractTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01").IsValid());
}

TEST(W3CTraceparent, RejectsBadShapes) {
  for (const char* bad : {
           "",
           "00",
           "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
           "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7- 1",
           "00-4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7-01",
       }) {
    EXPECT_FALSE(ExtractTraceparent(bad).IsValid()) << bad;
  }
}

TEST(W3CTraceparent, DuplicatedHeaderIsInvalid) {
  Headers h = {{"traceparent", kValid},
               {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01"}};
  EXPECT_FALSE(ExtractSpan(h).IsValid());
  h[1].second = kValid;  // even when both say the same
  EXPECT_FALSE(ExtractSpan(h).IsValid());
}

TEST(W3CTraceparent, KeepsSampledAndRandomFlagsExactly) {
  for (uint8_t flags : {0x00, 0x01, 0x02, 0x03}) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", flags);
    SpanContext sc = ExtractTraceparent(kValid.substr(0, 53) + hex);
    ASSERT_TRUE(sc.IsValid());
    EXPECT_EQ(sc.trace_flags().bits, flags);
    Headers out = InjectInto(W3CTraceContextPropagator(), Context(sc));
    EXPECT_EQ(out.at(0).second, kValid.substr(0, 53) + hex);
  }
}

TEST(W3CTraceparent, UnknownFlagBitsAreNotPassedOn) {
  SpanContext sc = ExtractTraceparent(kValid.substr(0, 53) + "ff");
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_flags().bits, 0x03);
}

TEST(W3CTraceparent, InjectMasksFlagsTo03) {
  Headers out = InjectInto(W3CTraceContextPropagator(),
                           Context(MakeSpan(kTraceHex, kSpanHex, 0x83)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, "traceparent");
  EXPECT_EQ(out[0].second, kValid.substr(0, 53) + "03");
}

TEST(W3CTraceparent, InjectWritesNothingForAnInvalidContext) {
  EXPECT_TRUE(InjectInto(W3CTraceContextPropagator(), Context()).empty());
}

TEST(W3CTraceparent, InvalidInputLeavesTheBaseUnchanged) {
  Context base(MakeSpan("0af7651916cd43dd8448eb211c80319c", "b9c7c989f97918e1", 1, true));
  Context out = ExtractFrom(W3CTraceContextPropagator(),
                            {{"traceparent", "garbage"}, {"tracestate", "a=1"}}, base);
  EXPECT_EQ(out, base);
}

TEST(W3CTraceparent, ExtractKeepsTheBaseBaggage) {
  Context base = Context().WithBaggage(Baggage().Set("k", "v"));
  Context out = ExtractFrom(W3CTraceContextPropagator(), {{"traceparent", kValid}}, base);
  EXPECT_TRUE(out.span_context().IsValid());
  EXPECT_EQ(out.baggage(), base.baggage());
}

TEST(W3CTracestate, ExtractedWithAValidTraceparent) {
  SpanContext sc = ExtractSpan({{"traceparent", kValid},
                                {"tracestate", "rojo=00f067aa0ba902b7"},
                                {"TraceState", "congo=t61rcWkgMzE"}});
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_state().ToHeader(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
      << "several fields join in order";
}

TEST(W3CTracestate, DroppedWhenTraceparentIsInvalid) {
  Context base(MakeSpan());
  Context out = ExtractFrom(W3CTraceContextPropagator(),
                            {{"traceparent", "ff" + kValid.substr(2)}, {"tracestate", "a=1"}},
                            base);
  EXPECT_TRUE(out.span_context().trace_state().empty());
}

TEST(W3CTracestate, InvalidTracestateIsDroppedWholeButTheTraceContinues) {
  const std::string long_key(257, 'k');
  for (const std::string& bad : {std::string("foo=bar=baz"), std::string("foo="),
                                 std::string("ok=1,Bad=2"), std::string("@a=1,b=2"),
                                 long_key + "=v"}) {
    SpanContext sc = ExtractSpan({{"traceparent", kValid}, {"tracestate", bad}});
    EXPECT_TRUE(sc.IsValid()) << bad;
    EXPECT_TRUE(sc.trace_state().empty()) << bad;
  }
}

// The W3C harness (test_tracestate_duplicated_keys since the 2021 revision)
// accepts passing repeats on or dropping them, but not dropping the header.
TEST(W3CTracestate, DuplicateKeyAcrossFieldsKeepsTheFirstEntry) {
  SpanContext sc = ExtractSpan({{"traceparent", kValid},
                                {"tracestate", "foo=1,bar=2"},
                                {"tracestate", "foo=3"}});
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(sc.trace_state().ToHeader(), "foo=1,bar=2");
}

TEST(W3CTracestate, MoreThan32MembersAcrossFieldsIsDropped) {
  Headers h = {{"traceparent", kValid}};
  for (int i = 0; i < 33; ++i) h.emplace_back("tracestate", "k" + std::to_string(i) + "=v");
  EXPECT_TRUE(ExtractSpan(h).trace_state().empty());
  h.pop_back();
  EXPECT_EQ(ExtractSpan(h).trace_state().size(), 32u);
}

TEST(W3CTracestate, InjectedOnlyWhenNotEmpty) {
  TraceState state = TraceState().Set("rojo", "1").Set("congo", "2");
  Headers out = InjectInto(W3CTraceContextPropagator(),
                           Context(MakeSpan(kTraceHex, kSpanHex, 1, false, state)));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], (std::pair<std::string, std::string>{"tracestate", "congo=2,rojo=1"}));
}

TEST(W3CTraceContext, FieldsAreTheTwoHeaders) {
  auto fields = W3CTraceContextPropagator().Fields();
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0], "traceparent");
  EXPECT_EQ(fields[1], "tracestate");
}

TEST(W3CTraceContext, FormatAndParseAgree) {
  SpanContext sc = MakeSpan(kTraceHex, kSpanHex, 0x02);
  char buf[kTraceparentSize];
  FormatTraceparent(sc, buf);
  auto parsed = ParseTraceparent(std::string_view(buf, sizeof(buf)));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id(), sc.trace_id());
  EXPECT_EQ(parsed->span_id(), sc.span_id());
  EXPECT_EQ(parsed->trace_flags(), sc.trace_flags());
}

}  // namespace
}  // namespace callpath
