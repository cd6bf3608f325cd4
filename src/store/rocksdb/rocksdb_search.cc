// FindTraces: scan one kind of posting list newest-first, check the
// span-level filters on each entry (and, when tags are asked for, on the
// spans of the candidate's segment blob), then the trace-level filters on
// the trace's summary. A tag that may match a resource attribute reads the
// lists of the services whose resources have it too, and the results of
// the lists are merged.
//
// Lists are keyed by their newest entry, so a list's key bounds every entry
// in it and every entry of the lists after it: the scan stops once `limit`
// traces have matched no later than that bound (results are exactly the
// newest matching spans' traces, not an approximation).
#include <algorithm>
#include <functional>
#include <unordered_map>

#include "store/encoding.h"
#include "store/read_deadline.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"
#include "store/tag_match.h"
#include "store/trace_query_match.h"

namespace callpath::store {

namespace {

struct IdHash {
  size_t operator()(const TraceId& t) const noexcept {
    uint64_t h;
    std::memcpy(&h, t.bytes().data() + 8, 8);
    return static_cast<size_t>(h);
  }
};

bool SpanFiltersMatch(const TraceQuery& q, uint64_t start, uint64_t duration) {
  if (start < q.start_time_min_ns || start > q.start_time_max_ns) return false;
  if (q.min_span_duration_ns && duration < q.min_span_duration_ns) return false;
  if (q.max_span_duration_ns && duration > q.max_span_duration_ns) return false;
  return true;
}

bool TagsNeedResource(const TraceQuery& q) {
  for (const auto& [k, v] : q.tags) {
    TagTarget t = ClassifyTag(k, v);
    if (t == TagTarget::kAny || t == TagTarget::kResource) return true;
  }
  return false;
}

// One posting list kind to drive a search with.
struct Drive {
  keys::IndexType type = keys::kAll;
  std::string term;
  bool with_check = false;
  uint32_t check = 0;
};

}  // namespace

Result<std::vector<std::string>> RocksDbStore::ServicesWithResource(std::string_view key,
                                                                  std::string_view value) {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kResources)));
  Attributes attrs;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    enc::Reader r(std::string_view(it->value().data(), it->value().size()));
    if (!enc::GetAttributes(&r, &attrs)) return DataLoss("corrupt resource record");
    bool has = false;
    const std::string* service = nullptr;
    for (const auto& kv : attrs) {
      has = has || AttributeMatches(kv, key, value);
      if (kv.key == "service.name" && kv.value.type == Value::Type::kString) service = &kv.value.text;
    }
    if (has) out.push_back(service != nullptr ? *service : std::string());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan resources");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// The driving posting lists of `q`: the most selective the query allows.
// Each holds an entry for the span a match needs, or the lists together do.
// No list means no trace can match. `services_with(key, value)` lists the
// services whose resources carry an attribute.
using ServicesWith = std::function<Result<std::vector<std::string>>(std::string_view, std::string_view)>;
Status ChooseDrives(const TraceQuery& q, size_t max_indexed_tag_value_bytes, const ServicesWith& services_with,
                    std::vector<Drive>* drives) {
  const bool has_span_filters = !q.service.empty() || !q.tags.empty() || q.min_span_duration_ns ||
                                q.max_span_duration_ns;
  auto add_services = [&](std::string_view key, std::string_view value) -> Status {
    auto services = services_with(key, value);
    if (!services.ok()) return services.status();
    for (const auto& svc : *services) drives->push_back({keys::kService, keys::ServiceTerm(svc)});
    return Status::Ok();
  };
  const std::pair<std::string, std::string>* any_tag = nullptr;
  const std::pair<std::string, std::string>* resource_tag = nullptr;
  bool error_tag = false;
  for (const auto& tag : q.tags) {
    TagTarget t = ClassifyTag(tag.first, tag.second);
    if (t == TagTarget::kAny && !any_tag && tag.second.size() <= max_indexed_tag_value_bytes) any_tag = &tag;
    if (t == TagTarget::kResource && !resource_tag) resource_tag = &tag;
    error_tag = error_tag || TagMatchesOnlyErrors(tag.first, tag.second);
  }
  if (!q.service.empty() && !q.operation.empty()) {
    drives->push_back({keys::kOperation, keys::OperationTerm(q.service, q.operation)});
  } else if (!q.service.empty()) {
    drives->push_back({keys::kService, keys::ServiceTerm(q.service)});
  } else if (resource_tag) {
    // Only spans of a resource that has the attribute can match.
    return add_services(std::string_view(resource_tag->first).substr(9), resource_tag->second);
  } else if (error_tag || (q.errors_only && !has_span_filters)) {
    drives->push_back({keys::kError, {}});  // error spans only
  } else if (any_tag) {
    // Span, event and link attributes are in the tag index; a resource
    // attribute makes every span of its services a candidate.
    uint64_t h = keys::TagHash(any_tag->first, any_tag->second);
    drives->push_back({keys::kTag, keys::TagTerm(keys::TagPartition(h)), true, keys::TagCheck(h)});
    return add_services(any_tag->first, any_tag->second);
  } else {
    drives->push_back({keys::kAll, {}});
  }
  return Status::Ok();
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

  std::vector<Drive> drives;
  CALLPATH_RETURN_IF_ERROR(ChooseDrives(q, options_.max_indexed_tag_value_bytes,
                                        [this](std::string_view k, std::string_view v) {
                                          return ServicesWithResource(k, v);
                                        },
                                        &drives));
  // Each trace once, at the best score any list gave it.
  std::vector<TraceMatch> matches;
  std::unordered_map<TraceId, size_t, IdHash> by_trace;
  for (const Drive& d : drives) {
    std::vector<TraceMatch> found;
    CALLPATH_RETURN_IF_ERROR(ScanPostings(q, d.type, d.term, d.with_check, d.check, limit, &found));
    for (auto& m : found) {
      auto [it, fresh] = by_trace.emplace(m.summary.trace_id, matches.size());
      if (fresh) {
        matches.push_back(std::move(m));
      } else {
        matches[it->second].score = std::max(matches[it->second].score, m.score);
      }
    }
  }
  std::sort(matches.begin(), matches.end(), [](const TraceMatch& a, const TraceMatch& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.summary.trace_id < b.summary.trace_id;
  });
  for (auto& m : matches) {
    if (out.size() == limit) break;
    out.push_back(std::move(m.summary));
  }
  return out;
}

Status RocksDbStore::ScanPostings(const TraceQuery& q, char type_char, const std::string& term,
                                  bool with_check, uint32_t check, size_t limit,
                                  std::vector<TraceMatch>* out_matches) {
  const auto type = static_cast<keys::IndexType>(type_char);
  // Tags (hashed in the index, and possibly on another span than the
  // service) are confirmed on the segment's spans of the candidate trace.
  const bool verify_on_spans = !q.tags.empty();
  const bool load_resources = TagsNeedResource(q);
  const uint32_t first = std::max(BucketOf(q.start_time_min_ns), MinLiveBucket());
  const uint32_t last = std::min(BucketOf(q.start_time_max_ns), MaxBucket());
  // Latest time a list may start at and still hold an entry <= start_time_max.
  const uint64_t seek_time = q.start_time_max_ns > UINT64_MAX - window_ns_
                                 ? UINT64_MAX
                                 : q.start_time_max_ns + window_ns_;

  std::unordered_map<TraceId, int64_t, IdHash> seen;  // -> index in matches, or -1 rejected
  std::vector<TraceMatch>& matches = *out_matches;
  std::vector<uint64_t> scores;
  // True when `limit` traces already match at or after `bound`, the newest
  // any entry not yet scanned can be.
  auto done = [&](uint64_t bound) {
    if (matches.size() < limit) return false;
    scores.clear();
    for (const auto& m : matches) scores.push_back(m.score);
    std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(limit - 1),
                     scores.end(), std::greater<>());
    return scores[limit - 1] >= bound;
  };

  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kIndex)));
  std::string seek, value;
  std::vector<seg::Posting> entries;
  std::vector<TraceId> table;
  std::vector<std::pair<uint32_t, uint64_t>> best;  // (trace index, newest start) of one list
  std::vector<size_t> best_at;                      // trace index -> position in `best`
  std::vector<seg::BlobSpan> blob;
  std::string blob_bytes;  // inflated blob, which `blob` points into
  std::vector<std::pair<TraceId, uint64_t>> fresh;  // (trace, newest matching start)
  std::vector<rocksdb::Slice> summary_keys;
  std::vector<rocksdb::PinnableSlice> summary_values;
  std::vector<rocksdb::Status> summary_status;
  bool finished = false;

  for (int64_t bk = last; bk >= static_cast<int64_t>(first) && !finished; --bk) {
    const auto bucket = static_cast<uint32_t>(bk);
    const std::string prefix = keys::PostingPrefix(bucket, type, term);
    seek = prefix;
    enc::PutBigEndian64(&seek, ~std::min(seek_time, BucketEndNs(bucket) - 1));
    for (it->Seek(seek); it->Valid(); it->Next()) {
      CALLPATH_RETURN_IF_ERROR(CheckReadDeadline());
      rocksdb::Slice k = it->key();
      if (!k.starts_with(prefix)) break;
      if (k.size() != prefix.size() + keys::kIndexTailSize) continue;
      const uint64_t max_start = ~enc::ReadBigEndian64(k.data() + prefix.size());
      const uint64_t seq = enc::ReadBigEndian64(k.data() + prefix.size() + 8);
      if (max_start < q.start_time_min_ns || done(max_start)) {
        finished = true;  // older lists, in this bucket and the ones before, hold older entries
        break;
      }
      if (!seg::DecodePostings(std::string_view(it->value().data(), it->value().size()), max_start,
                               with_check, &entries)) {
        return DataLoss("corrupt posting list");
      }
      // Newest passing entry per trace of the list (entries are unordered).
      best.clear();
      for (const auto& e : entries) {
        if (with_check && e.check != check) continue;
        if (!SpanFiltersMatch(q, e.start_ns, e.duration_ns)) continue;
        if (e.trace >= best_at.size()) best_at.resize(e.trace + 1, SIZE_MAX);
        size_t& at = best_at[e.trace];
        if (at == SIZE_MAX) {
          at = best.size();
          best.emplace_back(e.trace, e.start_ns);
        } else {
          best[at].second = std::max(best[at].second, e.start_ns);
        }
      }
      for (const auto& [t, start] : best) best_at[t] = SIZE_MAX;
      if (best.empty()) continue;
      rocksdb::Status s = db_->Get({}, cf(kIndex), keys::TableKey(bucket, seq), &value);
      if (!s.ok()) return FromRocks(s, "read segment table");
      if (!seg::DecodeTable(value, &table)) return DataLoss("corrupt segment table");

      // Candidates of this list that pass the span-level filters and are not
      // decided yet; their summaries are read in one MultiGet.
      fresh.clear();
      for (auto [index, start] : best) {
        if (index >= table.size()) return DataLoss("posting outside its segment table");
        const TraceId& trace = table[index];
        auto known = seen.find(trace);
        if (known != seen.end() && (known->second < 0 || matches[known->second].score >= start)) {
          continue;  // rejected, or already matched at least this late
        }
        if (verify_on_spans) {
          s = db_->Get({}, cf(kSpans), keys::SpanKey(bucket, trace, seq), &value);
          if (s.IsNotFound()) continue;
          if (!s.ok()) return FromRocks(s, "read span blob");
          if (!seg::DecodeBlob(value, &blob_bytes, &blob)) return DataLoss("corrupt span blob");
          bool any = false;
          for (auto bs = blob.rbegin(); bs != blob.rend() && !any; ++bs) {  // newest first
            StoredSpan sp;
            sp.start_ns = bs->start_ns;
            uint64_t rh;
            if (!enc::DecodeSpanValue(bs->value, &sp, &rh)) return DataLoss("corrupt span");
            if (load_resources) CALLPATH_RETURN_IF_ERROR(LoadResource(rh, &sp.resource_attributes));
            if (SpanMatchesQuery(q, sp)) start = bs->start_ns, any = true;
          }
          if (!any) continue;
          if (known != seen.end() && matches[known->second].score >= start) continue;
        }
        if (known != seen.end()) {
          matches[known->second].score = start;
          continue;
        }
        fresh.emplace_back(trace, start);
      }
      if (fresh.empty()) continue;
      // Span-level filters hold: the trace-level verdict is final.
      summary_keys.clear();
      for (const auto& [trace, start] : fresh) summary_keys.emplace_back(trace.AsBytes());
      summary_values.resize(fresh.size());
      summary_status.resize(fresh.size());
      db_->MultiGet({}, cf(kTraces), summary_keys.size(), summary_keys.data(), summary_values.data(),
                    summary_status.data());
      for (size_t c = 0; c < fresh.size(); ++c) {
        const auto& [trace, start] = fresh[c];
        if (seen.count(trace)) continue;  // twice in `fresh` cannot happen; be safe
        const rocksdb::Status& st = summary_status[c];
        if (!st.ok() && !st.IsNotFound()) return FromRocks(st, "read summary");
        std::string_view v(summary_values[c].data(), summary_values[c].size());
        uint32_t errors = 0;
        if (st.IsNotFound() || (q.errors_only && PeekSummaryErrorCount(v, &errors) && errors == 0)) {
          seen.emplace(trace, -1);
          continue;
        }
        auto rec = ParseSummary(trace, v);
        if (!rec.ok() && rec.status().code() != StatusCode::kNotFound) return rec.status();
        if (!rec.ok() || !SummaryMatchesTraceLevel(q, rec->summary)) {
          seen.emplace(trace, -1);
          continue;
        }
        seen.emplace(trace, static_cast<int64_t>(matches.size()));
        matches.push_back({std::move(rec->summary), start});
      }
      for (auto& pv : summary_values) pv.Reset();
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan index");
  }
  return Status::Ok();
}

}  // namespace callpath::store
