#include "store/rocksdb/segment_merge.h"

#include <algorithm>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"

namespace callpath::store {

std::vector<SegmentGroup> GroupSegments(const std::vector<const PreparedSpans*>& parts) {
  std::vector<std::pair<const PreparedSpans*, const PreparedSegment*>> all;
  for (const PreparedSpans* p : parts) {
    for (const PreparedSegment& s : p->segments) all.emplace_back(p, &s);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.second->segment < b.second->segment; });
  std::vector<SegmentGroup> groups;
  for (const auto& member : all) {
    if (groups.empty() || groups.back().segment != member.second->segment) {
      groups.emplace_back().segment = member.second->segment;
    }
    groups.back().members.push_back(member);
  }
  return groups;
}

uint64_t SegmentMerger::Merge(const SegmentGroup& group, uint64_t seq, const Families& cf,
                              rocksdb::WriteBatch* batch) {
  const auto bucket = static_cast<uint32_t>(group.segment >> 8);
  const uint64_t blobs = PutBlobsAndTable(group, bucket, seq, cf, batch);
  PutPostings(group, bucket, seq, cf, batch);
  return blobs;
}

uint64_t SegmentMerger::PutBlobsAndTable(const SegmentGroup& group, uint32_t bucket, uint64_t seq,
                                         const Families& cf, rocksdb::WriteBatch* batch) {
  traces_.clear();
  remap_.clear();
  member_remap_.clear();
  for (const auto& [part, seg] : group.members) {
    member_remap_.push_back(remap_.size());
    for (uint32_t t = 0; t < seg->trace_count; ++t) {
      const PreparedTrace& pt = part->traces[seg->first_trace + t];
      traces_.push_back({pt.trace_hi, pt.trace_lo, &pt, remap_.size()});
      remap_.push_back(0);
    }
  }
  std::stable_sort(traces_.begin(), traces_.end(), [](const TraceRef& x, const TraceRef& y) {
    return x.hi != y.hi ? x.hi < y.hi : x.lo < y.lo;
  });
  table_.clear();
  for (size_t t = 0; t < traces_.size();) {
    const auto index = static_cast<uint32_t>(table_.size());
    const TraceId& trace = traces_[t].trace->trace;
    const uint64_t hi = traces_[t].hi, lo = traces_[t].lo;
    table_.push_back(trace);
    parts_.clear();
    for (; t < traces_.size() && traces_[t].hi == hi && traces_[t].lo == lo; ++t) {
      remap_[traces_[t].remap] = index;
      parts_.push_back(traces_[t].trace->blob);
      summaries_.emplace_back(&traces_[t].trace->trace, traces_[t].trace->summary);
    }
    if (parts_.size() == 1) {
      batch->Put(cf.spans, keys::SpanKey(bucket, trace, seq), parts_[0]);
    } else {
      value_.clear();
      seg::JoinBlobs(parts_, &value_);
      batch->Put(cf.spans, keys::SpanKey(bucket, trace, seq), value_);
    }
  }
  value_.clear();
  seg::EncodeTable(table_, &value_);
  batch->Put(cf.index, keys::TableKey(bucket, seq), value_);
  return table_.size();
}

void SegmentMerger::PutPostings(const SegmentGroup& group, uint32_t bucket, uint64_t seq, const Families& cf,
                                rocksdb::WriteBatch* batch) {
  term_slots_.clear();
  slot_terms_.clear();
  for (size_t m = 0; m < group.members.size(); ++m) {
    const size_t first = member_remap_[m];
    for (const PreparedTerm& term : group.members[m].second->terms) {
      auto [it, fresh] = term_slots_.try_emplace(term.term, slot_terms_.size());
      if (fresh) {
        slot_terms_.emplace_back(term.term, term.with_check);
        if (lists_.size() < slot_terms_.size()) lists_.emplace_back();
        lists_[it->second].clear();
      }
      std::vector<seg::Posting>& list = lists_[it->second];
      for (seg::Posting p : term.postings) {
        p.trace = remap_[first + p.trace];
        list.push_back(p);
      }
    }
  }
  for (size_t slot = 0; slot < slot_terms_.size(); ++slot) {
    const std::vector<seg::Posting>& list = lists_[slot];
    uint64_t max_start = 0;
    for (const auto& p : list) max_start = std::max(max_start, p.start_ns);
    key_.clear();
    enc::PutBigEndian32(&key_, bucket);
    key_.append(slot_terms_[slot].first);
    keys::AppendPostingTail(&key_, max_start, seq);
    value_.clear();
    seg::EncodePostings(list, max_start, slot_terms_[slot].second, &value_);
    batch->Put(cf.index, key_, value_);
  }
}

void SegmentMerger::PutSummaries(const Families& cf, rocksdb::WriteBatch* batch) {
  std::stable_sort(summaries_.begin(), summaries_.end(),
                   [](const auto& x, const auto& y) { return *x.first < *y.first; });
  for (const auto& [trace, summary] : summaries_) batch->Merge(cf.traces, trace->AsBytes(), summary);
  summaries_.clear();
}

}  // namespace callpath::store
