// FindTraces: scan one index newest-first, check the span-level filters on
// each entry, then the trace-level filters on the trace's summary.
#include <algorithm>
#include <unordered_set>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"

namespace callpath::store {

namespace {

struct IdHash {
  size_t operator()(const TraceId& t) const noexcept {
    uint64_t h;
    std::memcpy(&h, t.bytes().data() + 8, 8);
    return static_cast<size_t>(h);
  }
};

bool HasAllTags(const StoredSpan& s, const std::vector<std::pair<std::string, std::string>>& tags) {
  for (const auto& [k, v] : tags) {
    bool found = false;
    for (const auto& kv : s.attributes) {
      if (kv.key == k && kv.value.AsText() == v) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool TraceLevelMatch(const TraceQuery& q, const TraceSummary& s) {
  if (q.errors_only && s.error_count == 0) return false;
  if (q.min_trace_duration_ns && s.duration_ns < q.min_trace_duration_ns) return false;
  if (q.max_trace_duration_ns && s.duration_ns > q.max_trace_duration_ns) return false;
  for (const auto& svc : q.services_all) {
    if (!std::binary_search(s.services.begin(), s.services.end(), svc)) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<TraceSummary>> RocksDbStore::FindTraces(const TraceQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  const size_t limit = q.limit == 0 ? 20 : q.limit;
  std::vector<TraceSummary> out;
  if (q.start_time_min_ns > q.start_time_max_ns) return out;
  if (!q.operation.empty() && q.service.empty()) {
    return InvalidArgument("operation filter needs a service");
  }
  if (max_bucket_.load() < min_bucket_.load()) return out;  // empty store

  // The driving index: the most selective one the query allows.
  keys::IndexType type = keys::kAll;
  std::string a, b;
  bool two = false;
  bool tag_in_index = false;
  bool has_span_filters = !q.service.empty() || !q.tags.empty() || q.min_span_duration_ns ||
                          q.max_span_duration_ns;
  if (!q.service.empty() && !q.operation.empty()) {
    type = keys::kOperation, a = q.service, b = q.operation, two = true;
  } else if (!q.service.empty()) {
    type = keys::kService, a = q.service;
  } else if (!q.tags.empty() && q.tags[0].second.size() <= options_.max_indexed_tag_value_bytes) {
    type = keys::kTag, a = q.tags[0].first, b = q.tags[0].second, two = true;
    tag_in_index = true;
  } else if (q.errors_only && !has_span_filters) {
    type = keys::kError;  // any error span makes its trace a candidate
  }
  // A single tag served by the tag index needs no span read; otherwise tags
  // (only tags) are checked on the span itself.
  const bool check_tags_on_span = !q.tags.empty() && !(tag_in_index && q.tags.size() == 1);

  uint32_t first = std::max(BucketOf(q.start_time_min_ns), MinLiveBucket());
  uint32_t last = std::min(BucketOf(q.start_time_max_ns), MaxBucket());
  std::unordered_set<TraceId, IdHash> decided;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kIndex)));
  std::string seek, span_value;

  for (int64_t bk = last; bk >= static_cast<int64_t>(first) && out.size() < limit; --bk) {
    std::string prefix = keys::IndexPrefix(static_cast<uint32_t>(bk), type, a, b, two);
    seek = prefix;
    enc::PutBigEndian64(&seek, ~std::min(q.start_time_max_ns, BucketEndNs(bk) - 1));
    for (it->Seek(seek); it->Valid() && out.size() < limit; it->Next()) {
      rocksdb::Slice k = it->key();
      if (!k.starts_with(prefix)) break;
      if (k.size() != prefix.size() + keys::kIndexTailSize) continue;
      const char* tail = k.data() + prefix.size();
      uint64_t start = ~enc::ReadBigEndian64(tail);
      if (start < q.start_time_min_ns) break;
      TraceId trace = TraceId::FromBytes(std::string_view(tail + 8, 16));
      if (decided.count(trace)) continue;

      enc::Reader r(std::string_view(it->value().data(), it->value().size()));
      uint64_t duration = 0;
      if (!r.Varint(&duration)) continue;
      if (q.min_span_duration_ns && duration < q.min_span_duration_ns) continue;
      if (q.max_span_duration_ns && duration > q.max_span_duration_ns) continue;
      if (check_tags_on_span) {
        SpanId span = SpanId::FromBytes(std::string_view(tail + 24, 8));
        rocksdb::Status s = db_->Get({}, cf(kSpans),
                                     keys::SpanKey(static_cast<uint32_t>(bk), trace, start, span),
                                     &span_value);
        if (s.IsNotFound()) continue;
        if (!s.ok()) return FromRocks(s, "read span");
        StoredSpan sp;
        sp.start_ns = start;
        uint64_t rh;
        if (!enc::DecodeSpanValue(span_value, &sp, &rh) || !HasAllTags(sp, q.tags)) continue;
      }
      // Span-level filters hold: the trace-level verdict is final.
      decided.insert(trace);
      auto rec = ReadSummary(trace);
      if (!rec.ok()) {
        if (rec.status().code() == StatusCode::kNotFound) continue;
        return rec.status();
      }
      if (TraceLevelMatch(q, rec->summary)) out.push_back(std::move(rec->summary));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan index");
  }
  return out;
}

}  // namespace callpath::store
