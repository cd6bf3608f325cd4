// Tail sampling's cost: the memory a held trace takes and the time to hold
// and decide spans (daemon/sampling/tail_sampler.h).
//
//   build/bin/bench_sampling --benchmark_filter=HeldTraceMemory
//
// Spans are shaped like the loadgen's HTTP/RPC spans: ~20-character names,
// six attributes (method, route, status code, peer, thread id, user agent),
// one resource of three attributes per service, shared by its spans.
// Memory is malloc's bytes in use (mallinfo2) from before the spans are
// made until they are held: the spans themselves and the sampler's own
// structures, nothing else.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstring>
#include <string>
#include <vector>

#include "daemon/sampling/tail_sampler.h"

namespace callpath::daemon::sampling {
namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'700'000'000'000'000'000ull;
constexpr const char* kServices[] = {"frontend", "checkout-service", "cart-service", "payment-service",
                                     "inventory-service"};

TraceId Tid(uint32_t n) {
  TraceId t;
  t.mutable_bytes()[0] = 1;
  std::memcpy(t.mutable_bytes().data() + 8, &n, 4);
  return t;
}

// `traces` traces of `spans` spans each, in one batch.
store::IngestBatch Traces(uint32_t first, uint32_t traces, int spans) {
  store::IngestBatch b;
  for (const char* s : kServices) {
    b.resources.push_back({{"service.name", store::Value::String(s)},
                           {"service.version", store::Value::String("1.4.2")},
                           {"host.name", store::Value::String("node-7.cluster.local")}});
  }
  for (uint32_t t = first; t < first + traces; ++t) {
    for (int i = 0; i < spans; ++i) {
      store::StoredSpan& s = b.spans.emplace_back();
      s.trace_id = Tid(t);
      s.span_id.mutable_bytes()[0] = 1;
      s.span_id.mutable_bytes()[7] = static_cast<uint8_t>(i + 1);
      if (i > 0) {
        s.parent_span_id.mutable_bytes()[0] = 1;
        s.parent_span_id.mutable_bytes()[7] = 1;
      }
      const uint32_t svc = static_cast<uint32_t>(i) % 5;
      s.service = kServices[svc];
      s.operation = "POST /api/v1/orders/{id}";
      s.kind = i == 0 ? store::SpanKind::kServer : store::SpanKind::kClient;
      s.start_ns = kT0 + i * kMs;
      s.duration_ns = 20 * kMs;
      s.attributes = {{"http.method", store::Value::String("POST")},
                      {"http.route", store::Value::String("/api/v1/orders/{id}")},
                      {"http.status_code", store::Value::Int(200)},
                      {"net.peer.name", store::Value::String("cart-service.default.svc")},
                      {"thread.id", store::Value::Int(140234)},
                      {"user_agent.original", store::Value::String("callpath-loadgen/0.1")}};
      s.scope_name = "callpath.http";
      b.span_resource.push_back(svc);
    }
  }
  return b;
}

SamplingConfig Config() {
  SamplingConfig c;
  c.max_traces = 1'000'000;
  PolicyConfig errors;
  errors.type = PolicyType::kStatusCode;
  errors.status_codes = {store::SpanStatus::kError};
  PolicyConfig some;
  some.type = PolicyType::kProbabilistic;
  some.sampling_percentage = 10;
  c.policies = {errors, some};
  return c;
}

// Bytes malloc holds for the sampler per held trace of 10 spans, with
// 50,000 traces held (tail_sampling's default max_traces).
void BM_HeldTraceMemory(benchmark::State& state) {
  const auto traces = static_cast<uint32_t>(state.range(0));
  const int spans = static_cast<int>(state.range(1));
  double per_trace = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // From before the spans exist until they are held and the emptied
    // batches are gone: everything the held spans take, their strings and
    // attributes included.
    const size_t before = mallinfo2().uordblks;
    std::vector<store::IngestBatch> batches;
    for (uint32_t t = 0; t < traces; t += 100) batches.push_back(Traces(t + 1, 100, spans));
    auto sampler = std::make_unique<TailSampler>(Config());
    uint64_t lsn = 0;
    state.ResumeTiming();
    for (auto& b : batches) sampler->Hold(++lsn, std::move(b), kT0);
    state.PauseTiming();
    batches.clear();
    batches.shrink_to_fit();
    const size_t after = mallinfo2().uordblks;
    per_trace = (static_cast<double>(after) - static_cast<double>(before)) / traces;
    benchmark::DoNotOptimize(sampler->counts());
    sampler.reset();
    state.ResumeTiming();
  }
  state.counters["bytes_per_trace"] = per_trace;
  state.counters["bytes_per_span"] = per_trace / spans;
  state.counters["spans_per_second"] =
      benchmark::Counter(static_cast<double>(traces) * spans, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_HeldTraceMemory)->Args({50'000, 10})->Unit(benchmark::kMillisecond)->Iterations(3);

// Hold and decide, steady state: spans a second through the sampler.
void BM_HoldAndDecide(benchmark::State& state) {
  TailSampler sampler(Config());
  uint32_t next = 1;
  uint64_t lsn = 0, now = kT0;
  for (auto _ : state) {
    state.PauseTiming();
    store::IngestBatch b = Traces(next, 100, 10);
    next += 100;
    state.ResumeTiming();
    sampler.Hold(++lsn, std::move(b), now);
    now += 10 * kMs;
    auto d = sampler.Decide(now);  // decision_wait 10 s: ~1000 batches held
    if (d) sampler.Release(d->id);
    benchmark::DoNotOptimize(d);
  }
  state.counters["spans_per_second"] = benchmark::Counter(1000.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_HoldAndDecide)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace
}  // namespace callpath::daemon::sampling
