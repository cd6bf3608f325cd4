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

// Index of each name of `old_names` in `names` (which holds them all).
std::vector<uint32_t> Remap(const std::vector<std::string>& old_names,
                            const std::vector<std::string>& names) {
  std::vector<uint32_t> to;
  to.reserve(old_names.size());
  for (const auto& n : old_names) {
    to.push_back(static_cast<uint32_t>(std::lower_bound(names.begin(), names.end(), n) - names.begin()));
  }
  return to;
}

// Union of two tracked id lists with their services: (ids, services) of
// `a` and `b`, service indexes mapped through `map_a` / `map_b`.
void UnionWithServices(const std::vector<uint64_t>& a_ids, const std::vector<uint32_t>& a_svc,
                       const std::vector<uint32_t>& map_a, const std::vector<uint64_t>& b_ids,
                       const std::vector<uint32_t>& b_svc, const std::vector<uint32_t>& map_b,
                       std::vector<uint64_t>* ids, std::vector<uint32_t>* services) {
  ids->clear();
  services->clear();
  size_t i = 0, j = 0;
  while (i < a_ids.size() || j < b_ids.size()) {
    if (j == b_ids.size() || (i < a_ids.size() && a_ids[i] <= b_ids[j])) {
      if (j < b_ids.size() && a_ids[i] == b_ids[j]) ++j;  // the same span: counted once
      ids->push_back(a_ids[i]);
      services->push_back(map_a[a_svc[i++]]);
    } else {
      ids->push_back(b_ids[j]);
      services->push_back(map_b[b_svc[j++]]);
    }
  }
}

void RecountServices(const std::vector<uint64_t>& span_ids, const std::vector<uint32_t>& span_services,
                     const std::vector<uint64_t>& error_ids, TraceSummary* s) {
  s->service_stats.assign(s->services.size(), {});
  for (size_t i = 0; i < s->services.size(); ++i) s->service_stats[i].name = s->services[i];
  for (uint32_t svc : span_services) ++s->service_stats[svc].span_count;
  for (uint64_t id : error_ids) {
    auto it = std::lower_bound(span_ids.begin(), span_ids.end(), id);
    if (it != span_ids.end() && *it == id) ++s->service_stats[span_services[it - span_ids.begin()]].error_count;
  }
}

// Orphans of both sides whose parent is still missing from `span_ids`.
void MergeOrphans(const std::vector<std::pair<uint64_t, uint64_t>>& add, const std::vector<uint64_t>& span_ids,
                  std::vector<std::pair<uint64_t, uint64_t>>* into) {
  std::vector<std::pair<uint64_t, uint64_t>> all;
  all.reserve(into->size() + add.size());
  std::merge(into->begin(), into->end(), add.begin(), add.end(), std::back_inserter(all));
  into->clear();
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0 && all[i].first == all[i - 1].first) continue;
    if (std::binary_search(span_ids.begin(), span_ids.end(), all[i].second)) continue;
    into->push_back(all[i]);
  }
}
}  // namespace

void SummaryRecord::Merge(const SummaryRecord& other) {
  if (other.summary.span_count == 0) {
    for (uint32_t b : other.buckets) AddBucket(b);
    return;
  }
  if (summary.span_count == 0) {
    std::vector<uint32_t> keep = std::move(buckets);
    *this = other;
    for (uint32_t b : keep) AddBucket(b);
    return;
  }
  const std::vector<std::string> old_services = summary.services;
  const uint32_t orphans_before = std::max(summary.orphan_count, other.summary.orphan_count);
  MergeSummaries(other.summary, &summary);
  if (ids_tracked && other.ids_tracked) {
    const bool with_services = services_tracked() && other.services_tracked();
    if (with_services) {
      std::vector<uint64_t> ids;
      std::vector<uint32_t> svc;
      UnionWithServices(span_ids, span_services, Remap(old_services, summary.services), other.span_ids,
                        other.span_services, Remap(other.summary.services, summary.services), &ids, &svc);
      span_ids.swap(ids);
      span_services.swap(svc);
    } else {
      Union(other.span_ids, &span_ids);
      span_services.clear();
    }
    Union(other.error_ids, &error_ids);
    MergeOrphans(other.orphans, span_ids, &orphans);
    if (span_ids.size() > kMaxTrackedSpans) {
      ids_tracked = false;  // the sums MergeSummaries made stand from here on
      summary.orphan_count = static_cast<uint32_t>(orphans.size());
    } else {
      summary.span_count = static_cast<uint32_t>(span_ids.size());
      summary.error_count = static_cast<uint32_t>(error_ids.size());
      summary.orphan_count = static_cast<uint32_t>(orphans.size());
      if (with_services) RecountServices(span_ids, span_services, error_ids, &summary);
    }
  } else {
    ids_tracked = false;
    // Without ids a parent in the other part cannot be seen: keep the
    // larger count, which (unlike a sum) does not depend on how the spans
    // were split into writes.
    summary.orphan_count = orphans_before;
  }
  if (!ids_tracked) {
    span_ids.clear();
    error_ids.clear();
    span_services.clear();
    orphans.clear();
  }
  for (uint32_t b : other.buckets) AddBucket(b);
}

namespace {
void PutIds(const std::vector<uint64_t>& ids, std::string* out) {
  enc::PutVarint(out, ids.size());
  for (uint64_t id : ids) {
    char b[8];
    std::memcpy(b, &id, 8);
    out->append(b, 8);
  }
}

bool GetIds(enc::Reader& r, std::vector<uint64_t>* ids) {
  uint64_t count;
  if (!r.Varint(&count) || count > r.remaining() / 8) return false;
  ids->resize(count);
  for (auto& id : *ids) {
    std::string_view raw;
    if (!r.Raw(8, &raw)) return false;
    std::memcpy(&id, raw.data(), 8);
  }
  return std::is_sorted(ids->begin(), ids->end());
}
}  // namespace

// Version 2 (store format 6) appends, after the buckets: the per-service
// counts, the orphan count and a tracked flag, then (if tracked) the ids,
// each span's service and the orphans. Version 1 records end after the
// buckets or, when tracked, after the span and error ids.
void EncodeSummaryRecord(const SummaryRecord& rec, std::string* out) {
  const TraceSummary& s = rec.summary;
  using namespace enc;
  out->push_back(2);  // version
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
  const bool stats = s.service_stats.size() == s.services.size();
  PutVarint(out, stats ? s.service_stats.size() : 0);
  if (stats) {
    for (const auto& st : s.service_stats) {
      PutVarint(out, st.span_count);
      PutVarint(out, st.error_count);
    }
  }
  PutVarint(out, s.orphan_count);
  out->push_back(rec.ids_tracked ? 1 : 0);
  if (!rec.ids_tracked) return;
  PutIds(rec.span_ids, out);
  PutIds(rec.error_ids, out);
  PutVarint(out, rec.services_tracked() ? rec.span_services.size() : 0);
  if (rec.services_tracked()) {
    for (uint32_t svc : rec.span_services) PutVarint(out, svc);
  }
  PutVarint(out, rec.orphans.size());
  for (const auto& [span, parent] : rec.orphans) {
    char b[16];
    std::memcpy(b, &span, 8);
    std::memcpy(b + 8, &parent, 8);
    out->append(b, 16);
  }
}

bool DecodeSummaryRecord(std::string_view data, SummaryRecord* rec) {
  enc::Reader r(data);
  TraceSummary& s = rec->summary;
  uint8_t version, has_root;
  uint64_t n;
  if (!r.Byte(&version) || (version != 1 && version != 2) || !r.String(&s.root_service) ||
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
  rec->span_services.clear();
  rec->orphans.clear();
  s.service_stats.clear();
  s.orphan_count = 0;
  if (version == 1) {
    if (r.done()) return true;
    if (!GetIds(r, &rec->span_ids) || !GetIds(r, &rec->error_ids)) return false;
    rec->ids_tracked = true;
    return r.done();
  }
  uint8_t tracked;
  if (!r.Varint(&n) || (n != 0 && n != s.services.size())) return false;
  s.service_stats.resize(n);
  for (size_t i = 0; i < n; ++i) {
    s.service_stats[i].name = s.services[i];
    if (!r.Varint32(&s.service_stats[i].span_count) || !r.Varint32(&s.service_stats[i].error_count)) {
      return false;
    }
  }
  if (!r.Varint32(&s.orphan_count) || !r.Byte(&tracked)) return false;
  if (tracked == 0) return r.done();
  if (!GetIds(r, &rec->span_ids) || !GetIds(r, &rec->error_ids)) return false;
  if (!r.Varint(&n) || (n != 0 && n != rec->span_ids.size())) return false;
  rec->span_services.resize(n);
  for (auto& svc : rec->span_services) {
    if (!r.Varint32(&svc) || svc >= s.services.size()) return false;
  }
  if (!r.Varint(&n) || n > r.remaining() / 16) return false;
  rec->orphans.resize(n);
  for (auto& [span, parent] : rec->orphans) {
    std::string_view raw;
    if (!r.Raw(16, &raw)) return false;
    std::memcpy(&span, raw.data(), 8);
    std::memcpy(&parent, raw.data() + 8, 8);
  }
  rec->ids_tracked = true;
  return r.done();
}

bool PeekSummaryErrorCount(std::string_view data, uint32_t* error_count) {
  enc::Reader r(data);
  uint8_t version, has_root;
  std::string_view skip;
  uint64_t v;
  return r.Byte(&version) && (version == 1 || version == 2) && r.Bytes(&skip) && r.Bytes(&skip) &&
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
