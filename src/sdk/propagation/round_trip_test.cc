// Inject then Extract gives back what was injected, for every propagator.
#include <gtest/gtest.h>

#include "callpath/propagation.h"
#include "sdk/propagation/test_util.h"

namespace callpath {
namespace {

using testing::ExtractFrom;
using testing::InjectInto;

struct Case {
  const char* name;
  uint8_t flags;
};

class RoundTrip : public ::testing::TestWithParam<Case> {};

SpanContext Remote(uint8_t flags, TraceState state = {}) {
  return SpanContext(NewTraceId(), NewSpanId(), TraceFlags{flags}, /*remote=*/true,
                     std::move(state));
}

Context Cycle(const TextMapPropagator& p, const Context& in) {
  return ExtractFrom(p, InjectInto(p, in));
}

TEST_P(RoundTrip, SpanContextComesBack) {
  auto p = MakePropagators(GetParam().name);
  SpanContext sc = Remote(GetParam().flags);
  EXPECT_EQ(Cycle(*p, Context(sc)).span_context(), sc);
}

INSTANTIATE_TEST_SUITE_P(
    EveryTraceFormat, RoundTrip,
    ::testing::Values(Case{"tracecontext", 0x00}, Case{"tracecontext", 0x01},
                      Case{"tracecontext", 0x02}, Case{"tracecontext", 0x03},
                      Case{"b3", 0x00}, Case{"b3", 0x01}, Case{"b3", 0x81},
                      Case{"b3multi", 0x00}, Case{"b3multi", 0x01}, Case{"b3multi", 0x81},
                      Case{"jaeger", 0x00}, Case{"jaeger", 0x01}, Case{"jaeger", 0x81}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(info.param.name) + "_flags" + std::to_string(info.param.flags);
    });

TEST(RoundTripTraceContext, WithTracestate) {
  W3CTraceContextPropagator p;
  SpanContext sc = Remote(0x03, TraceState().Set("rojo", "00f067aa0ba902b7").Set("a@b", " x"));
  EXPECT_EQ(Cycle(p, Context(sc)).span_context(), sc);
}

TEST(RoundTripBaggage, EntriesComeBack) {
  W3CBaggagePropagator p;
  Baggage b = Baggage().Set("user", "Am\xC3\xA9lie").Set("k w", "a,b;c", "p=1");
  EXPECT_EQ(Cycle(p, Context().WithBaggage(b)).baggage(), b);
}

TEST(RoundTripJaeger, BaggageComesBack) {
  JaegerPropagator p;
  Baggage b = Baggage().Set("user-id", "value 1 / blah").Set("k", "");
  Context in = Context(Remote(0x01)).WithBaggage(b);
  EXPECT_EQ(Cycle(p, in), in);
}

TEST(RoundTripLegacyTraceId, TraceIdComesBack) {
  LegacyTraceIdPropagator p;
  SpanContext sc = Remote(0x01);
  SpanContext out = Cycle(p, Context(sc)).span_context();
  EXPECT_EQ(out.trace_id(), sc.trace_id()) << "the only thing this format carries";
  EXPECT_TRUE(out.IsValid());
}

TEST(RoundTripComposite, DefaultPropagators) {
  auto p = MakePropagators("tracecontext,baggage,b3multi,jaeger,xtraceid");
  Context in = Context(Remote(0x01, TraceState().Set("k", "v"))).WithBaggage(
      Baggage().Set("a", "1"));
  Context out = Cycle(*p, in);
  // Jaeger runs after W3C and carries no tracestate; the ids must agree.
  EXPECT_EQ(out.span_context().trace_id(), in.span_context().trace_id());
  EXPECT_EQ(out.span_context().span_id(), in.span_context().span_id());
  EXPECT_EQ(out.baggage(), in.baggage());
}

}  // namespace
}  // namespace callpath
