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
};

// Opens (or creates) the store at options.path. Fails with Unavailable if
// another process holds it, DataLoss if it cannot be recovered.
// Writes skip RocksDB's own write-ahead log (the caller keeps one, see
// Writer); every column family is flushed together, so after a crash the
// store holds exactly the writes up to its DurablePosition.
Result<std::unique_ptr<Store>> OpenRocksDbStore(const RocksDbOptions& options);

}  // namespace callpath::store
