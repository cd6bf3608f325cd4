// ClickHouseStore: one object implements every storage interface over a
// ClickHouse server or cluster; its methods are spread over a few .cc files
// by concern (open/retention, writing, trace reads, search, logs, stats).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "store/clickhouse/clickhouse_store.h"
#include "store/clickhouse/http.h"
#include "store/clickhouse/schema.h"
#include "store/clickhouse/shards.h"
#include "store/stats.h"

namespace callpath::store {

// Rows of one table encoded by Prepare, without the (writer, version, seq)
// columns every versioned row ends with: Write appends those.
struct ChRows {
  std::string data;
  std::vector<uint32_t> ends;  // end offset of each row in `data`
  void EndRow() { ends.push_back(static_cast<uint32_t>(data.size())); }
  size_t size() const { return ends.size(); }
};

// A resource's row for the resources table, for one day of its items.
struct ChResource {
  uint64_t day = 0;
  uint64_t resource = 0;  // rows.h ResourceHash
  std::string encoded;    // PutAttributes
};

class ChPreparedBatch final : public PreparedBatch {
 public:
  // `shards`: how many shards the rows keyed by trace are split over (1
  // when every insert goes to one server's tables).
  ChPreparedBatch(size_t spans, size_t logs, size_t shards)
      : PreparedBatch(spans, logs), spans(shards), span_index(shards), tags(shards), summaries(shards), logs(shards) {}
  // Rows keyed by trace, one ChRows per shard (ClickHouseStore::shard_map_).
  std::vector<ChRows> spans, span_index, tags, summaries, logs;
  // The batch's resources, distinct by (day, resource): Write inserts those
  // it has not written yet.
  std::vector<ChResource> resources;
  // Statistics rows: on any shard.
  ChRows op_stats, log_stats;
  // (day, service, operation, kind) of the spans, distinct.
  std::set<std::tuple<uint64_t, std::string, std::string, uint8_t>> operations;
};

class ClickHouseStore final : public Store, public Writer, public SpanReader, public LogReader, public StatsReader {
 public:
  static Result<std::unique_ptr<Store>> Open(const ClickHouseOptions& options);
  ~ClickHouseStore() override;

  Writer& writer() override { return *this; }
  SpanReader& span_reader() override { return *this; }
  LogReader& log_reader() override { return *this; }
  StatsReader& stats_reader() override { return *this; }
  Status DeleteBefore(uint64_t cutoff_ns) override;
  StoreStats Stats() override;
  Status Close() override;

  Result<std::unique_ptr<PreparedBatch>> Prepare(IngestBatch batch) const override;
  Result<std::unique_ptr<PreparedBatch>> PrepareStatistics(const IngestBatch& batch) const override;
  Status Write(const std::vector<const PreparedBatch*>& batches, uint64_t position) override;
  Result<uint64_t> Checkpoint() override;
  uint64_t DurablePosition() override { return committed_.load(); }
  Status Resume() override;
  // ClickHouse turns every INSERT into a part it sorts, compresses and later
  // merges again: fewer, larger writes cost it less per span
  // (docs/benchmarks.md, "Scale-out: ClickHouse"). Readers that wait for
  // what they wrote are not kept waiting by the linger.
  WriteShape PreferredWriteShape() const override { return {262144, std::chrono::milliseconds(500)}; }

  Result<std::vector<StoredSpan>> GetTrace(const TraceId& trace_id) override;
  Result<std::vector<StoredSpan>> GetTraceSkeleton(const TraceId& trace_id) override;
  Result<TraceSummary> GetTraceSummary(const TraceId& trace_id) override;
  Result<std::vector<TraceSummary>> FindTraces(const TraceQuery& query) override;
  Result<std::vector<std::string>> GetServices() override;
  Result<std::vector<Operation>> GetOperations(const std::string& service, std::optional<SpanKind> kind) override;
  Result<std::vector<DependencyLink>> GetDependencies(uint64_t start_ns, uint64_t end_ns) override;

  Result<std::vector<StoredLog>> LogsForTrace(const TraceId& trace_id) override;
  Result<std::vector<StoredLog>> SearchLogs(const LogQuery& query) override;

  Result<std::vector<OperationStats>> Operations(const StatsQuery& query) override;
  Result<std::vector<LogTemplateStats>> LogTemplates(const StatsQuery& query) override;

 private:
  explicit ClickHouseStore(const ClickHouseOptions& options);

  Status CheckOpen() const;
  // Where inserts go: with a cluster whose shards are exactly the servers
  // given (one replica each, found by system.clusters.is_local), each
  // shard's `_local` tables; otherwise the first server's tables
  // (Distributed ones with a cluster). Sets shard_map_ and shard_servers_.
  Status MapShards();
  // The server holding `trace_id`'s rows and the table there to read, or
  // the first server and the table as queried when inserts are not split.
  ch::Http& TraceServer(const TraceId& trace_id);
  std::string TraceTable(const char* table) const;
  // Write's inserts to one shard (an index of shard_servers_; 0 when
  // inserts are not split): its rows keyed by trace and, with
  // `with_unkeyed`, the statistics rows and `operations` (encoded names).
  Status WriteShard(const std::vector<const PreparedBatch*>& batches, uint64_t position, size_t shard,
                    bool with_unkeyed, const std::string& resources, const std::string& operations);
  // The resources rows of `batches` not written yet by this process, per
  // shard (by the resources table's sharding key), and their keys.
  void NewResources(const std::vector<const PreparedBatch*>& batches, std::vector<std::string>* rows,
                    std::vector<std::pair<uint64_t, uint64_t>>* keys);
  // Sets each target's resource attributes to those of its resource hash
  // (read from its span or log row; 0 = none, nothing to do): from the
  // cache, else the resources table. A hash without a row (never expected:
  // it is written before the rows naming it) leaves them empty.
  Status AttachResources(const std::vector<std::pair<uint64_t, Attributes*>>& targets);
  // Reads a log answer (kLogColumns rows) with their resources.
  Result<std::vector<StoredLog>> ReadLogs(const Result<std::string>& answer);
  // Open's steps (clickhouse_store.cc): the server version, the schema on
  // every shard, the meta records, this writer's position.
  Status CreateSchema();
  Status AddResourceColumns(ch::Http& server);
  Status CheckMeta();
  Status LoadPosition();
  // Deletes the rows of this writer's writes after `committed_` from every
  // versioned table on every shard and waits until they are gone.
  Status RemoveIncompleteWrites();
  // "<database>.<table>" as queried.
  std::string T(const char* table) const { return options_.database + "." + table; }
  // Runs a query through the first server; its RowBinary answer.
  Result<std::string> Query(const std::string& sql) { return servers_.front()->Query(sql); }
  // FindTraces with an attribute tag, through the tags table: `spans` is
  // the exact condition on span rows, `having` on a trace's summaries rows
  // (may be ""), `tag` the condition on tags rows that every matching
  // span's trace has. Sets *answered unless there were too many candidates
  // that do not match (the caller scans then).
  Status FindTracesByTag(const TraceQuery& query, const std::string& spans, const std::string& having,
                         const std::string& tag, std::vector<TraceId>* ids, bool* answered);
  // The exact summaries of `ids` folded from their spans' light columns.
  Status Summaries(const std::vector<TraceId>& ids, std::vector<TraceSummary>* out);

  ClickHouseOptions options_;
  std::vector<std::unique_ptr<ch::Http>> servers_;  // one per shard, in the order given; [0] answers reads
  ch::ShardMap shard_map_;                          // how Prepare splits rows keyed by trace
  std::vector<ch::Http*> shard_servers_;            // per shard in cluster order; empty = insert via [0]
  ch::SchemaOptions schema_;
  bool closed_ = false;
  uint64_t tags_from_ns_ = 0;  // the tags table holds every span starting from here (meta)

  std::mutex write_mu_;                    // one Write (or cleanup) at a time
  std::atomic<uint64_t> committed_{0};     // position of the last complete write
  std::atomic<bool> dirty_{false};         // a write failed after it may have inserted rows
  std::atomic<uint64_t> spans_written_{0};
  std::atomic<uint64_t> logs_written_{0};
  std::mutex ops_mu_;
  std::set<std::tuple<uint64_t, std::string, std::string, uint8_t>> ops_written_;  // skip known names
  std::set<std::pair<uint64_t, uint64_t>> resources_written_;                     // (day, resource); ops_mu_
  std::mutex resource_cache_mu_;
  std::map<uint64_t, Attributes> resource_cache_;  // immutable rows: never stale
};

}  // namespace callpath::store
