// The per-trace record of the `traces` column family: the TraceSummary plus
// the time buckets that hold the trace's spans (so GetTrace reads exactly
// those). Spans of one trace arrive from many services over minutes; each
// write batch adds a partial record as a RocksDB merge operand and the
// merge operator folds them, so ingest never reads before it writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/model.h"

namespace rocksdb {
class MergeOperator;
class CompactionFilter;
}  // namespace rocksdb

namespace callpath::store {

struct SummaryRecord {
  // Traces with more spans than this stop tracking span ids: their counts
  // are then plain sums (a re-sent span counts again).
  static constexpr size_t kMaxTrackedSpans = 8192;

  TraceSummary summary;
  std::vector<uint32_t> buckets;  // sorted, distinct
  // The span ids (as 64-bit words) folded in, so a span sent again in a
  // later write is counted once: span_count = |span_ids| and error_count =
  // |error_ids| while `ids_tracked`. Records written before ids were kept
  // have none and merge by plain sums.
  bool ids_tracked = false;
  std::vector<uint64_t> span_ids;   // sorted, distinct
  std::vector<uint64_t> error_ids;  // sorted, distinct
  // Parallel to span_ids: each span's index in summary.services, so the
  // per-service counts stay exact too. Empty in records of format 5.
  std::vector<uint32_t> span_services;
  // (span id, parent span id) of the spans whose parent is not among
  // span_ids, sorted by span id: summary.orphan_count while tracked.
  std::vector<std::pair<uint64_t, uint64_t>> orphans;

  bool services_tracked() const { return ids_tracked && span_services.size() == span_ids.size(); }
  void AddBucket(uint32_t b);
  void Merge(const SummaryRecord& other);
};

void EncodeSummaryRecord(const SummaryRecord& rec, std::string* out);
// The trace id is not in the value; the caller sets it from the key.
bool DecodeSummaryRecord(std::string_view data, SummaryRecord* rec);

// The error count alone, without decoding names (searches for erroring
// traces reject most summaries on it). False if `data` is malformed.
bool PeekSummaryErrorCount(std::string_view data, uint32_t* error_count);

std::shared_ptr<rocksdb::MergeOperator> NewSummaryMergeOperator();

// Drops summaries of traces that ended before *cutoff_ns (read at each
// call; owned by the store, which outlives the filter).
std::unique_ptr<rocksdb::CompactionFilter> NewSummaryRetentionFilter(
    const std::atomic<uint64_t>* cutoff_ns);

}  // namespace callpath::store
