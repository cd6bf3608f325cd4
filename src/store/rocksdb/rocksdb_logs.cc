// Log reads: by trace (log_trace index, then the record) and by time.
#include <algorithm>
#include <set>

#include "store/encoding.h"
#include "store/log_template.h"
#include "store/read_deadline.h"
#include "store/stats_fold.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"

namespace callpath::store {

namespace {

bool Matches(const LogQuery& q, const StoredLog& l) {
  if (q.trace_id.IsValid() && l.trace_id != q.trace_id) return false;
  if (!q.service.empty() && l.service != q.service) return false;
  if (q.min_severity && l.severity_number < q.min_severity) return false;
  uint64_t t = l.effective_time_ns();
  if (t < q.start_time_min_ns || t > q.start_time_max_ns) return false;
  if (!q.text.empty() && l.body.text.find(q.text) == std::string::npos) return false;
  return true;
}

// Records stored without a template id (before format 7, or with the
// statistics off) get it now: readers always return one.
void FillTemplateId(StoredLog* l) {
  if (l->template_id != 0) return;
  std::string scratch;
  l->template_id = LogTemplateOf(LogBodyText(*l, &scratch)).id;
}

}  // namespace

Result<std::vector<StoredLog>> RocksDbStore::LogsForTrace(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<StoredLog> out;
  if (!trace_id.IsValid() || MaxBucket() < min_bucket_.load()) return out;
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // the prefix bloom skips buckets without the trace
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLogTrace)));
  std::string value;
  std::vector<seg::LogRef> refs;
  for (uint64_t b = MinLiveBucket(); b <= MaxBucket(); ++b) {
    std::string prefix = keys::SpanPrefix(static_cast<uint32_t>(b), trace_id);
    refs.clear();
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != keys::kTracePrefixSize + 16) continue;
      CALLPATH_RETURN_IF_ERROR(ReadLogList(k.data() + keys::kTracePrefixSize, false, it->value(), &refs));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan trace logs");
    // Lists of different writes interleave in time.
    std::sort(refs.begin(), refs.end(), [](const seg::LogRef& x, const seg::LogRef& y) {
      return x.time_ns != y.time_ns ? x.time_ns < y.time_ns : x.seq < y.seq;
    });
    // A record with a uid sent again in the same write as the first copy
    // is listed twice (the writer stores it once, under the same key).
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
    for (const seg::LogRef& r : refs) {
      rocksdb::Status s = db_->Get({}, cf(kLogs), keys::LogKey(static_cast<uint32_t>(b), r.time_ns, r.seq), &value);
      if (s.IsNotFound()) continue;
      if (!s.ok()) return FromRocks(s, "read log");
      StoredLog& l = out.emplace_back();
      uint64_t rh;
      if (!enc::DecodeLogValue(value, &l, &rh)) return DataLoss("corrupt log record");
      FillTemplateId(&l);
      CALLPATH_RETURN_IF_ERROR(LoadResource(rh, &l.resource_attributes));
    }
  }
  return out;
}

Status RocksDbStore::ReadLogList(const char* key_tail, bool inverted_time, const rocksdb::Slice& value,
                                 std::vector<seg::LogRef>* refs) const {
  if (value.empty()) {  // a list of the one record the key names
    uint64_t t = enc::ReadBigEndian64(key_tail);
    refs->push_back({inverted_time ? ~t : t, enc::ReadBigEndian64(key_tail + 8)});
    return Status::Ok();
  }
  if (!seg::DecodeLogRefs(std::string_view(value.data(), value.size()), refs)) {
    return DataLoss("corrupt log record list");
  }
  return Status::Ok();
}

Result<std::vector<StoredLog>> RocksDbStore::SearchLogs(const LogQuery& q) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  const size_t limit = q.limit == 0 ? 100 : q.limit;
  std::vector<StoredLog> out;
  if (q.trace_id.IsValid()) {
    auto all = LogsForTrace(q.trace_id);
    if (!all.ok()) return all.status();
    for (auto it = all->rbegin(); it != all->rend() && out.size() < limit; ++it) {
      if (Matches(q, *it)) out.push_back(std::move(*it));
    }
    return out;
  }
  if (q.start_time_min_ns > q.start_time_max_ns || MaxBucket() < min_bucket_.load()) return out;
  uint32_t first = std::max(BucketOf(q.start_time_min_ns), MinLiveBucket());
  uint32_t last = std::min(BucketOf(q.start_time_max_ns), MaxBucket());
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::string value;
  auto take = [&](std::string_view v) -> Status {
    StoredLog l;
    uint64_t rh;
    if (!enc::DecodeLogValue(v, &l, &rh)) return DataLoss("corrupt log record");
    if (!Matches(q, l)) return Status::Ok();
    FillTemplateId(&l);
    CALLPATH_RETURN_IF_ERROR(LoadResource(rh, &l.resource_attributes));
    out.push_back(std::move(l));
    return Status::Ok();
  };
  if (!q.service.empty()) {
    // The by-service index: lists in order of their newest record, newest
    // first; the records of one list may be older than the next list's.
    // A record is taken once no later list can hold a newer one.
    auto newer = [](const seg::LogRef& x, const seg::LogRef& y) {
      return x.time_ns != y.time_ns ? x.time_ns < y.time_ns : x.seq > y.seq;  // max-heap: newest on top
    };
    std::vector<seg::LogRef> pending, list;
    // Records with a uid taken from this bucket: one sent again in the same
    // write as its first copy is listed twice, under one key.
    std::set<std::pair<uint64_t, uint64_t>> uid_refs_taken;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLogService)));
    for (int64_t b = last; b >= static_cast<int64_t>(first) && out.size() < limit; --b) {
      CALLPATH_RETURN_IF_ERROR(CheckReadDeadline());
      const auto bucket = static_cast<uint32_t>(b);
      pending.clear();
      uid_refs_taken.clear();
      // Takes pending records at least as new as `bound`, newest first.
      auto take_down_to = [&](uint64_t bound) -> Status {
        while (!pending.empty() && pending.front().time_ns >= bound && out.size() < limit) {
          std::pop_heap(pending.begin(), pending.end(), newer);
          const seg::LogRef r = pending.back();
          pending.pop_back();
          if ((r.seq & keys::kUidSeqBit) != 0 && !uid_refs_taken.emplace(r.time_ns, r.seq).second) continue;
          rocksdb::Status s = db_->Get({}, cf(kLogs), keys::LogKey(bucket, r.time_ns, r.seq), &value);
          if (s.IsNotFound()) continue;
          if (!s.ok()) return FromRocks(s, "read log");
          CALLPATH_RETURN_IF_ERROR(take(value));
        }
        return Status::Ok();
      };
      const std::string prefix = keys::LogServicePrefix(bucket, q.service);
      for (it->Seek(prefix); it->Valid() && out.size() < limit; it->Next()) {
        CALLPATH_RETURN_IF_ERROR(CheckReadDeadline());
        rocksdb::Slice k = it->key();
        if (!k.starts_with(prefix)) break;
        if (k.size() != prefix.size() + 16) continue;
        const uint64_t newest = ~enc::ReadBigEndian64(k.data() + prefix.size());
        CALLPATH_RETURN_IF_ERROR(take_down_to(newest));
        if (out.size() >= limit) break;
        if (newest < q.start_time_min_ns) break;  // this list and the later ones are older
        list.clear();
        CALLPATH_RETURN_IF_ERROR(ReadLogList(k.data() + prefix.size(), true, it->value(), &list));
        for (const seg::LogRef& r : list) {
          if (r.time_ns < q.start_time_min_ns || r.time_ns > q.start_time_max_ns) continue;
          pending.push_back(r);
          std::push_heap(pending.begin(), pending.end(), newer);
        }
      }
      if (!it->status().ok()) return FromRocks(it->status(), "scan logs by service");
      CALLPATH_RETURN_IF_ERROR(take_down_to(0));
    }
    return out;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLogs)));
  for (int64_t b = last; b >= static_cast<int64_t>(first) && out.size() < limit; --b) {
    std::string prefix = keys::Bucket(static_cast<uint32_t>(b));
    std::string seek = prefix;
    enc::PutBigEndian64(&seek, ~std::min(q.start_time_max_ns, BucketEndNs(b) - 1));
    for (it->Seek(seek); it->Valid() && out.size() < limit; it->Next()) {
      CALLPATH_RETURN_IF_ERROR(CheckReadDeadline());
      rocksdb::Slice k = it->key();
      if (!k.starts_with(prefix)) break;
      if (k.size() != 20) continue;
      if (~enc::ReadBigEndian64(k.data() + 4) < q.start_time_min_ns) break;
      CALLPATH_RETURN_IF_ERROR(take(std::string_view(it->value().data(), it->value().size())));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan logs");
  }
  return out;
}

}  // namespace callpath::store
