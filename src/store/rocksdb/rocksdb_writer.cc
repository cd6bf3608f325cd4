// WriteSpans / WriteLogs: one RocksDB WriteBatch per call, committed with a
// synced WAL write, and no reads on the way (summaries are merge operands).
#include <unordered_map>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"

namespace callpath::store {

namespace {

struct TraceIdHash {
  size_t operator()(const TraceId& t) const noexcept {
    uint64_t h;
    std::memcpy(&h, t.bytes().data() + 8, 8);  // the random half
    return static_cast<size_t>(h);
  }
};

// Index value: span duration and error flag, enough to filter on without
// reading the span.
void IndexValue(const StoredSpan& s, std::string* out) {
  out->clear();
  enc::PutVarint(out, s.duration_ns);
  out->push_back(s.is_error() ? 1 : 0);
}

}  // namespace

void RocksDbStore::StageResource(const Attributes& attrs, uint64_t* hash, std::string* scratch,
                                 rocksdb::WriteBatch* batch, std::vector<uint64_t>* staged) {
  if (attrs.empty()) {
    *hash = 0;
    return;
  }
  scratch->clear();
  enc::PutAttributes(scratch, attrs);
  uint64_t h = enc::Hash64(*scratch);
  if (h == 0) h = 1;  // 0 means "no resource"
  *hash = h;
  for (uint64_t s : *staged) {
    if (s == h) return;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (resources_written_.count(h)) return;
  }
  std::string key(8, '\0');
  std::memcpy(key.data(), &h, 8);
  batch->Put(cf(kResources), key, *scratch);
  staged->push_back(h);
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

Status RocksDbStore::Commit(rocksdb::WriteBatch* batch, const std::vector<uint64_t>& resources,
                            const std::vector<std::pair<std::string, uint32_t>>& names) {
  rocksdb::Status s = db_->Write(write_options_, batch);
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

Status RocksDbStore::WriteSpans(const std::vector<StoredSpan>& spans) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  for (const auto& s : spans) {
    if (!s.trace_id.IsValid() || !s.span_id.IsValid()) {
      return InvalidArgument("span with invalid trace or span id");
    }
  }
  if (spans.empty()) return Status::Ok();

  rocksdb::WriteBatch batch(spans.size() * 512);
  std::unordered_map<TraceId, SummaryRecord, TraceIdHash> summaries;
  std::vector<uint64_t> resources;
  std::vector<std::pair<std::string, uint32_t>> names;
  std::string key, value, scratch, ivalue;
  uint32_t lo = UINT32_MAX, hi = 0;
  // Consecutive spans usually share a resource (one OTLP ResourceSpans).
  const Attributes* last_resource = nullptr;
  uint64_t last_hash = 0;

  for (const auto& s : spans) {
    uint32_t b = BucketOf(s.start_ns);
    lo = std::min(lo, b);
    hi = std::max(hi, b);
    uint64_t rh = last_hash;
    if (last_resource == nullptr || !(*last_resource == s.resource_attributes)) {
      StageResource(s.resource_attributes, &rh, &scratch, &batch, &resources);
      last_resource = &s.resource_attributes;
      last_hash = rh;
    }
    value.clear();
    enc::EncodeSpanValue(s, rh, &value);
    batch.Put(cf(kSpans), keys::SpanKey(b, s.trace_id, s.start_ns, s.span_id), value);

    IndexValue(s, &ivalue);
    auto put_index = [&](std::string k) {
      keys::AppendIndexTail(&k, s.start_ns, s.trace_id, s.span_id);
      batch.Put(cf(kIndex), k, ivalue);
    };
    put_index(keys::IndexPrefix(b, keys::kAll));
    if (s.is_error()) put_index(keys::IndexPrefix(b, keys::kError));
    put_index(keys::IndexPrefix(b, keys::kService, s.service));
    put_index(keys::IndexPrefix(b, keys::kOperation, s.service, s.operation, true));
    for (const auto& kv : s.attributes) {
      std::string text = kv.value.AsText();
      // Longer values stay searchable: the search then checks spans instead.
      if (text.size() > options_.max_indexed_tag_value_bytes) continue;
      put_index(keys::IndexPrefix(b, keys::kTag, kv.key, text, true));
    }

    StageName(keys::ServiceNameKey(s.service), b, &batch, &names);
    StageName(keys::OperationNameKey(s.service, s.operation, static_cast<uint8_t>(s.kind)), b,
              &batch, &names);

    SummaryRecord& rec = summaries[s.trace_id];
    AddSpanToSummary(s, &rec.summary);
    rec.AddBucket(b);
  }
  for (const auto& [trace_id, rec] : summaries) {
    value.clear();
    EncodeSummaryRecord(rec, &value);
    batch.Merge(cf(kTraces), trace_id.AsBytes(), value);
  }
  CALLPATH_RETURN_IF_ERROR(Commit(&batch, resources, names));
  NoteBucket(lo);
  NoteBucket(hi);
  spans_written_.fetch_add(spans.size(), std::memory_order_relaxed);
  return Status::Ok();
}

Status RocksDbStore::WriteLogs(const std::vector<StoredLog>& logs) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  if (logs.empty()) return Status::Ok();
  rocksdb::WriteBatch batch(logs.size() * 256);
  std::vector<uint64_t> resources;
  std::string value, scratch;
  uint64_t seq = log_seq_.fetch_add(logs.size(), std::memory_order_relaxed);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (const auto& l : logs) {
    uint64_t t = l.effective_time_ns();
    uint32_t b = BucketOf(t);
    lo = std::min(lo, b);
    hi = std::max(hi, b);
    uint64_t rh;
    StageResource(l.resource_attributes, &rh, &scratch, &batch, &resources);
    value.clear();
    enc::EncodeLogValue(l, rh, &value);
    batch.Put(cf(kLogs), keys::LogKey(b, t, seq), value);
    if (l.trace_id.IsValid()) batch.Put(cf(kLogTrace), keys::LogTraceKey(b, l.trace_id, t, seq), "");
    ++seq;
  }
  CALLPATH_RETURN_IF_ERROR(Commit(&batch, resources, {}));
  NoteBucket(lo);
  NoteBucket(hi);
  logs_written_.fetch_add(logs.size(), std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace callpath::store
