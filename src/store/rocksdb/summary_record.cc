#include "store/rocksdb/summary_record.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/merge_operator.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>

#include "store/encoding.h"

namespace callpath::store {

void SummaryRecord::AddBucket(uint32_t b) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), b);
  if (it == buckets.end() || *it != b) buckets.insert(it, b);
}

namespace {
void Union(const std::vector<uint64_t>& add, std::vector<uint64_t>* into) {
  if (add.empty()) return;
  std::vector<uint64_t> out;
  out.reserve(into->size() + add.size());
  std::set_union(into->begin(), into->end(), add.begin(), add.end(), std::back_inserter(out));
  into->swap(out);
}
}  // namespace

void SummaryRecord::Merge(const SummaryRecord& other) {
  if (other.summary.span_count == 0) {
    for (uint32_t b : other.buckets) AddBucket(b);
    return;
  }
  const bool was_empty = summary.span_count == 0;
  MergeSummaries(other.summary, &summary);
  if (was_empty) {
    ids_tracked = other.ids_tracked;
    span_ids = other.span_ids;
    error_ids = other.error_ids;
  } else if (ids_tracked && other.ids_tracked) {
    Union(other.span_ids, &span_ids);
    Union(other.error_ids, &error_ids);
    if (span_ids.size() > kMaxTrackedSpans) {
      ids_tracked = false;  // the sums MergeSummaries made stand from here on
    } else {
      summary.span_count = static_cast<uint32_t>(span_ids.size());
      summary.error_count = static_cast<uint32_t>(error_ids.size());
    }
  } else {
    ids_tracked = false;
  }
  if (!ids_tracked) {
    span_ids.clear();
    error_ids.clear();
  }
  for (uint32_t b : other.buckets) AddBucket(b);
}

void EncodeSummaryRecord(const SummaryRecord& rec, std::string* out) {
  const TraceSummary& s = rec.summary;
  using namespace enc;
  out->push_back(1);  // version
  PutBytes(out, s.root_service);
  PutBytes(out, s.root_operation);
  out->push_back(s.has_root ? 1 : 0);
  PutVarint(out, s.root_start_ns);
  PutVarint(out, s.start_ns);
  PutVarint(out, s.duration_ns);
  PutVarint(out, s.span_count);
  PutVarint(out, s.error_count);
  PutVarint(out, s.services.size());
  for (const auto& svc : s.services) PutBytes(out, svc);
  PutVarint(out, rec.buckets.size());
  for (uint32_t b : rec.buckets) PutVarint(out, b);
  // Appended to the version-1 layout: records without it decode as untracked.
  if (rec.ids_tracked) {
    auto put_ids = [&](const std::vector<uint64_t>& ids) {
      PutVarint(out, ids.size());
      for (uint64_t id : ids) {
        char b[8];
        std::memcpy(b, &id, 8);
        out->append(b, 8);
      }
    };
    put_ids(rec.span_ids);
    put_ids(rec.error_ids);
  }
}

bool DecodeSummaryRecord(std::string_view data, SummaryRecord* rec) {
  enc::Reader r(data);
  TraceSummary& s = rec->summary;
  uint8_t version, has_root;
  uint64_t n;
  if (!r.Byte(&version) || version != 1 || !r.String(&s.root_service) ||
      !r.String(&s.root_operation) || !r.Byte(&has_root) || !r.Varint(&s.root_start_ns) ||
      !r.Varint(&s.start_ns) || !r.Varint(&s.duration_ns) || !r.Varint32(&s.span_count) ||
      !r.Varint32(&s.error_count) || !r.Varint(&n) || n > r.remaining()) {
    return false;
  }
  s.has_root = has_root != 0;
  s.services.resize(n);
  for (auto& svc : s.services) {
    if (!r.String(&svc)) return false;
  }
  if (!r.Varint(&n) || n > r.remaining()) return false;
  rec->buckets.resize(n);
  for (auto& b : rec->buckets) {
    if (!r.Varint32(&b)) return false;
  }
  rec->ids_tracked = false;
  rec->span_ids.clear();
  rec->error_ids.clear();
  if (r.done()) return true;
  auto get_ids = [&](std::vector<uint64_t>* ids) {
    uint64_t count;
    if (!r.Varint(&count) || count > r.remaining() / 8) return false;
    ids->resize(count);
    for (auto& id : *ids) {
      std::string_view raw;
      if (!r.Raw(8, &raw)) return false;
      std::memcpy(&id, raw.data(), 8);
    }
    return std::is_sorted(ids->begin(), ids->end());
  };
  if (!get_ids(&rec->span_ids) || !get_ids(&rec->error_ids)) return false;
  rec->ids_tracked = true;
  return r.done();
}

bool PeekSummaryErrorCount(std::string_view data, uint32_t* error_count) {
  enc::Reader r(data);
  uint8_t version, has_root;
  std::string_view skip;
  uint64_t v;
  return r.Byte(&version) && version == 1 && r.Bytes(&skip) && r.Bytes(&skip) &&
         r.Byte(&has_root) && r.Varint(&v) && r.Varint(&v) && r.Varint(&v) && r.Varint(&v) &&
         r.Varint32(error_count);
}

namespace {

class SummaryMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    SummaryRecord acc, add;
    bool ok_add = DecodeSummaryRecord(std::string_view(value.data(), value.size()), &add);
    bool ok_acc = existing != nullptr &&
                  DecodeSummaryRecord(std::string_view(existing->data(), existing->size()), &acc);
    // A corrupt operand is dropped rather than failing the whole key: the
    // summary is derived data and the spans themselves are intact.
    if (ok_acc && ok_add) {
      acc.Merge(add);
    } else if (ok_add) {
      acc = std::move(add);
    } else if (!ok_acc) {
      new_value->clear();
      return true;
    }
    new_value->clear();
    EncodeSummaryRecord(acc, new_value);
    return true;
  }
  const char* Name() const override { return "callpath.SummaryMerge.v1"; }
};

class SummaryRetentionFilter : public rocksdb::CompactionFilter {
 public:
  explicit SummaryRetentionFilter(const std::atomic<uint64_t>* cutoff) : cutoff_(cutoff) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    uint64_t cutoff = cutoff_->load(std::memory_order_relaxed);
    if (cutoff == 0) return false;
    SummaryRecord rec;
    if (!DecodeSummaryRecord(std::string_view(value.data(), value.size()), &rec)) return true;
    return rec.summary.end_ns() < cutoff;
  }
  const char* Name() const override { return "callpath.SummaryRetention"; }

 private:
  const std::atomic<uint64_t>* cutoff_;
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewSummaryMergeOperator() {
  return std::make_shared<SummaryMergeOperator>();
}

std::unique_ptr<rocksdb::CompactionFilter> NewSummaryRetentionFilter(
    const std::atomic<uint64_t>* cutoff_ns) {
  return std::make_unique<SummaryRetentionFilter>(cutoff_ns);
}

}  // namespace callpath::store
