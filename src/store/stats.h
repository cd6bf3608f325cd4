// Statistics a store keeps at ingest: what is normal for each operation and
// each log template, per minute, so that cause-finding (src/analyze) can
// compare a trace or an incident window with a baseline, and the RED
// metrics endpoints can answer for any window without reading spans.
//
// Every backend keeps them the same way: it folds each IngestBatch with
// FoldBatchStats (stats_fold.h) and stores the rows atomically with the
// data they came from (so a replayed write neither loses nor double-counts
// them), with the same retention as the data.
//
// Counted: every span written (sampled or not is the writer's business),
// every log record written. A span written twice counts twice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "store/model.h"

namespace callpath::store {

// Width of one statistics bucket: rows are per minute.
inline constexpr uint64_t kStatsBucketNs = 60'000'000'000ull;

// A mergeable latency distribution (DDSketch-style log buckets): quantiles
// within 2 % relative error whatever the range, merged by adding buckets, a
// few hundred bytes encoded. Values are nanoseconds.
class LatencySketch {
 public:
  void Add(uint64_t value_ns, uint64_t count = 1);
  void Merge(const LatencySketch& other);
  uint64_t count() const noexcept { return count_; }
  // The q-quantile (0 <= q <= 1); 0 when empty.
  uint64_t Quantile(double q) const;
  uint64_t min() const noexcept { return count_ ? min_ : 0; }
  uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;  // exact (sum / count); 0 when empty

  // Compact binary form; Decode refuses malformed input.
  void EncodeTo(std::string* out) const;
  static Result<LatencySketch> Decode(std::string_view in);

  friend bool operator==(const LatencySketch&, const LatencySketch&) = default;

 private:
  // bucket index -> count, sorted by index; index 0 holds values below 1 µs.
  std::vector<std::pair<int32_t, uint64_t>> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  double sum_ = 0;
};

// One operation over a window (one minute as stored; any window as read).
// An operation is (service, span name, span kind).
struct OperationStats {
  uint64_t start_ns = 0;  // start of the step (or window) the row covers
  std::string service;
  std::string operation;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t calls = 0;
  uint64_t errors = 0;          // spans with status ERROR
  uint64_t root_calls = 0;      // spans with no parent: requests the trace started with
  LatencySketch duration;
  // Local self time: duration minus the union of the time of its children
  // OF THE SAME SERVICE written in the same IngestBatch (an SDK exports a
  // process's spans together). A server span's local self time is its own
  // code; a client span's includes the callee, whose spans live elsewhere.
  // src/analyze computes a trace's local self times the same way (children
  // of the same service) when it compares a span with this.
  LatencySketch self_time;
};

// The statistics row key for a log record: service, template and severity.
struct LogTemplateStats {
  uint64_t start_ns = 0;
  std::string service;
  uint64_t template_id = 0;     // LogTemplateOf(body).id (log_template.h)
  std::string template_text;    // e.g. "charge of <*> failed for order <*>"
  int32_t severity_number = 0;  // the record's OTLP severity number (0 = unset)
  uint64_t count = 0;
  // Records of this row that carried a trace id.
  uint64_t in_traces = 0;
};

struct StatsQuery {
  uint64_t start_ns = 0;          // rows of minutes that overlap [start_ns, end_ns)
  uint64_t end_ns = UINT64_MAX;
  std::string service;            // "" = every service
  std::string operation;          // "" = every operation (operation rows only)
  // 0: one row per key for the whole window (start_ns = the window's start).
  // Else rows per step of this width, aligned to start_ns, empty steps
  // omitted; rounded up to a whole number of minutes.
  uint64_t step_ns = 0;
};

// Reads the statistics. Rows are merged over the window (or per step) and
// sorted by (start_ns, service, operation, kind) / (start_ns, service,
// template_id, severity_number).
class StatsReader {
 public:
  virtual ~StatsReader() = default;
  virtual Result<std::vector<OperationStats>> Operations(const StatsQuery& query) = 0;
  virtual Result<std::vector<LogTemplateStats>> LogTemplates(const StatsQuery& query) = 0;
};

}  // namespace callpath::store
