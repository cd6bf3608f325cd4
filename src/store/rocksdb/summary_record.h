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
#include <vector>

#include "callpath/store/model.h"

namespace rocksdb {
class MergeOperator;
class CompactionFilter;
}  // namespace rocksdb

namespace callpath::store {

struct SummaryRecord {
  TraceSummary summary;
  std::vector<uint32_t> buckets;  // sorted, distinct

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
