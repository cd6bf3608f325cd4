// The storage contract of callpathd: the writer, the span and log readers,
// and the Store that owns them. Start here.
//
// Modelled on Jaeger's storage API: a backend implements these interfaces
// and passes the one conformance suite (src/store/testing/conformance.h),
// which makes exactly the calls callpathd makes. The daemon knows backends
// only through this header; the embedded backend is RocksDB
// (store/rocksdb/rocksdb_store.h).
//
// Threads: every method of every interface MAY be called concurrently from
// any number of threads. Errors: methods never throw; they return a
// callpath::Status / Result. A Store MUST outlive the readers and writers
// it hands out.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "callpath/ids.h"
#include "callpath/status.h"
#include "store/model.h"
#include "store/stats.h"

namespace callpath::store {

// A search over traces. Filters are of two levels, and the level matters:
//
// SPAN-LEVEL (Jaeger semantics): `service`, `operation`, `tags`,
// `min_span_duration_ns`, `max_span_duration_ns` and the time range must all
// hold for ONE AND THE SAME span of the trace. "service=cart tags
// http.status_code=500 min_span_duration 100ms" finds traces with a cart
// span that has status 500 and took >= 100 ms itself.
//
// TRACE-LEVEL: `services_all`, `min_trace_duration_ns`,
// `max_trace_duration_ns` and `errors_only` are checked against the trace's
// summary (the whole trace as stored so far).
struct TraceQuery {
  // --- span-level ---
  std::string service;     // "" = any service
  std::string operation;   // "" = any; only meaningful with `service`
  // Every tag must match an attribute of the same span (string form of the
  // value, see Value::AsText). Resource attributes are not searched.
  std::vector<std::pair<std::string, std::string>> tags;
  uint64_t min_span_duration_ns = 0;  // 0 = no bound
  uint64_t max_span_duration_ns = 0;  // 0 = no bound
  // The matching span starts in [start_time_min_ns, start_time_max_ns].
  uint64_t start_time_min_ns = 0;           // 0 = no bound
  uint64_t start_time_max_ns = UINT64_MAX;  // UINT64_MAX = no bound

  // --- trace-level ---
  std::vector<std::string> services_all;  // the trace passes through ALL of these
  uint64_t min_trace_duration_ns = 0;     // 0 = no bound
  uint64_t max_trace_duration_ns = 0;     // 0 = no bound
  bool errors_only = false;               // some span of the trace has status ERROR

  // At most this many traces, newest matching span first. 0 = the default 20.
  size_t limit = 20;
};

// A row of GetOperations.
struct Operation {
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  friend bool operator==(const Operation&, const Operation&) = default;
};

// parent service -> child service, with the number of parent/child span
// pairs seen in the time range (a span of `child` whose parent span is of
// `parent`; parent == child pairs are omitted).
struct DependencyLink {
  std::string parent;
  std::string child;
  uint64_t call_count = 0;
  // Of those calls, the child spans with status ERROR.
  uint64_t error_count = 0;
  // The 99th percentile of the child spans' durations: how long the calls
  // took as the callee saw them. Within 2 % (backends MAY estimate it).
  uint64_t p99_duration_ns = 0;
  friend bool operator==(const DependencyLink&, const DependencyLink&) = default;
};

struct LogQuery {
  TraceId trace_id;          // invalid = any trace
  std::string service;       // "" = any
  int32_t min_severity = 0;  // severity_number >= this; 0 = any
  std::string text;          // case-sensitive substring of the body text; "" = any
  uint64_t start_time_min_ns = 0;
  uint64_t start_time_max_ns = UINT64_MAX;
  size_t limit = 100;        // newest first; 0 = the default 100
};

// Spans and log records to store, each resource given once for all the
// items that share it (as OTLP sends them) instead of copied into each:
// StoredSpan/StoredLog::resource_attributes are ignored here, the item's
// resource is resources[span_resource[i]] / resources[log_resource[i]].
struct IngestBatch {
  std::vector<Attributes> resources;
  std::vector<StoredSpan> spans;
  std::vector<uint32_t> span_resource;  // one per span
  std::vector<StoredLog> logs;
  std::vector<uint32_t> log_resource;   // one per log record
  // Whether Prepare folds the items into the statistics (stats.h). false
  // for items already counted by an earlier Writer::PrepareStatistics: a
  // tail sampler counts every span when it arrives and stores the kept
  // ones only once it has decided, so the statistics count every span,
  // sampled or not, and count it once.
  bool fold_statistics = true;
  size_t items() const noexcept { return spans.size() + logs.size(); }
};

// An IngestBatch of `spans` and `logs` whose resources are their own
// resource_attributes, each distinct one given once (for callers that hold
// items rather than OTLP requests: tools, benchmarks, tests).
IngestBatch MakeIngestBatch(std::vector<StoredSpan> spans, std::vector<StoredLog> logs = {});

// An IngestBatch encoded by one store's Writer::Prepare, ready to be written.
// Immutable; only the writer that made it can write it.
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

// The one way spans and log records get into a store.
//
// The caller keeps its own durable log of what it writes (callpathd's ingest
// write-ahead log: a request is acknowledged once it is there) and numbers
// its writes with increasing positions. A backend therefore need not make
// each write durable on its own: it records, atomically with the data, the
// position of the last write it holds, and after a crash says which
// position survived (DurablePosition). The caller replays from its log every
// record after that position, through the same Prepare and Write calls, with
// the same positions. Between them, nothing acknowledged is lost and nothing
// is stored twice.
//
// Writing is split in two so that most of the work runs in parallel:
// Prepare (validation and encoding) on any number of threads at once, then
// Write (merging prepared batches into the store) on one thread.
//
// Threads: Prepare from any thread; Write from one thread at a time;
// Checkpoint and DurablePosition from any thread.
class Writer {
 public:
  virtual ~Writer() = default;

  // Validates and encodes `batch`.
  // MUST: InvalidArgument, and nothing prepared, for a span with an invalid
  // trace id or span id, or a resource index out of range.
  virtual Result<std::unique_ptr<PreparedBatch>> Prepare(IngestBatch batch) const = 0;

  // The statistics of `batch`'s items (as Prepare folds them), prepared for
  // Write without the items themselves: Write stores the statistics rows
  // and no span or log record. The batch is only read, so the caller keeps
  // the items (a tail sampler holds them until it decides; the kept ones
  // are then prepared with IngestBatch::fold_statistics = false).
  // span_count() and log_count() of the result are 0.
  // MUST: the same validation as Prepare.
  virtual Result<std::unique_ptr<PreparedBatch>> PrepareStatistics(const IngestBatch& batch) const = 0;

  // Stores every item of `batches` (each from this writer's Prepare) as one
  // atomic write tagged with `position`.
  // MUST: `position` is greater than that of every earlier Write (else
  // InvalidArgument); on error nothing of the write is stored.
  // MUST: the items are visible to readers when Write returns.
  // MUST: writing a span with the same (trace_id, start_ns, span_id) again
  // replaces it (GetTrace returns it once); summary counts SHOULD count it
  // once (the RocksDB store does for traces of up to 8192 spans).
  // MAY: recognise a log record written again with the same string
  // attribute log.record.uid and the same time, and keep it once (the
  // RocksDB store does, and counts it once in the statistics unless both
  // copies come in the same Write; ClickHouse stores it again).
  // MAY: keep the write in memory only until a Checkpoint or the backend's
  // own flush; DurablePosition says what is on disk.
  virtual Status Write(const std::vector<const PreparedBatch*>& batches, uint64_t position) = 0;

  // Makes every Write that returned so far durable and returns the highest
  // position known durable (0 if none was ever written).
  virtual Result<uint64_t> Checkpoint() = 0;

  // A position known durable: every Write up to it survives a crash of the
  // process or the machine. Right after opening a store, exactly the
  // position of the last write that survived.
  // MUST: never more than what is on disk; MAY lag behind it.
  virtual uint64_t DurablePosition() = 0;

  // After writes failed on a background error (a flush on a full disk):
  // asks the store to take writes again. OK when it does (or never
  // stopped); the error otherwise. Any thread.
  virtual Status Resume() { return Status::Ok(); }

  // How the daemon's indexer best groups queued requests into Writes: up
  // to `items` items (spans and log records) per Write, waiting up to
  // `linger` for that many unless a reader waits for what is queued. A
  // backend whose cost grows with the number of writes (ClickHouse sorts
  // every insert into a part and merges parts again in the background)
  // asks for larger ones than the default.
  struct WriteShape {
    size_t items = 32768;
    std::chrono::milliseconds linger{50};
  };
  virtual WriteShape PreferredWriteShape() const { return {}; }
};

class SpanReader {
 public:
  virtual ~SpanReader() = default;
  // All spans of one trace, ordered by start time. NotFound if none.
  virtual Result<std::vector<StoredSpan>> GetTrace(const TraceId& trace_id) = 0;
  // The same spans as GetTrace, in the same order, with only what a span
  // tree needs filled in: trace_id, span_id, parent_span_id, service,
  // operation, kind, start_ns, duration_ns and status. Every other field
  // (status message, attributes, events, links, resource, scope, trace
  // state, flags) is left empty. NotFound if none.
  // For drawing and analysing the tree of a big trace (the web UI's
  // skeleton, clock-skew adjustment, critical path) without paying for the
  // decoding and memory of every span's attributes.
  // SHOULD read and decode no more of each span than it returns.
  virtual Result<std::vector<StoredSpan>> GetTraceSkeleton(const TraceId& trace_id) = 0;
  // Summary of one trace; NotFound if unknown.
  virtual Result<TraceSummary> GetTraceSummary(const TraceId& trace_id) = 0;
  // Traces matching `query`, newest first, at most query.limit.
  // MUST answer from indexes and summaries, not by loading whole traces.
  virtual Result<std::vector<TraceSummary>> FindTraces(const TraceQuery& query) = 0;
  // Every service name seen (and not yet deleted by retention), sorted.
  virtual Result<std::vector<std::string>> GetServices() = 0;
  // Operations of `service`, sorted by name then kind; only those of `kind`
  // if given.
  virtual Result<std::vector<Operation>> GetOperations(const std::string& service,
                                                       std::optional<SpanKind> kind) = 0;
  // Service call graph from spans that start in [start_ns, end_ns], sorted
  // by (parent, child). MAY be computed by scanning spans of the range.
  virtual Result<std::vector<DependencyLink>> GetDependencies(uint64_t start_ns,
                                                              uint64_t end_ns) = 0;
};

class LogReader {
 public:
  virtual ~LogReader() = default;
  // Every log record of one trace, oldest first (empty, not NotFound, when
  // there are none).
  virtual Result<std::vector<StoredLog>> LogsForTrace(const TraceId& trace_id) = 0;
  // Records matching every filter of `query`, newest first.
  virtual Result<std::vector<StoredLog>> SearchLogs(const LogQuery& query) = 0;
};

struct StoreStats {
  uint64_t bytes_on_disk = 0;    // all files of the store (data, WAL, manifest)
  uint64_t spans_written = 0;    // since Open
  uint64_t logs_written = 0;     // since Open
  uint64_t approx_spans = 0;     // estimate of spans stored (backend's own estimate)
  uint64_t approx_traces = 0;
  uint64_t approx_logs = 0;
};

// Owns one open store. Obtain one from a backend's Open (e.g.
// OpenRocksDbStore); destroy it (or Close it) to release files and locks.
class Store {
 public:
  virtual ~Store() = default;  // closes if still open

  // The interfaces; owned by the Store, valid until it is destroyed.
  virtual Writer& writer() = 0;
  virtual SpanReader& span_reader() = 0;
  virtual LogReader& log_reader() = 0;
  // The statistics kept at ingest (stats.h).
  virtual StatsReader& stats_reader() = 0;

  // Retention: removes spans, index entries, logs and statistics rows whose
  // time bucket ends at or before `cutoff_ns`, and summaries of traces that
  // ended before it.
  // Data newer than the cutoff is kept; data in the bucket that contains the
  // cutoff MAY be kept until that bucket is wholly older.
  virtual Status DeleteBefore(uint64_t cutoff_ns) = 0;

  virtual StoreStats Stats() = 0;

  // Flushes and closes. Idempotent. After Close every call returns
  // FailedPrecondition. MUST NOT be called concurrently with other calls.
  virtual Status Close() = 0;
};

}  // namespace callpath::store
