// explain's cost on one trace: a 1,000-span and a 50,000-span synthetic
// trace (40 services, a few levels of calls, a log line per fourth span,
// one slow span and one failing leaf), against a baseline of a healthy
// trace of the same shape. Reports wall-clock p50/p99 per call.
//
//   Explain              analyze::Explain on the assembled trace
//   AssembleAndExplain   what the endpoint computes after reading the store:
//                        assembly (with skew adjustment), then Explain
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "analyze/baseline.h"
#include "analyze/explain.h"
#include "query/assembled_trace.h"

namespace {

using namespace callpath;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'800'000'000'000'000'000ull;
constexpr int kServices = 40;

struct Synthetic {
  std::vector<store::StoredSpan> spans;
  std::vector<store::StoredLog> logs;
};

// A 4-ary call tree of `n` spans; a child changes service 40 % of the time.
// Children run one after another; `faulty` slows one span and fails a leaf.
Synthetic Make(size_t n, uint32_t seed, bool faulty) {
  std::mt19937 rng(seed);
  std::vector<size_t> parent(n), svc(n), op(n);
  std::vector<uint64_t> self(n), dur(n), start(n);
  for (size_t i = 0; i < n; ++i) {
    parent[i] = i == 0 ? 0 : (i - 1) / 4;
    svc[i] = i == 0 ? 0 : (rng() % 10 < 4 ? rng() % kServices : svc[parent[i]]);
    op[i] = i % 7;
    self[i] = (1 + rng() % 5) * kMs / 10;
  }
  if (faulty) self[n / 3] += 300 * kMs;
  for (size_t i = n; i-- > 0;) {
    dur[i] += self[i];
    if (i) dur[parent[i]] += dur[i];
  }
  std::vector<uint64_t> cursor(n);
  start[0] = kT0;
  cursor[0] = kT0 + self[0] / 2;
  for (size_t i = 1; i < n; ++i) {
    start[i] = cursor[parent[i]];
    cursor[parent[i]] += dur[i];
    cursor[i] = start[i] + self[i] / 2;
  }
  Synthetic s;
  TraceId trace;
  trace.mutable_bytes()[15] = static_cast<uint8_t>(seed);
  auto id = [](size_t i) {
    SpanId sid;
    for (int b = 0; b < 8; ++b) sid.mutable_bytes()[7 - b] = static_cast<uint8_t>((i + 1) >> (8 * b));
    return sid;
  };
  for (size_t i = 0; i < n; ++i) {
    store::StoredSpan sp;
    sp.trace_id = trace;
    sp.span_id = id(i);
    if (i) sp.parent_span_id = id(parent[i]);
    sp.service = "service-" + std::to_string(svc[i]);
    sp.operation = "op-" + std::to_string(op[i]);
    sp.kind = i == 0 || svc[i] != svc[parent[i]] ? store::SpanKind::kServer : store::SpanKind::kInternal;
    sp.start_ns = start[i];
    sp.duration_ns = dur[i];
    if (faulty && i == n - 1) sp.status = store::SpanStatus::kError, sp.status_message = "boom";
    if (i % 4 == 0) {
      store::StoredLog l;
      l.time_ns = start[i] + 1;
      l.trace_id = trace;
      l.span_id = sp.span_id;
      l.severity_number = 9;
      l.body = store::Value::String("handled item " + std::to_string(i) + " in " + std::to_string(dur[i] / 1000) + "us");
      l.service = sp.service;
      s.logs.push_back(std::move(l));
    }
    s.spans.push_back(std::move(sp));
  }
  return s;
}

void Report(benchmark::State& state, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  if (us.empty()) return;
  state.counters["p50_ms"] = us[us.size() / 2] / 1000;
  state.counters["p99_ms"] = us[std::min(us.size() - 1, us.size() * 99 / 100)] / 1000;
}

void BM_Explain(benchmark::State& state, bool assemble) {
  size_t n = static_cast<size_t>(state.range(0));
  Synthetic healthy = Make(n, 1, false);
  std::vector<query::AssembledTrace> refs;
  refs.push_back(query::AssembleTrace(healthy.spans));
  analyze::Baseline baseline = analyze::BaselineFromTraces(refs, {healthy.logs});
  Synthetic faulty = Make(n, 2, true);
  query::AssembledTrace trace = query::AssembleTrace(faulty.spans);
  std::vector<double> us;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    if (assemble) {
      auto t = query::AssembleTrace(faulty.spans);
      benchmark::DoNotOptimize(analyze::Explain(t, faulty.logs, baseline));
    } else {
      benchmark::DoNotOptimize(analyze::Explain(trace, faulty.logs, baseline));
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  Report(state, us);
  auto r = analyze::Explain(trace, faulty.logs, baseline);
  state.SetLabel(r.causes.empty() ? "no cause" : "first: " + r.causes[0].service + " " + *r.causes[0].operation);
}

void BM_ExplainOnly(benchmark::State& state) { BM_Explain(state, false); }
void BM_AssembleAndExplain(benchmark::State& state) { BM_Explain(state, true); }

BENCHMARK(BM_ExplainOnly)->Name("Explain")->Arg(1000)->Arg(50000)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_AssembleAndExplain)->Name("AssembleAndExplain")->Arg(1000)->Arg(50000)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace
