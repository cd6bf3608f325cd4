// FindTraces: scan one kind of posting list newest-first, check the
// span-level filters on each entry (and, when tags are asked for, on the
// spans of the candidate's segment blob), then the trace-level filters on
// the trace's summary.
//
// Lists are keyed by their newest entry, so a list's key bounds every entry
// in it and every entry of the lists after it: the scan stops once `limit`
// traces have matched no later than that bound (results are exactly the
// newest matching spans' traces, not an approximation).
#include <algorithm>
#include <unordered_map>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"

namespace callpath::store {

namespace {

struct IdHash {
  size_t operator()(const TraceId& t) const noexcept {
    uint64_t h;
    std::memcpy(&h, t.bytes().data() + 8, 8);
    return static_cast<size_t>(h);
  }
};

bool TraceLevelMatch(const TraceQuery& q, const TraceSummary& s) {
  if (q.errors_only && s.error_count == 0) return false;
  if (q.min_trace_duration_ns && s.duration_ns < q.min_trace_duration_ns) return false;
  if (q.max_trace_duration_ns && s.duration_ns > q.max_trace_duration_ns) return false;
  for (const auto& svc : q.services_all) {
    if (!std::binary_search(s.services.begin(), s.services.end(), svc)) return false;
  }
  return true;
}

bool SpanFiltersMatch(const TraceQuery& q, uint64_t start, uint64_t duration) {
  if (start < q.start_time_min_ns || start > q.start_time_max_ns) return false;
  if (q.min_span_duration_ns && duration < q.min_span_duration_ns) return false;
  if (q.max_span_duration_ns && duration > q.max_span_duration_ns) return false;
  return true;
}

// Every span-level filter, on a decoded span.
bool SpanMatches(const TraceQuery& q, const StoredSpan& s) {
  if (!SpanFiltersMatch(q, s.start_ns, s.duration_ns)) return false;
  if (!q.service.empty() && s.service != q.service) return false;
  if (!q.operation.empty() && s.operation != q.operation) return false;
  for (const auto& [k, v] : q.tags) {
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

struct Match {
  TraceSummary summary;
  uint64_t score;  // start of the newest matching span seen
};

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

  // The driving list: the most selective one the query allows.
  keys::IndexType type = keys::kAll;
  std::string term;
  bool with_check = false;
  uint32_t check = 0;
  const bool has_span_filters = !q.service.empty() || !q.tags.empty() || q.min_span_duration_ns ||
                                q.max_span_duration_ns;
  if (!q.service.empty() && !q.operation.empty()) {
    type = keys::kOperation, term = keys::OperationTerm(q.service, q.operation);
  } else if (!q.service.empty()) {
    type = keys::kService, term = keys::ServiceTerm(q.service);
  } else if (!q.tags.empty() && q.tags[0].second.size() <= options_.max_indexed_tag_value_bytes) {
    uint64_t h = keys::TagHash(q.tags[0].first, q.tags[0].second);
    type = keys::kTag, term = keys::TagTerm(keys::TagPartition(h));
    with_check = true, check = keys::TagCheck(h);
  } else if (q.errors_only && !has_span_filters) {
    type = keys::kError;  // any error span makes its trace a candidate
  }
  // Tags (hashed in the index, and possibly on another span than the
  // service) are confirmed on the segment's spans of the candidate trace.
  const bool verify_on_spans = !q.tags.empty();

  const uint32_t first = std::max(BucketOf(q.start_time_min_ns), MinLiveBucket());
  const uint32_t last = std::min(BucketOf(q.start_time_max_ns), MaxBucket());
  // Latest time a list may start at and still hold an entry <= start_time_max.
  const uint64_t seek_time = q.start_time_max_ns > UINT64_MAX - window_ns_
                                 ? UINT64_MAX
                                 : q.start_time_max_ns + window_ns_;

  std::unordered_map<TraceId, int64_t, IdHash> seen;  // -> index in matches, or -1 rejected
  std::vector<Match> matches;
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
            if (SpanMatches(q, sp)) start = bs->start_ns, any = true;
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
        if (!rec.ok() || !TraceLevelMatch(q, rec->summary)) {
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
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.summary.trace_id < b.summary.trace_id;
  });
  for (auto& m : matches) {
    if (out.size() == limit) break;
    out.push_back(std::move(m.summary));
  }
  return out;
}

}  // namespace callpath::store
