// The cost of the statistics kept at ingest (store/stats.h):
//   BM_FoldBatchStats/spans    FoldBatchStats on 512-span batches, per span
//   BM_FoldBatchStats/logs     the same for 512 log records (templates), per record
//   BM_Prepare/stats:0|1       Writer::Prepare of the same batches with the
//                              statistics off and on (the request threads' cost)
//   BM_ReadHourOfStats         one service's hour of statistics, per minute
//                              (60 rows per operation) and as one window
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "store/rocksdb/rocksdb_store.h"
#include "store/stats_fold.h"

namespace {

using namespace callpath;
using namespace callpath::store;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = kStatsBucketNs;
constexpr size_t kBatch = 512;

// Traces of 8 spans: a server span, two internal children of the same
// service, a client call and the callee's server span with its own
// children; 8 services, 6 operations each, 1 % errors.
std::vector<StoredSpan> SpanBatch(std::mt19937_64& rng, uint64_t start) {
  std::vector<StoredSpan> out;
  while (out.size() < kBatch) {
    TraceId tid;
    for (auto& b : tid.mutable_bytes()) b = static_cast<uint8_t>(rng());
    const std::string a = "svc-" + std::to_string(rng() % 8), b = "svc-" + std::to_string(rng() % 8);
    const uint64_t t0 = start + rng() % (50 * kMs);
    const size_t first = out.size();
    auto add = [&](const std::string& service, int parent_index, SpanKind kind, uint64_t offset, uint64_t dur) {
      StoredSpan s;
      s.trace_id = tid;
      for (auto& x : s.span_id.mutable_bytes()) x = static_cast<uint8_t>(rng() | 1);
      if (parent_index >= 0) s.parent_span_id = out[first + static_cast<size_t>(parent_index)].span_id;
      s.service = service;
      s.operation = "op-" + std::to_string(rng() % 6);
      s.kind = kind;
      s.start_ns = t0 + offset;
      s.duration_ns = dur;
      if (rng() % 100 == 0) s.status = SpanStatus::kError;
      s.attributes = {{"http.route", Value::String("/api/v1/items")}, {"http.status_code", Value::Int(200)}};
      out.push_back(std::move(s));
    };
    add(a, -1, SpanKind::kServer, 0, 100 * kMs);  // 0
    add(a, 0, SpanKind::kInternal, kMs, 20 * kMs);
    add(a, 0, SpanKind::kInternal, 25 * kMs, 10 * kMs);
    add(a, 0, SpanKind::kClient, 40 * kMs, 50 * kMs);  // 3
    add(b, 3, SpanKind::kServer, 41 * kMs, 48 * kMs);  // 4
    add(b, 4, SpanKind::kInternal, 42 * kMs, 5 * kMs);
    add(b, 4, SpanKind::kClient, 50 * kMs, 30 * kMs);
    add(b, 4, SpanKind::kInternal, 81 * kMs, 2 * kMs);
  }
  return out;
}

std::vector<StoredLog> LogBatch(std::mt19937_64& rng, uint64_t start) {
  static const char* const kLines[] = {
      "Order %d paid in %dms",
      "[getRouteByTripId][Get Route By Trip ID][TripId: D%d] took %dms",
      "2026-12-07 12:00:03.123  INFO 1 --- [nio-8080-exec-%d] c.e.shop.OrderService : Charge of %d.50 failed",
      R"({"level":"info","msg":"cart loaded","cart":%d,"items":%d})",
      "user_id=%d status=ok latency_ms=%d path=/api/cart",
      "GET /api/orders/%d 200 %d.456 ms - 512",
  };
  std::vector<StoredLog> out(kBatch);
  char buf[256];
  for (StoredLog& l : out) {
    snprintf(buf, sizeof buf, kLines[rng() % 6], static_cast<int>(rng() % 100000), static_cast<int>(rng() % 1000));
    l.service = "svc-" + std::to_string(rng() % 8);
    l.time_ns = start + rng() % (50 * kMs);
    l.severity_number = rng() % 10 == 0 ? 17 : 9;
    l.body = Value::String(buf);
    for (auto& b : l.trace_id.mutable_bytes()) b = static_cast<uint8_t>(rng());
  }
  return out;
}

void BM_FoldBatchStats(benchmark::State& state) {
  std::mt19937_64 rng(1);
  const bool logs = state.range(0) == 1;
  IngestBatch batch = logs ? MakeIngestBatch({}, LogBatch(rng, 1'700'000'000ull * 1'000'000'000ull))
                           : MakeIngestBatch(SpanBatch(rng, 1'700'000'000ull * 1'000'000'000ull));
  for (auto _ : state) benchmark::DoNotOptimize(FoldBatchStats(batch));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.items()));
  state.SetLabel(logs ? "per log record" : "per span");
}
BENCHMARK(BM_FoldBatchStats)->ArgName("logs")->Arg(0)->Arg(1);

std::unique_ptr<Store> OpenFresh(const std::string& name, bool keep_stats) {
  const auto dir = std::filesystem::temp_directory_path() / ("callpath-bench-" + name);
  std::filesystem::remove_all(dir);
  RocksDbOptions o;
  o.path = dir.string();
  o.keep_stats = keep_stats;
  auto s = OpenRocksDbStore(o);
  if (!s.ok()) std::abort();
  return std::move(*s);
}

void BM_Prepare(benchmark::State& state) {
  const bool stats = state.range(0) == 1;
  auto store = OpenFresh(stats ? "prepare-stats" : "prepare-nostats", stats);
  std::mt19937_64 rng(2);
  const std::vector<StoredSpan> spans = SpanBatch(rng, 1'700'000'000ull * 1'000'000'000ull);
  for (auto _ : state) {
    state.PauseTiming();
    IngestBatch batch = MakeIngestBatch(spans);
    state.ResumeTiming();
    auto prepared = store->writer().Prepare(std::move(batch));
    if (!prepared.ok()) std::abort();
    benchmark::DoNotOptimize(prepared);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * spans.size()));
  (void)store->Close();
}
BENCHMARK(BM_Prepare)->ArgName("stats")->Arg(0)->Arg(1);

// A store with an hour of traffic: 60 minutes x 20 batches of 512 spans
// (8 services x 6 operations x 3 kinds), then one service's hour read.
void BM_ReadHourOfStats(benchmark::State& state) {
  static std::unique_ptr<Store> store;
  const uint64_t hour_start = 1'700'000'000ull * 1'000'000'000ull / kMinute * kMinute;
  if (!store) {
    store = OpenFresh("stats-hour", true);
    std::mt19937_64 rng(3);
    uint64_t position = 0;
    for (uint64_t m = 0; m < 60; ++m) {
      for (int b = 0; b < 20; ++b) {
        auto prepared = store->writer().Prepare(MakeIngestBatch(SpanBatch(rng, hour_start + m * kMinute + b * kMs)));
        if (!prepared.ok() || !store->writer().Write({prepared->get()}, ++position).ok()) std::abort();
      }
    }
    if (!store->writer().Checkpoint().ok()) std::abort();
  }
  StatsQuery q;
  q.start_ns = hour_start;
  q.end_ns = hour_start + 60 * kMinute;
  q.service = "svc-3";
  q.step_ns = state.range(0) == 1 ? kMinute : 0;
  size_t rows = 0;
  for (auto _ : state) {
    auto r = store->stats_reader().Operations(q);
    if (!r.ok()) std::abort();
    rows = r->size();
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_ReadHourOfStats)->ArgName("per_minute")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
