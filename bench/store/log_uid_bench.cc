// What recognising log records sent again costs at ingest (keys.h
// LogSeqOfUid, RocksDbStore::DropStoredRepeats): Writer::Prepare and Write
// of 512-record batches into a store that already holds 512k records, so
// that the look-up of each new record's key reaches tables on disk, not
// only the memtable.
//   BM_WriteLogs/uid:0     new records without log.record.uid (no look-up)
//   BM_WriteLogs/uid:1     new records with one (one point read each)
//   BM_WriteRepeatedLogs   a batch written before, again (every record found)
// Figures are per record.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "store/rocksdb/rocksdb_store.h"

namespace {

using namespace callpath;
using namespace callpath::store;

constexpr size_t kBatch = 512;
constexpr size_t kPrefillBatches = 1000;
constexpr uint64_t kStart = 1'700'000'000ull * 1'000'000'000ull;

struct LogStream {
  std::mt19937_64 rng{7};
  uint64_t next_time = kStart;
  uint64_t next_uid = 0;

  std::vector<StoredLog> Batch(bool with_uid) {
    std::vector<StoredLog> out(kBatch);
    char buf[128];
    for (StoredLog& l : out) {
      snprintf(buf, sizeof buf, "order %d placed in %dms", static_cast<int>(rng() % 100000),
               static_cast<int>(rng() % 1000));
      l.service = "svc-" + std::to_string(rng() % 8);
      l.time_ns = next_time;
      next_time += 20'000;  // 50k records a second of log time
      l.severity_number = 9;
      l.body = Value::String(buf);
      for (auto& b : l.trace_id.mutable_bytes()) b = static_cast<uint8_t>(rng());
      l.attributes = {{"log.file.path", Value::String("/var/log/app/app.log")}};
      if (with_uid) {
        snprintf(buf, sizeof buf, "%016llx%016llx", 0x5eedULL, static_cast<unsigned long long>(next_uid++));
        l.attributes.push_back({"log.record.uid", Value::String(buf)});
      }
    }
    return out;
  }
};

struct Fixture {
  std::unique_ptr<Store> store;
  LogStream stream;
  uint64_t position = 0;

  explicit Fixture(const std::string& name, bool with_uid) {
    const auto dir = std::filesystem::temp_directory_path() / ("callpath-bench-" + name);
    std::filesystem::remove_all(dir);
    RocksDbOptions o;
    o.path = dir.string();
    auto s = OpenRocksDbStore(o);
    if (!s.ok()) std::abort();
    store = std::move(*s);
    for (size_t i = 0; i < kPrefillBatches; ++i) Write(stream.Batch(with_uid));
  }
  ~Fixture() { (void)store->Close(); }

  void Write(std::vector<StoredLog> logs) {
    auto prepared = store->writer().Prepare(MakeIngestBatch({}, std::move(logs)));
    if (!prepared.ok()) std::abort();
    if (!store->writer().Write({prepared->get()}, ++position).ok()) std::abort();
  }
};

void BM_WriteLogs(benchmark::State& state) {
  const bool with_uid = state.range(0) == 1;
  Fixture f(with_uid ? "logs-uid" : "logs-no-uid", with_uid);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<StoredLog> batch = f.stream.Batch(with_uid);
    state.ResumeTiming();
    f.Write(std::move(batch));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_WriteLogs)->ArgName("uid")->Arg(0)->Arg(1);

void BM_WriteRepeatedLogs(benchmark::State& state) {
  Fixture f("logs-repeated", true);
  const std::vector<StoredLog> batch = f.stream.Batch(true);
  f.Write(batch);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<StoredLog> again = batch;
    state.ResumeTiming();
    f.Write(std::move(again));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_WriteRepeatedLogs);

}  // namespace
