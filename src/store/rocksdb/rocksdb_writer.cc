// Writing: Write merges prepared batches into one RocksDB WriteBatch,
// committed without RocksDB's WAL (the caller keeps its own log, see
// Writer in store.h), with no reads on the way (summaries are merge operands). Spans are written as
// segments (keys.h): a few keys per trace and per term of a write, not per
// span, because memtable inserts are what ingest costs.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/prepared_batch.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"
#include "store/rocksdb/segment_merge.h"

namespace callpath::store {

Status CheckIds(const std::vector<StoredSpan>& spans) {
  for (const auto& s : spans) {
    if (!s.trace_id.IsValid() || !s.span_id.IsValid()) {
      return InvalidArgument("span with invalid trace or span id");
    }
  }
  return Status::Ok();
}

void RocksDbStore::StageEncodedResource(uint64_t hash, std::string_view encoded, rocksdb::WriteBatch* batch,
                                        std::vector<uint64_t>* staged) {
  for (uint64_t s : *staged) {
    if (s == hash) return;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (resources_written_.count(hash)) return;
  }
  std::string key(8, '\0');
  std::memcpy(key.data(), &hash, 8);
  batch->Put(cf(kResources), key, encoded);
  staged->push_back(hash);
}

void RocksDbStore::StageName(const std::string& key, uint32_t bucket, rocksdb::WriteBatch* batch,
                             std::vector<std::pair<std::string, uint32_t>>* staged) {
  for (const auto& [k, b] : *staged) {
    if (b >= bucket && k == key) return;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = names_written_.find(key);
    if (it != names_written_.end() && it->second >= bucket) return;
  }
  batch->Put(cf(kNames), key, std::to_string(bucket));
  staged->emplace_back(key, bucket);
}

Status RocksDbStore::Commit(const rocksdb::WriteOptions& wo, rocksdb::WriteBatch* batch,
                            const std::vector<uint64_t>& resources,
                            const std::vector<std::pair<std::string, uint32_t>>& names) {
  rocksdb::Status s = db_->Write(wo, batch);
  if (!s.ok()) return FromRocks(s, "write batch");
  // Only now, once durable, may later batches skip these records.
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (resources_written_.size() > 65536) resources_written_.clear();
  for (uint64_t h : resources) resources_written_[h] = true;
  if (names_written_.size() > 65536) names_written_.clear();
  for (const auto& [k, b] : names) {
    uint32_t& cur = names_written_[k];
    if (b > cur) cur = b;
  }
  return Status::Ok();
}

namespace {

// The write batch of the writing thread, kept from one call to the next so
// a call does not allocate again what the previous one had (it is hundreds
// of KB). Holds nothing of a finished call but capacity.
thread_local rocksdb::WriteBatch write_batch;

}  // namespace

Status RocksDbStore::Write(const std::vector<const PreparedBatch*>& batches, uint64_t position) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  if (position <= applied_position_.load(std::memory_order_relaxed)) {
    return InvalidArgument("write position " + std::to_string(position) + " is not after the last one (" +
                           std::to_string(applied_position_.load(std::memory_order_relaxed)) + ")");
  }
  rocksdb::WriteBatch& batch = write_batch;
  batch.Clear();
  Staged staged;
  std::vector<const PreparedSpans*> spans;
  std::vector<const PreparedLogs*> logs;
  for (const PreparedBatch* b : batches) {
    const auto* in = static_cast<const RocksPreparedBatch*>(b);
    for (const auto& [hash, encoded] : in->resources) StageEncodedResource(hash, encoded, &batch, &staged.resources);
    if (!in->spans.traces.empty()) spans.push_back(&in->spans);
    if (!in->logs.entries.empty()) logs.push_back(&in->logs);
  }
  if (!spans.empty()) StagePrepared(spans, &batch, &staged);
  if (!logs.empty()) StageLogs(logs, &batch, &staged);
  // Statistics go in the same batch as the data they count: a crash keeps
  // both or neither, and a replay counts them once. Their buckets count as
  // touched: statistics written without items (PrepareStatistics, spans
  // a tail sampler dropped) must be readable too.
  CALLPATH_RETURN_IF_ERROR(StageStats(batches, &batch));
  for (const PreparedBatch* b : batches) {
    const BatchStats& stats = static_cast<const RocksPreparedBatch*>(b)->stats;
    for (const auto& row : stats.operations) {
      staged.lo = std::min(staged.lo, BucketOf(row.start_ns));
      staged.hi = std::max(staged.hi, BucketOf(row.start_ns));
    }
    for (const auto& row : stats.log_templates) {
      staged.lo = std::min(staged.lo, BucketOf(row.start_ns));
      staged.hi = std::max(staged.hi, BucketOf(row.start_ns));
    }
  }
  // The position travels in the same batch as the data: whatever a crash
  // keeps of the unlogged writes, the position kept matches it.
  std::string pos;
  enc::PutBigEndian64(&pos, position);
  batch.Put(cf(kMeta), kIngestPositionKey, pos);
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  if (Status s = CommitStaged(wo, &batch, staged); !s.ok()) {
    stats_.Forget();  // its totals count this write, which the store did not take
    return s;
  }
  applied_position_.store(position, std::memory_order_release);
  return Status::Ok();
}

Result<uint64_t> RocksDbStore::Checkpoint() {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  // Every write that returned before this load is in the memtables the
  // flush below persists (atomic_flush: all column families together).
  uint64_t pos = applied_position_.load(std::memory_order_acquire);
  rocksdb::FlushOptions fo;
  fo.wait = true;
  fo.allow_write_stall = true;
  rocksdb::Status s = db_->Flush(fo, handles_);
  if (!s.ok()) return FromRocks(s, "checkpoint flush");
  uint64_t cur = durable_position_.load();
  while (pos > cur && !durable_position_.compare_exchange_weak(cur, pos)) {}
  const uint64_t durable = durable_position_.load();
  // Open compares the store against this record; the caller drops its
  // own log only once it is written.
  if (Status w = WriteStoreCheckpointFile(options_.path, durable); !w.ok()) return w;
  return durable;
}

Status RocksDbStore::CommitStaged(const rocksdb::WriteOptions& wo, rocksdb::WriteBatch* batch,
                                  const Staged& staged) {
  Status committed = Commit(wo, batch, staged.resources, staged.names);
  if (batch->GetDataSize() > (64u << 20)) *batch = rocksdb::WriteBatch();  // do not hoard a huge one
  CALLPATH_RETURN_IF_ERROR(committed);
  if (staged.lo <= staged.hi) {
    NoteBucket(staged.lo);
    NoteBucket(staged.hi);
  }
  spans_written_.fetch_add(staged.spans, std::memory_order_relaxed);
  blobs_written_.fetch_add(staged.blobs, std::memory_order_relaxed);
  logs_written_.fetch_add(staged.logs, std::memory_order_relaxed);
  return Status::Ok();
}

void RocksDbStore::StagePrepared(const std::vector<const PreparedSpans*>& parts, rocksdb::WriteBatch* batch,
                                 Staged* staged) {
  thread_local SegmentMerger merger;
  const SegmentMerger::Families families{cf(kSpans), cf(kIndex), cf(kTraces)};
  const std::vector<SegmentGroup> groups = GroupSegments(parts);
  uint64_t seq = segment_seq_.fetch_add(groups.size(), std::memory_order_relaxed);
  merger.Begin();
  for (const SegmentGroup& group : groups) staged->blobs += merger.Merge(group, seq++, families, batch);
  merger.PutSummaries(families, batch);

  std::unordered_map<std::string_view, uint32_t> names;  // name key -> latest bucket
  for (const PreparedSpans* p : parts) {
    for (const auto& [k, bucket] : p->names) {
      uint32_t& nb = names[k];
      nb = std::max(nb, bucket);
    }
    staged->lo = std::min(staged->lo, p->lo);
    staged->hi = std::max(staged->hi, p->hi);
    staged->spans += p->spans;
  }
  for (const auto& [k, bucket] : names) StageName(std::string(k), bucket, batch, &staged->names);
}

void RocksDbStore::StageLogs(const std::vector<const PreparedLogs*>& parts, rocksdb::WriteBatch* batch,
                             Staged* staged) {
  // Keys of each column family are put in key order: consecutive memtable
  // inserts then land near each other (cheap skip-list inserts). The sorts
  // compare numbers and short names, not the keys themselves.
  struct Ref {
    const PreparedLogs* part;
    const PreparedLogs::Entry* log;
    uint64_t seq;
    std::string_view service() const { return part->services[log->service]; }
  };
  std::vector<Ref> refs;
  for (const PreparedLogs* p : parts) {
    for (const auto& e : p->entries) refs.push_back({p, &e, 0});
  }
  const size_t total = refs.size();
  uint64_t seq = log_seq_.fetch_add(total, std::memory_order_relaxed);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (Ref& r : refs) {
    r.seq = r.log->seq != 0 ? r.log->seq : seq++;  // a uid names its record's keys (keys.h)
    lo = std::min(lo, r.log->bucket);
    hi = std::max(hi, r.log->bucket);
  }
  // logs: bucket | ~time | seq
  std::sort(refs.begin(), refs.end(), [](const Ref& x, const Ref& y) {
    if (x.log->bucket != y.log->bucket) return x.log->bucket < y.log->bucket;
    if (x.log->time_ns != y.log->time_ns) return x.log->time_ns > y.log->time_ns;
    return x.seq < y.seq;
  });
  for (const Ref& r : refs) batch->Put(cf(kLogs), keys::LogKey(r.log->bucket, r.log->time_ns, r.seq), r.log->value);
  // log_service: bucket | service 0 | ~time | seq, one key per service and
  // bucket of this write, naming its newest record; the value lists them
  // all, newest first (segment.h).
  std::sort(refs.begin(), refs.end(), [](const Ref& x, const Ref& y) {
    if (x.log->bucket != y.log->bucket) return x.log->bucket < y.log->bucket;
    if (const int c = x.service().compare(y.service()); c != 0) return c < 0;
    if (x.log->time_ns != y.log->time_ns) return x.log->time_ns > y.log->time_ns;
    return x.seq < y.seq;
  });
  std::string key, value;
  std::vector<seg::LogRef> list;
  auto put_list = [&](rocksdb::ColumnFamilyHandle* family) {
    value.clear();
    if (list.size() > 1) seg::EncodeLogRefs(list, &value);  // one record: the key says it all
    batch->Put(family, key, value);
  };
  for (size_t i = 0; i < refs.size();) {
    const Ref& first = refs[i];
    key = keys::LogServicePrefix(first.log->bucket, first.service());
    enc::PutBigEndian64(&key, ~first.log->time_ns);
    enc::PutBigEndian64(&key, first.seq);
    list.clear();
    for (; i < refs.size() && refs[i].log->bucket == first.log->bucket && refs[i].service() == first.service(); ++i) {
      list.push_back({refs[i].log->time_ns, refs[i].seq});
    }
    put_list(cf(kLogService));
  }
  // log_trace: bucket | trace | time | seq, one key per trace and bucket of
  // this write, naming its oldest record; the value lists them all, oldest
  // first.
  std::erase_if(refs, [](const Ref& r) { return !r.log->trace.IsValid(); });
  std::sort(refs.begin(), refs.end(), [](const Ref& x, const Ref& y) {
    if (x.log->bucket != y.log->bucket) return x.log->bucket < y.log->bucket;
    if (x.log->trace != y.log->trace) return x.log->trace < y.log->trace;
    if (x.log->time_ns != y.log->time_ns) return x.log->time_ns < y.log->time_ns;
    return x.seq < y.seq;
  });
  for (size_t i = 0; i < refs.size();) {
    const Ref& first = refs[i];
    key = keys::LogTraceKey(first.log->bucket, first.log->trace, first.log->time_ns, first.seq);
    list.clear();
    for (; i < refs.size() && refs[i].log->bucket == first.log->bucket && refs[i].log->trace == first.log->trace; ++i) {
      list.push_back({refs[i].log->time_ns, refs[i].seq});
    }
    put_list(cf(kLogTrace));
  }
  staged->lo = std::min(staged->lo, lo);
  staged->hi = std::max(staged->hi, hi);
  staged->logs += total;
}

}  // namespace callpath::store
