// What RocksDbStore::Prepare makes of an IngestBatch: everything about its
// spans that does not depend on other batches, already encoded - span
// blobs compressed, summary parts, posting entries grouped by term, names.
// Preparing runs on the request threads, in parallel and while the
// converted spans are still in their cache; the one writing thread then
// only merges prepared batches into segments (rocksdb_writer.cc).
//
// Segments are formed at write time, across the batches of one write, so
// a segment still costs a handful of keys however many requests fed it.
// Within a batch, items are grouped by segment (bucket and window) and
// trace, in the order of keys::SpanKey.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "callpath/ids.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store.h"
#include "store/rocksdb/segment.h"
#include "store/stats_fold.h"

namespace callpath::store {

// The spans of one trace in one segment of the batch.
struct PreparedTrace {
  uint64_t segment = 0;  // bucket << 8 | window
  uint64_t trace_hi = 0, trace_lo = 0;  // the trace id as big-endian words
  TraceId trace;
  std::string blob;     // seg::EncodeBlob, then seg::CompressBlob
  std::string summary;  // EncodeSummaryRecord of these spans (a merge operand)
};

// One posting list of a segment: its key's term and entries whose `trace`
// indexes the segment's traces (PreparedSegment::first_trace + trace).
struct PreparedTerm {
  std::string term;  // keys::IndexType, then the encoded term (keys.h)
  bool with_check = false;
  std::vector<seg::Posting> postings;
};

struct PreparedSegment {
  uint64_t segment = 0;
  uint32_t first_trace = 0, trace_count = 0;  // in PreparedSpans::traces
  std::vector<PreparedTerm> terms;
};

struct PreparedSpans {
  std::vector<PreparedTrace> traces;      // by (segment, trace)
  std::vector<PreparedSegment> segments;  // by segment
  // Names column family entries (keys.h) with the latest bucket seen.
  std::vector<std::pair<std::string, uint32_t>> names;
  uint64_t spans = 0;  // distinct spans (a span sent twice counts once)
  uint32_t lo = UINT32_MAX, hi = 0;  // buckets touched
};

// Log records encoded for the store; the writer gives those without a
// log.record.uid their sequence numbers, and all of them their keys
// (keys.h: logs, log_trace, log_service).
struct PreparedLogs {
  struct Entry {
    uint64_t time_ns = 0;  // StoredLog::effective_time_ns
    uint32_t bucket = 0;
    uint32_t service = 0;  // index into `services`
    TraceId trace;         // invalid when the record is in no trace
    uint64_t seq = 0;      // keys::LogSeqOfUid of its uid; 0: the writer numbers it
    std::string value;     // enc::EncodeLogValue
  };
  std::vector<Entry> entries;
  std::vector<std::string> services;
};

class RocksPreparedBatch final : public PreparedBatch {
 public:
  RocksPreparedBatch(size_t spans, size_t logs) : PreparedBatch(spans, logs) {}

  // Encoded resource attributes by hash (enc::PutAttributes, enc::Hash64).
  std::vector<std::pair<uint64_t, std::string>> resources;
  PreparedSpans spans;
  PreparedLogs logs;
  BatchStats stats;  // empty when the store keeps no statistics
};

}  // namespace callpath::store
