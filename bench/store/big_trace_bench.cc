// The web UI's skeleton of one big trace, as /api/v1/traces/{id}/skeleton
// builds it: read the trace, assemble it (clock skew, tree), find the
// critical path and render the compact document. Read in full (GetTrace)
// or with the tree's fields only (GetTraceSkeleton).
//
//   bench_store --benchmark_filter=BigTraceSkeleton
//
// Args: spans in the trace; 0 = GetTrace, 1 = GetTraceSkeleton. The trace
// is the shape of bench/ui/synthetic.mjs: fan-out 4, 24 services, 120
// operations, 6 attributes per span, one span in 400 erroring with an
// exception event.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "query/assembled_trace.h"
#include "query/skeleton.h"
#include "store/rocksdb/rocksdb_store.h"

namespace {

using namespace callpath;
using namespace callpath::store;

std::vector<StoredSpan> BigTrace(size_t n, const TraceId& tid) {
  std::mt19937_64 rng(n);
  const uint64_t t0 = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                            std::chrono::nanoseconds(1)) - 600'000'000'000ull;
  std::vector<StoredSpan> spans(n);
  for (size_t i = 0; i < n; ++i) {
    StoredSpan& s = spans[i];
    s.trace_id = tid;
    for (auto& b : s.span_id.mutable_bytes()) b = static_cast<uint8_t>(rng() | 1);
    const size_t svc = rng() % 24;
    s.service = "service-" + std::to_string(svc);
    s.operation = "operation-" + std::to_string(svc * 5 + rng() % 5);
    if (i == 0) {
      s.start_ns = t0;
      s.duration_ns = 60'000'000'000ull;
    } else {
      const StoredSpan& parent = spans[(i - 1) / 4];
      s.parent_span_id = parent.span_id;
      s.start_ns = parent.start_ns + parent.duration_ns / 20 * (1 + (i - 1) % 4);
      s.duration_ns = parent.duration_ns / 5;
    }
    s.kind = i % 2 ? SpanKind::kClient : SpanKind::kServer;
    s.attributes = {{"http.method", Value::String("POST")},
                    {"http.route", Value::String("/api/" + s.operation)},
                    {"http.status_code", Value::Int(200)},
                    {"net.peer.name", Value::String(s.service + ".svc.cluster.local")},
                    {"user.id", Value::String("u" + std::to_string(rng() % 100000))},
                    {"rpc.system", Value::String("grpc")}};
    if (i % 400 == 399) {
      s.status = SpanStatus::kError;
      s.status_message = "upstream unavailable";
      s.events.push_back({s.start_ns + 1000, "exception", {{"exception.message", Value::String("connection refused")}}});
    }
    s.resource_attributes = {{"service.name", Value::String(s.service)}, {"host.name", Value::String(s.service + "-pod")}};
  }
  return spans;
}

// One store per trace size, each holding that one trace.
Store& StoreWithTrace(size_t n, TraceId* tid) {
  static std::map<size_t, std::unique_ptr<Store>>* stores = new std::map<size_t, std::unique_ptr<Store>>();
  tid->mutable_bytes()[0] = 0xb1;
  tid->mutable_bytes()[15] = static_cast<uint8_t>(n % 251);
  auto& slot = (*stores)[n];
  if (slot) return *slot;
  RocksDbOptions o;
  o.path = (std::filesystem::temp_directory_path() / ("callpath-bench-bigtrace-" + std::to_string(n))).string();
  std::filesystem::remove_all(o.path);
  auto opened = OpenRocksDbStore(o);
  if (!opened.ok()) std::abort();
  slot = std::move(*opened);
  std::vector<StoredSpan> spans = BigTrace(n, *tid);
  uint64_t position = 0;
  // Written in batches of 4096, as the daemon merges requests.
  for (size_t from = 0; from < spans.size(); from += 4096) {
    std::vector<StoredSpan> batch(spans.begin() + static_cast<ptrdiff_t>(from),
                                  spans.begin() + static_cast<ptrdiff_t>(std::min(spans.size(), from + 4096)));
    auto prepared = slot->writer().Prepare(MakeIngestBatch(std::move(batch)));
    if (!prepared.ok() || !slot->writer().Write({prepared->get()}, ++position).ok()) std::abort();
  }
  if (!slot->writer().Checkpoint().ok()) std::abort();
  return *slot;
}

void BM_BigTraceSkeleton(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const bool skeleton_read = state.range(1) != 0;
  TraceId tid;
  Store& store = StoreWithTrace(n, &tid);
  size_t bytes = 0;
  double read_ms = 0, assemble_ms = 0, render_ms = 0;
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  for (auto _ : state) {
    auto t0 = Clock::now();
    auto spans = skeleton_read ? store.span_reader().GetTraceSkeleton(tid) : store.span_reader().GetTrace(tid);
    if (!spans.ok() || spans->size() != n) {
      state.SkipWithError("trace not read whole");
      break;
    }
    auto t1 = Clock::now();
    query::AssembledTrace trace = query::AssembleTrace(std::move(*spans));
    auto t2 = Clock::now();
    std::string doc = query::RenderSkeleton(trace, {});
    auto t3 = Clock::now();
    read_ms += ms(t0, t1);
    assemble_ms += ms(t1, t2);
    render_ms += ms(t2, t3);
    bytes = doc.size();
    benchmark::DoNotOptimize(doc.data());
  }
  const double runs = static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["skeleton_bytes"] = static_cast<double>(bytes);
  // Wall time per step, mean over the iterations.
  state.counters["read_ms"] = read_ms / runs;
  state.counters["assemble_ms"] = assemble_ms / runs;
  state.counters["render_ms"] = render_ms / runs;
  state.SetLabel(skeleton_read ? "GetTraceSkeleton" : "GetTrace");
}
BENCHMARK(BM_BigTraceSkeleton)
    ->ArgNames({"spans", "skeleton_read"})
    ->Args({50000, 0})
    ->Args({50000, 1})
    ->Args({200000, 0})
    ->Args({200000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

}  // namespace
