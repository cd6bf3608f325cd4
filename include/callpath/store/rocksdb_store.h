// The embedded store: RocksDB in one directory on local disk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "callpath/store/store.h"

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
};

// Spans and log records to index, each resource given once for all the
// items that share it (as OTLP sends them) instead of copied into each:
// StoredSpan/StoredLog::resource_attributes are ignored here, the item's
// resource is resources[span_resource[i]] / resources[log_resource[i]].
struct IngestBatch {
  std::vector<Attributes> resources;
  std::vector<StoredSpan> spans;
  std::vector<uint32_t> span_resource;  // one per span
  std::vector<StoredLog> logs;
  std::vector<uint32_t> log_resource;   // one per log record
  size_t items() const noexcept { return spans.size() + logs.size(); }
};

// An IngestBatch encoded for one store by its ReplayableWriter::Prepare,
// ready to be written. Immutable; only the writer that made it can write it.
class PreparedBatch {
 public:
  virtual ~PreparedBatch() = default;
  // The spans and log records it holds, as given to Prepare.
  size_t span_count() const noexcept { return span_count_; }
  size_t log_count() const noexcept { return log_count_; }
  size_t items() const noexcept { return span_count_ + log_count_; }

 protected:
  PreparedBatch(size_t spans, size_t logs) : span_count_(spans), log_count_(logs) {}

 private:
  size_t span_count_, log_count_;
};

// Writes for a caller that keeps its own durable log of everything it
// writes (callpathd's ingest write-ahead log) and can replay that log after a
// crash. Such writes skip RocksDB's own write-ahead log: they cost no second
// log write and no sync. Every write carries the caller's log position; the
// store keeps, atomically with the data (all column families are flushed
// together), the position of the last write that is on disk, so a restart
// replays exactly the writes that were lost and nothing twice.
//
// Writing is split in two so that most of the work runs in parallel:
// Prepare (validation and encoding, any number of threads at once), then
// WriteUnlogged (merging prepared batches into the store's keys, one
// thread).
//
// Threads: Prepare from any thread; WriteUnlogged from one thread at a time
// (positions must arrive in order); Checkpoint and DurablePosition from any
// thread.
class ReplayableWriter {
 public:
  virtual ~ReplayableWriter() = default;
  // Validates and encodes `batch`. InvalidArgument as
  // SpanWriter::WriteSpans (a span without valid ids), or for a resource
  // index out of range.
  virtual Result<std::unique_ptr<PreparedBatch>> Prepare(IngestBatch batch) const = 0;
  // Stores every item of `batches` (each from this writer's Prepare) in one
  // atomic write and records `position` (greater than every earlier one)
  // as covered. Visible to readers on return; durable only after a later
  // Checkpoint or an automatic flush.
  virtual Status WriteUnlogged(const std::vector<const PreparedBatch*>& batches, uint64_t position) = 0;
  // Makes every write that returned so far durable and returns the highest
  // position known durable (0 if none was ever written).
  virtual Result<uint64_t> Checkpoint() = 0;
  // A position known durable: after Open, exactly what survived.
  virtual uint64_t DurablePosition() = 0;
  // After writes failed on a background error (a flush on a full disk):
  // asks the store to take writes again. OK when it does (or never
  // stopped); the error otherwise. Any thread.
  virtual Status Resume() { return Status::Ok(); }
};

// The ReplayableWriter of a store opened by OpenRocksDbStore; nullptr for
// any other Store. Owned by the store.
ReplayableWriter* AsReplayableWriter(Store& store);

// Opens (or creates) the store at options.path. Fails with Unavailable if
// another process holds it, DataLoss if it is damaged (a table file or the
// MANIFEST, or data it had made durable is gone) - it then changes nothing
// and the message says what is damaged and how to repair it.
// After a crash, Open replays the write-ahead log: every write that
// returned OK is there.
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
