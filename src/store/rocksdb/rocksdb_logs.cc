// Log reads: by trace (log_trace index, then the record) and by time.
#include <algorithm>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"

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

}  // namespace

Result<std::vector<StoredLog>> RocksDbStore::LogsForTrace(const TraceId& trace_id) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  std::vector<StoredLog> out;
  if (!trace_id.IsValid() || MaxBucket() < min_bucket_.load()) return out;
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // the prefix bloom skips buckets without the trace
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLogTrace)));
  std::string value;
  for (uint64_t b = MinLiveBucket(); b <= MaxBucket(); ++b) {
    std::string prefix = keys::SpanPrefix(static_cast<uint32_t>(b), trace_id);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != keys::kTracePrefixSize + 16) continue;
      uint64_t t = enc::ReadBigEndian64(k.data() + keys::kTracePrefixSize);
      uint64_t seq = enc::ReadBigEndian64(k.data() + keys::kTracePrefixSize + 8);
      rocksdb::Status s = db_->Get({}, cf(kLogs), keys::LogKey(static_cast<uint32_t>(b), t, seq), &value);
      if (s.IsNotFound()) continue;
      if (!s.ok()) return FromRocks(s, "read log");
      StoredLog& l = out.emplace_back();
      uint64_t rh;
      if (!enc::DecodeLogValue(value, &l, &rh)) return DataLoss("corrupt log record");
      CALLPATH_RETURN_IF_ERROR(LoadResource(rh, &l.resource_attributes));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan trace logs");
  }
  return out;
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
    CALLPATH_RETURN_IF_ERROR(LoadResource(rh, &l.resource_attributes));
    out.push_back(std::move(l));
    return Status::Ok();
  };
  if (!q.service.empty()) {
    // The by-service index, newest first; each entry names its record.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLogService)));
    for (int64_t b = last; b >= static_cast<int64_t>(first) && out.size() < limit; --b) {
      std::string prefix = keys::LogServicePrefix(static_cast<uint32_t>(b), q.service);
      std::string seek = prefix;
      enc::PutBigEndian64(&seek, ~std::min(q.start_time_max_ns, BucketEndNs(b) - 1));
      for (it->Seek(seek); it->Valid() && out.size() < limit; it->Next()) {
        rocksdb::Slice k = it->key();
        if (!k.starts_with(prefix)) break;
        if (k.size() != prefix.size() + 16) continue;
        uint64_t t = ~enc::ReadBigEndian64(k.data() + prefix.size());
        if (t < q.start_time_min_ns) break;
        uint64_t seq = enc::ReadBigEndian64(k.data() + prefix.size() + 8);
        rocksdb::Status s = db_->Get({}, cf(kLogs), keys::LogKey(static_cast<uint32_t>(b), t, seq), &value);
        if (s.IsNotFound()) continue;
        if (!s.ok()) return FromRocks(s, "read log");
        CALLPATH_RETURN_IF_ERROR(take(value));
      }
      if (!it->status().ok()) return FromRocks(it->status(), "scan logs by service");
    }
    return out;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLogs)));
  for (int64_t b = last; b >= static_cast<int64_t>(first) && out.size() < limit; --b) {
    std::string prefix = keys::Bucket(static_cast<uint32_t>(b));
    std::string seek = prefix;
    enc::PutBigEndian64(&seek, ~std::min(q.start_time_max_ns, BucketEndNs(b) - 1));
    for (it->Seek(seek); it->Valid() && out.size() < limit; it->Next()) {
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
