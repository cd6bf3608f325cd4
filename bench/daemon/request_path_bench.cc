// What one OTLP/HTTP trace request costs on a receiver thread, stage by
// stage, on the loadgen's own payloads (8 services, 5-30 spans a trace,
// semantic-convention attributes): decode + item limits, redaction with
// the default policy, and Prepare for the embedded store with statistics
// on - the work ExportService does before the body goes to the WAL.
// CPU time per span, so the figures hold on a machine that is busy
// elsewhere, unlike the end-to-end rate of run_ingest.sh.
//
//   cmake --build build --target bench_daemon && build/bin/bench_daemon
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "daemon/ingest/item_limits.h"
#include "daemon/ingest/redaction_step.h"
#include "loadgen/trace_generator.h"
#include "otlp/convert/otlp_proto_decoder.h"
#include "redact/redactor.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath {
namespace {

constexpr uint64_t kNow = 1'800'000'000ull * 1'000'000'000ull;

// Eight payloads, each re-stamped with fresh trace ids as the loadgen does.
const std::vector<std::string>& Bodies(size_t* spans_per_body) {
  static size_t spans = 0;
  static const std::vector<std::string> bodies = [] {
    loadgen::TraceGenerator gen({});
    std::mt19937_64 rng(3);
    std::vector<std::string> out;
    for (int i = 0; i < 8; ++i) {
      loadgen::PayloadTemplate t = gen.Make(kNow);
      t.Restamp(kNow, rng);
      spans += t.span_count();
      out.push_back(t.traces_body());
    }
    spans /= out.size();
    return out;
  }();
  *spans_per_body = spans;
  return bodies;
}

store::IngestBatch Decode(const std::string& body) {
  store::IngestBatch batch;
  daemon::Rejections rejected;
  if (!daemon::DecodeOtlpProtoTraces(body, &batch, &rejected).ok()) std::abort();
  daemon::EnforceItemLimits(daemon::ItemLimits{}, kNow, &batch, &rejected);
  return batch;
}

std::unique_ptr<redact::Redactor> DefaultRedactor() {
  auto r = redact::Redactor::Make(redact::RedactionConfig{});
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

std::unique_ptr<store::Store> FreshStore() {
  const auto dir = std::filesystem::temp_directory_path() / "callpath-bench-request-path";
  std::filesystem::remove_all(dir);
  store::RocksDbOptions o;
  o.path = dir.string();
  auto s = store::OpenRocksDbStore(o);
  if (!s.ok()) std::abort();
  return std::move(s).value();
}

void PerSpan(benchmark::State& state, size_t spans) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * spans));
  state.SetLabel("items = spans");
}

void BM_Decode(benchmark::State& state) {
  size_t spans;
  const auto& bodies = Bodies(&spans);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Decode(bodies[i++ % bodies.size()]));
  PerSpan(state, spans);
}
BENCHMARK(BM_Decode);

// Runs `stage` over a fresh copy of a decoded payload per iteration (the
// copy not timed).
template <typename Stage>
void OnDecodedBatches(benchmark::State& state, Stage stage) {
  size_t spans;
  const auto& bodies = Bodies(&spans);
  std::vector<store::IngestBatch> decoded;
  for (const auto& b : bodies) decoded.push_back(Decode(b));
  size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    store::IngestBatch batch = decoded[i++ % decoded.size()];
    state.ResumeTiming();
    stage(batch);
  }
  PerSpan(state, spans);
}

void BM_Redact(benchmark::State& state) {
  auto redactor = DefaultRedactor();
  OnDecodedBatches(state, [&](store::IngestBatch& batch) {
    daemon::RedactBatch(*redactor, &batch);
    benchmark::DoNotOptimize(batch);
  });
}
BENCHMARK(BM_Redact);

void BM_Prepare(benchmark::State& state) {
  auto store = FreshStore();
  OnDecodedBatches(state, [&](store::IngestBatch& batch) {
    auto prepared = store->writer().Prepare(std::move(batch));
    if (!prepared.ok()) std::abort();
    benchmark::DoNotOptimize(prepared);
  });
  (void)store->Close();
}
BENCHMARK(BM_Prepare);

// The three in a row, as a receiver thread runs them.
void BM_RequestPath(benchmark::State& state) {
  size_t spans;
  const auto& bodies = Bodies(&spans);
  auto redactor = DefaultRedactor();
  auto store = FreshStore();
  size_t i = 0;
  for (auto _ : state) {
    store::IngestBatch batch = Decode(bodies[i++ % bodies.size()]);
    daemon::RedactBatch(*redactor, &batch);
    auto prepared = store->writer().Prepare(std::move(batch));
    if (!prepared.ok()) std::abort();
    benchmark::DoNotOptimize(prepared);
  }
  PerSpan(state, spans);
  (void)store->Close();
}
BENCHMARK(BM_RequestPath);

}  // namespace
}  // namespace callpath
