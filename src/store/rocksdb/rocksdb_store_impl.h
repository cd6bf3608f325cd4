// RocksDbStore: the embedded backend. One object implements every storage
// interface; its methods are spread over a few .cc files by concern
// (open/close/retention, writing, trace reads, search, logs).
#pragma once

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/rocksdb/rocksdb_store.h"
#include "store/rocksdb/segment.h"
#include "store/rocksdb/stats_aggregate.h"
#include "store/rocksdb/summary_record.h"

namespace callpath::store {

namespace stats_keys {
struct ParsedKey;
}
struct PreparedSpans;
struct PreparedLogs;

class RocksDbStore final : public Store, public Writer, public SpanReader, public LogReader, public StatsReader {
 public:
  enum Cf {
    kSpans, kIndex, kTraces, kLogs, kLogTrace, kNames, kResources, kMeta, kLogService, kStats, kCfCount
  };

  static Result<std::unique_ptr<Store>> Open(const RocksDbOptions& options);
  static Result<StoreCheckReport> Check(const std::string& path);
  static Status Repair(const std::string& path);
  ~RocksDbStore() override;

  Writer& writer() override { return *this; }
  SpanReader& span_reader() override { return *this; }
  LogReader& log_reader() override { return *this; }
  StatsReader& stats_reader() override { return *this; }
  Status DeleteBefore(uint64_t cutoff_ns) override;
  StoreStats Stats() override;
  Status Close() override;

  Result<std::vector<StoredSpan>> GetTrace(const TraceId& trace_id) override;
  Result<std::vector<StoredSpan>> GetTraceSkeleton(const TraceId& trace_id) override;
  Result<TraceSummary> GetTraceSummary(const TraceId& trace_id) override;
  Result<std::vector<TraceSummary>> FindTraces(const TraceQuery& query) override;
  Result<std::vector<std::string>> GetServices() override;
  Result<std::vector<Operation>> GetOperations(const std::string& service,
                                               std::optional<SpanKind> kind) override;
  Result<std::vector<DependencyLink>> GetDependencies(uint64_t start_ns, uint64_t end_ns) override;

  Result<std::unique_ptr<PreparedBatch>> Prepare(IngestBatch batch) const override;
  Result<std::unique_ptr<PreparedBatch>> PrepareStatistics(const IngestBatch& batch) const override;
  Status Write(const std::vector<const PreparedBatch*>& batches, uint64_t position) override;
  Result<uint64_t> Checkpoint() override;
  uint64_t DurablePosition() override { return durable_position_.load(); }
  Status Resume() override;
  Result<std::vector<StoredLog>> LogsForTrace(const TraceId& trace_id) override;
  Result<std::vector<StoredLog>> SearchLogs(const LogQuery& query) override;
  Result<std::vector<OperationStats>> Operations(const StatsQuery& query) override;
  Result<std::vector<LogTemplateStats>> LogTemplates(const StatsQuery& query) override;

 private:
  explicit RocksDbStore(const RocksDbOptions& options);

  uint32_t BucketOf(uint64_t ns) const {
    uint64_t b = ns / bucket_ns_;
    return b > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(b);
  }
  uint64_t BucketEndNs(uint32_t bucket) const { return (uint64_t{bucket} + 1) * bucket_ns_; }
  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles_[c]; }
  Status CheckOpen() const;
  // The options every open of this store uses (rocksdb_options.cc).
  void MakeOptions(rocksdb::DBOptions* db_opts, std::vector<rocksdb::ColumnFamilyDescriptor>* cfs);
  void MakeColumnFamilies(std::vector<rocksdb::ColumnFamilyDescriptor>* cfs);
  // The steps of Open: the database (checked read-only first), the store's
  // own meta records (bucket width, format, positions), and the counters
  // that must keep growing across restarts.
  Status OpenDb();
  Status LoadMeta();
  Status RecoverCounters();
  // Opens the store read-only (deleting nothing) and adds what is damaged
  // to `report`; `verify_tables` reads every table file.
  void Inspect(const rocksdb::DBOptions& db_opts, const std::vector<rocksdb::ColumnFamilyDescriptor>& cfs,
               bool verify_tables, StoreCheckReport* report);
  // DataLoss, saying what and how to repair, when Inspect finds damage.
  Status CheckBeforeOpen(const rocksdb::DBOptions& db_opts, const std::vector<rocksdb::ColumnFamilyDescriptor>& cfs);
  void NoteBucket(uint32_t b);
  // The lowest bucket that retention has not removed, and the highest seen.
  uint32_t MinLiveBucket() const;
  uint32_t MaxBucket() const { return max_bucket_.load(std::memory_order_relaxed); }

  // FindTraces over one kind of posting list (rocksdb_search.cc): adds to
  // `matches` (trace -> summary and start of its newest matching span) the
  // traces whose entries in the lists of `type`/`term` match `q`, stopping
  // once `limit` of them are known to be the newest. `check` selects the
  // entries of one tag within its partition when `with_check`.
  struct TraceMatch {
    TraceSummary summary;
    uint64_t score = 0;
  };
  Status ScanPostings(const TraceQuery& q, char type, const std::string& term, bool with_check,
                      uint32_t check, size_t limit, std::vector<TraceMatch>* matches);
  // Services of the stored resources that have attribute key=value.
  Result<std::vector<std::string>> ServicesWithResource(std::string_view key, std::string_view value);
  // GetTrace, or GetTraceSkeleton when `skeleton_only` (the span values
  // decoded only as far as the tree's fields, no resources loaded).
  Result<std::vector<StoredSpan>> ReadTraceSpans(const TraceId& trace_id, bool skeleton_only);
  // Reads the summary record; NotFound if absent or past retention.
  Result<SummaryRecord> ReadSummary(const TraceId& trace_id);
  // The same for a value already read.
  Result<SummaryRecord> ParseSummary(const TraceId& trace_id, std::string_view value) const;
  // Appends the records of a log_trace / log_service entry: the list in
  // `value`, or when that is empty the one record `key_tail` (time, seq;
  // the time inverted for log_service) names.
  Status ReadLogList(const char* key_tail, bool inverted_time, const rocksdb::Slice& value,
                     std::vector<seg::LogRef>* refs) const;
  // Resource attributes by hash, through a small cache.
  Status LoadResource(uint64_t hash, Attributes* out);
  // The same for a resource already encoded (enc::PutAttributes) and hashed.
  void StageEncodedResource(uint64_t hash, std::string_view encoded, rocksdb::WriteBatch* batch,
                            std::vector<uint64_t>* staged);
  // Updates the names CF when a (service / operation, bucket) is new.
  void StageName(const std::string& key, uint32_t bucket, rocksdb::WriteBatch* batch,
                 std::vector<std::pair<std::string, uint32_t>>* staged);
  Status Commit(const rocksdb::WriteOptions& wo, rocksdb::WriteBatch* batch,
                const std::vector<uint64_t>& resources,
                const std::vector<std::pair<std::string, uint32_t>>& names);

  // What staging a write into a batch leaves for after its commit.
  struct Staged {
    std::vector<uint64_t> resources;
    std::vector<std::pair<std::string, uint32_t>> names;
    uint32_t lo = UINT32_MAX, hi = 0;  // buckets touched
    uint64_t spans = 0, blobs = 0, logs = 0;
  };
  // Encodes `spans` (ids already checked), whose resources have the given
  // hashes (parallel vectors), into *out (prepared_batch.h). Thread-safe.
  void PrepareSpans(const std::vector<const StoredSpan*>& spans, const std::vector<uint64_t>& resource_hash,
                    PreparedSpans* out) const;
  // Merges prepared spans into segments and adds their keys to `batch`.
  void StagePrepared(const std::vector<const PreparedSpans*>& parts, rocksdb::WriteBatch* batch, Staged* staged);
  // Leaves out of `in` the log records that repeat one already stored, or
  // one earlier in `in`: same log.record.uid and time (keys.h
  // LogSeqOfUid). One MultiGet for the records that have a uid (the logs
  // column family's bloom filters answer most). Thread-safe.
  Status DropStoredRepeats(IngestBatch* in) const;
  // Encodes `logs`, whose resources have the given hashes (parallel
  // vectors), into *out. Thread-safe.
  void PrepareLogs(const std::vector<const StoredLog*>& logs, const std::vector<uint64_t>& resource_hash,
                   PreparedLogs* out) const;
  // Numbers prepared log records and adds their keys to `batch`.
  void StageLogs(const std::vector<const PreparedLogs*>& parts, rocksdb::WriteBatch* batch, Staged* staged);
  Status CommitStaged(const rocksdb::WriteOptions& wo, rocksdb::WriteBatch* batch, const Staged& staged);
  // Adds the statistics rows the batches change, whole, to `batch`
  // (rocksdb_stats.cc, stats_aggregate.h).
  Status StageStats(const std::vector<const PreparedBatch*>& batches, rocksdb::WriteBatch* batch);
  // Calls `take` with every statistics row of `type` (stats_record.h) in
  // the buckets and minutes of `q` and of its service, in key order.
  Status ScanStats(const StatsQuery& q, char type,
                   const std::function<Status(const stats_keys::ParsedKey&, std::string_view)>& take);

  static constexpr const char* kIngestPositionKey = "ingest_position";

  RocksDbOptions options_;
  uint64_t bucket_ns_;
  uint64_t window_ns_;  // bucket_ns_ / keys::kWindowsPerBucket, rounded up
  std::unique_ptr<rocksdb::CompactionFilter> summary_filter_;  // must outlive db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions write_options_;
  bool closed_ = false;

  std::atomic<uint64_t> retention_cutoff_ns_{0};
  std::atomic<uint32_t> min_bucket_{UINT32_MAX};
  std::atomic<uint32_t> max_bucket_{0};
  std::atomic<uint64_t> log_seq_{0};
  std::atomic<uint64_t> segment_seq_{0};  // next segment sequence number
  std::atomic<uint64_t> spans_written_{0};
  std::atomic<uint64_t> blobs_written_{0};
  std::atomic<uint64_t> logs_written_{0};
  std::atomic<uint64_t> applied_position_{0};  // of the last Write
  std::atomic<uint64_t> durable_position_{0};  // known on disk

  std::mutex cache_mu_;  // guards the three caches below
  std::unordered_map<uint64_t, bool> resources_written_;
  std::unordered_map<uint64_t, Attributes> resource_cache_;
  std::unordered_map<std::string, uint32_t> names_written_;  // key -> last bucket

  StatsAggregate stats_;  // running totals of the statistics rows (Write)
};

// InvalidArgument unless every span has a valid trace and span id.
Status CheckIds(const std::vector<StoredSpan>& spans);

// Records `position` as made durable by a checkpoint (a small file beside
// RocksDB's, written atomically), for Open to find lost data by.
Status WriteStoreCheckpointFile(const std::string& dir, uint64_t position);

// An info LOG for the store in `dir` that survives write errors (a full
// disk) without aborting (info_log.cc); nullptr if it cannot be opened.
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir);

// A rocksdb::Status as a callpath::Status, with context.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

}  // namespace callpath::store
