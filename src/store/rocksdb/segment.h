// Values of a segment (see keys.h): span blobs and posting lists.
//
// A span blob holds the spans of one trace within one segment, ordered by
// start time (or several such blobs joined, see JoinBlobs):
//   version 2, count, then per span: start (zigzag delta from the previous
//   span's start), span id (8 raw bytes), span value (enc::EncodeSpanValue)
//   prefixed by its length as a little-endian fixed32 (written in place
//   after the value, which saves a copy).
//
// A posting list holds one entry per span of a segment that has the list's
// term (service, service+operation, a tag partition, error, any), in no
// particular order:
//   count, then per entry: index into the segment trace table, max_start -
//   start, duration, flags (bit 0: error), and for tag partitions the
//   32-bit check hash of the span's key=value.
// Decoding is bounds-checked; corrupt input yields false.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/ids.h"
#include "store/model.h"

namespace callpath::store::seg {

// ---- span blobs ----

struct BlobSpan {
  uint64_t start_ns = 0;
  SpanId span_id;
  std::string_view value;  // enc::EncodeSpanValue output, points into the blob
};

// Appends one blob of `spans` (already ordered by start) to *out.
void EncodeBlob(const std::vector<const StoredSpan*>& spans,
                const std::vector<uint64_t>& resource_hashes, std::string* out);
// Replaces the encoded blob *blob with its LZ4-compressed form when that is
// smaller (span blobs repeat attribute keys and values: they shrink several
// times). Compressing here, once per blob, spares RocksDB from compressing
// the same bytes again at every compaction. `scratch` is a reusable buffer.
void CompressBlob(std::string* blob, std::string* scratch);
// Joins blobs of the same trace and segment, each as EncodeBlob or
// CompressBlob left it (encoded apart, by different requests), into one
// blob value without re-encoding them.
void JoinBlobs(const std::vector<std::string_view>& parts, std::string* out);
// Parses a blob: plain, compressed (LZ4, or zstd as stores of format 7
// and before wrote them) or joined; the spans come out in start
// order. A compressed one is inflated into
// *scratch, which the returned views then point into: keep it alive and
// unchanged while using *spans. False if the blob is malformed.
bool DecodeBlob(std::string_view blob, std::string* scratch, std::vector<BlobSpan>* spans);

// ---- posting lists ----

struct Posting {
  uint32_t trace = 0;     // index into the segment trace table
  uint64_t start_ns = 0;
  uint64_t duration_ns = 0;
  bool error = false;
  uint32_t check = 0;     // tag partitions only: keys::TagCheck of the term
};

// `max_start` is the latest start among `entries` (the list's key time).
void EncodePostings(const std::vector<Posting>& entries, uint64_t max_start, bool with_check,
                    std::string* out);
bool DecodePostings(std::string_view data, uint64_t max_start, bool with_check,
                    std::vector<Posting>* entries);

// ---- log record lists ----
//
// The log_trace and log_service entries of one write that share a key
// prefix (one trace, or one service, in one bucket) form one list: the key
// names the list's first record, the value all of them, in order.
//   count, then per record: zigzag(time - previous time), zigzag(seq -
//   previous seq), starting from (0, 0).
// An empty value is a list of the one record the key names.

struct LogRef {
  uint64_t time_ns = 0;
  uint64_t seq = 0;
  friend bool operator==(const LogRef&, const LogRef&) = default;
};

void EncodeLogRefs(const std::vector<LogRef>& refs, std::string* out);
// Appends the records of `data` to *refs; false if it is malformed.
bool DecodeLogRefs(std::string_view data, std::vector<LogRef>* refs);

// ---- segment trace table ----

void EncodeTable(const std::vector<TraceId>& traces, std::string* out);
bool DecodeTable(std::string_view data, std::vector<TraceId>* traces);

}  // namespace callpath::store::seg
