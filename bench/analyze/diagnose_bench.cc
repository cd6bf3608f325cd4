// diagnose over a populated store: a 5-minute window holding about 1M spans
// and 500k log records of a 40-service system (and a baseline as full right
// before it), one service slowed down in the window. Measures the whole
// DiagnoseStore call: statistics, call graph, trace samples, ranking and
// example traces.
//
//   CALLPATH_BENCH_DIR        where the store lives (default: $TMPDIR)
//   CALLPATH_BENCH_SPANS      spans per period (default 1000000)
//   CALLPATH_BENCH_REUSE=1    reuse the store an earlier run populated
//
// Run: build/bin/bench_analyze --benchmark_filter=Diagnose
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "analyze/diagnose.h"
#include "analyze/diagnose_test_traffic.h"
#include "store/rocksdb/rocksdb_store.h"

namespace {

using namespace callpath;
using analyze::testing::kMinute;

constexpr size_t kServices = 40;
constexpr uint64_t kWindowStart = analyze::testing::kT0 + 10 * kMinute;

std::string Name(size_t i) { return "svc-" + std::to_string(100 + i).substr(1); }

std::vector<analyze::testing::ServiceSpec> Topology() {
  std::mt19937 rng(7);
  std::vector<analyze::testing::ServiceSpec> out(kServices);
  for (size_t i = 0; i < kServices; ++i) {
    out[i].name = Name(i);
    out[i].operations.clear();
    for (size_t k = 0, ops = 1 + rng() % 3; k < ops; ++k) out[i].operations.push_back("op" + std::to_string(k));
    out[i].self_ms = 1 + rng() % 10;
    out[i].call_probability = i == 0 ? 1.0 : 0.7;
    if (i > 0) out[rng() % std::min<size_t>(i, 12)].calls.push_back(out[i].name);
  }
  return out;
}

size_t SpansPerPeriod() {
  const char* s = std::getenv("CALLPATH_BENCH_SPANS");
  return s ? std::strtoull(s, nullptr, 10) : 1'000'000;
}

// Writes one period (baseline or window) in 30-second slices.
void Fill(store::Store& db, uint64_t start, bool faulty, uint64_t* position, size_t* spans, size_t* logs) {
  auto services = Topology();
  analyze::testing::FaultSpec fault;
  if (faulty) {
    fault.service = Name(5);
    fault.slow_factor = 3;
  }
  // About 49 spans (and half as many log records) per request: each
  // visited service adds a server span, a client span and a log record.
  size_t requests_per_slice = SpansPerPeriod() / 49 / 10;
  for (int slice = 0; slice < 10; ++slice) {
    analyze::testing::TrafficSpec spec;
    spec.entry = Name(0);
    spec.start_ns = start + slice * (kMinute / 2);
    spec.length_ns = kMinute / 2;
    spec.requests = requests_per_slice;
    spec.seed = static_cast<uint32_t>(slice + (faulty ? 100 : 0));
    analyze::testing::Traffic t = analyze::testing::TrafficGenerator(services, spec, fault).Run();
    *spans += t.spans.size();
    *logs += t.logs.size();
    auto prepared = db.writer().Prepare(store::MakeIngestBatch(std::move(t.spans), std::move(t.logs)));
    if (!prepared.ok() || !db.writer().Write({prepared.value().get()}, ++*position).ok()) std::abort();
  }
}

// Opened and closed by the benchmark itself: a store left to static
// destruction would be flushed after RocksDB's own statics are gone.
std::unique_ptr<store::Store> PopulatedStore(size_t* spans, size_t* logs) {
  std::unique_ptr<store::Store> db;
  size_t window_spans = 0, window_logs = 0;
  {
    const char* base = std::getenv("CALLPATH_BENCH_DIR");
    auto dir = std::filesystem::path(base ? base : std::filesystem::temp_directory_path().string()) /
               "callpath-bench-diagnose";
    const char* reuse = std::getenv("CALLPATH_BENCH_REUSE");
    bool fill = !(reuse && std::string(reuse) == "1" && std::filesystem::exists(dir));
    if (fill) std::filesystem::remove_all(dir);
    store::RocksDbOptions o;
    o.path = dir.string();
    o.sync_writes = false;
    o.verify_tables_on_open = false;
    auto opened = store::OpenRocksDbStore(o);
    if (!opened.ok()) std::abort();
    db = std::move(opened).value();
    uint64_t position = db->writer().DurablePosition();
    size_t ignored_spans = 0, ignored_logs = 0;
    if (fill) {
      Fill(*db, kWindowStart - 5 * kMinute, false, &position, &ignored_spans, &ignored_logs);
      Fill(*db, kWindowStart, true, &position, &window_spans, &window_logs);
    }
  }
  *spans = window_spans;
  *logs = window_logs;
  return db;
}

void BM_DiagnoseFiveMinuteWindow(benchmark::State& state) {
  size_t spans = 0, logs = 0;
  std::unique_ptr<store::Store> db = PopulatedStore(&spans, &logs);
  analyze::DiagnoseSources sources{&db->span_reader(), &db->log_reader(), &db->stats_reader()};
  analyze::TimeWindow window{kWindowStart, kWindowStart + 5 * kMinute};
  std::string first;
  for (auto _ : state) {
    auto d = analyze::DiagnoseStore(sources, window, analyze::DefaultBaseline(window));
    if (!d.ok() || d->causes.empty()) std::abort();
    first = d->causes[0].service;
    benchmark::DoNotOptimize(d);
  }
  state.counters["window_spans"] = static_cast<double>(spans);
  state.counters["window_logs"] = static_cast<double>(logs);
  state.SetLabel("first cause: " + first);
  if (!db->Close().ok()) std::abort();
}
BENCHMARK(BM_DiagnoseFiveMinuteWindow)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
