// WriteSpans / WriteLogs: one RocksDB WriteBatch per call, committed with a
// synced WAL write, and no reads on the way (summaries are merge operands).
// Spans are written as segments (keys.h): a few keys per trace and per term
// of a call, not per span, because memtable inserts are what ingest costs.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"
#include "store/summary_fold.h"

namespace callpath::store {

namespace {

struct TraceIdHash {
  size_t operator()(const TraceId& t) const noexcept {
    uint64_t h;
    std::memcpy(&h, t.bytes().data() + 8, 8);  // the random half
    return static_cast<size_t>(h);
  }
};

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

// The text a tag search compares (Value::AsText), without an allocation
// for the common string and integer cases.
std::string_view TagText(const Value& v, char (&buf)[24], std::string* scratch) {
  switch (v.type) {
    case Value::Type::kString:
    case Value::Type::kJson:
      return v.text;
    case Value::Type::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.int_value);
      return std::string_view(buf, static_cast<size_t>(r.ptr - buf));
    }
    case Value::Type::kBool:
      return v.int_value ? "true" : "false";
    default:
      *scratch = v.AsText();
      return *scratch;
  }
}

struct ViewPairHash {
  size_t operator()(const std::pair<std::string_view, std::string_view>& p) const noexcept {
    return std::hash<std::string_view>()(p.first) * 31 + std::hash<std::string_view>()(p.second);
  }
};

struct SpanRef {
  uint64_t segment;  // bucket << 8 | window
  // The trace id as two big-endian words: the sort compares integers in
  // the trace id's byte order instead of calling memcmp per comparison.
  uint64_t trace_hi, trace_lo;
  uint64_t start_ns;
  const StoredSpan* span;
  uint32_t index;
};

inline uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  return w;
}

// (service, operation) -> the slots of its posting lists and what the
// names column family needs; one lookup per span instead of four.
struct NameSlots {
  // Slots in WriteScratch::lists (indexes: the outer vector may grow).
  size_t service = SIZE_MAX;
  size_t operation = SIZE_MAX;
  uint32_t bucket = 0;  // highest bucket seen in the call
  uint32_t kinds = 0;   // bitmask of span kinds seen
};
struct ViewPairFastHash {
  size_t operator()(const std::pair<std::string_view, std::string_view>& p) const noexcept {
    return static_cast<size_t>(keys::HashBytes(p.second, keys::HashBytes(p.first, 0x2545f4914f6cdd1dull)));
  }
};

// Per-thread buffers of WriteSpans, kept from one call to the next so a
// call does not allocate again what the previous one had (the batch buffer
// alone is hundreds of KB). Holds nothing of a finished call but capacity.
struct WriteScratch {
  rocksdb::WriteBatch batch;
  std::vector<SpanRef> refs;
  std::vector<std::vector<seg::Posting>> lists;  // posting lists, by slot
  std::vector<TraceId> table;
  std::vector<const StoredSpan*> blob_spans;
  std::vector<uint64_t> blob_hashes;
  std::string key, value, tag_scratch, blob_scratch;
};

// Posting lists of one segment under construction: slots in
// WriteScratch::lists, found by term. Terms are views into the call's
// spans, so the maps live only as long as the call.
class SegmentPostings {
 public:
  static constexpr size_t kAllSlot = 0, kErrorSlot = 1, kTagSlot = 2;

  explicit SegmentPostings(std::vector<std::vector<seg::Posting>>* lists) : lists_(lists) {
    used_ = kTagSlot + keys::kTagPartitions;
    if (lists_->size() < used_) lists_->resize(used_);
    Clear();
  }
  std::vector<seg::Posting>& all() { return (*lists_)[kAllSlot]; }
  std::vector<seg::Posting>& errors() { return (*lists_)[kErrorSlot]; }
  std::vector<seg::Posting>& tag(uint32_t partition) { return (*lists_)[kTagSlot + partition]; }
  size_t service_slot(std::string_view s) { return Slot(&services_, s); }
  size_t operation_slot(std::string_view s, std::string_view op) {
    return Slot(&operations_, std::pair<std::string_view, std::string_view>(s, op));
  }
  std::vector<seg::Posting>& list(size_t slot) { return (*lists_)[slot]; }
  template <typename F>  // f(service, list)
  void ForEachService(F f) {
    for (const auto& [s, slot] : services_) f(s, (*lists_)[slot]);
  }
  template <typename F>  // f(service, operation, list)
  void ForEachOperation(F f) {
    for (const auto& [so, slot] : operations_) f(so.first, so.second, (*lists_)[slot]);
  }
  // Empties every list (keeping terms and memory) for the next segment.
  void Clear() {
    for (size_t i = 0; i < used_; ++i) (*lists_)[i].clear();
  }

 private:
  template <typename Map, typename Key>
  size_t Slot(Map* map, const Key& key) {
    auto [it, fresh] = map->try_emplace(key, used_);
    if (fresh) {
      if (lists_->size() <= used_) lists_->emplace_back();
      (*lists_)[used_].clear();
      ++used_;
    }
    return it->second;
  }

  std::vector<std::vector<seg::Posting>>* lists_;
  size_t used_;
  std::unordered_map<std::string_view, size_t> services_;
  std::unordered_map<std::pair<std::string_view, std::string_view>, size_t, ViewPairHash>
      operations_;
};

}  // namespace

namespace {
thread_local WriteScratch scratch_buffers;

Status CheckIds(const std::vector<StoredSpan>& spans) {
  for (const auto& s : spans) {
    if (!s.trace_id.IsValid() || !s.span_id.IsValid()) {
      return InvalidArgument("span with invalid trace or span id");
    }
  }
  return Status::Ok();
}
}  // namespace

// Resource hashes of `spans`, staging the resources not yet stored. A call
// holds few distinct resources (one per service instance): keep the recent
// ones and compare, rather than encode and hash every span's.
void RocksDbStore::HashResources(const std::vector<StoredSpan>& spans, std::vector<uint64_t>* hashes,
                                 rocksdb::WriteBatch* batch, Staged* staged) {
  WriteScratch& w = scratch_buffers;
  hashes->resize(spans.size());
  std::vector<std::pair<const Attributes*, uint64_t>> recent;
  for (size_t i = 0; i < spans.size(); ++i) {
    const Attributes& attrs = spans[i].resource_attributes;
    auto known = std::find_if(recent.begin(), recent.end(),
                              [&](const auto& r) { return *r.first == attrs; });
    if (known == recent.end()) {
      uint64_t h = 0;
      StageResource(attrs, &h, &w.tag_scratch, batch, &staged->resources);
      if (recent.size() == 16) recent.erase(recent.begin());
      recent.emplace_back(&attrs, h);
      known = recent.end() - 1;
    }
    (*hashes)[i] = known->second;
  }
}

Status RocksDbStore::WriteSpans(const std::vector<StoredSpan>& spans) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  CALLPATH_RETURN_IF_ERROR(CheckIds(spans));
  if (spans.empty()) return Status::Ok();
  rocksdb::WriteBatch& batch = scratch_buffers.batch;
  batch.Clear();
  Staged staged;
  std::vector<uint64_t> hashes;
  HashResources(spans, &hashes, &batch, &staged);
  std::vector<const StoredSpan*> ptrs(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) ptrs[i] = &spans[i];
  StageSpans(ptrs, hashes, &batch, &staged);
  return CommitStaged(write_options_, &batch, staged);
}

Status RocksDbStore::WriteLogs(const std::vector<StoredLog>& logs) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  if (logs.empty()) return Status::Ok();
  rocksdb::WriteBatch batch(logs.size() * 256);
  Staged staged;
  std::vector<const StoredLog*> ptrs(logs.size());
  std::vector<uint64_t> hashes(logs.size());
  std::string scratch;
  for (size_t i = 0; i < logs.size(); ++i) {
    ptrs[i] = &logs[i];
    StageResource(logs[i].resource_attributes, &hashes[i], &scratch, &batch, &staged.resources);
  }
  StageLogs(ptrs, hashes, &batch, &staged);
  return CommitStaged(write_options_, &batch, staged);
}

Status RocksDbStore::WriteUnlogged(const std::vector<const IngestBatch*>& batches, uint64_t position) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  for (const IngestBatch* in : batches) {
    CALLPATH_RETURN_IF_ERROR(CheckIds(in->spans));
    if (in->span_resource.size() != in->spans.size() || in->log_resource.size() != in->logs.size()) {
      return InvalidArgument("ingest batch without a resource per item");
    }
    for (uint32_t r : in->span_resource)
      if (r >= in->resources.size()) return InvalidArgument("ingest batch resource index out of range");
    for (uint32_t r : in->log_resource)
      if (r >= in->resources.size()) return InvalidArgument("ingest batch resource index out of range");
  }
  WriteScratch& w = scratch_buffers;
  rocksdb::WriteBatch& batch = w.batch;
  batch.Clear();
  Staged staged;
  std::vector<const StoredSpan*> spans;
  std::vector<uint64_t> span_hashes;
  std::vector<const StoredLog*> logs;
  std::vector<uint64_t> log_hashes;
  std::vector<uint64_t> resource_hashes;
  for (const IngestBatch* in : batches) {
    // Each resource is encoded and hashed once, not once per item.
    resource_hashes.resize(in->resources.size());
    for (size_t r = 0; r < in->resources.size(); ++r) {
      StageResource(in->resources[r], &resource_hashes[r], &w.tag_scratch, &batch, &staged.resources);
    }
    for (size_t i = 0; i < in->spans.size(); ++i) {
      spans.push_back(&in->spans[i]);
      span_hashes.push_back(resource_hashes[in->span_resource[i]]);
    }
    for (size_t i = 0; i < in->logs.size(); ++i) {
      logs.push_back(&in->logs[i]);
      log_hashes.push_back(resource_hashes[in->log_resource[i]]);
    }
  }
  if (!spans.empty()) StageSpans(spans, span_hashes, &batch, &staged);
  if (!logs.empty()) StageLogs(logs, log_hashes, &batch, &staged);
  // The position travels in the same batch as the data: whatever a crash
  // keeps of the unlogged writes, the position kept matches it.
  std::string pos;
  enc::PutBigEndian64(&pos, position);
  batch.Put(cf(kMeta), kIngestPositionKey, pos);
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  CALLPATH_RETURN_IF_ERROR(CommitStaged(wo, &batch, staged));
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
  return durable_position_.load();
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

void RocksDbStore::StageSpans(const std::vector<const StoredSpan*>& spans,
                              const std::vector<uint64_t>& resource_hash, rocksdb::WriteBatch* batch_ptr,
                              Staged* staged) {
  WriteScratch& w = scratch_buffers;
  rocksdb::WriteBatch& batch = *batch_ptr;

  // Group by (segment, trace), ordered by start. Segment = (bucket, window).
  std::vector<SpanRef>& refs = w.refs;
  refs.clear();
  for (size_t i = 0; i < spans.size(); ++i) {
    uint32_t b = BucketOf(spans[i]->start_ns);
    uint64_t offset = spans[i]->start_ns - std::min<uint64_t>(spans[i]->start_ns, uint64_t{b} * bucket_ns_);
    uint64_t window = std::min<uint64_t>(offset / window_ns_, keys::kWindowsPerBucket - 1);
    const uint8_t* t = spans[i]->trace_id.bytes().data();
    refs.push_back({(uint64_t{b} << 8) | window, LoadBigEndian64(t), LoadBigEndian64(t + 8),
                    spans[i]->start_ns, spans[i], static_cast<uint32_t>(i)});
  }
  std::sort(refs.begin(), refs.end(), [](const SpanRef& a, const SpanRef& b) {
    if (a.segment != b.segment) return a.segment < b.segment;
    if (a.trace_hi != b.trace_hi) return a.trace_hi < b.trace_hi;
    if (a.trace_lo != b.trace_lo) return a.trace_lo < b.trace_lo;
    if (a.start_ns != b.start_ns) return a.start_ns < b.start_ns;
    return a.index < b.index;
  });
  // A span sent twice in one batch: the later copy replaces the earlier.
  {
    size_t out = 0;
    for (size_t i = 0; i < refs.size(); ++i) {
      if (i + 1 < refs.size() && refs[i + 1].segment == refs[i].segment &&
          refs[i + 1].trace_hi == refs[i].trace_hi && refs[i + 1].trace_lo == refs[i].trace_lo &&
          refs[i + 1].start_ns == refs[i].start_ns &&
          refs[i + 1].span->span_id == refs[i].span->span_id) {
        continue;
      }
      refs[out++] = refs[i];
    }
    refs.resize(out);
  }
  size_t segments = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i == 0 || refs[i].segment != refs[i - 1].segment) ++segments;
  }
  uint64_t seq = segment_seq_.fetch_add(segments, std::memory_order_relaxed);

  std::unordered_map<TraceId, SummaryRecord, TraceIdHash> summaries;
  // Names seen in the call, with their posting lists (slots stay put for
  // the whole call; SegmentPostings::Clear empties them per segment).
  std::unordered_map<std::pair<std::string_view, std::string_view>, NameSlots, ViewPairFastHash> names_in_batch;
  SegmentPostings postings(&w.lists);
  std::vector<TraceId>& table = w.table;
  std::vector<const StoredSpan*>& blob_spans = w.blob_spans;
  std::vector<uint64_t>& blob_hashes = w.blob_hashes;
  std::string &key = w.key, &value = w.value, &tag_scratch = w.tag_scratch;
  char tag_buf[24];
  uint32_t lo = UINT32_MAX, hi = 0;
  uint64_t blobs = 0;

  auto put_list = [&](uint32_t b, keys::IndexType type, std::string_view t,
                      std::vector<seg::Posting>* list, bool with_check) {
    if (list->empty()) return;
    uint64_t max_start = 0;
    for (const auto& p : *list) max_start = std::max(max_start, p.start_ns);
    key.clear();
    enc::PutBigEndian32(&key, b);
    key.push_back(type);
    key.append(t);
    keys::AppendPostingTail(&key, max_start, seq);
    value.clear();
    seg::EncodePostings(*list, max_start, with_check, &value);
    batch.Put(cf(kIndex), key, value);
  };

  for (size_t i = 0; i < refs.size(); ++seq) {
    const uint64_t segment = refs[i].segment;
    const uint32_t b = static_cast<uint32_t>(segment >> 8);
    lo = std::min(lo, b);
    hi = std::max(hi, b);
    postings.Clear();
    table.clear();
    while (i < refs.size() && refs[i].segment == segment) {
      const TraceId& trace = refs[i].span->trace_id;
      const auto trace_index = static_cast<uint32_t>(table.size());
      table.push_back(trace);
      blob_spans.clear();
      blob_hashes.clear();
      const uint64_t trace_hi = refs[i].trace_hi, trace_lo = refs[i].trace_lo;
      for (; i < refs.size() && refs[i].segment == segment && refs[i].trace_hi == trace_hi &&
             refs[i].trace_lo == trace_lo;
           ++i) {
        // Refs are in trace order, the spans in arrival order: each span
        // (and its attribute array) is a cache miss unless fetched ahead.
        if (i + 8 < refs.size()) __builtin_prefetch(refs[i + 8].span);
        if (i + 4 < refs.size()) {
          const StoredSpan* ahead = refs[i + 4].span;
          __builtin_prefetch(ahead->attributes.data());
          __builtin_prefetch(ahead->service.data());
          __builtin_prefetch(ahead->operation.data());
          __builtin_prefetch(reinterpret_cast<const char*>(ahead) + 64);
          __builtin_prefetch(reinterpret_cast<const char*>(ahead) + 128);
        }
        const StoredSpan& s = *refs[i].span;
        blob_spans.push_back(&s);
        blob_hashes.push_back(resource_hash[refs[i].index]);

        seg::Posting p{trace_index, s.start_ns, s.duration_ns, s.is_error(), 0};
        postings.all().push_back(p);
        if (p.error) postings.errors().push_back(p);
        NameSlots& ns = names_in_batch[{s.service, s.operation}];
        if (ns.service == SIZE_MAX) {
          ns.service = postings.service_slot(s.service);
          ns.operation = postings.operation_slot(s.service, s.operation);
        }
        postings.list(ns.service).push_back(p);
        postings.list(ns.operation).push_back(p);
        ns.bucket = std::max(ns.bucket, b);
        ns.kinds |= 1u << (static_cast<unsigned>(s.kind) & 31);
        for (const auto& kv : s.attributes) {
          std::string_view text = TagText(kv.value, tag_buf, &tag_scratch);
          // Longer values stay searchable: the search then checks spans instead.
          if (text.size() > options_.max_indexed_tag_value_bytes) continue;
          uint64_t h = keys::TagHash(kv.key, text);
          p.check = keys::TagCheck(h);
          postings.tag(keys::TagPartition(h)).push_back(p);
        }
      }
      SummaryRecord& rec = summaries[trace];
      SummaryRecord part;
      part.summary = SummarizeSpans(blob_spans);
      part.ids_tracked = blob_spans.size() <= SummaryRecord::kMaxTrackedSpans;
      if (part.ids_tracked) {
        for (const StoredSpan* s : blob_spans) {
          uint64_t id;
          std::memcpy(&id, s->span_id.bytes().data(), 8);
          part.span_ids.push_back(id);
          if (s->is_error()) part.error_ids.push_back(id);
        }
        std::sort(part.span_ids.begin(), part.span_ids.end());
        std::sort(part.error_ids.begin(), part.error_ids.end());
        // Ids repeat only for spans of equal id but different start: keep
        // the counts of the part consistent with its ids.
        part.span_ids.erase(std::unique(part.span_ids.begin(), part.span_ids.end()), part.span_ids.end());
        part.error_ids.erase(std::unique(part.error_ids.begin(), part.error_ids.end()), part.error_ids.end());
        part.summary.span_count = static_cast<uint32_t>(part.span_ids.size());
        part.summary.error_count = static_cast<uint32_t>(part.error_ids.size());
      }
      rec.Merge(part);
      rec.AddBucket(b);
      value.clear();
      seg::EncodeBlob(blob_spans, blob_hashes, &value);
      seg::CompressBlob(&value, &w.blob_scratch);
      batch.Put(cf(kSpans), keys::SpanKey(b, trace, seq), value);
      ++blobs;
    }
    value.clear();
    seg::EncodeTable(table, &value);
    batch.Put(cf(kIndex), keys::TableKey(b, seq), value);
    put_list(b, keys::kAll, {}, &postings.all(), false);
    put_list(b, keys::kError, {}, &postings.errors(), false);
    postings.ForEachService([&](std::string_view service, std::vector<seg::Posting>& list) {
      put_list(b, keys::kService, keys::ServiceTerm(service), &list, false);
    });
    postings.ForEachOperation(
        [&](std::string_view service, std::string_view op, std::vector<seg::Posting>& list) {
          put_list(b, keys::kOperation, keys::OperationTerm(service, op), &list, false);
        });
    for (uint32_t part = 0; part < keys::kTagPartitions; ++part) {
      put_list(b, keys::kTag, keys::TagTerm(part), &postings.tag(part), true);
    }
  }

  std::vector<std::pair<std::string, uint32_t>>& names = staged->names;
  std::unordered_map<std::string_view, uint32_t> services_in_batch;
  for (const auto& [op, ns] : names_in_batch) {
    uint32_t& sb = services_in_batch[op.first];
    sb = std::max(sb, ns.bucket);
  }
  for (const auto& [service, nb] : services_in_batch) {
    StageName(keys::ServiceNameKey(service), nb, &batch, &names);
  }
  for (const auto& [op, ns] : names_in_batch) {
    for (unsigned kind = 0; kind < 32; ++kind) {
      if (ns.kinds & (1u << kind)) {
        StageName(keys::OperationNameKey(op.first, op.second, static_cast<uint8_t>(kind)), ns.bucket,
                  &batch, &names);
      }
    }
  }
  // In key order: consecutive memtable inserts then land near each other.
  std::vector<std::pair<const TraceId*, const SummaryRecord*>> ordered;
  ordered.reserve(summaries.size());
  for (const auto& [trace_id, rec] : summaries) ordered.emplace_back(&trace_id, &rec);
  std::sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) { return *x.first < *y.first; });
  for (const auto& [trace_id, rec] : ordered) {
    value.clear();
    EncodeSummaryRecord(*rec, &value);
    batch.Merge(cf(kTraces), trace_id->AsBytes(), value);
  }
  staged->lo = std::min(staged->lo, lo);
  staged->hi = std::max(staged->hi, hi);
  staged->spans += spans.size();
  staged->blobs += blobs;
}

void RocksDbStore::StageLogs(const std::vector<const StoredLog*>& logs, const std::vector<uint64_t>& resource_hash,
                             rocksdb::WriteBatch* batch, Staged* staged) {
  // Keys of each column family are put in key order: consecutive memtable
  // inserts then land near each other (cheap skip-list inserts).
  struct Entry {
    std::string key;
    size_t log;
  };
  std::vector<Entry> by_time, by_trace, by_service;
  by_time.reserve(logs.size());
  by_trace.reserve(logs.size());
  by_service.reserve(logs.size());
  uint64_t seq = log_seq_.fetch_add(logs.size(), std::memory_order_relaxed);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (size_t i = 0; i < logs.size(); ++i, ++seq) {
    const StoredLog& l = *logs[i];
    uint64_t t = l.effective_time_ns();
    uint32_t b = BucketOf(t);
    lo = std::min(lo, b);
    hi = std::max(hi, b);
    by_time.push_back({keys::LogKey(b, t, seq), i});
    if (l.trace_id.IsValid()) by_trace.push_back({keys::LogTraceKey(b, l.trace_id, t, seq), i});
    std::string sk = keys::LogServicePrefix(b, l.service);
    enc::PutBigEndian64(&sk, ~t);
    enc::PutBigEndian64(&sk, seq);
    by_service.push_back({std::move(sk), i});
  }
  auto by_key = [](const Entry& x, const Entry& y) { return x.key < y.key; };
  std::sort(by_time.begin(), by_time.end(), by_key);
  std::sort(by_trace.begin(), by_trace.end(), by_key);
  std::sort(by_service.begin(), by_service.end(), by_key);
  std::string value;
  for (const Entry& e : by_time) {
    value.clear();
    enc::EncodeLogValue(*logs[e.log], resource_hash[e.log], &value);
    batch->Put(cf(kLogs), e.key, value);
  }
  for (const Entry& e : by_trace) batch->Put(cf(kLogTrace), e.key, "");
  for (const Entry& e : by_service) batch->Put(cf(kLogService), e.key, "");
  staged->lo = std::min(staged->lo, lo);
  staged->hi = std::max(staged->hi, hi);
  staged->logs += logs.size();
}

}  // namespace callpath::store
