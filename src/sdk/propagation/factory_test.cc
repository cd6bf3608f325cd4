#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "callpath/propagation.h"
#include "sdk/propagation/test_util.h"

namespace callpath {
namespace {

using testing::Headers;
using testing::InjectInto;
using testing::MakeSpan;

std::vector<std::string> FieldsOf(const TextMapPropagator& p) {
  std::vector<std::string> out;
  for (auto f : p.Fields()) out.emplace_back(f);
  return out;
}

using Strings = std::vector<std::string>;

TEST(MakePropagators, KnownNamesInOrder) {
  EXPECT_EQ(FieldsOf(*MakePropagators("tracecontext,baggage")),
            (Strings{"traceparent", "tracestate", "baggage"}));
  EXPECT_EQ(FieldsOf(*MakePropagators("b3")), (Strings{"b3"}));
  EXPECT_EQ(FieldsOf(*MakePropagators("b3multi")),
            (Strings{"x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags"}));
  EXPECT_EQ(FieldsOf(*MakePropagators("jaeger")), (Strings{"uber-trace-id", "uberctx-"}));
  EXPECT_EQ(FieldsOf(*MakePropagators("xtraceid,baggage")), (Strings{"x-trace-id", "baggage"}));
}

TEST(MakePropagators, CaseInsensitiveTrimmedAndDeduplicated) {
  EXPECT_EQ(FieldsOf(*MakePropagators(" B3 , TraceContext,b3,, tracecontext ")),
            (Strings{"b3", "traceparent", "tracestate"}));
}

TEST(MakePropagators, SingleNameIsThatPropagator) {
  EXPECT_NE(dynamic_cast<B3Propagator*>(MakePropagators("b3").get()), nullptr);
  EXPECT_NE(dynamic_cast<CompositePropagator*>(MakePropagators("b3,jaeger").get()), nullptr);
}

TEST(MakePropagators, NoneUnknownAndEmptyGiveNoop) {
  for (const char* list : {"none", "", "bogus", "none,bogus"}) {
    auto p = MakePropagators(list);
    EXPECT_NE(dynamic_cast<NoopPropagator*>(p.get()), nullptr) << list;
    EXPECT_TRUE(InjectInto(*p, Context(MakeSpan())).empty()) << list;
  }
  EXPECT_EQ(FieldsOf(*MakePropagators("bogus,b3,xray")), (Strings{"b3"}));
}

TEST(PropagatorsFromEnvironment, DefaultAndOverride) {
  const char* saved = std::getenv("OTEL_PROPAGATORS");
  std::string saved_value = saved ? saved : "";
  unsetenv("OTEL_PROPAGATORS");
  EXPECT_EQ(FieldsOf(*PropagatorsFromEnvironment()),
            (Strings{"traceparent", "tracestate", "baggage"}));
  setenv("OTEL_PROPAGATORS", "", 1);
  EXPECT_EQ(FieldsOf(*PropagatorsFromEnvironment()),
            (Strings{"traceparent", "tracestate", "baggage"}));
  setenv("OTEL_PROPAGATORS", "b3multi", 1);
  EXPECT_EQ(FieldsOf(*PropagatorsFromEnvironment()).front(), "x-b3-traceid");
  if (saved) {
    setenv("OTEL_PROPAGATORS", saved_value.c_str(), 1);
  } else {
    unsetenv("OTEL_PROPAGATORS");
  }
}

TEST(CompositePropagator, InjectsAllAndLaterExtractWins) {
  std::vector<std::unique_ptr<TextMapPropagator>> list;
  list.push_back(std::make_unique<W3CTraceContextPropagator>());
  list.push_back(std::make_unique<B3Propagator>());
  list.push_back(nullptr);  // ignored
  list.push_back(std::make_unique<W3CBaggagePropagator>());
  CompositePropagator composite(std::move(list));

  Context ctx = Context(MakeSpan()).WithBaggage(Baggage().Set("k", "v"));
  Headers out = InjectInto(composite, ctx);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].first, "traceparent");
  EXPECT_EQ(out[1].first, "b3");
  EXPECT_EQ(out[2].first, "baggage");

  out[1].second = "0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-1";
  Context back = testing::ExtractFrom(composite, out);
  EXPECT_EQ(back.span_context().trace_id().ToHex(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(back.baggage(), ctx.baggage());
}

TEST(GlobalPropagator, SetAndReadFromManyThreads) {
  SetGlobalPropagator(MakePropagators("b3"));
  const TextMapPropagator& first = GlobalPropagator();
  EXPECT_EQ(FieldsOf(first), (Strings{"b3"}));

  std::vector<std::thread> readers;
  std::atomic<int> valid{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) {
        Headers h = InjectInto(GlobalPropagator(), Context(MakeSpan()));
        if (h.size() == 1) valid.fetch_add(1);
      }
    });
  }
  SetGlobalPropagator(MakePropagators("jaeger"));
  for (auto& t : readers) t.join();
  EXPECT_EQ(valid.load(), 4000);
  EXPECT_EQ(FieldsOf(GlobalPropagator()).front(), "uber-trace-id");
  EXPECT_EQ(FieldsOf(first), (Strings{"b3"})) << "an old reference stays usable";

  SetGlobalPropagator(nullptr);
  EXPECT_TRUE(InjectInto(GlobalPropagator(), Context(MakeSpan())).empty());
  SetGlobalPropagator(MakePropagators("tracecontext,baggage"));
}

}  // namespace
}  // namespace callpath
