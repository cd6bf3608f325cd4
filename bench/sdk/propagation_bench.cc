// Propagation cost per outgoing/incoming request.
#include <benchmark/benchmark.h>

#include "callpath/propagation.h"

namespace callpath {
namespace {

SpanContext BenchSpan(TraceState state = {}) {
  return SpanContext(NewTraceId(), NewSpanId(), TraceFlags{0x03}, false, std::move(state));
}

// The hot path of every traced RPC: write traceparent, read it back. With an
// empty tracestate neither direction allocates.
void BM_TraceparentInjectExtract(benchmark::State& state) {
  W3CTraceContextPropagator w3c;
  const Context context(BenchSpan());
  FlatCarrier<> carrier;
  for (auto _ : state) {
    w3c.Inject(context, carrier);
    Context out = w3c.Extract(carrier);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TraceparentInjectExtract);

void BM_TraceparentExtract(benchmark::State& state) {
  W3CTraceContextPropagator w3c;
  FlatCarrier<> carrier;
  w3c.Inject(Context(BenchSpan()), carrier);
  for (auto _ : state) {
    Context out = w3c.Extract(carrier);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TraceparentExtract);

void BM_TraceContextWithTracestateInjectExtract(benchmark::State& state) {
  W3CTraceContextPropagator w3c;
  TraceState ts = TraceState().Set("congo", "t61rcWkgMzE").Set("rojo", "00f067aa0ba902b7");
  const Context context(BenchSpan(ts));
  FlatCarrier<> carrier;
  for (auto _ : state) {
    w3c.Inject(context, carrier);
    Context out = w3c.Extract(carrier);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TraceContextWithTracestateInjectExtract);

void BM_BaggageInjectExtract(benchmark::State& state) {
  W3CBaggagePropagator baggage;
  const Context context = Context().WithBaggage(
      Baggage().Set("user.id", "Am\xC3\xA9lie").Set("tenant", "acme").Set("region", "eu-west-1"));
  FlatCarrier<> carrier;
  for (auto _ : state) {
    baggage.Inject(context, carrier);
    Context out = baggage.Extract(carrier);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_BaggageInjectExtract);

void BM_B3SingleInjectExtract(benchmark::State& state) {
  B3Propagator b3;
  const Context context(BenchSpan());
  FlatCarrier<> carrier;
  for (auto _ : state) {
    b3.Inject(context, carrier);
    Context out = b3.Extract(carrier);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_B3SingleInjectExtract);

// The default OTEL_PROPAGATORS set on an HTTP-style header list.
void BM_DefaultCompositeOnHeaderMap(benchmark::State& state) {
  auto propagator = MakePropagators("tracecontext,baggage");
  const Context context(BenchSpan());
  for (auto _ : state) {
    HeaderMapCarrier::Headers headers = {{"Host", "shop"}, {"Accept", "*/*"}};
    HeaderMapCarrier carrier(headers);
    propagator->Inject(context, carrier);
    Context out = propagator->Extract(carrier);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DefaultCompositeOnHeaderMap);

}  // namespace
}  // namespace callpath
