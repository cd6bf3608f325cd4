// Hot paths of the tracing SDK: what instrumented code pays per span.
//
//   build/bin/bench_sdk --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "callpath/exporters.h"
#include "callpath/trace.h"

namespace callpath {
namespace {

struct Pipeline {
  DiscardingExporter* exporter = new DiscardingExporter;
  BatchSpanProcessor* processor = nullptr;
  std::shared_ptr<TracerProvider> provider;

  explicit Pipeline(std::shared_ptr<Sampler> sampler) {
    TracerProviderOptions o;
    o.sampler = std::move(sampler);
    o.force_enabled = true;
    o.resource.attributes.push_back({"service.name", std::string("bench")});
    auto p = std::make_unique<BatchSpanProcessor>(std::unique_ptr<SpanExporter>(exporter),
                                                  Resource{}, BatchSpanProcessorOptions{});
    processor = p.get();
    o.processors.push_back(std::move(p));
    provider = TracerProvider::Create(std::move(o));
  }
};

Pipeline& Sampled() {
  static Pipeline* p = new Pipeline(AlwaysOnSampler());
  return *p;
}

// Span start + 3 attributes + end, handed to the batch processor whose
// exporter discards. Default queue (2048) and batch (512) sizes, so drops
// (if the export thread cannot keep up) are reported as a counter.
void BM_SampledSpan(benchmark::State& state) {
  Pipeline& p = Sampled();
  Tracer tracer = p.provider->GetTracer("bench");
  const auto before = p.processor->stats();
  for (auto _ : state) {
    Span span = tracer.StartSpan("GET /api/users", {.kind = SpanKind::kServer});
    span.SetAttribute("http.request.method", "GET");
    span.SetAttribute("http.response.status_code", 200);
    span.SetAttribute("url.path", "/api/users");
    span.End();
  }
  if (state.thread_index() == 0) {
    (void)p.provider->ForceFlush();
    const auto after = p.processor->stats();
    const double handed = static_cast<double>((after.enqueued + after.dropped) -
                                              (before.enqueued + before.dropped));
    state.counters["dropped_pct"] =
        handed > 0 ? 100.0 * static_cast<double>(after.dropped - before.dropped) / handed : 0;
  }
}
BENCHMARK(BM_SampledSpan)->Threads(1);
BENCHMARK(BM_SampledSpan)->Threads(2);

// A span the sampler drops: ids and propagation only.
void BM_UnsampledSpan(benchmark::State& state) {
  static Pipeline* p = new Pipeline(AlwaysOffSampler());
  Tracer tracer = p->provider->GetTracer("bench");
  for (auto _ : state) {
    Span span = tracer.StartSpan("GET /api/users", {.kind = SpanKind::kServer});
    span.SetAttribute("http.request.method", "GET");
    benchmark::DoNotOptimize(span.context());
    span.End();
  }
}
BENCHMARK(BM_UnsampledSpan);

// Making a span current and reading the current span context back, as a
// logger or an outgoing-call interceptor does.
void BM_ScopeActivateAndRead(benchmark::State& state) {
  SpanContext sc(NewTraceId(), NewSpanId(), TraceFlags{0x01}, false);
  Context ctx(sc);
  for (auto _ : state) {
    Scope scope(ctx);
    benchmark::DoNotOptimize(Context::Current().span_context().span_id());
  }
}
BENCHMARK(BM_ScopeActivateAndRead);

void BM_NewSpanId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NewSpanId());
}
BENCHMARK(BM_NewSpanId);

}  // namespace
}  // namespace callpath
