// Prepare: what of a batch's spans can be encoded without the other
// batches of the same write (prepared_batch.h). Runs on the callers'
// threads, concurrently; touches no state of the store but its options.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "store/encoding.h"
#include "store/rocksdb/keys.h"
#include "store/rocksdb/prepared_batch.h"
#include "store/rocksdb/rocksdb_store_impl.h"
#include "store/rocksdb/segment.h"
#include "store/rocksdb/summary_record.h"
#include "store/stats_fold.h"
#include "store/summary_fold.h"

namespace callpath::store {

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

// keys::LogSeqOfUid of the record's log.record.uid; 0 when it has none.
uint64_t LogSeqOf(const StoredLog& l) {
  for (const KeyValue& kv : l.attributes) {
    if (kv.key == keys::kLogRecordUidKey && kv.value.type == Value::Type::kString && !kv.value.text.empty())
      return keys::LogSeqOfUid(kv.value.text);
  }
  return 0;
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
  // Slots in PrepareScratch::lists (indexes: the outer vector may grow).
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

// Per-thread buffers of PrepareSpans, kept from one call to the next so a
// call does not allocate again what the previous one had. Holds nothing of
// a finished call but capacity.
struct PrepareScratch {
  std::vector<SpanRef> refs;
  std::vector<std::vector<seg::Posting>> lists;  // posting lists, by slot
  std::vector<const StoredSpan*> blob_spans;
  std::vector<uint64_t> blob_hashes;
  std::string tag_scratch, blob_scratch, resource;
};
thread_local PrepareScratch prepare_scratch;

// Posting lists of one segment under construction: slots in
// PrepareScratch::lists, found by term. Terms are views into the call's
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

Status CheckResources(const IngestBatch& in) {
  if (in.span_resource.size() != in.spans.size() || in.log_resource.size() != in.logs.size()) {
    return InvalidArgument("ingest batch without a resource per item");
  }
  for (uint32_t r : in.span_resource)
    if (r >= in.resources.size()) return InvalidArgument("ingest batch resource index out of range");
  for (uint32_t r : in.log_resource)
    if (r >= in.resources.size()) return InvalidArgument("ingest batch resource index out of range");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<PreparedBatch>> RocksDbStore::PrepareStatistics(const IngestBatch& in) const {
  CALLPATH_RETURN_IF_ERROR(CheckIds(in.spans));
  CALLPATH_RETURN_IF_ERROR(CheckResources(in));
  auto out = std::make_unique<RocksPreparedBatch>(0, 0);
  if (options_.keep_stats) {
    out->stats = FoldBatchStats(in);
    out->stats.log_template_ids = {};
  }
  return std::unique_ptr<PreparedBatch>(std::move(out));
}

Result<std::unique_ptr<PreparedBatch>> RocksDbStore::Prepare(IngestBatch in) const {
  CALLPATH_RETURN_IF_ERROR(CheckIds(in.spans));
  CALLPATH_RETURN_IF_ERROR(CheckResources(in));

  // Before the statistics fold them: a repeat is neither stored nor counted again.
  CALLPATH_RETURN_IF_ERROR(DropStoredRepeats(&in));

  auto out = std::make_unique<RocksPreparedBatch>(in.spans.size(), in.logs.size());
  if (options_.keep_stats && in.fold_statistics) {
    out->stats = FoldBatchStats(in);
    for (size_t i = 0; i < in.logs.size(); ++i) {
      if (in.logs[i].template_id == 0) in.logs[i].template_id = out->stats.log_template_ids[i];
    }
    out->stats.log_template_ids = {};  // written with the records; Write needs only the rows
  } else if (options_.keep_stats) {
    FillLogTemplateIds(&in.logs);  // as the fold would have
  }
  // Each resource is encoded and hashed once, not once per item.
  std::vector<uint64_t> resource_hashes(in.resources.size());
  std::string& encoded = prepare_scratch.resource;
  for (size_t r = 0; r < in.resources.size(); ++r) {
    if (in.resources[r].empty()) continue;  // hash 0: no resource
    encoded.clear();
    enc::PutAttributes(&encoded, in.resources[r]);
    uint64_t h = enc::Hash64(encoded);
    if (h == 0) h = 1;
    resource_hashes[r] = h;
    if (std::none_of(out->resources.begin(), out->resources.end(), [h](const auto& e) { return e.first == h; })) {
      out->resources.emplace_back(h, encoded);
    }
  }
  if (!in.spans.empty()) {
    std::vector<const StoredSpan*> spans(in.spans.size());
    std::vector<uint64_t> hashes(in.spans.size());
    for (size_t i = 0; i < in.spans.size(); ++i) {
      spans[i] = &in.spans[i];
      hashes[i] = resource_hashes[in.span_resource[i]];
    }
    PrepareSpans(spans, hashes, &out->spans);
  }
  if (!in.logs.empty()) {
    std::vector<const StoredLog*> logs(in.logs.size());
    std::vector<uint64_t> hashes(in.logs.size());
    for (size_t i = 0; i < in.logs.size(); ++i) {
      logs[i] = &in.logs[i];
      hashes[i] = resource_hashes[in.log_resource[i]];
    }
    PrepareLogs(logs, hashes, &out->logs);
  }
  return std::unique_ptr<PreparedBatch>(std::move(out));
}

Status RocksDbStore::DropStoredRepeats(IngestBatch* in) const {
  if (std::none_of(in->logs.begin(), in->logs.end(), [](const StoredLog& l) { return LogSeqOf(l) != 0; }))
    return Status::Ok();
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  // The keys of the records with a uid, looked up in one MultiGet (one
  // pass over memtables and tables for the batch, not one per record).
  std::vector<std::string> keys;
  std::vector<size_t> index;  // keys[k] is the key of in->logs[index[k]]
  std::vector<bool> repeat(in->logs.size(), false);
  std::unordered_set<std::string_view> keys_in_batch;
  keys.reserve(in->logs.size());
  for (size_t i = 0; i < in->logs.size(); ++i) {
    const uint64_t seq = LogSeqOf(in->logs[i]);
    if (seq == 0) continue;
    const uint64_t t = in->logs[i].effective_time_ns();
    keys.push_back(keys::LogKey(BucketOf(t), t, seq));
    index.push_back(i);
  }
  for (size_t k = 0; k < keys.size(); ++k) repeat[index[k]] = !keys_in_batch.insert(keys[k]).second;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> found(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), cf(kLogs), slices.size(), slices.data(), values.data(), found.data());
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!found[k].ok() && !found[k].IsNotFound()) return FromRocks(found[k], "look up log records by uid");
    if (found[k].ok()) repeat[index[k]] = true;
  }
  size_t kept = 0;
  for (size_t i = 0; i < in->logs.size(); ++i) {
    if (repeat[i]) continue;
    if (kept != i) {
      in->logs[kept] = std::move(in->logs[i]);
      in->log_resource[kept] = in->log_resource[i];
    }
    ++kept;
  }
  in->logs.resize(kept);
  in->log_resource.resize(kept);
  return Status::Ok();
}

void RocksDbStore::PrepareLogs(const std::vector<const StoredLog*>& logs, const std::vector<uint64_t>& resource_hash,
                               PreparedLogs* out) const {
  out->entries.reserve(out->entries.size() + logs.size());
  for (size_t i = 0; i < logs.size(); ++i) {
    const StoredLog& l = *logs[i];
    PreparedLogs::Entry& e = out->entries.emplace_back();
    e.time_ns = l.effective_time_ns();
    e.bucket = BucketOf(e.time_ns);
    e.trace = l.trace_id;
    e.seq = LogSeqOf(l);
    // A batch's records come from few services: the last one seen is
    // usually the one.
    auto known = std::find(out->services.rbegin(), out->services.rend(), l.service);
    if (known == out->services.rend()) {
      e.service = static_cast<uint32_t>(out->services.size());
      out->services.push_back(l.service);
    } else {
      e.service = static_cast<uint32_t>(out->services.rend() - known - 1);
    }
    enc::EncodeLogValue(l, resource_hash[i], &e.value);
  }
}

namespace {

// Sorts `refs` by (segment, trace, start) and drops a span sent twice in
// the batch (the later copy replaces the earlier).
void SortAndDedupe(std::vector<SpanRef>* refs) {
  std::sort(refs->begin(), refs->end(), [](const SpanRef& a, const SpanRef& b) {
    if (a.segment != b.segment) return a.segment < b.segment;
    if (a.trace_hi != b.trace_hi) return a.trace_hi < b.trace_hi;
    if (a.trace_lo != b.trace_lo) return a.trace_lo < b.trace_lo;
    if (a.start_ns != b.start_ns) return a.start_ns < b.start_ns;
    return a.index < b.index;
  });
  size_t kept = 0;
  for (size_t i = 0; i < refs->size(); ++i) {
    const SpanRef& r = (*refs)[i];
    if (i + 1 < refs->size()) {
      const SpanRef& next = (*refs)[i + 1];
      if (next.segment == r.segment && next.trace_hi == r.trace_hi && next.trace_lo == r.trace_lo &&
          next.start_ns == r.start_ns && next.span->span_id == r.span->span_id) {
        continue;
      }
    }
    (*refs)[kept++] = r;
  }
  refs->resize(kept);
}

// The summary part of one trace's spans in one segment (a merge operand).
void EncodeSummaryPart(const std::vector<const StoredSpan*>& spans, uint32_t bucket, std::string* out) {
  SummaryRecord part;
  std::vector<uint32_t> service_of;
  part.summary = SummarizeSpans(spans, &service_of);
  part.ids_tracked = spans.size() <= SummaryRecord::kMaxTrackedSpans;
  if (part.ids_tracked) {
    const std::vector<std::string>& names = part.summary.services;
    std::vector<std::pair<uint64_t, uint32_t>> ids;  // (span id, service index)
    ids.reserve(spans.size());
    for (size_t i = 0; i < spans.size(); ++i) {
      uint64_t id;
      std::memcpy(&id, spans[i]->span_id.bytes().data(), 8);
      ids.emplace_back(id, service_of[i]);
      if (spans[i]->is_error()) part.error_ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    std::sort(part.error_ids.begin(), part.error_ids.end());
    // Ids repeat only for spans of equal id but different start: keep the
    // counts of the part consistent with its ids.
    ids.erase(std::unique(ids.begin(), ids.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              ids.end());
    part.error_ids.erase(std::unique(part.error_ids.begin(), part.error_ids.end()), part.error_ids.end());
    for (const auto& [id, svc] : ids) {
      part.span_ids.push_back(id);
      part.span_services.push_back(svc);
    }
    for (const StoredSpan* s : spans) {
      if (s->is_root()) continue;
      uint64_t id, parent;
      std::memcpy(&id, s->span_id.bytes().data(), 8);
      std::memcpy(&parent, s->parent_span_id.bytes().data(), 8);
      if (!std::binary_search(part.span_ids.begin(), part.span_ids.end(), parent)) {
        part.orphans.emplace_back(id, parent);
      }
    }
    std::sort(part.orphans.begin(), part.orphans.end());
    part.orphans.erase(std::unique(part.orphans.begin(), part.orphans.end(),
                                   [](const auto& a, const auto& b) { return a.first == b.first; }),
                       part.orphans.end());
    part.summary.span_count = static_cast<uint32_t>(part.span_ids.size());
    part.summary.error_count = static_cast<uint32_t>(part.error_ids.size());
    part.summary.orphan_count = static_cast<uint32_t>(part.orphans.size());
    part.summary.service_stats.assign(names.size(), {});
    for (size_t i = 0; i < names.size(); ++i) part.summary.service_stats[i].name = names[i];
    for (uint32_t svc : part.span_services) ++part.summary.service_stats[svc].span_count;
    for (uint64_t e : part.error_ids) {
      auto it = std::lower_bound(part.span_ids.begin(), part.span_ids.end(), e);
      ++part.summary.service_stats[part.span_services[it - part.span_ids.begin()]].error_count;
    }
  }
  part.AddBucket(bucket);
  EncodeSummaryRecord(part, out);
}

// Copies the segment's non-empty posting lists into `segment` as terms.
void AddTerms(SegmentPostings& postings, PreparedSegment* segment) {
  auto add = [&](keys::IndexType type, std::string_view term, const std::vector<seg::Posting>& list,
                 bool with_check) {
    if (list.empty()) return;
    PreparedTerm& t = segment->terms.emplace_back();
    t.term.push_back(type);
    t.term.append(term);
    t.with_check = with_check;
    t.postings = list;
  };
  add(keys::kAll, {}, postings.all(), false);
  add(keys::kError, {}, postings.errors(), false);
  postings.ForEachService([&](std::string_view service, std::vector<seg::Posting>& list) {
    add(keys::kService, keys::ServiceTerm(service), list, false);
  });
  postings.ForEachOperation([&](std::string_view service, std::string_view op, std::vector<seg::Posting>& list) {
    add(keys::kOperation, keys::OperationTerm(service, op), list, false);
  });
  for (uint32_t part = 0; part < keys::kTagPartitions; ++part) {
    add(keys::kTag, keys::TagTerm(part), postings.tag(part), true);
  }
}

using NamesInBatch =
    std::unordered_map<std::pair<std::string_view, std::string_view>, NameSlots, ViewPairFastHash>;

// Names column family entries: each service, and each (service, operation,
// kind), with the latest bucket it was seen in.
void CollectNames(const NamesInBatch& names, PreparedSpans* out) {
  std::unordered_map<std::string_view, uint32_t> services;
  for (const auto& [op, ns] : names) {
    uint32_t& sb = services[op.first];
    sb = std::max(sb, ns.bucket);
  }
  for (const auto& [service, bucket] : services) out->names.emplace_back(keys::ServiceNameKey(service), bucket);
  for (const auto& [op, ns] : names) {
    for (unsigned kind = 0; kind < 32; ++kind) {
      if (ns.kinds & (1u << kind)) {
        out->names.emplace_back(keys::OperationNameKey(op.first, op.second, static_cast<uint8_t>(kind)),
                                ns.bucket);
      }
    }
  }
}

}  // namespace

void RocksDbStore::PrepareSpans(const std::vector<const StoredSpan*>& spans,
                                const std::vector<uint64_t>& resource_hash, PreparedSpans* out) const {
  PrepareScratch& w = prepare_scratch;

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
  SortAndDedupe(&refs);
  out->spans += refs.size();

  // Names seen in the call, with their posting lists (slots stay put for
  // the whole call; SegmentPostings::Clear empties them per segment).
  NamesInBatch names_in_batch;
  SegmentPostings postings(&w.lists);
  char tag_buf[24];

  for (size_t i = 0; i < refs.size();) {
    const uint64_t segment = refs[i].segment;
    const uint32_t b = static_cast<uint32_t>(segment >> 8);
    out->lo = std::min(out->lo, b);
    out->hi = std::max(out->hi, b);
    postings.Clear();
    const auto first_trace = static_cast<uint32_t>(out->traces.size());
    while (i < refs.size() && refs[i].segment == segment) {
      const auto trace_index = static_cast<uint32_t>(out->traces.size() - first_trace);
      w.blob_spans.clear();
      w.blob_hashes.clear();
      const uint64_t trace_hi = refs[i].trace_hi, trace_lo = refs[i].trace_lo;
      const TraceId& trace = refs[i].span->trace_id;
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
        w.blob_spans.push_back(&s);
        w.blob_hashes.push_back(resource_hash[refs[i].index]);

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
        // A tag search matches event and link attributes too (tag_match.h).
        auto index_tags = [&](const Attributes& attrs) {
          for (const auto& kv : attrs) {
            std::string_view text = TagText(kv.value, tag_buf, &w.tag_scratch);
            // Longer values stay searchable: the search then checks spans instead.
            if (text.size() > options_.max_indexed_tag_value_bytes) continue;
            uint64_t h = keys::TagHash(kv.key, text);
            p.check = keys::TagCheck(h);
            postings.tag(keys::TagPartition(h)).push_back(p);
          }
        };
        index_tags(s.attributes);
        for (const auto& e : s.events) index_tags(e.attributes);
        for (const auto& l : s.links) index_tags(l.attributes);
      }
      PreparedTrace& pt = out->traces.emplace_back();
      pt.segment = segment;
      pt.trace_hi = trace_hi;
      pt.trace_lo = trace_lo;
      pt.trace = trace;
      EncodeSummaryPart(w.blob_spans, b, &pt.summary);
      seg::EncodeBlob(w.blob_spans, w.blob_hashes, &pt.blob);
      seg::CompressBlob(&pt.blob, &w.blob_scratch);
    }
    PreparedSegment& ps = out->segments.emplace_back();
    ps.segment = segment;
    ps.first_trace = first_trace;
    ps.trace_count = static_cast<uint32_t>(out->traces.size() - first_trace);
    AddTerms(postings, &ps);
  }
  CollectNames(names_in_batch, out);
}

}  // namespace callpath::store
