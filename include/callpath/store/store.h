// The storage contract of callpathd: span and log writers and readers, and
// the Store that owns them. Start here.
//
// Modelled on Jaeger's storage API: a backend implements these interfaces
// and passes the one conformance suite (src/store/testing/conformance.h).
// The embedded backend is RocksDB (callpath/store/rocksdb_store.h).
//
// Threads: every method of every interface MAY be called concurrently from
// any number of threads. Errors: methods never throw; they return a
// callpath::Status / Result. A Store MUST outlive the readers and writers
// it hands out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "callpath/ids.h"
#include "callpath/status.h"
#include "callpath/store/model.h"

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

class SpanWriter {
 public:
  virtual ~SpanWriter() = default;
  // Stores a batch of spans, of any traces, in any order.
  // MUST: when OK is returned the whole batch is durable (in the write-ahead
  // log, synced) and survives a crash of the process or the machine; on
  // error none or all of the batch is stored, never a part.
  // MUST: writing a span with the same (trace_id, start_ns, span_id) again
  // replaces it (GetTrace returns it once). Summary counts SHOULD count it
  // once (the RocksDB store does for traces of up to 8192 spans).
  // MUST: InvalidArgument for a span with an invalid trace id or span id;
  // the batch is then not written.
  virtual Status WriteSpans(const std::vector<StoredSpan>& spans) = 0;
};

class SpanReader {
 public:
  virtual ~SpanReader() = default;
  // All spans of one trace, ordered by start time. NotFound if none.
  virtual Result<std::vector<StoredSpan>> GetTrace(const TraceId& trace_id) = 0;
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

class LogWriter {
 public:
  virtual ~LogWriter() = default;
  // Same durability and atomicity contract as SpanWriter::WriteSpans.
  // Records may or may not carry a trace id.
  virtual Status WriteLogs(const std::vector<StoredLog>& logs) = 0;
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
  virtual SpanWriter& span_writer() = 0;
  virtual SpanReader& span_reader() = 0;
  virtual LogWriter& log_writer() = 0;
  virtual LogReader& log_reader() = 0;

  // Retention: removes spans, index entries and logs whose time bucket ends
  // at or before `cutoff_ns`, and summaries of traces that ended before it.
  // Data newer than the cutoff is kept; data in the bucket that contains the
  // cutoff MAY be kept until that bucket is wholly older.
  virtual Status DeleteBefore(uint64_t cutoff_ns) = 0;

  virtual StoreStats Stats() = 0;

  // Flushes and closes. Idempotent. After Close every call returns
  // FailedPrecondition. MUST NOT be called concurrently with other calls.
  virtual Status Close() = 0;
};

}  // namespace callpath::store
