#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "callpath/propagation.h"
#include "sdk/propagation/test_util.h"

namespace callpath {
namespace {

using testing::Headers;

TEST(HeaderMapCarrier, CaseInsensitiveMultiValuedReads) {
  const Headers h = {{"Tracestate", "a=1"}, {"other", "x"}, {"TRACESTATE", "b=2"}};
  HeaderMapCarrier c(h);
  EXPECT_EQ(c.Get("tracestate"), "a=1");
  EXPECT_EQ(c.Count("tracestate"), 2u);
  EXPECT_EQ(c.GetJoined("tracestate"), "a=1,b=2");
  EXPECT_EQ(c.Get("missing"), "");
  EXPECT_EQ(c.Count("missing"), 0u);
  EXPECT_EQ(c.GetJoined("missing"), "");
  EXPECT_EQ(c.Keys(), (std::vector<std::string_view>{"Tracestate", "other", "TRACESTATE"}));
}

TEST(HeaderMapCarrier, SetReplacesEveryFieldOfThatName) {
  Headers h = {{"A", "1"}, {"b", "2"}, {"a", "3"}};
  HeaderMapCarrier c(h);
  c.Set("a", "new");
  EXPECT_EQ(h, (Headers{{"A", "new"}, {"b", "2"}}));
  c.Set("c", "4");
  EXPECT_EQ(h.back(), (std::pair<std::string, std::string>{"c", "4"}));
}

TEST(HeaderMapCarrier, ReadOnlyViewIgnoresSet) {
  const Headers h = {{"a", "1"}};
  HeaderMapCarrier c(h);
  c.Set("a", "2");
  c.Set("b", "3");
  EXPECT_EQ(h, (Headers{{"a", "1"}}));
}

TEST(FlatCarrier, SetGetAndOverwrite) {
  FlatCarrier<4, 64> c;
  c.Set("Traceparent", "abc");
  EXPECT_EQ(c.Get("traceparent"), "abc");
  EXPECT_EQ(c.Count("TRACEPARENT"), 1u);
  c.Set("traceparent", "xy");  // shorter: reuses the space
  EXPECT_EQ(c.Get("traceparent"), "xy");
  c.Set("traceparent", "longer value");
  EXPECT_EQ(c.Get("traceparent"), "longer value");
  EXPECT_EQ(c.size(), 1u);
  EXPECT_FALSE(c.overflowed());
  EXPECT_EQ(c.Keys(), (std::vector<std::string_view>{"Traceparent"}));
}

TEST(FlatCarrier, DropsWhatDoesNotFit) {
  FlatCarrier<2, 16> c;
  c.Set("a", "1");
  c.Set("b", "2");
  c.Set("c", "3");  // no field left
  EXPECT_TRUE(c.overflowed());
  EXPECT_EQ(c.Get("c"), "");
  c.Clear();
  EXPECT_FALSE(c.overflowed());
  c.Set("k", std::string(20, 'x'));  // no byte left
  EXPECT_TRUE(c.overflowed());
  EXPECT_EQ(c.Get("k"), "");
}

TEST(FlatCarrier, CarriesATraceThroughAPropagator) {
  FlatCarrier<> c;
  W3CTraceContextPropagator w3c;
  Context ctx(testing::MakeSpan());
  w3c.Inject(ctx, c);
  Context out = w3c.Extract(c);
  EXPECT_EQ(out.span_context().trace_id(), ctx.span_context().trace_id());
  EXPECT_TRUE(out.span_context().IsRemote());
}

TEST(FunctionCarrier, AdaptsAnyContainer) {
  std::map<std::string, std::string> meta;  // e.g. lowercase-keyed gRPC metadata
  auto carrier = MakeFunctionCarrier(
      [&](std::string_view k) -> std::string_view {
        auto it = meta.find(std::string(k));
        return it == meta.end() ? std::string_view() : std::string_view(it->second);
      },
      [&](std::string_view k, std::string_view v) { meta[std::string(k)] = std::string(v); });
  W3CTraceContextPropagator w3c;
  Context ctx(testing::MakeSpan());
  w3c.Inject(ctx, carrier);
  EXPECT_EQ(meta.count("traceparent"), 1u);
  EXPECT_EQ(w3c.Extract(carrier).span_context().span_id(), ctx.span_context().span_id());
}

// A carrier that fails the way a real one can: the propagator must not let
// the exception out.
class ThrowingCarrier final : public TextMapCarrier {
 public:
  std::string_view Get(std::string_view) const override { throw std::bad_alloc(); }
  void Set(std::string_view, std::string_view) override { throw std::bad_alloc(); }
};

TEST(TextMapPropagatorContract, NeverThrows) {
  ThrowingCarrier c;
  Context base(testing::MakeSpan());
  W3CTraceContextPropagator w3c;
  EXPECT_NO_THROW(w3c.Inject(base, c));
  EXPECT_EQ(w3c.Extract(c, base), base);
}

}  // namespace
}  // namespace callpath
