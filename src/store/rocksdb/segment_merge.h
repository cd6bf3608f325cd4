// Merging prepared batches (prepared_batch.h) into the segments of one
// write: the part of ingest that needs every batch of the write, and so
// runs on the one writing thread.
#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/rocksdb/prepared_batch.h"

namespace callpath::store {

// The prepared segments of one write that fall into the same segment
// (bucket and window), in write order.
struct SegmentGroup {
  uint64_t segment = 0;
  std::vector<std::pair<const PreparedSpans*, const PreparedSegment*>> members;
};

// Groups the segments of `parts` by segment, in segment order.
std::vector<SegmentGroup> GroupSegments(const std::vector<const PreparedSpans*>& parts);

// Writes merged segments into a WriteBatch. One per writing thread; its
// buffers are kept from one write to the next.
class SegmentMerger {
 public:
  struct Families {
    rocksdb::ColumnFamilyHandle* spans;
    rocksdb::ColumnFamilyHandle* index;
    rocksdb::ColumnFamilyHandle* traces;
  };

  // Starts a write: forgets the summaries of the previous one.
  void Begin() { summaries_.clear(); }
  // Adds segment `group` as sequence number `seq`: one span blob per trace
  // (the parts' blobs joined when the trace came in several), the trace
  // table, and one posting list per term with trace indexes into that
  // table. Returns the number of blobs.
  uint64_t Merge(const SegmentGroup& group, uint64_t seq, const Families& cf, rocksdb::WriteBatch* batch);
  // Adds every summary part of the segments merged since Begin, as merge
  // operands in key order (consecutive memtable inserts land near each
  // other).
  void PutSummaries(const Families& cf, rocksdb::WriteBatch* batch);

 private:
  struct TraceRef {
    uint64_t hi, lo;  // the trace id as big-endian words
    const PreparedTrace* trace;
    size_t remap;  // this trace's slot in remap_
  };
  // Puts the group's blobs and table; fills remap_ (member's trace index
  // -> table index, from each member's first slot in member_remap_).
  uint64_t PutBlobsAndTable(const SegmentGroup& group, uint32_t bucket, uint64_t seq, const Families& cf,
                            rocksdb::WriteBatch* batch);
  void PutPostings(const SegmentGroup& group, uint32_t bucket, uint64_t seq, const Families& cf,
                   rocksdb::WriteBatch* batch);

  std::vector<TraceRef> traces_;
  std::vector<uint32_t> remap_;
  std::vector<size_t> member_remap_;  // first slot in remap_ of each member
  std::vector<TraceId> table_;
  std::vector<std::string_view> parts_;
  std::vector<std::pair<const TraceId*, std::string_view>> summaries_;
  std::unordered_map<std::string_view, size_t> term_slots_;
  std::vector<std::pair<std::string_view, bool>> slot_terms_;  // slot -> term, with_check
  std::vector<std::vector<seg::Posting>> lists_;               // by slot
  std::string key_, value_;
};

}  // namespace callpath::store
