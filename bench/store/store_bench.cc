// Store benchmarks: durable ingest rate, and trace-by-id / search latency
// (p50, p99) on a populated store.
//
//   CALLPATH_BENCH_SPANS   spans in the populated store (default 1000000)
//   CALLPATH_BENCH_WRITERS writer threads that populate it (default 2)
//   CALLPATH_BENCH_DIR     where the stores live (default: $TMPDIR)
//   CALLPATH_BENCH_REUSE=1 read benchmarks reuse the populated store of an
//                          earlier run with the same settings (its trace ids
//                          are generated again, nothing is written; "last
//                          hour" then covers less of it as time passes)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>
#include <mutex>
#include <thread>

#include "query/assembled_trace.h"
#include "store/rocksdb/rocksdb_store.h"

namespace {

using namespace callpath;
using namespace callpath::store;

constexpr uint64_t kMs = 1'000'000;
const char* const kServices[] = {"frontend", "cart", "checkout", "payment",
                                  "catalog", "shipping", "auth", "recommend"};

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                               std::chrono::nanoseconds(1));
}

std::string BenchDir(const std::string& name, bool keep = false) {
  const char* base = std::getenv("CALLPATH_BENCH_DIR");
  auto dir = std::filesystem::path(base ? base : std::filesystem::temp_directory_path().string()) /
             ("callpath-bench-" + name);
  if (!keep) std::filesystem::remove_all(dir);
  return dir.string();
}

// Realistic traces: 5-30 spans over 8 services, 6 HTTP/RPC semantic
// attributes per span, 1% of traces erroring deep down, durations from
// 1 ms to 2 s.
class TraceGen {
 public:
  explicit TraceGen(uint64_t seed) : rng_(seed) {
    for (const char* s : kServices) {
      resources_.push_back({{"service.name", Value::String(s)},
                            {"service.version", Value::String("1.4.2")},
                            {"host.name", Value::String(std::string(s) + "-7d9f8c-x2k4q")},
                            {"telemetry.sdk.name", Value::String("callpath")},
                            {"telemetry.sdk.language", Value::String("cpp")}});
    }
  }

  // Appends one trace starting at `start` to `out`.
  void Trace(uint64_t start, std::vector<StoredSpan>* out) {
    TraceId tid;
    for (auto& b : tid.mutable_bytes()) b = static_cast<uint8_t>(rng_());
    bool error = rng_() % 100 == 0;
    size_t n = 5 + rng_() % 26;
    uint64_t root_dur = (1 + rng_() % 400) * kMs * ((rng_() % 10 == 0) ? 5 : 1);
    size_t first = out->size();
    for (size_t i = 0; i < n; ++i) {
      StoredSpan s;
      s.trace_id = tid;
      for (auto& b : s.span_id.mutable_bytes()) b = static_cast<uint8_t>(rng_() | 1);
      size_t svc = i == 0 ? 0 : 1 + rng_() % 7;
      if (i > 0) {
        const auto& parent = (*out)[first + (rng_() % i)];
        s.parent_span_id = parent.span_id;
        s.start_ns = parent.start_ns + parent.duration_ns / 10;
        s.duration_ns = parent.duration_ns / 2 + 1;
      } else {
        s.start_ns = start;
        s.duration_ns = root_dur;
      }
      s.service = kServices[svc];
      s.operation = i == 0 ? "GET /api/checkout" : std::string("rpc ") + kServices[svc] + "/Method" +
                                                       std::to_string(rng_() % 6);
      s.kind = i == 0 ? SpanKind::kServer : (i % 2 ? SpanKind::kClient : SpanKind::kServer);
      s.flags = 1;
      s.attributes = {{"http.method", Value::String("POST")},
                      {"http.route", Value::String("/api/" + s.service + "/v1")},
                      {"http.status_code", Value::Int(error && i == n - 1 ? 503 : 200)},
                      {"net.peer.name", Value::String(s.service + ".svc.cluster.local")},
                      {"user.id", Value::String("u" + std::to_string(rng_() % 100000))},
                      {"rpc.system", Value::String("grpc")}};
      if (error && i == n - 1) {
        s.status = SpanStatus::kError;
        s.status_message = "upstream unavailable";
        s.events.push_back({s.start_ns + 1000, "exception",
                            {{"exception.type", Value::String("Unavailable")},
                             {"exception.message", Value::String("connection refused")}}});
      }
      s.resource_attributes = resources_[svc];
      s.scope_name = "callpath.grpc";
      s.scope_version = "0.1.0";
      out->push_back(std::move(s));
    }
  }

 private:
  std::mt19937_64 rng_;
  std::vector<Attributes> resources_;
};

std::unique_ptr<Store> Open(const std::string& dir) {
  RocksDbOptions o;
  o.path = dir;
  auto s = OpenRocksDbStore(o);
  if (!s.ok()) {
    fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
    std::abort();
  }
  return std::move(*s);
}

// ---- ingest ----

// Writes as callpathd does (Writer in store.h): Prepare on the calling
// thread, then Write, one thread at a time, at the next position. The
// daemon's own log holds the data until a Checkpoint; this measures the
// store's part of ingest.
Status WriteAsDaemon(Store& store, std::vector<StoredSpan> spans) {
  static std::mutex write_mu;
  static uint64_t position = 0;
  Result<std::unique_ptr<PreparedBatch>> prepared = store.writer().Prepare(MakeIngestBatch(std::move(spans)));
  if (!prepared.ok()) return prepared.status();
  std::lock_guard<std::mutex> lock(write_mu);
  position = std::max(position, store.writer().DurablePosition()) + 1;
  return store.writer().Write({prepared->get()}, position);
}

// Ingest through the daemon's write path, with a Checkpoint (what makes
// writes durable) every 16 writes. Arg: spans per write (the daemon merges
// queued requests up to 16384 spans into one write under load).
void BM_IngestDurable(benchmark::State& state) {
  // One store for every run and thread (function statics start once).
  static std::unique_ptr<Store> store = Open(BenchDir("ingest"));
  const auto batch_size = static_cast<size_t>(state.range(0));
  TraceGen gen(42 + state.thread_index() + 1000 * batch_size);
  std::vector<StoredSpan> batch;
  uint64_t t = NowNs() - 3600ull * 1'000'000'000;
  size_t spans = 0, writes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    batch.clear();
    while (batch.size() < batch_size) gen.Trace(t += 100'000, &batch);
    batch.resize(batch_size);
    state.ResumeTiming();
    Status s = WriteAsDaemon(*store, batch);
    if (s.ok() && ++writes % 16 == 0) s = store->writer().Checkpoint().status();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    spans += batch.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(spans));
  if (state.thread_index() == 0) {
    state.counters["bytes_per_span"] = static_cast<double>(store->Stats().bytes_on_disk) /
                                       static_cast<double>(std::max<uint64_t>(1, store->Stats().spans_written));
  }
}
BENCHMARK(BM_IngestDurable)->Arg(512)->UseRealTime()->Iterations(1000);
BENCHMARK(BM_IngestDurable)->Arg(512)->UseRealTime()->Threads(2)->Iterations(500);
BENCHMARK(BM_IngestDurable)->Arg(4096)->UseRealTime()->Iterations(125);
BENCHMARK(BM_IngestDurable)->Arg(4096)->UseRealTime()->Threads(2)->Iterations(63);

// ---- reads on a populated store ----

struct Populated {
  std::unique_ptr<Store> store;
  std::vector<TraceId> traces;
  uint64_t spans = 0;
  double setup_s = 0, ingest_spans_per_s = 0, bytes_per_span = 0;
};

Populated& GetPopulated() {
  static Populated* p = [] {
    auto* p = new Populated;
    const char* env = std::getenv("CALLPATH_BENCH_SPANS");
    uint64_t want = env ? std::strtoull(env, nullptr, 10) : 1'000'000;
    const char* reuse_env = std::getenv("CALLPATH_BENCH_REUSE");
    const bool reuse = reuse_env != nullptr && std::string(reuse_env) == "1";
    std::string dir = BenchDir("populated", reuse);
    p->store = Open(dir);
    const char* wenv = std::getenv("CALLPATH_BENCH_WRITERS");
    const int writers = std::max(1, wenv ? std::atoi(wenv) : 2);
    uint64_t now = NowNs();
    // Spread over the last 2 hours so "last hour" searches see half; each
    // writer fills its own interleaved slice of the timeline.
    uint64_t span_ns = 2 * 3600ull * 1'000'000'000 / std::max<uint64_t>(1, want / 17);
    const uint64_t t0 = now - 2 * 3600ull * 1'000'000'000;
    std::vector<std::vector<TraceId>> ids(writers);
    std::vector<uint64_t> written(writers);
    auto begin = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        TraceGen gen(7 + w);
        std::vector<StoredSpan> batch;
        uint64_t t = t0 + static_cast<uint64_t>(w) * span_ns;
        while (written[w] < want / writers) {
          batch.clear();
          while (batch.size() < 512) {
            size_t before = batch.size();
            gen.Trace(t += span_ns * writers, &batch);
            if (ids[w].size() < 1'000'000 / writers) ids[w].push_back(batch[before].trace_id);
          }
          if (!reuse && !WriteAsDaemon(*p->store, batch).ok()) std::abort();
          written[w] += batch.size();
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int w = 0; w < writers; ++w) {
      p->spans += written[w];
      p->traces.insert(p->traces.end(), ids[w].begin(), ids[w].end());
    }
    double ingest_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    p->ingest_spans_per_s = static_cast<double>(p->spans) / ingest_s;
    // Measure the settled size: flush memtables and the WAL into tables.
    p->store->Close().ok();
    p->store = Open(dir);
    p->bytes_per_span = static_cast<double>(p->store->Stats().bytes_on_disk) / static_cast<double>(p->spans);
    p->setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    return p;
  }();
  return *p;
}

// CPU time of the calling thread: next to wall-clock latency it tells the
// store's own cost from time spent waiting for a core on a busy machine.
double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Wall-clock (and, if given, thread CPU) p50/p99 of per-call samples.
void ReportLatency(benchmark::State& state, std::vector<double>& us,
                   std::vector<double> cpu_us = {}) {
  std::sort(us.begin(), us.end());
  if (us.empty()) return;
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  if (!cpu_us.empty()) {
    std::sort(cpu_us.begin(), cpu_us.end());
    state.counters["cpu_p50_us"] = cpu_us[cpu_us.size() / 2];
    state.counters["cpu_p99_us"] = cpu_us[std::min(cpu_us.size() - 1, cpu_us.size() * 99 / 100)];
  }
  auto& p = GetPopulated();
  state.counters["store_spans"] = static_cast<double>(p.spans);
}

void BM_GetTraceById(benchmark::State& state) {
  auto& p = GetPopulated();
  std::mt19937_64 rng(1);
  std::vector<double> us, cpu;
  size_t spans = 0;
  for (auto _ : state) {
    const TraceId& id = p.traces[rng() % p.traces.size()];
    double c0 = ThreadCpuUs();
    auto t0 = std::chrono::steady_clock::now();
    auto r = p.store->span_reader().GetTrace(id);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(ThreadCpuUs() - c0);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    else spans += r->size();
  }
  ReportLatency(state, us, cpu);
  state.counters["populate_ingest_spans_per_s"] = p.ingest_spans_per_s;
  state.counters["populate_setup_s"] = p.setup_s;
  state.counters["bytes_per_span"] = p.bytes_per_span;
}
BENCHMARK(BM_GetTraceById)->Iterations(5000);

void BM_GetAndAssembleTrace(benchmark::State& state) {
  auto& p = GetPopulated();
  std::mt19937_64 rng(2);
  std::vector<double> us;
  for (auto _ : state) {
    const TraceId& id = p.traces[rng() % p.traces.size()];
    auto t0 = std::chrono::steady_clock::now();
    auto r = p.store->span_reader().GetTrace(id);
    if (r.ok()) {
      auto t = query::AssembleTrace(std::move(*r));
      benchmark::DoNotOptimize(query::CriticalPath(t));
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  ReportLatency(state, us);
}
BENCHMARK(BM_GetAndAssembleTrace)->Iterations(2000);

void Search(benchmark::State& state, TraceQuery q) {
  auto& p = GetPopulated();
  std::vector<double> us, cpu;
  size_t found = 0;
  size_t i = 0;
  for (auto _ : state) {
    uint64_t now = NowNs();
    q.start_time_min_ns = now - 3600ull * 1'000'000'000;
    q.start_time_max_ns = now;
    q.service = q.service.empty() ? "" : kServices[1 + (i++ % 7)];
    double c0 = ThreadCpuUs();
    auto t0 = std::chrono::steady_clock::now();
    auto r = p.store->span_reader().FindTraces(q);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(ThreadCpuUs() - c0);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    else found += r->size();
  }
  ReportLatency(state, us, cpu);
  state.counters["avg_results"] = static_cast<double>(found) / static_cast<double>(us.size());
}

// The query: service X, errors, span duration > 100 ms, last hour, 20 results.
void BM_SearchServiceErrorsSlow(benchmark::State& state) {
  TraceQuery q;
  q.service = "x";
  q.errors_only = true;
  q.min_span_duration_ns = 100 * kMs;
  q.limit = 20;
  Search(state, q);
}
BENCHMARK(BM_SearchServiceErrorsSlow)->Iterations(300);

void BM_SearchService(benchmark::State& state) {
  TraceQuery q;
  q.service = "x";
  q.limit = 20;
  Search(state, q);
}
BENCHMARK(BM_SearchService)->Iterations(300);

void BM_SearchTag(benchmark::State& state) {
  TraceQuery q;
  q.tags = {{"http.status_code", "503"}};
  q.limit = 20;
  Search(state, q);
}
BENCHMARK(BM_SearchTag)->Iterations(300);

// A rare tag: a handful of spans per hour carry it, so most of the hour's
// tag partition is scanned (the worst case of the hashed tag index).
void BM_SearchTagRare(benchmark::State& state) {
  TraceQuery q;
  q.tags = {{"user.id", "u4242"}};
  q.limit = 20;
  Search(state, q);
}
BENCHMARK(BM_SearchTagRare)->Iterations(50);

}  // namespace
