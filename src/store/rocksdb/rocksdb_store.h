// The embedded store: RocksDB in one directory on local disk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "store/store.h"

namespace callpath::store {

struct RocksDbOptions {
  // Directory of the database; created if missing.
  std::string path;
  // Width of a time bucket. Retention drops whole buckets; search visits
  // one bucket after another. Fixed when the store is created (reopening
  // with another value is an InvalidArgument).
  uint64_t bucket_seconds = 3600;
  // Sync the write-ahead log before a write returns. Concurrent writers
  // share one sync (group commit). Turning this off trades durability on
  // machine crash for speed; a process crash still loses nothing.
  bool sync_writes = true;
  // Block cache for reads (trace by id, summaries, indexes).
  uint64_t block_cache_bytes = 256ull << 20;
  // Memtable size per column family; bigger absorbs ingest bursts.
  uint64_t write_buffer_bytes = 64ull << 20;
  // Background flush/compaction threads.
  int background_threads = 2;
  // Tag index: string/bool/int span attributes with values up to this many
  // bytes are indexed (longer ones are still stored, just not searchable by
  // the tag index - searches for them fall back to checking spans).
  size_t max_indexed_tag_value_bytes = 256;
  // Read every table file once at Open and refuse a store whose checksums
  // fail. Costs one read of the whole store per start; without it a
  // damaged table is found only when a query or compaction reads it.
  bool verify_tables_on_open = true;
  // Keep the statistics of stats.h (per-minute operation and log template
  // rows) and log template ids at ingest. Off, StatsReader finds nothing
  // new and ingest skips their cost (docs/benchmarks.md); readers then
  // compute a log record's template id when it is read.
  bool keep_stats = true;
};

// Opens (or creates) the store at options.path. Fails with Unavailable if
// another process holds it, DataLoss if it is damaged (a table file or the
// MANIFEST, or data it had made durable is gone) - it then changes nothing
// and the message says what is damaged and how to repair it.
// Writes skip RocksDB's own write-ahead log (the caller keeps one, see
// Writer); every column family is flushed together, so after a crash the
// store holds exactly the writes up to its DurablePosition.
Result<std::unique_ptr<Store>> OpenRocksDbStore(const RocksDbOptions& options);

// What CheckRocksDbStore found.
struct StoreCheckReport {
  std::vector<std::string> problems;  // empty: the store is sound
  uint64_t ingest_position = 0;       // the last ingest write the store holds
  uint64_t checkpoint_position = 0;   // recorded by its last checkpoint (0: none)
  uint64_t table_files = 0;
};

// Verifies the store at `path` without changing it (it must not be open
// elsewhere for writing): RocksDB's files and checksums, its own records,
// and that it still holds everything its last checkpoint made durable.
// NotFound when there is no store.
Result<StoreCheckReport> CheckRocksDbStore(const std::string& path);

// Rebuilds a damaged store's MANIFEST from the table files that are intact
// (RocksDB's RepairDB). What damaged files held is lost; the store's
// position becomes what survived, so the ingest WAL then reports exactly
// which acknowledged records are gone.
Status RepairRocksDbStore(const std::string& path);

}  // namespace callpath::store
